/**
 * Inline SVG charts for the HTML pages: grouped bar charts (vertical, or horizontal with full category names), a
 * stacked bar chart with axis ticks, and a heatmap with its colour legend. Pure string building, no library.
 */
import { escapeHtml } from './page';

/** One series of a bar chart: a name (legend), a value per category (null = no bar), and optionally its colour. */
export interface Series {
  name: string;
  values: (number | null)[];
  colour?: string; // CSS colour; default: the palette colour of the series' index
}

export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
const CHAR_W = 7; // px per character of the 11px chart font, generous (DejaVu Sans, a common fallback, is wide)
const textWidth = (s: string): number => s.length * CHAR_W;
const colourOf = (s: Series, i: number): string => s.colour ?? PALETTE[i % PALETTE.length];

/**
 * Axis ticks: 0 and multiples of a 1-2-5 step, the last at or above `max`, about `target` of them.
 *
 * Example: niceTicks(7.3) → [0, 2, 4, 6, 8]; niceTicks(3, 5, true) → [0, 1, 2, 3] (integers only)
 */
export function niceTicks(max: number, target = 5, integers = false): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw)!;
  if (integers) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let i = 0; ; i++) {
    const t = Number((i * step).toPrecision(12));
    ticks.push(t);
    if (t >= max) return ticks;
  }
}

const tickText = (t: number): string => (Number.isInteger(t) ? String(t) : String(Number(t.toPrecision(3))));

/** Horizontal grid lines with tick labels on the left, for a plot of height `plotH` from y = `top`. */
function yAxis(ticks: number[], y: (v: number) => number, left: number, right: number): string[] {
  return ticks.map(
    (t) => `<line x1="${left}" y1="${y(t)}" x2="${right}" y2="${y(t)}" stroke="${t === 0 ? '#999' : '#e6e6e6'}"/>` +
      `<text x="${left - 5}" y="${y(t) + 4}" text-anchor="end">${tickText(t)}</text>`,
  );
}

/** A legend of coloured squares, `perRow` entries a line, from (x, y). */
function legend(entries: { name: string; colour: string }[], x: number, y: number, perRow: number, entryW: number): string[] {
  return entries.map((e, i) => {
    const lx = x + (i % perRow) * entryW;
    const ly = y + 16 * Math.floor(i / perRow);
    return `<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${e.colour}"/><text x="${lx + 14}" y="${ly}">${escapeHtml(e.name)}</text>`;
  });
}

/** One bar with its value in the tooltip. Example: barRect(10, 20, 8, 30, '#e15759', 'all · fastcoder: 2.53') */
const barRect = (x: number, y: number, w: number, h: number, fill: string, title: string): string =>
  `<rect class="bar" x="${x}" y="${y}" width="${w}" height="${h}" fill="${fill}"><title>${escapeHtml(title)}</title></rect>`;

