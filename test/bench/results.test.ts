import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { aggregate, BenchConfig, medianRun, readResults, TaskResult, withAggregates, writeResults } from '../../src/bench/results';
import { budgetTable, markdownSummary, markdownTable, modeBudget, tableIV } from '../../src/bench/tables';

const zeroTime = { retrieveMs: 0, trieMs: 0, forwardMs: 1, commitMs: 0, otherMs: 0 };

function row(task: string, repo: string | null, mode: string, L: number, F: number, ms: number, extra: Partial<TaskResult> = {}): TaskResult {
  return {
    task, repo, mode, generated: L, forwards: F, acceptance: L / F, msPerToken: ms, wallMs: 0, prefillMs: 0, time: zeroTime,
    retrievals: 0, cacheHits: 0, skippedByTiming: 0, missingTableHits: 0, stopReason: 'max-new-tokens', identicalToAr: true, text: '', tokens: [],
    ...extra,
  };
}

const config: BenchConfig = {
  dataset: 'repoeval', data: 'd', tokenizer: 't', model: null, oracle: true, commonIndex: null, maxNewTokens: 64, seed: 0,
  modes: ['ar', 'rest', 'fastcoder', 'fastcoder-no-cache'], cacheScope: 'generation', budget: 64,
};

// Hand-computed: two tasks in two repositories.
const rows = [
  row('0', 'A', 'ar', 10, 10, 20),
  row('1', 'B', 'ar', 6, 6, 10),
  row('0', 'A', 'rest', 10, 5, 8),
  row('1', 'B', 'rest', 6, 6, 12, { identicalToAr: false }),
  row('0', 'A', 'fastcoder', 10, 2, 5, { retrievals: 4, cacheHits: 1, skippedByTiming: 1, missingTableHits: 0, draftNodes: 12 }),
  row('1', 'B', 'fastcoder', 6, 3, 5, { retrievals: 2, cacheHits: 1, skippedByTiming: 0, missingTableHits: 1, draftNodes: 3 }),
];

describe('medianRun', () => {
  test.each([
    [[30, 10, 20], 20],
    [[10, 40, 20, 30], 20], // even: the lower middle
    [[7], 7],
  ])('runs at %j ms/token → the %d ms/token row, every run kept', (ms, median) => {
    const runs = ms.map((m, i) => row('0', null, 'pld', 10, 5, m, { forwards: i + 1 }));
    const got = medianRun(runs);
    expect(got.msPerToken).toBe(median);
    expect(got.forwards).toBe(ms.indexOf(median) + 1); // the whole row of that run
    expect(got.runsMsPerToken).toEqual(ms.length > 1 ? ms : undefined);
  });
  test('identical only when every run was', () => {
    expect(medianRun([row('0', null, 'pld', 1, 1, 1), row('0', null, 'pld', 1, 1, 2, { identicalToAr: false }), row('0', null, 'pld', 1, 1, 3)]).identicalToAr).toBe(false);
  });
});

describe('aggregate', () => {
  const agg = aggregate(rows, config.modes);
  it('acceptance = total L / total F; meanAcceptance = mean of per-task L/F', () => {
    expect(agg.rest.acceptance).toBeCloseTo(16 / 11, 12);
    expect(agg.rest.meanAcceptance).toBeCloseTo((2 + 1) / 2, 12);
    expect(agg.fastcoder.acceptance).toBeCloseTo(16 / 5, 12);
  });
  it('speedup = ar mean ms/token / mode mean ms/token', () => {
    expect(agg.ar.speedup).toBeCloseTo(1, 12);
    expect(agg.rest.speedup).toBeCloseTo(15 / 10, 12);
    expect(agg.fastcoder.speedup).toBeCloseTo(15 / 5, 12);
  });
  it('counts identical outputs and the retrieval statistics', () => {
    expect(agg.rest.identicalToAr).toBe(1);
    expect(agg.fastcoder.cacheHitRate).toBeCloseTo(2 / 6, 12);
    expect(agg.fastcoder.skippedByTimingShare).toBeCloseTo(1 / 5, 12);
    expect(agg.fastcoder.missingTableShare).toBeCloseTo(1 / 5, 12);
    expect(agg.fastcoder.time.forwardMs).toBe(2);
  });
  it('medians and spread beside the means: per-task ms/token median and IQR, median of per-task speedups', () => {
    // rest ran 8 and 12 ms/token; ar 20 and 10 on the same tasks: speedups 2.5 and 0.833
    expect(agg.rest.msPerTokenMedian).toBe(10);
    expect(agg.rest.msPerTokenIqr).toEqual([9, 11]);
    expect(agg.rest.taskSpeedup!.median).toBeCloseTo((20 / 8 + 10 / 12) / 2, 12);
    expect(agg.ar.taskSpeedup!.median).toBe(1);
  });
  it('meanTree = draft nodes verified / forwards (0 for rows that did not record it)', () => {
    expect(agg.fastcoder.meanTree).toBeCloseTo(15 / 5, 12);
    expect(agg.rest.meanTree).toBe(0);
  });
  it('stepCost = decode ms per forward (Σ ms/token · L / Σ F) over ar\'s on the same tasks', () => {
    // ar: (20·10 + 10·6) / (10 + 6) = 16.25 ms per step; rest (8·10 + 12·6) / 11; fastcoder (5·10 + 5·6) / 5 = 16
    expect(agg.ar.stepMs).toBeCloseTo(260 / 16, 12);
    expect(agg.ar.stepCost).toBeCloseTo(1, 12);
    expect(agg.rest.stepCost).toBeCloseTo(152 / 11 / 16.25, 12);
    expect(agg.fastcoder.stepCost).toBeCloseTo(16 / 16.25, 12);
    // over the totals, speedup = L/F ÷ step cost: ar 260 ms against fastcoder 80 ms for the same 16 tokens
    expect(agg.fastcoder.acceptance / agg.fastcoder.stepCost!).toBeCloseTo(260 / 80, 12);
    expect(aggregate(rows.slice(2), ['rest']).rest.stepCost).toBeNull(); // no ar run
  });
  it('leaves out modes with no rows', () => {
    expect(agg['fastcoder-no-cache']).toBeUndefined();
  });
  it('speedup pairs tasks: a mode run on fewer tasks is compared with ar on those tasks only', () => {
    const a = aggregate([...rows.slice(0, 2), row('1', 'B', 'pld', 6, 3, 5)], ['ar', 'pld']);
    expect(a.pld.speedup).toBeCloseTo(10 / 5, 12);
    expect(a.pld.stepCost).toBeCloseTo((5 * 6) / 3 / ((10 * 6) / 6), 12); // against ar's steps on task 1 alone
  });
});

