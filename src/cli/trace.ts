/**
 * `fastcoder trace <trace.jsonl> --html out.html`: render a generation trace as one self-contained HTML page, and print
 * a one-line summary of it.
 */
import * as fs from 'fs';
import { parseArgs } from 'util';
import { readTrace } from '../trace/reader';
import { tracePage } from '../trace/page';

const HELP = `usage: fastcoder trace <trace.jsonl> --html <out.html>

Renders a trace (written by generate's --trace / onStep) as a self-contained HTML page: the generated code with each
token coloured by its source (cache, D_r, D_c, model), tokens accepted per step, a heatmap of retrieval success by
position within the line, and each step's retrieval decisions on hover. Opens offline in any browser.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { html: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1 || !values.html) {
    console.error(HELP);
    return 2;
  }
  const trace = readTrace(positionals[0]);
  fs.writeFileSync(values.html, tracePage(trace));
  const tokens = trace.steps.reduce((n, s) => n + s.accepted.length, 0);
  console.log(`${values.html}: ${trace.header.mode}, ${tokens} tokens in ${trace.steps.length} steps (L/F ${(tokens / Math.max(1, trace.steps.length)).toFixed(2)})`);
  return 0;
}