const svgOpen = (width: number, height: number): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`;

/**
 * A grouped bar chart: one group per category, one bar per series, y-axis ticks, a value label on each bar wide
 * enough to hold it (every value is also in the bar's tooltip), a dashed line at `reference` (e.g. 1 for speedup).
 * Category names that do not fit under their group are written at a slant, never cut.
 *
 * Example: barChart('L/F per mode', ['all'], [{ name: 'rest', values: [2.1] }, { name: 'fastcoder', values: [3.4] }])
 *   // '<svg ...><rect class="bar" ...>...</svg>' with two bars
 */
export function barChart(title: string, categories: string[], series: Series[], reference?: number): string {
  const slot = Math.max(4, Math.min(36 * series.length + 16, Math.floor(880 / Math.max(1, categories.length)))); // px per category
  const gap = Math.max(1, Math.min(16, Math.round(slot / 4)));
  const barW = Math.max(2, Math.floor((slot - gap) / series.length));
  const groupW = barW * series.length + gap;
  const labelEvery = Math.ceil(40 / groupW); // category labels at least 40 px apart
  const slanted = categories.some((c) => textWidth(c) > labelEvery * groupW - 6);
  const labelH = slanted ? Math.min(160, Math.max(...categories.map(textWidth)) * 0.6) + 14 : 16; // 0.6 ≈ sin 35°
  const plotTop = 24;
  const plotH = 180;
  const left = 44;
  const width = Math.max(360, left + categories.length * groupW + 10, left + 40 + Math.max(0, ...categories.map(textWidth)) * 0.82);
  const legendY = plotTop + plotH + labelH + 20;
  const perRow = Math.max(1, Math.floor((width - left) / 150)); // legend entries per line
  const height = legendY + 16 * Math.ceil(series.length / perRow) + 6;
  const all = series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  const ticks = niceTicks(Math.max(reference ?? 0, ...all, 1e-9));
  const top = ticks[ticks.length - 1];
  const y = (v: number) => plotTop + plotH - (v / top) * plotH;
  const parts = [svgOpen(width, height), `<text x="4" y="14" style="font-weight:bold">${escapeHtml(title)}</text>`];
  parts.push(...yAxis(ticks, y, left, width - 4));
  if (reference !== undefined) {
    parts.push(`<line x1="${left}" y1="${y(reference)}" x2="${width - 4}" y2="${y(reference)}" stroke="#c33" stroke-dasharray="4 3"/>`);
  }
  categories.forEach((cat, ci) => {
    const gx = left + Math.ceil(gap / 2) + ci * groupW;
    series.forEach((s, si) => {
      const v = s.values[ci];
      if (v === null || !Number.isFinite(v)) return;
      const x = gx + si * barW;
      parts.push(barRect(x, y(v), barW - 2, y(0) - y(v), colourOf(s, si), `${cat} · ${s.name}: ${fmt(v)}`));
      if (textWidth(fmt(v)) <= barW + 2) parts.push(`<text class="value" x="${x + (barW - 2) / 2}" y="${y(v) - 3}" text-anchor="middle">${fmt(v)}</text>`);
    });
    if (ci % labelEvery !== 0) return;
    const cx = gx + (barW * series.length) / 2;
    parts.push(
      slanted
        ? `<text x="${cx}" y="${y(0) + 12}" text-anchor="end" transform="rotate(-35 ${cx} ${y(0) + 12})">${escapeHtml(cat)}</text>`
        : `<text x="${cx}" y="${y(0) + 14}" text-anchor="middle">${escapeHtml(cat)}</text>`,
    );
  });
  parts.push(...legend(series.map((s, i) => ({ name: s.name, colour: colourOf(s, i) })), left, legendY, perRow, 150));
  parts.push('</svg>');
  return parts.join('');
}

/**
 * A horizontal grouped bar chart: one row group per category with its full name on the left, one bar per series, the
 * value at the end of each bar (rows never overlap), x-axis ticks, a dashed line at `reference`.
 *
 * Example: hbarChart('L/F per repository', ['huggingface_diffusers'], [{ name: 'rest', values: [2.1] }], 1)
 */
export function hbarChart(title: string, categories: string[], series: Series[], reference?: number): string {
  const barH = 14;
  const groupGap = 10;
  const left = Math.ceil(Math.max(60, ...categories.map(textWidth)) + 12);
  const plotW = 520;
  const all = series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  const ticks = niceTicks(Math.max(reference ?? 0, ...all, 1e-9));
  const top = ticks[ticks.length - 1];
  const width = left + plotW + 50;
  const perRow = Math.max(1, Math.floor((width - 8) / 150));
  const legendH = 16 * Math.ceil(series.length / perRow);
  const plotTop = 24 + legendH + 8;
  const groupH = barH * series.length + groupGap;
  const plotH = categories.length * groupH;
  const height = plotTop + plotH + 22;
  const x = (v: number) => left + (v / top) * plotW;
  const parts = [svgOpen(width, height), `<text x="4" y="14" style="font-weight:bold">${escapeHtml(title)}</text>`];
  parts.push(...legend(series.map((s, i) => ({ name: s.name, colour: colourOf(s, i) })), 8, 34, perRow, 150));
  for (const t of ticks) {
    parts.push(`<line x1="${x(t)}" y1="${plotTop}" x2="${x(t)}" y2="${plotTop + plotH}" stroke="${t === 0 ? '#999' : '#e6e6e6'}"/>`);
    parts.push(`<text x="${x(t)}" y="${plotTop + plotH + 14}" text-anchor="middle">${tickText(t)}</text>`);
  }
  if (reference !== undefined) parts.push(`<line x1="${x(reference)}" y1="${plotTop}" x2="${x(reference)}" y2="${plotTop + plotH}" stroke="#c33" stroke-dasharray="4 3"/>`);
  categories.forEach((cat, ci) => {
    const gy = plotTop + groupGap / 2 + ci * groupH;
    parts.push(`<text x="${left - 6}" y="${gy + (barH * series.length) / 2 + 4}" text-anchor="end">${escapeHtml(cat)}</text>`);
    series.forEach((s, si) => {
      const v = s.values[ci];
      if (v === null || !Number.isFinite(v)) return;
      const by = gy + si * barH;
      parts.push(barRect(x(0), by, x(v) - x(0), barH - 2, colourOf(s, si), `${cat} · ${s.name}: ${fmt(v)}`));
      parts.push(`<text class="value" x="${x(v) + 3}" y="${by + barH - 4}">${fmt(v)}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * A stacked bar chart: one bar per category, one segment per series (in series order, bottom up), integer y-axis
 * ticks, x-axis labels every few categories, and a legend. For counts (tokens per step by source).
 *
 * Example: stackedBarChart('tokens per step', ['0', '1'], [{ name: 'D_r', values: [2, 0] }, { name: 'model', values: [1, 1] }], 'step')
 */
