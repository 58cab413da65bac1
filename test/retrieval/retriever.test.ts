import { datastoreFromDocuments } from '../../retrieval/datastore';
import { FastRetriever, REST_RETRIEVER_OPTIONS } from '../../retrieval/retriever';
import { generationSeed, seededRandom } from '../../retrieval/timing';
import type { SuffixMatch } from '../../retrieval/suffix-array';
import type { SourceResult } from '../../retrieval/types';
import { naiveSearch } from './naive';

const HASH = '00'.repeat(32);
const V = 12; // tiny vocabulary; token 10 decodes to '\n', 11 to '    ', the rest to letters
const texts = Array.from({ length: V }, (_, i) => (i === 10 ? '\n' : i === 11 ? '    ' : String.fromCharCode(97 + i)));
const opts = { nMax: 16, nMin: 2, k: 5000, span: 10 };

function randomDocs(seed: number, n: number, len: number, alphabet = 10) {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => ({ path: `f${i}`, tokens: Array.from({ length: len }, () => Math.floor(rand() * alphabet)) }));
}
const repo = datastoreFromDocuments(randomDocs(1, 20, 300, 6), V, HASH);
const common = datastoreFromDocuments(randomDocs(2, 50, 400, 8), V, HASH);
const ctx = (...ids: number[]) => Int32Array.from(ids);
/** A result as the naive search gives it: the match and its continuations, listed from the tree. */
const listed = (x: SourceResult): SuffixMatch => ({ matchLength: x.matchLength, matchCount: x.matchCount, continuations: x.continuations });

describe('FastRetriever: datastores', () => {
  test('sequential results equal the naive scan of each datastore, with their origin', async () => {
    const r = new FastRetriever({ repo, common, cache: false, timing: false, missingTable: false, parallel: false });
    const rand = seededRandom(3);
    for (let i = 0; i < 50; i++) {
      const c = Int32Array.from({ length: 1 + Math.floor(rand() * 20) }, () => Math.floor(rand() * 8));
      const { results } = await r.retrieve(c);
      expect(results.map((x) => x.source)).toEqual(['repo', 'common']);
      expect(listed(results[0])).toEqual(naiveSearch(repo.tokens, c, opts));
      expect(listed(results[1])).toEqual(naiveSearch(common.tokens, c, opts));
    }
  });

  test('backoff n: a source whose longest match is longer than n also gives its naive longest match of at most n tokens', async () => {
    const r = new FastRetriever({ repo, common, cache: false, timing: false, missingTable: false, parallel: false, backoff: 3, backoffK: 7 });
    const rand = seededRandom(5);
    let backedOff = 0;
    for (let i = 0; i < 50; i++) {
      const c = Int32Array.from({ length: 1 + Math.floor(rand() * 20) }, () => Math.floor(rand() * 8));
      const { results } = await r.retrieve(c);
      const full = [naiveSearch(repo.tokens, c, opts), naiveSearch(common.tokens, c, opts)];
      const short = [naiveSearch(repo.tokens, c, { ...opts, nMax: 3, k: 7 }), naiveSearch(common.tokens, c, { ...opts, nMax: 3, k: 7 })];
      const want = [...full, ...short.filter((_, j) => full[j].matchLength > 3)];
      const sources = ['repo', 'common', ...(['repo', 'common'] as const).filter((_, j) => full[j].matchLength > 3)];
      expect(results.map((x) => x.source)).toEqual(sources);
      expect(results.map(listed)).toEqual(want);
      backedOff += results.length - 2;
    }
    expect(backedOff).toBeGreaterThan(10);
  });

  test('parallel (worker threads over shared memory) gives identical results to sequential', async () => {
    const seq = new FastRetriever({ repo, common, cache: false, timing: false, missingTable: false, parallel: false });
    const par = new FastRetriever({ repo, common, cache: false, timing: false, missingTable: false, parallel: true });
    const rand = seededRandom(4);
    try {
      for (let i = 0; i < 100; i++) {
        const c = Int32Array.from({ length: 1 + Math.floor(rand() * 20) }, () => Math.floor(rand() * 8));
        const a = await seq.retrieve(c);
        const b = await par.retrieve(c);
        expect(b.decision.parallel).toBe(true);
        // Arrays from a worker belong to Node's realm, not jest's sandbox: compare contents.
        const strip = (rs: typeof a.results) => rs.map((x) => ({ source: x.source, ...listed(x), continuations: x.continuations.map((c) => [Array.from(c.tokens), c.count]) }));
        expect(strip(b.results)).toEqual(strip(a.results));
      }
    } finally {
      await par.close();
    }
  });

  test('missing table: a suffix that found nothing is skipped next time; REST mode keeps none', async () => {
    const miss = ctx(9, 9, 9, 9); // token 9 never occurs in either datastore
    const fast = new FastRetriever({ repo, common, cache: false, timing: false, parallel: false });
    expect((await fast.retrieve(miss)).decision.missingTableHit).toBe(false);
    const second = await fast.retrieve(miss);
    expect(second.decision.missingTableHit).toBe(true);
    expect(second.results).toEqual([]);
    const rest = new FastRetriever({ common, ...REST_RETRIEVER_OPTIONS });
    await rest.retrieve(miss);
    const again = await rest.retrieve(miss);
    expect(again.decision.missingTableHit).toBe(false);
    expect(again.results.map((x) => x.source)).toEqual(['common']);
  });

  test('missing table: beyond missingTableSize the least recently added suffix is forgotten', async () => {
    const fast = new FastRetriever({ repo, common, cache: false, timing: false, parallel: false, missingTableSize: 2 });
    const [a, b, c] = [ctx(9, 9, 9, 9), ctx(9, 9, 9, 8), ctx(9, 9, 8, 9)]; // none continues: 9 never occurs
    for (const miss of [a, b, c]) expect((await fast.retrieve(miss)).decision.missingTableHit).toBe(false);
    expect((await fast.retrieve(c)).decision.missingTableHit).toBe(true);
    expect((await fast.retrieve(b)).decision.missingTableHit).toBe(true);
    expect((await fast.retrieve(a)).decision.missingTableHit).toBe(false); // forgotten: searched again (and now remembered, b forgotten)
    expect((await fast.retrieve(b)).decision.missingTableHit).toBe(false);
  });
});

