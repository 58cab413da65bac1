import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { SequenceCache } from '../../retrieval/cache';
import { loadModel } from '../../model/load';
import { datastoreFromDocuments } from '../../retrieval/datastore';
import { newSequenceCache } from '../../retrieval/retriever';
import { generate, type GenerateOptions } from '../../src/decode/generate';
import { JsonlTraceWriter } from '../../src/trace/writer';
import { createOracle } from '../../src/decode/oracle';
import type { StepTrace, TraceLine } from '../../src/trace/types';
import { charTokenizer, ScriptedRetriever, sourceResult } from './helpers';

const VOCAB = 64;
const EOS = 0;
const tok = charTokenizer(VOCAB);
const PROMPT = [40, 41, 42, 43, 44, 45];
// A repetitive reference, so that prompt lookup and retrieval find real matches.
const REFERENCE = [40, 41, 42, 7, 8, 9, 40, 41, 42, 7, 8, 9, 10, 40, 41, 42, 7, 8, 11, 12];

const oracle = (reference = REFERENCE) => createOracle(reference, { vocabSize: VOCAB, prompt: PROMPT, eosId: EOS });

/** A retriever that knows the script: proposes the true next `good` tokens (repo) and a wrong branch (common). */
function perfectRetriever(reference: number[], good: number, extra: number[] = []): ScriptedRetriever {
  const script = [...PROMPT, ...reference, EOS, ...extra];
  return new ScriptedRetriever((ctx) => [
    sourceResult('repo', [[script.slice(ctx.length, ctx.length + good), 1]]),
    sourceResult('common', [[[63, 62, 61], 5]]),
  ]);
}

async function run(opts: Partial<GenerateOptions> & Pick<GenerateOptions, 'mode'>, reference = REFERENCE) {
  const steps: StepTrace[] = [];
  const lm = oracle(reference);
  const r = await generate(lm, tok, PROMPT, { eosIds: [EOS], onStep: (s) => steps.push(s), ...opts });
  return { ...r, steps, forwards: lm.forwards };
}

