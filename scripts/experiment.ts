/**
 * `npx tsx scripts/experiment.ts [budgets]`: an experiment written against the public API (`src/index.ts`, the package's
 * `fastcoder` import), as the README's "Script an experiment" shows. Does FastCoder's draft budget pay on this machine?
 * For each budget, every bundled RepoEval prompt is decoded with `ar` and with `fastcoder` (D_c only), in turn, after
 * an untimed warm-up; prints the median ms/token, L/F and whether every output equals `ar`'s, and writes JSON.
 *
 * Example: npx tsx scripts/experiment.ts 3,7,15   // about a minute on one CPU core
 */
import * as fs from 'fs';
import { buildDatastore, generate, loadModel, loadRepoEval, loadTokenizer, promptIds, quantile, tokenizerHash, warmUp } from '../src/index';
import { runEntryPoint } from '../src/cli/entry';

const MODEL = 'models/tiny-coder-dsc';

async function main(): Promise<void> {
  const budgets = (process.argv[2] ?? '3,7,15').split(',').map(Number);
  const model = await loadModel(MODEL);
  const tokenizer = loadTokenizer(MODEL);
  const id = { tokenizer, vocabSize: model.vocabSize, tokenizerHash: tokenizerHash(MODEL) };
  const { datastore: commonIndex } = await buildDatastore(['examples/common-python-mini'], id); // D_c, in memory
  const prompts = loadRepoEval('examples/repoeval-redframes').slice(0, 8).map((t) => promptIds(tokenizer, t.prompt, 512));
  const common = { maxNewTokens: 48, eosIds: [...model.eosIds] };
  await warmUp(model, tokenizer, prompts[0], [{ mode: 'ar', ...common }, { mode: 'fastcoder', repo: false, commonIndex, ...common }]);

  const rows = [];
  for (const budget of budgets) {
    const ms = { ar: [] as number[], fastcoder: [] as number[] };
    let forwards = 0, tokens = 0, identical = true;
    for (const prompt of prompts) {
      const ar = await generate(model, tokenizer, prompt, { mode: 'ar', ...common });
      const fc = await generate(model, tokenizer, prompt, { mode: 'fastcoder', repo: false, commonIndex, budget, ...common });
      ms.ar.push(ar.metrics.msPerToken);
      ms.fastcoder.push(fc.metrics.msPerToken);
      forwards += fc.metrics.forwards;
      tokens += fc.metrics.generated;
      identical &&= fc.tokens.join() === ar.tokens.join();
    }
    const row = { budget, arMedianMs: quantile(ms.ar, 0.5), fastcoderMedianMs: quantile(ms.fastcoder, 0.5), acceptance: tokens / forwards, identical };
    console.log(`budget ${budget}: ar ${row.arMedianMs.toFixed(2)} ms/token, fastcoder ${row.fastcoderMedianMs.toFixed(2)} (median of ${prompts.length}), L/F ${row.acceptance.toFixed(2)}, identical to ar: ${identical}`);
    rows.push(row);
  }
  fs.mkdirSync('out', { recursive: true });
  fs.writeFileSync('out/experiment.json', JSON.stringify({ model: MODEL, backend: model.backend, rows }, null, 2));
  console.log('wrote out/experiment.json');
  model.dispose();
}

runEntryPoint('experiment', main);