describe('FastRetriever: retrieval timing', () => {
  const lineStart = ctx(1, 2, 10, 11); // "bc\n    "
  const midLine = ctx(1, 10, 2, 3); // "b\ncd"

  test.each([0, 1])('p = %i: line starts always / never skipped; mid-line never', async (p) => {
    const r = new FastRetriever({ common, cache: false, timing: true, tokenTexts: texts, p });
    for (let i = 0; i < 20; i++) {
      const d = (await r.retrieve(lineStart)).decision;
      expect([d.lineStart, d.skipped]).toEqual([true, p === 0]);
      const m = (await r.retrieve(midLine)).decision;
      expect([m.lineStart, m.skipped, m.coin]).toEqual([false, false, null]);
    }
  });

  test('p = 0.5: the coins are the seeded stream, restarted by begin(); skipped iff coin >= p', async () => {
    const r = new FastRetriever({ common, cache: false, timing: true, tokenTexts: texts, p: 0.5, seed: 9 });
    const runCoins = async () => {
      r.begin(lineStart);
      const out: number[] = [];
      for (let i = 0; i < 200; i++) {
        const d = (await r.retrieve(lineStart)).decision;
        expect(d.skipped).toBe(d.coin! >= 0.5);
        out.push(d.coin!);
      }
      return out;
    };
    const first = await runCoins();
    const want = seededRandom(generationSeed(9, lineStart));
    expect(first).toEqual(first.map(() => want()));
    expect(await runCoins()).toEqual(first);
    const skipped = first.filter((c) => c >= 0.5).length;
    expect(skipped).toBeGreaterThan(70);
    expect(skipped).toBeLessThan(130);
  });

  test('every prompt draws its own coins: the first line-start decisions of 400 prompts skip about half the time', async () => {
    const r = new FastRetriever({ common, cache: false, timing: true, tokenTexts: texts, p: 0.5, seed: 0 });
    const firstCoins: number[] = [];
    for (let i = 0; i < 400; i++) {
      r.begin(ctx(i, 2, 3));
      firstCoins.push((await r.retrieve(lineStart)).decision.coin!);
    }
    expect(new Set(firstCoins).size).toBeGreaterThan(300); // one seed per task: 1 distinct coin
    const skipped = firstCoins.filter((c) => c >= 0.5).length;
    expect(skipped).toBeGreaterThan(160);
    expect(skipped).toBeLessThan(240);
  });

  test('timing without tokenTexts is refused', () => {
    expect(() => new FastRetriever({ common, timing: true })).toThrow('tokenTexts');
  });
});