describe('generate with the oracle target', () => {
  test('ar follows the script, one token per forward, and stops at EOS', async () => {
    const r = await run({ mode: 'ar' });
    expect(r.tokens).toEqual([...REFERENCE, EOS]);
    expect(r.stopReason).toBe('eos');
    expect(r.metrics.forwards).toBe(REFERENCE.length + 1);
    expect(r.forwards).toBe(REFERENCE.length + 2); // + the prefill
    expect(r.text).toBe(tok.decode(REFERENCE));
    expect(r.steps.every((s) => s.accepted.length === 1 && s.accepted[0].source === 'model')).toBe(true);
  });

  test('pld returns the ar tokens in fewer forwards, tracing lookup sources', async () => {
    const r = await run({ mode: 'pld' });
    expect(r.tokens).toEqual([...REFERENCE, EOS]);
    expect(r.metrics.forwards).toBeLessThan(REFERENCE.length + 1);
    expect(r.metrics.acceptance).toBeCloseTo(r.tokens.length / r.metrics.forwards, 12);
    const fromLookup = r.steps.flatMap((s) => s.accepted).filter((a) => a.source === 'lookup');
    expect(fromLookup.length).toBe(r.tokens.length - r.metrics.forwards);
  });

  test('fastcoder with a retriever: accepted tokens carry their source, feedback reaches the retriever', async () => {
    const retriever = perfectRetriever(REFERENCE, 4);
    const r = await run({ mode: 'fastcoder', retriever });
    expect(r.tokens).toEqual([...REFERENCE, EOS]);
    expect(r.metrics.forwards).toBe(Math.ceil((REFERENCE.length + 1) / 5));
    for (const s of r.steps) {
      expect(s.accepted.slice(0, -1).every((a) => a.source === 'repo' && a.node >= 0)).toBe(true);
      if (s.accepted.length === 5) expect(s.accepted[4]).toMatchObject({ source: 'model', node: -1 });
      expect(s.draft.tokens.length).toBeLessThanOrEqual(7);
    }
    expect(retriever.begun).toBe(1);
    expect(retriever.closed).toBe(0); // a given retriever stays open
    expect(retriever.contexts[0]).toEqual(PROMPT);
    expect(retriever.contexts[1]).toEqual([...PROMPT, ...REFERENCE.slice(0, 5)]);
    expect(retriever.feedback[0]).toMatchObject({ generatedStart: PROMPT.length, appended: 5, fromDraft: 4 });
    expect(Array.from(retriever.feedback[0].tokens)).toEqual([...PROMPT, ...REFERENCE.slice(0, 5)]);
  });

  test('the draft budget is respected and drops the lighter branch first', async () => {
    const r = await run({ mode: 'fastcoder', retriever: perfectRetriever(REFERENCE, 4), budget: 3 });
    expect(r.tokens).toEqual([...REFERENCE, EOS]);
    // common [63, 62, 61] ×5 outweighs the repo chain ×1: the repo chain gets nothing
    expect(r.steps.every((s) => s.draft.tokens.length === 3 && s.draft.tokens[0] === 63)).toBe(true);
    expect(r.metrics.forwards).toBe(REFERENCE.length + 1);
  });

  test('maxNewTokens cuts inside an accepted run, exactly where ar stops', async () => {
    for (const max of [1, 2, 7, 13]) {
      const ar = await run({ mode: 'ar', maxNewTokens: max });
      const fc = await run({ mode: 'fastcoder', retriever: perfectRetriever(REFERENCE, 10), maxNewTokens: max });
      expect(fc.tokens).toEqual(REFERENCE.slice(0, max));
      expect(fc.tokens).toEqual(ar.tokens);
      expect(fc.stopReason).toBe('max-new-tokens');
      // drafts never ask for more than can be kept
      expect(fc.steps.every((s) => s.draft.depths.every((d) => d < max))).toBe(true);
    }
  });

  test('EOS inside an accepted run stops there', async () => {
    const short = [40, 41, 42];
    const r = await run({ mode: 'fastcoder', retriever: perfectRetriever(short, 10, [5, 6, 7]) }, short);
    expect(r.tokens).toEqual([...short, EOS]);
    expect(r.stopReason).toBe('eos');
    expect(r.metrics.forwards).toBe(1);
    expect(r.steps[0].accepted.map((a) => a.token)).toEqual([...short, EOS]);
  });

  test('a stop string completed inside an accepted run stops there, as in ar', async () => {
    // REFERENCE decodes to 'opqhij' ...; stop at the first 'hij'
    const stop = [tok.decode([7, 8, 9])];
    const ar = await run({ mode: 'ar', stop });
    const fc = await run({ mode: 'fastcoder', stop, retriever: perfectRetriever(REFERENCE, 10) });
    expect(ar.tokens).toEqual(REFERENCE.slice(0, 6));
    expect(fc.tokens).toEqual(ar.tokens);
    expect(fc.stopReason).toBe('stop-string');
  });

  test('maxNewTokens 0 generates nothing', async () => {
    const r = await run({ mode: 'pld', maxNewTokens: 0 });
    expect(r).toMatchObject({ tokens: [], text: '', stopReason: 'max-new-tokens' });
    expect(r.metrics.forwards).toBe(0);
  });

  test('a one-token prompt needs no prefill', async () => {
    const lm = createOracle([3, 4, 5], { vocabSize: VOCAB, prompt: [9], eosId: EOS });
    const r = await generate(lm, tok, [9], { mode: 'ar', eosIds: [EOS] });
    expect(r.tokens).toEqual([3, 4, 5, EOS]);
    expect(lm.forwards).toBe(4);
  });

  test('the trace file holds a header, one line per step and a summary', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gen-')), 'trace.jsonl');
    const trace = new JsonlTraceWriter(file);
    const r = await generate(oracle(), tok, PROMPT, { mode: 'pld', eosIds: [EOS], trace, label: 'pld-test' });
    trace.close();
    const lines: TraceLine[] = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBe(r.metrics.forwards + 2);
    expect(lines[0]).toMatchObject({ kind: 'header', mode: 'pld-test', promptTokens: PROMPT });
    expect(lines[lines.length - 1]).toMatchObject({ kind: 'summary', tokens: r.tokens, stopReason: 'eos' });
    const steps = lines.filter((l): l is StepTrace => l.kind === 'step');
    expect(steps.flatMap((s) => s.accepted.map((a) => a.token))).toEqual(r.tokens);
    expect(steps.map((s) => s.contextLength)).toEqual(steps.map((_, i) => PROMPT.length + steps.slice(0, i).reduce((n, s) => n + s.accepted.length, 0)));
  });

  test.each<[Partial<GenerateOptions> & Pick<GenerateOptions, 'mode'>, number[], RegExp]>([
    [{ mode: 'ar' }, [], /prompt has no tokens/],
    [{ mode: 'ar' }, [1, 99], /prompt token 99 at index 1/],
    [{ mode: 'nope' as 'ar' }, [1], /unknown mode 'nope'/],
    [{ mode: 'ar', budget: -1 }, [1], /budget must be an integer >= 0/],
    [{ mode: 'fastcoder', budget: 1000000 }, [1], /budget must be at most 1024 \(one forward verifies budget \+ 1 rows; the paper uses 64\), got 1000000/],
    [{ mode: 'pld', alpha: Number.NaN }, [1], /alpha must be a finite number/],
    [{ mode: 'ar', stop: [''] }, [1], /empty stop string/],
  ])('bad input is rejected: %j', async (opts, prompt, message) => {
    await expect(generate(oracle(), tok, prompt, opts)).rejects.toThrow(message);
  });
});

