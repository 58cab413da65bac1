/**
 * `fastcoder verify-hf <fixtureDir>`: replay a Hugging Face ground-truth fixture (the `shared/fixtures/hf-llama`
 * format: cases.json + float32 .bin arrays; weights in the dir or in cases.json's `model_dir`, single-file or sharded)
 * on our model and print one line per check with its max abs difference. Exit code 1 if any check fails.
 *
 * Example:
 *   fastcoder verify-hf test/fixtures/hf-llama/tinystories-656k
 *   # backend: wasm (@tensorflow/tfjs-backend-wasm, 1 thread(s))
 *   # PASS prompt_logits              max|diff| 1.12e-5    (20480 values)
 *   # ...
 */
import { parseArgs } from 'util';
import { checkPromptTokenization, checkWeightHashes, formatCheck, loadHfFixture, runHfChecks } from '../../model/hf-fixture';
import { loadModel } from '../../model/load';
import { loadFlags } from './flags';

const HELP = `usage: fastcoder verify-hf <fixtureDir> [--backend tensorflow|webgpu|wasm|cpu] [--wasm-threads N] [--atol 1e-4]

Loads config.json + safetensors (from <fixtureDir>, or cases.json's model_dir) and checks, against the
Hugging Face outputs in <fixtureDir>: prompt logits, the prompt's hidden states after every layer (when
cases.json has debug.hidden_states), tree logits (mask + position ids on the prompt cache), greedy tree
verification, chunked prefill with the cache, greedy decoding with the cache (token-identical), pinned weight
hashes and the prompt's tokenization when cases.json has them.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { backend: { type: 'string' }, 'wasm-threads': { type: 'string' }, atol: { type: 'string', default: '1e-4' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const atol = Number(values.atol);
  if (positionals.length !== 1 || !(atol > 0)) {
    console.error(positionals.length !== 1 ? 'verify-hf: expected exactly one fixture directory' : `verify-hf: --atol must be a positive number, got ${values.atol}`);
    console.error(HELP);
    return 2;
  }
  const fx = loadHfFixture(positionals[0]);
  const lm = await loadModel(fx.modelDir, loadFlags(values));
  console.log(`backend: ${lm.backend} (${lm.backendDetail})\nmodel: ${fx.modelDir} (${lm.config.numLayers} layers, hidden ${lm.config.hiddenSize}, vocab ${lm.vocabSize})`);
  const results = [...checkWeightHashes(fx), ...checkPromptTokenization(fx), ...(await runHfChecks(fx, lm, atol))];
  lm.dispose();
  for (const r of results) console.log(formatCheck(r));
  const failed = results.filter((r) => !r.pass).length;
  console.log(failed ? `${failed} of ${results.length} checks FAILED` : `all ${results.length} checks passed (atol ${atol})`);
  return failed ? 1 : 0;
}
