/**
 * `LlamaModel.hiddenStates` against HF `output_hidden_states` (`prompt_hidden_states.bin`, `[layers + 1, n, hidden]`)
 * beyond the one-pass prompt check of hf-parity.test.ts: on top of the KV cache (chunk 2 of `kv_step` after chunk 1),
 * the same pending K/V and `logits(rows)` as `forwardHidden`, the last entry being the final-normed state that
 * lm_head reads, and no tfjs tensor left behind. Max abs difference ≤ 1e-4, first values printed on failure.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as path from 'path';
import { compareArrays, formatCheck, loadHfFixture } from '../../model/hf-fixture';
import { LlamaModel } from '../../model/llama';
import { loadModel } from '../../model/load';
import { openSafetensors } from '../../model/safetensors';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'hf-llama');
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

function expectClose(name: string, got: ArrayLike<number>, want: ArrayLike<number>, atol = 1e-4): void {
  const r = compareArrays(name, got, want, atol);
  if (!r.pass) throw new Error(formatCheck(r));
}

describe.each(['llama-tiny', 'deepseek-tiny', 'gqa-tiny', 'tinystories-656k'])('%s', (name) => {
  const fx = loadHfFixture(path.join(FIXTURES, name));
  const prompt = fx.cases.prompt;
  let lm: LlamaModel;
  let want: Float32Array; // [layers + 1, n, hidden]
  beforeAll(async () => {
    lm = await loadModel(fx.modelDir, { backend: 'wasm' });
    want = fx.read(fx.cases.debug!.hidden_states!);
  });
  afterAll(() => lm.dispose());

  test('on the cache: chunk 2 after chunk 1 gives HF rows split..n of every layer', async () => {
    const { split, chunk1_tokens: c1, chunk2_tokens: c2 } = fx.cases.kv_step;
    const H = lm.config.hiddenSize;
    const n = prompt.length;
    lm.reset();
    await lm.forwardHidden(c1, range(0, split));
    lm.commit(range(0, split));
    const got = await lm.hiddenStates(c2, range(split, c2.length));
    expect(got).toHaveLength(lm.config.numLayers + 1);
    got.forEach((g, l) => expectClose(`hidden_states[${l}] rows ${split}..${n - 1}`, g, want.subarray(l * n * H + split * H, (l + 1) * n * H)));
    // the pass left its K/V pending and its rows readable, as forwardHidden does
    expectClose('kv_chunk2_logits via logits(rows)', await lm.logits(range(0, c2.length)), fx.read(fx.cases.kv_step.chunk2_logits));
    lm.commit(range(0, c2.length));
    expect(lm.cacheLength).toBe(n);
  });

  test('no tensor is left behind, also when the input is rejected', async () => {
    lm.reset();
    await lm.forwardHidden(prompt, range(0, prompt.length)); // the model holds one forward's hidden state
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await lm.hiddenStates(prompt, range(0, prompt.length));
    expect(tf.memory().numTensors).toBe(before);
    await expect(lm.hiddenStates([lm.vocabSize], [0])).rejects.toThrow(`token ${lm.vocabSize} at index 0 is not in 0..${lm.vocabSize - 1}`);
    expect(tf.memory().numTensors).toBe(before);
    lm.reset();
  });
});

test('llama-tiny: [0] is the embedding rows of the checkpoint, and the last entry · lm_headᵀ is HF prompt logits', async () => {
  const fx = loadHfFixture(path.join(FIXTURES, 'llama-tiny'));
  const prompt = fx.cases.prompt;
  const lm = await loadModel(fx.modelDir, { backend: 'wasm' });
  const st = openSafetensors(path.join(fx.modelDir, 'model.safetensors'));
  try {
    const { hiddenSize: H, vocabSize: V } = lm.config;
    const hs = await lm.hiddenStates(prompt, range(0, prompt.length));
    const emb = st.read('model.embed_tokens.weight');
    const rows = new Float32Array(prompt.length * H);
    prompt.forEach((t, i) => rows.set(emb.subarray(t * H, (t + 1) * H), i * H));
    expectClose('hidden_states[0]', hs[0], rows, 0);
    const head = st.read('lm_head.weight'); // [V, H]
    const last = hs[hs.length - 1];
    const logits = new Float32Array(prompt.length * V);
    for (let i = 0; i < prompt.length; i++) {
      for (let v = 0; v < V; v++) {
        let s = 0;
        for (let h = 0; h < H; h++) s += last[i * H + h] * head[v * H + h];
        logits[i * V + v] = s;
      }
    }
    expectClose('last hidden state · lm_headᵀ', logits, fx.read(fx.cases.prompt_logits));
  } finally {
    st.close();
    lm.dispose();
  }
});
