/**
 * Every notebook under notebooks/ runs top to bottom, headless; a throwing cell fails the test (each notebook checks
 * its own results against ground truth: HF tensors, the library's Trie and draft tree, greedy decoding). CI also runs
 * them in the real tslab kernel (`.ci/run`). The runner first refuses what that kernel refuses or runs wrongly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { codeCells, runNotebook, tslabPitfalls } from './runner';

const DIR = path.join(__dirname, '../../notebooks');
const notebooks = fs.readdirSync(DIR).filter((f) => f.endsWith('.ipynb')).sort();

describe('notebooks', () => {
  it('there are notebooks to run', () => expect(notebooks.length).toBeGreaterThanOrEqual(4));
  it.each(notebooks)('%s runs every code cell without throwing', async (name) => {
    const run = await runNotebook(path.join(DIR, name));
    expect(run.cells).toBeGreaterThan(0);
  });
  it('notebook 3 renders the accepted tokens inline, coloured by source, under a header naming model, mode and budget', async () => {
    const run = await runNotebook(path.join(DIR, '03-traced-generation.ipynb'));
    const html = run.displays.find((d) => d.kind === 'html')?.content ?? '';
    expect((html.match(/class="tok src-(repo|common|cache)"/g) ?? []).length).toBeGreaterThan(0);
    expect(html).toContain('<dt>model</dt><dd>oracle of tiny-coder-dsc');
    expect(html).toContain('<dt>draft budget</dt><dd>64 draft tokens per forward</dd>');
  });
  it('notebook 4 finds the hand-built tree equal to the library\'s, field by field', async () => {
    const run = await runNotebook(path.join(DIR, '04-trie-and-draft-tree.ipynb'));
    for (const key of ['tokens', 'parents', 'depths', 'weights']) expect(run.logs.some((l) => new RegExp(`^\\[cell \\d+\\] ${key} +same `).test(l))).toBe(true);
    expect(run.logs.some((l) => l.includes('{"tokens":true,"positions":true,"mask":true}'))).toBe(true);
  });
  it.each(notebooks)('%s imports fastcoder only through its public API, and hard-codes no vocabulary size or EOS id', (name) => {
    const src = codeCells(path.join(DIR, name)).join('\n');
    const relative = [...src.matchAll(/from '(\.[^']*)'/g)].map((m) => m[1]);
    expect(relative.filter((spec) => spec !== '../dist/src/index')).toEqual([]);
    expect(src).not.toMatch(/\b(32256|32014|32000|32021)\b/);
  });
  it('committed notebooks carry the outputs of a real kernel run (every printing cell), and no error output', () => {
    for (const name of notebooks) {
      const nb = JSON.parse(fs.readFileSync(path.join(DIR, name), 'utf8'));
      type Cell = { cell_type: string; source: string[]; outputs: { output_type: string; name?: string }[] };
      const code: Cell[] = nb.cells.filter((c: Cell) => c.cell_type === 'code');
      const silent = code.map((c, i) => (/console\.log|display\./.test(c.source.join('')) && c.outputs.length === 0 ? i + 1 : 0)).filter(Boolean);
      expect({ name, printingCellsWithoutOutput: silent }).toEqual({ name, printingCellsWithoutOutput: [] });
      const errors = code.flatMap((c) => c.outputs.filter((o) => o.output_type === 'error' || o.name === 'stderr'));
      expect({ name, errors }).toEqual({ name, errors: [] });
    }
  });
});

describe('tslabPitfalls: what the real kernel refuses or runs wrongly', () => {
  it.each([
    [['const budget = 8;', 'f({ budget });'], /code cell 2: shorthand property \{ budget \} names a variable of an earlier cell/],
    [['import { x } from "./m";', 'g({ x, y: 1 });'], /code cell 2: shorthand property \{ x \}/],
    [["import { generate } from '../src/index';"], /code cell 1: '..\/src\/index' is a TypeScript source outside the notebook's folder/],
  ])('%j is refused', (cells, message) => {
    expect(tslabPitfalls(cells, 'nb', DIR).join('\n')).toMatch(message);
  });
  it.each([
    [['const budget = 8;', 'f({ budget: budget });']], // written out
    [['const a = 1; f({ a });']], // same cell
    [['const b = 1;', 'const b2 = 2; for (const b of [b2]) f({ c: b });']],
    [["import { generate } from '../dist/src/index';"]], // the compiled API
  ])('%j passes', (cells) => {
    expect(tslabPitfalls(cells, 'nb', DIR)).toEqual([]);
  });
});
