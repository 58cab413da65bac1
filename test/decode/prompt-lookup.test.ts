import { seededRandom } from '../../retrieval/timing';
import { promptLookup } from '../../src/decode/prompt-lookup';

/** Naive prompt lookup, following transformers' PromptLookupCandidateGenerator with string matching. */
function naivePromptLookup(ctx: number[], maxNgram: number, draftLength: number): number[] {
  for (let n = maxNgram; n >= 1; n--) {
    if (n >= ctx.length) continue;
    const key = ctx.slice(-n).join(' ');
    for (let idx = 0; idx + n <= ctx.length; idx++) {
      if (ctx.slice(idx, idx + n).join(' ') !== key) continue;
      const start = idx + n;
      const end = Math.min(start + draftLength, ctx.length);
      if (start < end) return ctx.slice(start, end);
    }
  }
  return [];
}

/** Naive most-recent prompt lookup: for n = maxNgram..1, scan every earlier start from the right. */
function naiveLatestLookup(ctx: number[], maxNgram: number, draftLength: number): number[] {
  for (let n = Math.min(maxNgram, ctx.length - 1); n >= 1; n--) {
    const suffix = ctx.slice(ctx.length - n).join(',');
    for (let s = ctx.length - n - 1; s >= 0; s--) {
      if (ctx.slice(s, s + n).join(',') === suffix) return ctx.slice(s + n, Math.min(s + n + draftLength, ctx.length));
    }
  }
  return [];
}

describe('promptLookup', () => {
  test('hand-computed case', () => {
    expect(promptLookup([1, 2, 3, 9, 1, 2], { maxNgram: 3, draftLength: 2 })).toEqual([3, 9]);
    expect(promptLookup([1, 2, 3, 9, 1, 2], { maxNgram: 3, draftLength: 10 })).toEqual([3, 9, 1, 2]);
    expect(promptLookup([5, 6, 7], { maxNgram: 3, draftLength: 10 })).toEqual([]);
    expect(promptLookup([4], { maxNgram: 3, draftLength: 10 })).toEqual([]);
  });

  test('hand-computed, latest: the most recent earlier occurrence wins', () => {
    expect(promptLookup([1, 2, 7, 1, 2, 8, 1, 2], { maxNgram: 2, draftLength: 3, latest: true })).toEqual([8, 1, 2]);
    expect(promptLookup([1, 2, 7, 1, 2, 8, 1, 2], { maxNgram: 2, draftLength: 3 })).toEqual([7, 1, 2]);
    expect(promptLookup([1, 2, 1, 2, 1, 2], { maxNgram: 2, draftLength: 5, latest: true })).toEqual([1, 2]);
  });

  test.each([
    ['earliest (HF)', false, naivePromptLookup, 7, 2000, 30],
    ['latest', true, naiveLatestLookup, 3, 500, 40],
  ])('%s: random contexts agree with the naive reference', (_, latest, naive, seed, cases, maxLength) => {
    const rand = seededRandom(seed);
    for (let i = 0; i < cases; i++) {
      const ctx = Array.from({ length: 1 + Math.floor(rand() * maxLength) }, () => Math.floor(rand() * 4));
      const maxNgram = 1 + Math.floor(rand() * 4);
      const draftLength = Math.floor(rand() * 12);
      expect(promptLookup(ctx, { maxNgram, draftLength, ...(latest ? { latest } : {}) })).toEqual(naive(ctx, maxNgram, draftLength));
    }
  });
});
