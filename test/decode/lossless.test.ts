/**
 * Losslessness on the real tfjs model: for every hf-llama fixture model and several prompts, every mode and every
 * Table II ablation row returns exactly the `ar` tokens, and `ar` itself equals Hugging Face greedy decoding.
 */
import { seededRandom } from '../../retrieval/timing';
import * as fs from 'fs';
import * as path from 'path';
import { loadModel } from '../../model/load';
import type { LlamaModel } from '../../model/llama';
import { datastoreFromDocuments, type Datastore } from '../../retrieval/datastore';
import { ABLATIONS, generate, type GenerateOptions } from '../../src/decode/generate';
import { charTokenizer } from './helpers';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'hf-llama');
const MAX_NEW = 32;

type Row = { name: string; options: Partial<GenerateOptions> & Pick<GenerateOptions, 'mode'> };
const ROWS: Row[] = [
  { name: 'pld', options: { mode: 'pld' } },
  { name: 'rest', options: { mode: 'rest' } },
  ...ABLATIONS.map((r) => ({ name: r.name, options: r.options })),
  { name: 'fastcoder, cache active from the first sequence', options: { mode: 'fastcoder', retrieval: { l: 1 } } },
  { name: 'fastcoder, α=2 β=0.5 γ=3, budget 16', options: { mode: 'fastcoder', alpha: 2, beta: 0.5, gamma: 3, budget: 16 } },
];

/** `tokens` with every `every`-th token replaced: a repository copy that is right in parts. */
function mutate(tokens: number[], every: number, vocab: number): number[] {
  return tokens.map((t, i) => (i % every === every - 1 ? (t + 1) % vocab : t));
}

describe.each(['llama-tiny', 'deepseek-tiny', 'gqa-tiny'])('%s', (name) => {
  const dir = path.join(FIXTURES, name);
  const cases = JSON.parse(fs.readFileSync(path.join(dir, 'cases.json'), 'utf8'));
  let model: LlamaModel;
  beforeAll(async () => {
    model = await loadModel(dir, { backend: 'wasm' });
  });
  afterAll(() => model?.dispose());

  test('ar equals HF greedy decoding, then every mode and ablation equals ar', async () => {
    const tok = charTokenizer(model.vocabSize);
    const rand = seededRandom(cases.seed ?? 1);
    const bos = model.config.bosTokenId ?? 1;
    const randomPrompt = [bos, ...Array.from({ length: 12 }, () => 3 + Math.floor(rand() * 400))];
    const repetitive = [bos, ...[0, 1, 2].flatMap(() => cases.prompt.slice(1, 8))];
    const prompts: number[][] = [cases.prompt, randomPrompt, repetitive, [bos, 7]];

    const ar: number[][] = [];
    for (const prompt of prompts) ar.push((await generate(model, tok, prompt, { mode: 'ar', maxNewTokens: MAX_NEW })).tokens);
    expect(ar[0]).toEqual(cases.greedy.tokens_use_cache.slice(0, MAX_NEW));

    // D_c: every prompt's ar output and noise; D_r: a partly wrong copy of the same outputs.
    const noise = Array.from({ length: 4 }, () => Array.from({ length: 200 }, () => Math.floor(rand() * model.vocabSize)));
    const docs = (seqs: number[][]) => seqs.map((tokens, i) => ({ path: `doc${i}`, tokens }));
    const commonIndex: Datastore = datastoreFromDocuments(docs([...ar.map((t, i) => [...prompts[i], ...t]), ...noise]), model.vocabSize, 'test');
    const repoIndex: Datastore = datastoreFromDocuments(docs(ar.map((t) => mutate(t, 5, model.vocabSize))), model.vocabSize, 'test');

    for (const row of ROWS) {
      let drafted = 0;
      let cacheHits = 0;
      for (let i = 0; i < prompts.length; i++) {
        const r = await generate(model, tok, prompts[i], { ...row.options, maxNewTokens: MAX_NEW, repoIndex, commonIndex });
        if (r.tokens.join() !== ar[i].join()) throw new Error(`${name}, ${row.name}, prompt ${i}: ${r.tokens} differs from ar ${ar[i]}`);
        drafted += r.tokens.length - r.metrics.forwards;
        cacheHits += r.metrics.cacheHits;
      }
      // the drafts were used: fewer forwards than tokens
      expect([row.name, drafted > 0]).toEqual([row.name, true]);
      if (row.options.retrieval?.l === 1) expect(cacheHits).toBeGreaterThan(0);
    }
  });
});