describe('budget sweep tables', () => {
  // ar once; fastcoder at budgets 3 and auto: task 0 (ar 20 ms/token) and task 1 (ar 10)
  const sweep = withAggregates({ ...config, modes: ['ar', 'fastcoder@3', 'fastcoder@auto'], budget: [3, 'auto'] }, [
    ...rows.slice(0, 2),
    row('0', 'A', 'fastcoder@3', 10, 5, 10, { draftNodes: 15 }),
    row('1', 'B', 'fastcoder@3', 6, 3, 10, { draftNodes: 9 }),
    row('0', 'A', 'fastcoder@auto', 10, 4, 6, { draftNodes: 20 }),
    row('1', 'B', 'fastcoder@auto', 6, 4, 4, { draftNodes: 0 }),
  ]);
  it('modeBudget splits a key; Table I and the budget table list every budget, with hand-computed speedups', () => {
    expect(modeBudget('fastcoder@auto')).toEqual({ mode: 'fastcoder', budget: 'auto' });
    expect(modeBudget('w/o-cache')).toEqual({ mode: 'w/o-cache', budget: null });
    const md = markdownSummary(sweep);
    expect(md).toContain('draft budget 3, auto)');
    // 15 / 5; 16 / 8; 20 / 8; steps (6·10 + 4·6) / 8 = 10.5 ms against ar's 16.25
    expect(md).toContain('| fastcoder@auto | 5.00 | 3.00× | 2.00 | 2.50 | 0.65× | 2/2 |');
    // budget 3's steps: (10·10 + 10·6) / 8 = 20 ms, 1.23× ar's
    expect(budgetTable(sweep)).toBe('| mode | 3 | auto |\n| --- | ---: | ---: |\n| fastcoder | 1.50× [1.50, 1.00–2.00] (2.00, 3.00, 1.23×) | 3.00× [2.92, 2.50–3.33] (2.00, 2.50, 0.65×) |');
    expect(budgetTable(withAggregates(config, rows))).toBe('');
  });
});

describe('tables', () => {
  const r = withAggregates(config, rows);
  it('markdownTable lays out header, alignment and rows', () => {
    expect(markdownTable(['a', 'b'], [['1', '2']])).toBe('| a | b |\n| --- | ---: |\n| 1 | 2 |');
  });
  it('Table IV has one column per repository plus all', () => {
    expect(tableIV(r).split('\n')).toEqual([
      '| method | A | B | all |',
      '| --- | ---: | ---: | ---: |',
      '| rest | 2.00 | 1.00 | 1.45 |',
      '| fastcoder | 5.00 | 2.00 | 3.20 |',
    ]);
  });
  it('the summary holds Tables I, II, IV with the hand-computed figures', () => {
    const md = markdownSummary(r);
    expect(md).toContain('| fastcoder | 5.00 | 3.00× | 3.20 | 3.00 | 0.98× | 2/2 |'); // steps 16 ms against ar's 16.25
    expect(md).toContain('| rest | 10.00 | 1.50× | 1.45 | 0.00 | 0.85× | 1/2 | 10.00 [9.00–11.00] | 1.67× |');
    expect(md).toContain('### Table II: ablation');
    expect(md).toContain('| fastcoder | 5.00 | 3.00× | 3.20 | 33.3% | 20.0% | 20.0% |');
  });
  it.each([[undefined, '(2 tasks, D_c'], [3, '(2 tasks, median of 3 runs each, D_c']])('the title line says how many runs each row is the median of (repeat %s)', (repeat, title) => {
    expect(markdownSummary({ ...r, config: { ...r.config, ...(repeat ? { repeat } : {}) } }).split('\n')[0]).toContain(title);
  });
});

describe('results file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-results-'));
  it('round-trips and recomputes aggregates on read', () => {
    const f = path.join(dir, 'r.json');
    writeResults(f, { ...withAggregates(config, rows), aggregates: {} });
    expect(readResults(f).aggregates.rest.acceptance).toBeCloseTo(16 / 11, 12);
  });
  it('rejects a file that is not a results file, naming it', () => {
    const f = path.join(dir, 'x.json');
    fs.writeFileSync(f, '{"results": []}');
    expect(() => readResults(f)).toThrow(`${f}: not a fastcoder results file`);
  });
});
