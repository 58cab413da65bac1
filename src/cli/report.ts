/**
 * `fastcoder report <results.json> [--html out.html] [--md out.md]`: print the Markdown tables of a benchmark results
 * file and optionally write them, with charts, as a self-contained HTML page.
 */
import * as fs from 'fs';
import { parseArgs } from 'util';
import { readResults } from '../bench/results';
import { markdownSummary } from '../bench/tables';
import { resultsPage } from '../bench/results-page';

const HELP = `usage: fastcoder report <results.json> [--html <out.html>] [--md <out.md>]

Prints Tables I (speed), II (ablation) and IV (acceptance length) of a 'fastcoder bench' results file; --html writes
them with charts (speedup and L/F per mode and per repository) as one self-contained page, --md as Markdown.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { html: { type: 'string' }, md: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(HELP);
    return 2;
  }
  const results = readResults(positionals[0]);
  const md = markdownSummary(results);
  console.log(md);
  if (values.md) fs.writeFileSync(values.md, md);
  if (values.html) {
    fs.writeFileSync(values.html, resultsPage(results));
    console.log(`wrote ${values.html}`);
  }
  return 0;
}