describe('oracle checks the decoder', () => {
  test('wrong positions and non-chain commits are errors', async () => {
    const lm = oracle();
    await expect(lm.forward([40, 41], [0, 5])).rejects.toThrow(/row 1 sits at position 5/);
    await lm.forward([40, 41], [0, 0], Uint8Array.of(1, 0, 0, 1));
    expect(() => lm.commit([0, 1])).toThrow(/position 0 onto a cache of 1/);
    expect(() => createOracle([70], { vocabSize: VOCAB, prompt: [1], eosId: 0 })).toThrow(/token 70 at script index 1/);
  });

  test('one-hot rows follow the script and go to EOS off it', async () => {
    const lm = oracle([7, 8]);
    await lm.forward(PROMPT.slice(0, 5), [0, 1, 2, 3, 4]);
    lm.commit([0, 1, 2, 3, 4]);
    // root 45, then two siblings: 7 (right) and 9 (wrong), then 8 under 7
    const logits = await lm.forward([45, 7, 9, 8], [5, 6, 6, 7], Uint8Array.of(1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 1));
    const argmax = (row: number) => logits.subarray(row * VOCAB, (row + 1) * VOCAB).indexOf(1);
    expect([0, 1, 2, 3].map(argmax)).toEqual([7, 8, EOS, EOS]);
  });
});

