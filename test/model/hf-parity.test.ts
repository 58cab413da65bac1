/**
 * Ground truth: every bundled hf-llama fixture (HF LlamaForCausalLM, float32) replayed on our tfjs model (wasm):
 * prompt logits, hidden states of every layer, tree logits per node (mask + position ids on top of the prompt cache),
 * chunked prefill, greedy decoding with the cache. Max abs difference ≤ 1e-4; the max diffs are printed as a table (llm.c's
 * `OK (LOGITS), max_diff = …`), and on failure the first values (llm.c check_tensor).
 */
import * as path from 'path';
import { CheckResult, compareArrays, formatCheck, formatCheckTable, loadHfFixture, runHfChecks } from '../../model/hf-fixture';
import { LlamaModel } from '../../model/llama';
import { loadModel } from '../../model/load';
import { ropeCosSin } from '../../model/rope';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'hf-llama');
const CHECKS = ['prompt_logits', 'hidden_states', 'tree_logits', 'tree_logits_rows', 'tree_argmax_rows', 'tree_greedy_verification', 'kv_chunk1_logits', 'kv_chunk2_logits', 'greedy_step_logits', 'greedy_tokens'];

describe.each(['llama-tiny', 'deepseek-tiny', 'gqa-tiny', 'tinystories-656k'])('%s', (name) => {
  const fx = loadHfFixture(path.join(FIXTURES, name));
  let lm: LlamaModel;
  let results: CheckResult[];

  beforeAll(async () => {
    lm = await loadModel(fx.modelDir, { backend: 'wasm' });
    results = await runHfChecks(fx, lm, 1e-4);
    console.log(formatCheckTable(`${name} on ${lm.backend}`, results)); // the max diffs, also when every check passes
  });
  afterAll(() => lm.dispose());

  test('runs on the wasm backend', () => expect(lm.backend).toBe('wasm'));

  test.each(CHECKS)('%s', (check) => {
    const r = results.find((x) => x.name === check);
    expect(r).toBeDefined();
    if (!r!.pass) throw new Error(formatCheck(r!));
    if (!Number.isNaN(r!.maxAbsDiff)) expect(r!.maxAbsDiff).toBeLessThanOrEqual(1e-4);
  });

  test('RoPE cos/sin for positions 0..63 equal HF rotary_emb (linear scaling included)', () => {
    const d = fx.cases.debug!.rope!;
    const [, positions, headDim] = d.shape;
    const want = fx.read(d);
    const { cos, sin } = ropeCosSin(Array.from({ length: positions }, (_, i) => i), headDim, lm.config.ropeTheta, lm.config.ropeScalingFactor);
    const r = compareArrays('rope', [...cos, ...sin], want, 1e-6);
    if (!r.pass) throw new Error(formatCheck(r));
  });
});
