/**
 * The public API end to end (`src/index.ts`), on the real trained tinystories-656k checkpoint: plain greedy decoding
 * must reproduce Hugging Face's greedy tokens (cases.json), and every drafting mode must return exactly those tokens.
 * D_c and D_r are built from small story texts through the same API, so the retrieval drafts are partly right.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildDatastore, generate, loadModel, loadTokenizer, tokenizerHash, type LlamaModel } from '../src/index';

const FIXTURE = path.join(__dirname, 'fixtures', 'hf-llama', 'tinystories-656k');
const MODEL = path.join(FIXTURE, 'model');
const cases = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'cases.json'), 'utf8'));
const hfGreedy: number[] = cases.greedy.tokens_use_cache;

let model: LlamaModel;
let tmp: string;
beforeAll(async () => {
  model = await loadModel(MODEL, { backend: 'wasm' });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fastcoder-api-'));
  // the HF continuation's second half as "repository" text; a story sharing one sentence with its first half as "common"
  // text
  fs.mkdirSync(path.join(tmp, 'repo'));
  fs.mkdirSync(path.join(tmp, 'common'));
  fs.writeFileSync(path.join(tmp, 'repo', 'story.txt'), cases.greedy.text.slice(cases.greedy.text.length / 2));
  fs.writeFileSync(path.join(tmp, 'common', 'other.txt'), 'One day, the little girl went to the park. The large liked to go fast and play with his friends.');
});
afterAll(() => {
  model.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('ar through the public API equals HF greedy, and pld / rest / fastcoder equal ar', async () => {
  const tokenizer = loadTokenizer(MODEL);
  const id = { tokenizer, vocabSize: model.vocabSize, tokenizerHash: tokenizerHash(MODEL), extensions: ['.txt'] };
  const { datastore: repoIndex } = await buildDatastore([path.join(tmp, 'repo')], id);
  const { datastore: commonIndex } = await buildDatastore([path.join(tmp, 'common')], id);
  const prompt: number[] = cases.prompt;
  const common = { maxNewTokens: hfGreedy.length, eosIds: [] };
  const ar = await generate(model, tokenizer, prompt, { mode: 'ar', ...common });
  expect(ar.tokens).toEqual(hfGreedy);
  expect(ar.metrics.forwards).toBe(hfGreedy.length);
  for (const mode of ['pld', 'rest', 'fastcoder'] as const) {
    const r = await generate(model, tokenizer, prompt, { mode, ...common, repoIndex, commonIndex });
    expect({ mode, tokens: r.tokens }).toEqual({ mode, tokens: hfGreedy });
    expect({ mode, fewerForwards: r.metrics.forwards < hfGreedy.length }).toEqual({ mode, fewerForwards: true }); // drafts accepted
  }
});
