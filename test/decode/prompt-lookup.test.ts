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

describe('promptLookup', () => {
  test('hand-computed case', () => {
    expect(promptLookup([1, 2, 3, 9, 1, 2], { maxNgram: 3, draftLength: 2 })).toEqual([3, 9]);
    expect(promptLookup([1, 2, 3, 9, 1, 2], { maxNgram: 3, draftLength: 10 })).toEqual([3, 9, 1, 2]);
    expect(promptLookup([5, 6, 7], { maxNgram: 3, draftLength: 10 })).toEqual([]);
    expect(promptLookup([4], { maxNgram: 3, draftLength: 10 })).toEqual([]);
  });

  test('2000 random contexts agree with the naive reference', () => {
    const rand = seededRandom(7);
    for (let i = 0; i < 2000; i++) {
      const ctx = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => Math.floor(rand() * 4));
      const maxNgram = 1 + Math.floor(rand() * 4);
      const draftLength = Math.floor(rand() * 12);
      expect(promptLookup(ctx, { maxNgram, draftLength })).toEqual(naivePromptLookup(ctx, maxNgram, draftLength));
    }
  });
});
