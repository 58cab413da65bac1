/**
 * The retrieval drafter builds its Trie from the retriever's continuation trees, unexpanded; this checks, through a
 * real FastRetriever (D_r, D_c, the backoff search, the cache merged, prompt lookup, normalised or raw counts, smoothed), that
 * the draft tree equals the naive Trie built from every listed continuation of the same results, and what the trace
 * says per source.
 */
import { newSequenceCache, FastRetriever } from '../../retrieval/retriever';
import { datastoreFromDocuments } from '../../retrieval/datastore';
import { seededRandom } from '../../retrieval/timing';
import { retrievalDrafter } from '../../src/decode/drafter';
import { PLUS_RULES } from '../../src/decode/options';
import { promptLookup } from '../../src/decode/prompt-lookup';
import { NaiveTrie } from '../trie/naive-trie';

describe('retrievalDrafter: the lazy Trie equals the naive one over the same retrieval', () => {
  test.each([
    ['fastcoder-plus rules', true, 20],
    ['raw counts, no lookup', false, 0],
  ])('%s: 150 random steps', async (_name, normalise, lookupLength) => {
    const rand = seededRandom(normalise ? 5 : 6);
    const alphabet = 4;
    const docs = (n: number) => Array.from({ length: n }, (_, i) => ({ path: `d${i}`, tokens: Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * alphabet)) }));
    const repo = datastoreFromDocuments(docs(3), alphabet, 'h');
    const common = datastoreFromDocuments(docs(12), alphabet, 'h');
    const sharedCache = newSequenceCache({});
    for (let i = 0; i < 30; i++) sharedCache.insert(Array.from({ length: 5 + Math.floor(rand() * 30) }, () => Math.floor(rand() * alphabet)));
    const span = normalise ? 16 : 10;
    const retriever = new FastRetriever({ repo, common, sharedCache, cacheScope: 'session', l: 0, cacheFirst: false, timing: false, missingTable: false, backoff: 2, backoffK: 7, k: 40, span });
    const weights = { alpha: 1, beta: normalise ? 1 : 0.5, gamma: 2 };
    const drafter = retrievalDrafter(retriever, weights, true, undefined, { ...PLUS_RULES, normalise, lookup: lookupLength });
    let deep = 0;
    let backoffs = 0;
    for (let step = 0; step < 150; step++) {
      const context = Int32Array.from({ length: 3 + Math.floor(rand() * 40) }, () => Math.floor(rand() * alphabet));
      const budget = [3, 7, 64][step % 3];
      const draft = await drafter.draft(context, budget);
      const { results } = await retriever.retrieve(context); // the same search again (no timing, no missing table)
      const naive = new NaiveTrie();
      for (const r of results) {
        const total = r.continuations.reduce((n, c) => n + c.count, 0);
        if (total === 0) continue;
        const part = naive.part(r.source, normalise ? 1 / total : 1);
        for (const c of r.continuations) naive.insert(c.tokens, part, c.count);
      }
      const chain = lookupLength > 0 ? promptLookup(context, { maxNgram: 3, draftLength: lookupLength, latest: true }) : [];
      if (chain.length > 0) naive.insert(chain, naive.part('lookup'), 1);
      expect(draft.tree).toEqual(naive.select(budget, weights, PLUS_RULES.smoothing));
      if (results.length > 3) backoffs++; // the cache, D_r, D_c, then the backoff search of each datastore whose match is longer than 2
      expect(draft.retrieval!.sources.map((s) => s.candidates)).toEqual(results.map((r) => r.continuations.reduce((n, c) => n + c.count, 0)));
      if (Math.max(...draft.tree.depths) >= 3) deep++;
    }
    expect(deep).toBeGreaterThan(50);
    expect(backoffs).toBeGreaterThan(50);
    await drafter.close();
  });
});
