import { StopCondition } from '../../src/decode/stop';

describe('StopCondition', () => {
  const decode = (ids: number[]): string => ids.map((i) => String.fromCharCode(96 + i)).join('');
  test('eos, stop string, max tokens', () => {
    const s = new StopCondition({ eosIds: [26], stop: ['cd'], maxNewTokens: 5 }, decode);
    expect([1, 3].map((t) => s.push(t))).toEqual([null, null]);
    expect(s.push(4)).toBe('stop-string'); // 'acd'
    const e = new StopCondition({ eosIds: [26], stop: [], maxNewTokens: 5 }, decode);
    expect([1, 26].map((t) => e.push(t))).toEqual([null, 'eos']);
    const m = new StopCondition({ eosIds: [], stop: ['zz'], maxNewTokens: 2 }, decode);
    expect([1, 2].map((t) => m.push(t))).toEqual([null, 'max-new-tokens']);
    expect(m.remaining).toBe(0);
  });
  test('a stop string spanning many tokens', () => {
    const s = new StopCondition({ eosIds: [], stop: ['abcabc'], maxNewTokens: 100 }, decode);
    expect([1, 2, 3, 1, 2, 3].map((t) => s.push(t))).toEqual([null, null, null, null, null, 'stop-string']);
  });
  test('pushAll keeps the tokens up to the stop', () => {
    const s = new StopCondition({ eosIds: [26], stop: [], maxNewTokens: 100 }, decode);
    expect(s.pushAll([1, 2, 26, 3])).toEqual({ kept: 3, reason: 'eos' });
    const m = new StopCondition({ eosIds: [], stop: [], maxNewTokens: 2 }, decode);
    expect(m.pushAll([5, 6, 7])).toEqual({ kept: 2, reason: 'max-new-tokens' });
    expect(new StopCondition({ eosIds: [], stop: [], maxNewTokens: 9 }, decode).pushAll([5, 6])).toEqual({ kept: 2, reason: null });
  });
  test('the last position: remaining counts the tighter limit; max-new-tokens wins a tie; nothing fits → stop at the start', () => {
    const p = new StopCondition({ eosIds: [], stop: [], maxNewTokens: 5, positionRoom: 2 }, decode);
    expect([p.atStart(), p.remaining]).toEqual([null, 2]);
    expect([1, 2].map((t) => p.push(t))).toEqual([null, 'max-position']);
    const tie = new StopCondition({ eosIds: [], stop: [], maxNewTokens: 1, positionRoom: 1 }, decode);
    expect(tie.push(1)).toBe('max-new-tokens');
    expect(new StopCondition({ eosIds: [], stop: [], maxNewTokens: 0, positionRoom: 0 }, decode).atStart()).toBe('max-new-tokens');
    expect(new StopCondition({ eosIds: [], stop: [], maxNewTokens: 3, positionRoom: 0 }, decode).atStart()).toBe('max-position');
  });
});
