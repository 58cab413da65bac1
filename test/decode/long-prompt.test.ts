/**
 * Long prompts: prefill runs in chunks of PREFILL_CHUNK tokens (a 10k-token prompt in one pass aborted the process),
 * a prompt longer than the model's positions is refused, and generation stops at the last position.
 * Reference: greedy decoding with the whole prompt in one forward, then one token per forward, written out here.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadModel } from '../../model/load';
import type { LlamaModel } from '../../model/llama';
import { argmaxRow } from '../../model/greedy';
import { generate, PREFILL_CHUNK } from '../../src/decode/generate';
import { charTokenizer } from './helpers';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'hf-llama', 'llama-tiny');
const POSITIONS = 300; // max_position_embeddings of the copy below

/** The fixture with max_position_embeddings set to POSITIONS (weights symlinked). */
function withPositions(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-positions-'));
  const config = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'config.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, max_position_embeddings: POSITIONS }));
  fs.symlinkSync(path.join(FIXTURE, 'model.safetensors'), path.join(dir, 'model.safetensors'));
  return dir;
}

/** Greedy tokens after `prompt`: the prompt in one forward, then one token per forward. */
async function oneForwardGreedy(model: LlamaModel, prompt: number[], n: number): Promise<number[]> {
  model.reset();
  const logits = await model.forward(prompt, prompt.map((_, i) => i));
  model.commit(prompt.map((_, i) => i));
  const out = [argmaxRow(logits, prompt.length - 1, model.vocabSize)];
  while (out.length < n) {
    const next = await model.forward([out[out.length - 1]], [model.cacheLength]);
    model.commit([0]);
    out.push(argmaxRow(next, 0, model.vocabSize));
  }
  return out;
}

describe('long prompts', () => {
  const tok = charTokenizer(512);
  let model: LlamaModel;
  beforeAll(async () => {
    model = await loadModel(withPositions(), { backend: 'wasm' });
  });
  afterAll(() => model?.dispose());

  const prompt = (n: number): number[] => Array.from({ length: n }, (_, i) => 40 + ((i * 7) % 60));

  test(`a ${POSITIONS - 10}-token prompt (two prefill chunks of ${PREFILL_CHUNK}) generates the one-forward greedy tokens, and stops at the last position`, async () => {
    expect(POSITIONS - 10).toBeGreaterThan(PREFILL_CHUNK);
    const ids = prompt(POSITIONS - 10);
    for (const mode of ['ar', 'pld'] as const) {
      const r = await generate(model, tok, ids, { mode, maxNewTokens: 64, eosIds: [] });
      expect(r.stopReason).toBe('max-position');
      expect(r.tokens).toEqual(await oneForwardGreedy(model, ids, 10));
    }
  });

  test('max-new-tokens wins when both limits are reached on the same token; a prompt filling every position gives nothing', async () => {
    expect((await generate(model, tok, prompt(POSITIONS - 4), { mode: 'ar', maxNewTokens: 4, eosIds: [] })).stopReason).toBe('max-new-tokens');
    expect(await generate(model, tok, prompt(POSITIONS), { mode: 'ar', maxNewTokens: 4, eosIds: [] })).toMatchObject({ tokens: [], text: '', stopReason: 'max-position' });
  });

  test('a prompt longer than the positions is refused, naming the limit and --max-prompt-tokens', async () => {
    await expect(generate(model, tok, prompt(POSITIONS + 1), { mode: 'ar' })).rejects.toThrow(
      `generate: the prompt has ${POSITIONS + 1} tokens, more than the model's ${POSITIONS} positions (max_position_embeddings); keep its last tokens (--max-prompt-tokens)`,
    );
  });
});
