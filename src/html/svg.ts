/**
 * Inline SVG charts for the HTML pages: grouped bar charts and a heatmap. Pure string building, no library.
 */
import { escapeHtml } from './page';

/** One series of a bar chart: a name (legend) and a value per category (null = no bar). */
export interface Series {
  name: string;
  values: (number | null)[];
}

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));

/**
 * A grouped bar chart: one group per category, one bar per series, value labels on the bars, a dashed line at
 * `reference` (e.g. 1 for speedup) when given.
 *
 * Example: barChart('L/F per mode', ['all'], [{ name: 'rest', values: [2.1] }, { name: 'fastcoder', values: [3.4] }])
 *   // '<svg ...><rect class="bar" ...>...</svg>' with two bars
 */
export function barChart(title: string, categories: string[], series: Series[], reference?: number): string {
  const slot = Math.max(4, Math.min(28 * series.length + 16, Math.floor(880 / Math.max(1, categories.length)))); // px per category
  const gap = Math.max(1, Math.min(16, Math.round(slot / 4)));
  const barW = Math.max(2, Math.floor((slot - gap) / series.length));
  const groupW = barW * series.length + gap;
  const labelEvery = Math.ceil(40 / groupW); // category labels at least 40 px apart
  const plotH = 180;
  const left = 44;
  const width = Math.max(360, left + categories.length * groupW + 10);
  const legendY = plotH + 58;
  const perRow = Math.max(1, Math.floor((width - left) / 150)); // legend entries per line
  const height = legendY + 16 * Math.ceil(series.length / perRow) + 6;
  const labelChars = Math.max(3, Math.floor((labelEvery * groupW) / 7) - 1); // what fits between two labels
  const all = series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  const max = Math.max(reference ?? 0, ...all, 1e-9) * 1.12;
  const y = (v: number) => 24 + plotH - (v / max) * plotH;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`];
  parts.push(`<text x="4" y="14" style="font-weight:bold">${escapeHtml(title)}</text>`);
  parts.push(`<line x1="${left}" y1="${y(0)}" x2="${width - 4}" y2="${y(0)}" stroke="#999"/>`);
  parts.push(`<text x="${left - 4}" y="${y(max / 1.12) + 4}" text-anchor="end">${fmt(max / 1.12)}</text>`);
  if (reference !== undefined) {
    parts.push(`<line x1="${left}" y1="${y(reference)}" x2="${width - 4}" y2="${y(reference)}" stroke="#c33" stroke-dasharray="4 3"/>`);
  }
  categories.forEach((cat, ci) => {
    const gx = left + Math.ceil(gap / 2) + ci * groupW;
    series.forEach((s, si) => {
      const v = s.values[ci];
      if (v === null || !Number.isFinite(v)) return;
      const x = gx + si * barW;
      parts.push(
        `<rect class="bar" x="${x}" y="${y(v)}" width="${barW - 2}" height="${y(0) - y(v)}" fill="${PALETTE[si % PALETTE.length]}">` +
          `<title>${escapeHtml(`${cat} · ${s.name}: ${fmt(v)}`)}</title></rect>`,
      );
      if (barW >= 18) parts.push(`<text x="${x + (barW - 2) / 2}" y="${y(v) - 3}" text-anchor="middle">${fmt(v)}</text>`);
    });
    const label = cat.length > labelChars ? `${cat.slice(0, labelChars - 1)}…` : cat;
    if (ci % labelEvery === 0) parts.push(`<text x="${gx + (barW * series.length) / 2}" y="${y(0) + 14}" text-anchor="middle">${escapeHtml(label)}<title>${escapeHtml(cat)}</title></text>`);
  });
  series.forEach((s, si) => {
    const lx = left + (si % perRow) * 150;
    const ly = legendY + 16 * Math.floor(si / perRow);
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${PALETTE[si % PALETTE.length]}"/><text x="${lx + 14}" y="${ly}">${escapeHtml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** One heatmap cell: a value in [0, 1] (null = no data) and the text its tooltip shows. */
export interface HeatCell {
  value: number | null;
  label: string;
}

/**
 * A heatmap: rows × columns of cells coloured from white (0) to dark green (1), grey where there is no data.
 *
 * Example: heatmap('success by position', ['any'], ['0', '1'], [[{ value: 0.5, label: '1/2' }, { value: null, label: 'no steps' }]])
 */
export function heatmap(title: string, rowNames: string[], colNames: string[], cells: HeatCell[][]): string {
  const cw = 34;
  const ch = 22;
  const left = 150;
  const top = 40;
  const width = left + colNames.length * cw + 10;
  const height = top + rowNames.length * ch + 10;
  const colour = (v: number) => `rgb(${Math.round(255 - 200 * v)},${Math.round(255 - 90 * v)},${Math.round(255 - 200 * v)})`;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`];
  parts.push(`<text x="4" y="14" style="font-weight:bold">${escapeHtml(title)}</text>`);
  colNames.forEach((c, j) => parts.push(`<text x="${left + j * cw + cw / 2}" y="${top - 6}" text-anchor="middle">${escapeHtml(c)}</text>`));
  rowNames.forEach((r, i) => {
    parts.push(`<text x="${left - 6}" y="${top + i * ch + 15}" text-anchor="end">${escapeHtml(r)}</text>`);
    cells[i].forEach((cell, j) => {
      const fill = cell.value === null ? '#e4e4e4' : colour(cell.value);
      parts.push(
        `<rect class="cell" x="${left + j * cw}" y="${top + i * ch}" width="${cw - 2}" height="${ch - 2}" fill="${fill}">` +
          `<title>${escapeHtml(`${r}, position ${colNames[j]}: ${cell.label}`)}</title></rect>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('');
}