export function stackedBarChart(title: string, categories: string[], series: Series[], xLabel: string): string {
  const left = 44;
  const slot = Math.max(3, Math.min(28, Math.floor(900 / Math.max(1, categories.length))));
  const barW = Math.max(2, slot - Math.max(1, Math.round(slot / 5)));
  const plotTop = 24;
  const plotH = 160;
  const width = Math.max(360, left + categories.length * slot + 10);
  const totals = categories.map((_, ci) => series.reduce((sum, s) => sum + (s.values[ci] ?? 0), 0));
  const ticks = niceTicks(Math.max(1, ...totals), 5, true);
  const top = ticks[ticks.length - 1];
  const y = (v: number) => plotTop + plotH - (v / top) * plotH;
  const labelEvery = niceTicks(categories.length, Math.max(1, Math.floor((categories.length * slot) / 44)), true)[1]; // x labels ≥ 44 px apart
  const legendY = plotTop + plotH + 48;
  const perRow = Math.max(1, Math.floor((width - left) / 150));
  const height = legendY + 16 * Math.ceil(series.length / perRow) + 6;
  const parts = [svgOpen(width, height), `<text x="4" y="14" style="font-weight:bold">${escapeHtml(title)}</text>`];
  parts.push(...yAxis(ticks, y, left, width - 4));
  categories.forEach((cat, ci) => {
    const x = left + ci * slot + (slot - barW) / 2;
    let base = 0;
    series.forEach((s, si) => {
      const v = s.values[ci] ?? 0;
      if (!(v > 0)) return;
      parts.push(barRect(x, y(base + v), barW, y(base) - y(base + v), colourOf(s, si), `${xLabel} ${cat} · ${s.name}: ${v} (total ${totals[ci]})`));
      base += v;
    });
    if (ci % labelEvery === 0) {
      parts.push(`<line x1="${x + barW / 2}" y1="${y(0)}" x2="${x + barW / 2}" y2="${y(0) + 4}" stroke="#999"/>`);
      parts.push(`<text x="${x + barW / 2}" y="${y(0) + 16}" text-anchor="middle">${escapeHtml(cat)}</text>`);
    }
  });
  parts.push(`<text x="${left + (categories.length * slot) / 2}" y="${y(0) + 32}" text-anchor="middle">${escapeHtml(xLabel)}</text>`);
  parts.push(...legend(series.map((s, i) => ({ name: s.name, colour: colourOf(s, i) })), left, legendY, perRow, 150));
  parts.push('</svg>');
  return parts.join('');
}