describe('FastRetriever: the cache (Algorithm 1 order, update)', () => {
  const base = { repo, common, timing: false, missingTable: false, cache: true, l: 2, cacheChunk: 5, nMax: 4 };

  test('update caches (last nMax context + accepted draft) and the output in pieces of cacheChunk', async () => {
    const r = new FastRetriever(base);
    r.begin(ctx(1, 2, 3));
    // prompt [1 2 3]; this step appended 3 tokens [7 7 8], the first 2 from a repo draft.
    r.update({ tokens: ctx(1, 2, 3, 7, 7, 8), generatedStart: 3, appended: 3, fromDraft: 2 });
    let res = await r.retrieve(ctx(2, 3));
    expect(res.decision.cacheActive).toBe(false); // one sequence < l = 2
    // next step appended [9 9 4]: output is now 6 tokens, so piece [7 7 8 9 9] (with 3 tokens of context before) is cached.
    r.update({ tokens: ctx(1, 2, 3, 7, 7, 8, 9, 9, 4), generatedStart: 3, appended: 3, fromDraft: 0 });
    res = await r.retrieve(ctx(5, 2, 3));
    expect(res.decision).toMatchObject({ cacheActive: true, cacheHit: true });
    expect(res.results.map((x) => x.source)).toEqual(['cache']);
    // the draft sequence continues with [7 7], the piece with [7 7 8 9 9] (listed in token order; one occurrence each)
    expect(res.results[0].continuations.map((c) => [Array.from(c.tokens), c.count])).toEqual([[[7, 7], 1], [[7, 7, 8, 9, 9], 1]]);
    expect(res.results[0].tree.count).toBe(2);
    expect(res.results[0].matchLength).toBe(2);
  });

  test('cacheFirst false: a cache hit no longer replaces the datastores, every source is returned', async () => {
    for (const cacheFirst of [true, false]) {
      const r = new FastRetriever({ ...base, cacheFirst });
      r.begin(ctx(1));
      r.update({ tokens: ctx(1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9), generatedStart: 1, appended: 10, fromDraft: 0 });
      const res = await r.retrieve(ctx(2, 3));
      expect(res.decision).toMatchObject({ cacheActive: true, cacheHit: true });
      expect(res.results.map((x) => x.source)).toEqual(cacheFirst ? ['cache'] : ['cache', 'repo', 'common']);
    }
  });

  test('cachePrompt: begin() caches the prompt, so the cache finds earlier occurrences in it from the first step', async () => {
    for (const cachePrompt of [false, true]) {
      const r = new FastRetriever({ ...base, l: 0, cachePrompt });
      r.begin(ctx(1, 2, 3, 4, 5, 2, 3));
      const res = await r.retrieve(ctx(1, 2, 3, 4, 5, 2, 3));
      expect(res.decision.cacheHit).toBe(cachePrompt);
      if (cachePrompt) expect(res.results[0].continuations.map((c) => Array.from(c.tokens))).toEqual([[4, 5, 2, 3]]);
    }
  });

  test('an empty-handed cache falls through to the datastores', async () => {
    const r = new FastRetriever(base);
    r.begin(ctx(1));
    r.update({ tokens: ctx(1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9), generatedStart: 1, appended: 10, fromDraft: 0 });
    const res = await r.retrieve(ctx(0, 1));
    expect(res.decision).toMatchObject({ cacheActive: true, cacheHit: false });
    expect(res.results.map((x) => x.source)).toEqual(['cache', 'repo', 'common']);
    expect(res.results[0].continuations).toEqual([]);
  });

  test('generation scope empties the cache at begin(); session scope keeps it', async () => {
    for (const [scope, active] of [['generation', false], ['session', true]] as const) {
      const r = new FastRetriever({ ...base, cacheScope: scope });
      r.begin(ctx(1));
      r.update({ tokens: ctx(1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9), generatedStart: 1, appended: 10, fromDraft: 0 });
      r.begin(ctx(1));
      expect((await r.retrieve(ctx(2, 3))).decision.cacheActive).toBe(active);
    }
  });
});
