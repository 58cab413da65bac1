/**
 * Building blocks of the self-contained HTML pages (`fastcoder trace`, `fastcoder report`): escaping and the page
 * shell with inline CSS. No external resource is ever referenced, so a page opens with no network.
 */

/**
 * Escape text for HTML element content and attribute values.
 *
 * Example: escapeHtml('a < b && "c"') // 'a &lt; b &amp;&amp; &quot;c&quot;'
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * JSON for an inline `<script>`: `<` is written as `\u003c` so that no `</script>` or `<!--` in the data can end the
 * script element.
 *
 * Example: scriptJson({ t: '</script>' }) // '{"t":"\\u003c/script>"}'
 */
export function scriptJson(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The colour of each token source, shared by the code view, its legend and the charts of the trace page. */
export const SOURCE_COLOURS: Record<string, string> = { repo: '#9fd8a4', common: '#a9c8f5', cache: '#ffd98c', lookup: '#e3b5f0', model: '#dedede' };

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; } td { white-space: nowrap; } th:first-child, td:first-child { text-align: left; }
th { background: #f3f3f3; }
pre.code { background: #fbfbfb; border: 1px solid #ddd; padding: 10px; white-space: pre-wrap; font: 13px/1.5 ui-monospace, monospace; }
.prompt { color: #888; }
.tok { border-radius: 2px; cursor: default; }
${Object.entries(SOURCE_COLOURS).map(([k, c]) => `.src-${k} { background: ${c}; }`).join(' ')}
.special { font: 10px/1 system-ui, sans-serif; color: #fff; background: #777; border-radius: 3px; padding: 1px 4px; margin: 0 2px; vertical-align: 1px; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; margin: 8px 0 16px; }
dl.meta dt { color: #666; } dl.meta dd { margin: 0; }
.legend span { display: inline-block; padding: 1px 8px; margin-right: 6px; border-radius: 2px; }
.tok.hl { outline: 2px solid #c33; }
#tip { position: fixed; display: none; background: #fff; border: 1px solid #999; padding: 6px 8px; font: 12px/1.4 ui-monospace, monospace;
  white-space: pre; box-shadow: 0 2px 6px rgba(0,0,0,.2); pointer-events: none; z-index: 10; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg { max-width: 100%; height: auto; }
.note { color: #666; font-size: 12px; }
`;

/**
 * A complete HTML document: title, inline CSS, body, and an optional inline script run after the body is parsed.
 *
 * Example: htmlPage('Trace', '<p>hi</p>') // '<!DOCTYPE html>\n<html lang="en">...<p>hi</p>...</html>\n'
 */
export function htmlPage(title: string, body: string, script = ''): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${CSS}</style></head>`,
    `<body>\n${body}\n${script ? `<script>\n${script}\n</script>` : ''}</body></html>`,
    '',
  ].join('\n');
}

/**
 * An HTML table from a header and rows of cell text (escaped).
 *
 * Example: htmlTable(['mode', 'L/F'], [['rest', '2.10']]) // '<table><tr><th>mode</th>...<td>2.10</td></tr></table>'
 */
export function htmlTable(header: string[], rows: string[][], cls = ''): string {
  const tr = (cells: string[], tag: string) => `<tr>${cells.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
  return `<table${cls ? ` class="${cls}"` : ''}>${tr(header, 'th')}${rows.map((r) => tr(r, 'td')).join('')}</table>`;
}

/**
 * A definition list of (name, value) pairs (escaped), e.g. a page's run settings.
 *
 * Example: metaList([['model', 'tiny-coder-dsc']]) // '<dl class="meta"><dt>model</dt><dd>tiny-coder-dsc</dd></dl>'
 */
export function metaList(pairs: [string, string][]): string {
  return `<dl class="meta">${pairs.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}