/** One heatmap cell: a value in [0, 1] (null = no data) and the text its tooltip shows. */
export interface HeatCell {
  value: number | null;
  label: string;
}

/** The heatmap's colour of a value in [0, 1]: white to dark green. Example: heatColour(0) → 'rgb(255,255,255)' */
export function heatColour(v: number): string {
  return `rgb(${Math.round(255 - 200 * v)},${Math.round(255 - 90 * v)},${Math.round(255 - 200 * v)})`;
}

const NO_DATA = '#d0d0d0';

/**
 * A heatmap: rows × columns of cells coloured from white (0) to dark green (1), grey where there is no data, with the
 * column axis named `colTitle` and a legend of the colour scale under it.
 *
 * Example: heatmap('success by position', ['any'], ['0', '1'], [[{ value: 0.5, label: '1/2' }, { value: null, label: 'no steps' }]], 'position')
 */
export function heatmap(title: string, rowNames: string[], colNames: string[], cells: HeatCell[][], colTitle = ''): string {
  const cw = 34;
  const ch = 22;
  const left = Math.ceil(Math.max(100, ...rowNames.map(textWidth)) + 12);
  const top = colTitle ? 56 : 40;
  const gridBottom = top + rowNames.length * ch;
  const legendTop = gridBottom + 16;
  const width = Math.max(left + colNames.length * cw + 10, left + 330);
  const height = legendTop + 34;
  const parts = [svgOpen(width, height), `<text x="4" y="14" style="font-weight:bold">${escapeHtml(title)}</text>`];
  if (colTitle) parts.push(`<text x="${left + (colNames.length * cw) / 2}" y="${top - 24}" text-anchor="middle">${escapeHtml(colTitle)}</text>`);
  colNames.forEach((c, j) => parts.push(`<text x="${left + j * cw + cw / 2}" y="${top - 6}" text-anchor="middle">${escapeHtml(c)}</text>`));
  rowNames.forEach((r, i) => {
    parts.push(`<text x="${left - 6}" y="${top + i * ch + 15}" text-anchor="end">${escapeHtml(r)}</text>`);
    cells[i].forEach((cell, j) => {
      const fill = cell.value === null ? NO_DATA : heatColour(cell.value);
      parts.push(
        `<rect class="cell" x="${left + j * cw}" y="${top + i * ch}" width="${cw - 2}" height="${ch - 2}" fill="${fill}" stroke="#ccc" stroke-width="0.5">` +
          `<title>${escapeHtml(`${r}, ${colTitle || 'column'} ${colNames[j]}: ${cell.label}`)}</title></rect>`,
      );
    });
  });
  // legend: the scale 0%..100% in five steps, then the no-data grey
  const steps = [0, 0.25, 0.5, 0.75, 1];
  parts.push(`<g class="legend">`);
  steps.forEach((v, k) => {
    const lx = left + k * 40;
    parts.push(`<rect x="${lx}" y="${legendTop}" width="38" height="12" fill="${heatColour(v)}" stroke="#ccc" stroke-width="0.5"/>`);
    parts.push(`<text x="${lx + 19}" y="${legendTop + 26}" text-anchor="middle">${v * 100}%</text>`);
  });
  const nx = left + steps.length * 40 + 24;
  parts.push(`<rect x="${nx}" y="${legendTop}" width="38" height="12" fill="${NO_DATA}" stroke="#ccc" stroke-width="0.5"/>`);
  parts.push(`<text x="${nx + 44}" y="${legendTop + 10}">no steps</text>`);
  parts.push('</g></svg>');
  return parts.join('');
}
