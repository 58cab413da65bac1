/**
 * Property test of losslessness: a random drafter proposes random draft trees (correct, partly correct and all-wrong
 * continuations, depth up to 16, up to 64 nodes) to the real tfjs model; every run must return the `ar` tokens.
 */
import { seededRandom } from '../../retrieval/timing';
import * as path from 'path';
import { loadModel } from '../../model/load';
import type { LlamaModel } from '../../model/llama';
import { generate } from '../../src/decode/generate';
import { firstDivergence } from '../../src/decode/metrics';
import type { DraftSource, SourceResult } from '../../retrieval/types';
import { charTokenizer,  ScriptedRetriever, sourceResult } from './helpers';

const MODEL_DIR = path.join(__dirname, '..', 'fixtures', 'hf-llama', 'llama-tiny');
const PROMPTS = 30;
const RUNS_PER_PROMPT = 8;
const MAX_NEW = 64;
const SOURCES: DraftSource[] = ['repo', 'common', 'cache'];

let model: LlamaModel;
beforeAll(async () => {
  model = await loadModel(MODEL_DIR, { backend: 'wasm' });
});
afterAll(() => model?.dispose());

/** Random continuations of `ctx` given the true continuation `truth` (the ar output from this point). */
function randomDrafts(rand: () => number, vocab: number, truth: number[]): SourceResult[] {
  const randomTokens = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * vocab));
  const results: SourceResult[] = [];
  for (const source of SOURCES) {
    const continuations: [number[], number][] = [];
    const n = Math.floor(rand() * 7);
    for (let i = 0; i < n; i++) {
      const depth = 1 + Math.floor(rand() * 16);
      const kind = rand(); // < 0.1 correct, < 0.4 partly correct, else all wrong
      const good = kind < 0.1 ? depth : kind < 0.4 ? Math.floor(rand() * depth) : 0;
      const tokens = [...truth.slice(0, good), ...randomTokens(depth - Math.min(good, truth.length))];
      continuations.push([tokens.slice(0, depth), 1 + Math.floor(rand() * 4)]);
    }
    results.push(sourceResult(source, continuations));
  }
  return results;
}

test(`${PROMPTS} prompts × ${RUNS_PER_PROMPT} random drafters equal ar on llama-tiny`, async () => {
  const rand = seededRandom(2024);
  const tok = charTokenizer(model.vocabSize);
  let steps = 0;
  let acceptedDrafts = 0;
  let maxNodes = 0;
  for (let p = 0; p < PROMPTS; p++) {
    const prompt = [1, ...Array.from({ length: 4 + Math.floor(rand() * 20) }, () => 3 + Math.floor(rand() * 500))];
    const ar = await generate(model, tok, prompt, { mode: 'ar', maxNewTokens: MAX_NEW });
    for (let run = 0; run < RUNS_PER_PROMPT; run++) {
      const retriever = new ScriptedRetriever((ctx) => randomDrafts(rand, model.vocabSize, ar.tokens.slice(ctx.length - prompt.length)));
      const budget = 1 + Math.floor(rand() * 64);
      const r = await generate(model, tok, prompt, {
        mode: 'fastcoder',
        retriever,
        budget,
        maxNewTokens: MAX_NEW,
        onStep: (s) => {
          steps++;
          acceptedDrafts += s.accepted.filter((a) => a.node >= 0).length;
          maxNodes = Math.max(maxNodes, s.draft.tokens.length);
        },
      });
      const at = firstDivergence(r.tokens, ar.tokens);
      if (at >= 0) throw new Error(`prompt ${p} run ${run} (budget ${budget}): diverges from ar at token ${at}: ${r.tokens[at]} vs ${ar.tokens[at]}`);
      expect(r.stopReason).toBe(ar.stopReason);
    }
  }
  console.log(`random drafts: ${steps} verification steps, ${acceptedDrafts} draft tokens accepted, largest tree ${maxNodes} nodes`);
  expect(steps).toBeGreaterThan(2000);
  expect(acceptedDrafts).toBeGreaterThan(steps); // the drafts were often right, so acceptance was exercised
  expect(maxNodes).toBeGreaterThan(32);
});
