import { seededRandom } from '../../retrieval/timing';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { acceptGreedy, argmaxRow } from '../../model/greedy';
import { firstDivergence, MetricsAccumulator, speedup, zeroTiming } from '../../src/decode/metrics';
import { promptLookup } from '../../src/decode/prompt-lookup';
import { StopCondition } from '../../src/decode/stop';
import { tokenInLine } from '../../src/trace/step';
import { JsonlTraceWriter } from '../../src/trace/writer';
import { decision } from './helpers';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'hf-llama');

function readBin(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

describe('acceptGreedy', () => {
  test.each(['llama-tiny', 'deepseek-tiny', 'gqa-tiny'])('%s: HF tree logits give the fixture greedy_verification', async (name) => {
    const dir = path.join(FIXTURES, name);
    const cases = JSON.parse(fs.readFileSync(path.join(dir, 'cases.json'), 'utf8'));
    const vocab = cases.prompt_logits.shape[1];
    const prompt = readBin(path.join(dir, cases.prompt_logits.file));
    const tree = readBin(path.join(dir, cases.tree.logits.file));
    // rows: [last prompt position, node 0, node 1, ...]
    const logits = new Float32Array(vocab * (1 + cases.tree.tokens.length));
    logits.set(prompt.subarray(prompt.length - vocab));
    logits.set(tree, vocab);
    const asked: number[] = [];
    const acc = await acceptGreedy(cases.tree.tokens, cases.tree.parents, (row) => {
      asked.push(row);
      return argmaxRow(logits, row, vocab);
    });
    const v = cases.tree.greedy_verification;
    expect(acc.nodes).toEqual(v.accepted_nodes);
    expect(acc.tokens).toEqual([...v.accepted_tokens, v.bonus_token]);
    expect(acc.rows).toEqual([0, ...v.accepted_nodes.map((n: number) => n + 1)]);
    expect(asked).toEqual(acc.rows); // only the accepted path's rows are read, in path order
  });

  test('no matching child: only the bonus token', async () => {
    const logits = Float32Array.of(0, 0, 9, 0, /* node 0 */ 5, 0, 0, 0);
    expect(await acceptGreedy([1], [-1], (row) => argmaxRow(logits, row, 4))).toEqual({ nodes: [], tokens: [2], rows: [0] });
  });

  test('argmax ties go to the lowest index', () => {
    expect(argmaxRow(Float32Array.of(0, 3, 1, 5, 5, 2), 1, 3)).toBe(0);
  });
});

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

test('tokenInLine counts tokens since the last newline', () => {
  expect(tokenInLine([0, 1, 2, 3], ['a', '\n', 'b', 'c'])).toBe(2);
  expect(tokenInLine([0, 1], ['a', '\n'])).toBe(0);
  expect(tokenInLine([0, 0, 0], ['a'])).toBe(3);
});

test('JsonlTraceWriter writes one JSON object per line', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trace-')), 't.jsonl');
  const w = new JsonlTraceWriter(file);
  w.write({ kind: 'header', mode: 'ar', options: {}, promptTokens: [1], promptText: 'x' });
  w.close();
  expect(fs.readFileSync(file, 'utf8')).toBe('{"kind":"header","mode":"ar","options":{},"promptTokens":[1],"promptText":"x"}\n');
  expect(() => w.write({ kind: 'header', mode: 'ar', options: {}, promptTokens: [], promptText: '' })).toThrow(/already closed/);
  expect(() => new JsonlTraceWriter(path.join(file, 'no', 'dir.jsonl'))).toThrow(/cannot write the trace/);
});

test('two JsonlTraceWriters on one file, written in turn: the file holds one whole trace (the last closed), never both', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-'));
  const file = path.join(dir, 't.jsonl');
  const header = (mode: string) => ({ kind: 'header' as const, mode, options: {}, promptTokens: [1], promptText: 'x' });
  const [a, b] = [new JsonlTraceWriter(file), new JsonlTraceWriter(file)];
  for (let i = 0; i < 3; i++) [a, b].forEach((w, j) => w.write(header(`${'ab'[j]}${i}`)));
  b.close();
  a.close();
  expect(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).mode)).toEqual(['a0', 'a1', 'a2']);
  const failed = new JsonlTraceWriter(file);
  failed.write(header('c0'));
  failed.abort(); // a failed run leaves the earlier trace, and no temporary file
  expect(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).mode)).toEqual(['a0', 'a1', 'a2']);
  expect(fs.readdirSync(dir)).toEqual(['t.jsonl']);
  expect(() => new JsonlTraceWriter(dir)).toThrow(`${dir}: cannot write the trace (is a directory (give a file path to write))`);
});
