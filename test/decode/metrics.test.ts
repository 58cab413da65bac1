import { firstDivergence, MetricsAccumulator, speedup, zeroTiming } from '../../src/decode/metrics';
import { decision } from './helpers';

describe('metrics', () => {
  test('hand-computed totals', () => {
    const m = new MetricsAccumulator();
    const d = decision();
    m.add({ timing: { ...zeroTiming(), forwardMs: 10, retrieveMs: 1 }, retrieval: { decision: { ...d, cacheHit: true }, sources: [] } });
    m.add({ timing: { ...zeroTiming(), forwardMs: 20, otherMs: 2 }, retrieval: { decision: { ...d, skipped: true, missingTableHit: true }, sources: [] } });
    m.add({ timing: { ...zeroTiming(), forwardMs: 5 }, retrieval: null });
    const r = m.finish(9, 130, 40);
    expect(r).toMatchObject({ generated: 9, forwards: 3, acceptance: 3, msPerToken: 10, retrievals: 2, cacheHits: 1, skippedByTiming: 1, missingTableHits: 1 });
    expect(r.time).toEqual({ retrieveMs: 1, trieMs: 0, forwardMs: 35, commitMs: 0, otherMs: 2 });
    expect(speedup(r, { ...r, msPerToken: 25 })).toBe(2.5);
  });
  test('firstDivergence', () => {
    expect(firstDivergence([1, 2, 3], [1, 2, 4])).toBe(2);
    expect(firstDivergence([1, 2], [1, 2, 3])).toBe(2);
    expect(firstDivergence([1, 2], [1, 2])).toBe(-1);
  });
});
