/** Every notebook under notebooks/ runs top to bottom, headless; a throwing cell fails the test. */
import * as fs from 'fs';
import * as path from 'path';
import { runNotebook } from './runner';

const DIR = path.join(__dirname, '../../notebooks');
const notebooks = fs.readdirSync(DIR).filter((f) => f.endsWith('.ipynb')).sort();

describe('notebooks', () => {
  it('there are notebooks to run', () => expect(notebooks.length).toBeGreaterThanOrEqual(1));
  it.each(notebooks)('%s runs every code cell without throwing', async (name) => {
    const run = await runNotebook(path.join(DIR, name));
    expect(run.cells).toBeGreaterThan(0);
  });
  it('notebook 3 renders the accepted tokens inline, coloured by source', async () => {
    const run = await runNotebook(path.join(DIR, '03-traced-generation.ipynb'));
    const html = run.displays.find((d) => d.kind === 'html')?.content ?? '';
    expect((html.match(/class="tok src-(repo|common|cache)"/g) ?? []).length).toBeGreaterThan(0);
  });
});