describe('oracle with a real cost model', () => {
  test('the cost model runs in lockstep: same output, and its KV cache holds exactly the committed sequence', async () => {
    const fixture = path.join(__dirname, '..', 'fixtures', 'hf-llama', 'llama-tiny'); // vocab 512 covers the script's ids
    const costModel = await loadModel(fixture, { backend: 'wasm' });
    const fresh = await loadModel(fixture, { backend: 'wasm' });
    try {
      const lm = createOracle(REFERENCE, { vocabSize: VOCAB, prompt: PROMPT, eosId: EOS, costModel });
      const r = await generate(lm, tok, PROMPT, { mode: 'fastcoder', retriever: perfectRetriever(REFERENCE, 4), eosIds: [EOS] });
      expect(r.tokens).toEqual([...REFERENCE, EOS]);
      expect(costModel.cacheLength).toBe(lm.cacheLength);
      // one more token on the mirrored cache equals a fresh model over the committed sequence + that token
      const committed = [...PROMPT, ...r.tokens].slice(0, costModel.cacheLength);
      const probe = 5;
      const mirrored = await costModel.forward([probe], [committed.length]);
      const all = await fresh.forward([...committed, probe], [...committed, probe].map((_, i) => i));
      const want = all.subarray(committed.length * 512);
      expect(Math.max(...mirrored.map((v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-4);
    } finally {
      costModel.dispose();
      fresh.dispose();
    }
  });

  test('a cost model with a smaller vocabulary is refused', async () => {
    const costModel = createOracle([], { vocabSize: 8, prompt: [1], eosId: 0 });
    expect(() => createOracle(REFERENCE, { vocabSize: VOCAB, prompt: PROMPT, eosId: EOS, costModel })).toThrow("the cost model's vocabulary (8) is smaller than the oracle's (64)");
  });
});

describe('cache scope across generations', () => {
  // 51 distinct tokens (no newline ids, so retrieval timing never skips): within one generation no bigram repeats, so
  // the cache (active from l = 2 sequences = 2 output pieces of 20) can only hit on what an earlier generation cached.
  const reference = Array.from({ length: 51 }, (_, i) => 100 + i);
  const prompt = [60, 61, 62, 63];
  const V = 200;
  const noise = datastoreFromDocuments([{ path: 'noise.py', tokens: Array.from({ length: 64 }, (_, i) => 160 + (i % 30)) }], V, 'test');
  const tok200 = charTokenizer(V);

  async function twice(sessionCache: SequenceCache | undefined) {
    const out = [];
    for (let g = 0; g < 2; g++) {
      const steps: StepTrace[] = [];
      const lm = createOracle(reference, { vocabSize: V, prompt, eosId: EOS });
      const options = { mode: 'fastcoder' as const, repo: false, commonIndex: noise, retrieval: { l: 2 }, eosIds: [EOS], sessionCache, onStep: (s: StepTrace) => steps.push(s) };
      out.push({ ...(await generate(lm, tok200, prompt, options)), steps });
    }
    return out;
  }

  test('session scope: the second generation hits what the first cached; generation scope: it starts empty', async () => {
    const ar = await generate(createOracle(reference, { vocabSize: V, prompt, eosId: EOS }), tok200, prompt, { mode: 'ar', eosIds: [EOS] });
    expect(ar.tokens).toEqual([...reference, EOS]);

    const session = newSequenceCache({});
    const [s1, s2] = await twice(session);
    const [g1, g2] = await twice(undefined);
    for (const r of [s1, s2, g1, g2]) expect(r.tokens).toEqual(ar.tokens);
    // the first generations are the same run: nothing cached before them, no hits (distinct tokens)
    expect([s1.metrics.cacheHits, g1.metrics.cacheHits, g2.metrics.cacheHits]).toEqual([0, 0, 0]);
    expect(g2.metrics.forwards).toBe(g1.metrics.forwards);
    expect(g2.steps[0].retrieval!.decision.cacheActive).toBe(false);
    // session: active from the first step, drafts from the cache accepted, fewer forwards
    expect(s2.steps[0].retrieval!.decision).toMatchObject({ cacheActive: true, cacheHit: true });
    expect(s2.metrics.cacheHits).toBeGreaterThan(0);
    expect(s2.steps.flatMap((s) => s.accepted).filter((a) => a.source === 'cache').length).toBeGreaterThan(0);
    expect(s2.metrics.forwards).toBeLessThan(s1.metrics.forwards);
    expect(session.size).toBeGreaterThanOrEqual(4); // two pieces per generation at least
  });
});
