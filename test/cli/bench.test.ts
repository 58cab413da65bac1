/** `fastcoder bench` end to end with the oracle on three HumanEval tasks: the cache scope option and where it is recorded. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadTokenizer } from '../../model/tokenizer';
import { datastoreFromDocuments } from '../../retrieval/datastore';
import { saveDatastore } from '../../retrieval/io/datastore-file';
import { tokenizerHash } from '../../retrieval/io/tokenizer-hash';
import { loadHumanEval } from '../../src/bench/datasets';
import { readResults } from '../../src/bench/results';
import { progressPrinter, run } from '../../src/cli/bench';

const TOK = path.join(__dirname, '../fixtures/tokenizers/deepseek-coder');
const DATA = path.join(__dirname, '../bench/fixtures/HumanEval-3.jsonl.gz');

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await run(args), out: out.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe('fastcoder bench --cache-scope', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-bench-'));
  const dc = path.join(tmp, 'dc.fcds');
  beforeAll(() => {
    const tok = loadTokenizer(TOK);
    const docs = loadHumanEval(DATA).map((t, i) => ({ path: `t${i}.py`, tokens: tok.encode(t.prompt + t.reference) }));
    saveDatastore(datastoreFromDocuments(docs, 32256, tokenizerHash(TOK)), dc);
  });
  const args = (out: string, scope?: string) => [
    '--dataset', 'humaneval', '--data', DATA, '--tokenizer', TOK, '--oracle', '--modes', 'ar,fastcoder', '--common-index', dc, '--out', out,
    ...(scope ? ['--cache-scope', scope] : []),
  ];

  test('the scope is in the results config and the table title; the default is generation', async () => {
    for (const scope of ['session', undefined]) {
      const out = path.join(tmp, `${scope ?? 'default'}.json`);
      const r = await cli(args(out, scope));
      expect(r.code).toBe(0);
      const results = readResults(out);
      expect(results.config.cacheScope).toBe(scope ?? 'generation');
      expect(r.out).toContain(`cache scope ${scope ?? 'generation'}, draft budget auto)`);
      expect(results.aggregates.fastcoder.identicalToAr).toBe(3);
      expect(results.aggregates.fastcoder.acceptance).toBeGreaterThan(1); // D_c holds the references
    }
  });

  test('--oracle without --max-new-tokens decodes whole references: the cap is the longest reference + EOS', async () => {
    const out = path.join(tmp, 'whole.json');
    expect((await cli(args(out))).code).toBe(0);
    const results = readResults(out);
    const tok = loadTokenizer(TOK);
    const refs = loadHumanEval(DATA).map((t) => tok.encode(t.reference).length);
    expect(results.config.maxNewTokens).toBe(Math.max(...refs) + 1);
    for (const row of results.results) expect([row.stopReason, row.generated]).toEqual(['eos', refs[Number(row.task.split('/')[1])] + 1]);
  });

  test('--budget caps the draft tree: budget 1 verifies at most one draft token per forward', async () => {
    const out = path.join(tmp, 'budget1.json');
    const r = await cli([...args(out), '--budget', '1']);
    expect(r.code).toBe(0);
    const results = readResults(out);
    expect(results.config.budget).toBe(1);
    expect(r.out).toContain('draft budget 1)');
    const fc = results.aggregates.fastcoder;
    expect(fc.identicalToAr).toBe(3);
    expect(fc.acceptance).toBeGreaterThan(1); // the one draft token is often right (D_c holds the references)
    expect(fc.acceptance).toBeLessThanOrEqual(2); // at most the draft token + the bonus token per forward
  });

  test('--budget 1,auto: every drafting mode at each budget, ar once, keyed <mode>@<budget>, with the speedup-against-budget table', async () => {
    const out = path.join(tmp, 'sweep.json');
    const r = await cli([...args(out), '--budget', '1,auto']);
    expect(r.code).toBe(0);
    const results = readResults(out);
    expect(results.config.budget).toEqual([1, 'auto']);
    expect(Object.keys(results.aggregates)).toEqual(['ar', 'fastcoder@1', 'fastcoder@auto']);
    expect(results.results.map((x) => x.mode)).toEqual([0, 1, 2].flatMap(() => ['ar', 'fastcoder@1', 'fastcoder@auto'])); // interleaved per task
    const [one, auto] = [results.aggregates['fastcoder@1'], results.aggregates['fastcoder@auto']];
    expect(one.meanTree).toBeLessThanOrEqual(1);
    expect(auto.meanTree).toBeGreaterThan(one.meanTree); // the oracle's flat (zero) cost: auto verifies whole trees
    expect([one.identicalToAr, auto.identicalToAr]).toEqual([3, 3]);
    expect(r.out).toContain('### Speedup against draft budget: speedup [per-task median, min–max] (L/F, tree, step ×ar)\n\n| mode | 1 | auto |');
    await expect(cli([...args(path.join(tmp, 'bad.json')), '--budget', '3,x'])).rejects.toThrow("--budget: expected a non-negative integer or 'auto', got 'x'");
  });

  test('--modes ar with budget auto calibrates nothing: no cost profile is written', async () => {
    const profile = path.join(tmp, 'ar-cost.json');
    const argv = ['--dataset', 'humaneval', '--data', DATA, '--tokenizer', TOK, '--oracle', '--oracle-cost-model', 'tiny-coder-dsc', '--modes', 'ar', '--out', path.join(tmp, 'ar.json'), '--cost-profile', profile];
    expect((await cli(argv)).code).toBe(0);
    expect(fs.existsSync(profile)).toBe(false);
  });

  test('--oracle-cost-model runs a real forward in lockstep and is recorded; outputs still equal the reference', async () => {
    const out = path.join(tmp, 'costmodel.json');
    const r = await cli([...args(out), '--oracle-cost-model', 'tiny-coder-dsc', '--budget', '8']);
    expect(r.code).toBe(0);
    const results = readResults(out);
    expect(results.config.oracleCost).toBe('model tiny-coder-dsc');
    expect(r.out).toContain('oracle target, forward cost model tiny-coder-dsc (3 tasks');
    expect(results.aggregates.fastcoder.identicalToAr).toBe(3);
    expect(results.aggregates.ar.identicalToAr).toBe(3);
  });

  test('a run with another scope does not resume into the same file; a bad scope is refused', async () => {
    const out = path.join(tmp, 'default.json');
    await expect(cli(args(out, 'session'))).rejects.toThrow('exists with a different configuration');
    await expect(cli(args(path.join(tmp, 'x.json'), 'task'))).rejects.toThrow("--cache-scope: expected generation or session, got 'task'");
  });

  test.each([
    [['--repeat', '2', '--cache-scope', 'session'], '--repeat: with --cache-scope session each run of a task would start from the cache the run before it left'],
    [['--repeat', '0'], '--repeat: expected an integer of at least 1, got 0'],
    [['--repeat', 'x'], "--repeat: expected a non-negative integer, got 'x'"],
  ])('bench %j is refused before anything runs: %s', async (flags, message) => {
    const out = path.join(tmp, 'repeat-refused.json');
    await expect(cli([...args(out), ...flags])).rejects.toThrow(message);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('fastcoder bench usage', () => {
  async function usage(args: string[]): Promise<{ code: number; err: string }> {
    const err: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
    try {
      return { code: await run(args), err: err.join('\n') };
    } finally {
      spy.mockRestore();
    }
  }

  test.each([
    [[], '--dataset humaneval|repoeval is required; --data is required; --tokenizer is required; --out is required; give --model <dir> or --oracle'],
    [['--dataset', 'mbpp', '--data', 'd', '--tokenizer', 't', '--out', 'o', '--oracle'], "--dataset must be humaneval or repoeval, got 'mbpp'"],
    [['--dataset', 'humaneval', '--data', 'd', '--tokenizer', 't', '--out', 'o', '--oracle', '--model', 'm'], 'give --model or --oracle, not both'],
    [['--dataset', 'humaneval', '--tokenizer', 't', '--out', 'o', '--oracle'], '--data is required'],
  ])('%j names what is missing or wrong', async (args, message) => {
    const r = await usage(args);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe(`fastcoder bench: ${message}`);
  });

  test('--budget above the maximum is refused', async () => {
    await expect(usage(['--dataset', 'humaneval', '--data', DATA, '--tokenizer', TOK, '--oracle', '--out', 'o.json', '--budget', '1000000'])).rejects.toThrow('--budget: at most 1024');
  });
});

describe('bench progress', () => {
  test('on a terminal the bar is redrawn in place; in a log, one line per 30 s plus the first and the last', () => {
    const task = { id: '7' } as Parameters<ReturnType<typeof progressPrinter>>[2];
    let t = 0;
    const lines: string[] = [];
    const log = progressPrinter(false, (s) => void lines.push(s), () => t);
    for (let done = 0; done <= 100; done++, t += 1000) log(done, 100, task, 'ar'); // one task per second
    expect(lines.map((l) => l.split(' ')[1])).toEqual(['0/100', '30/100', '60/100', '90/100', '100/100']);
    const tty: string[] = [];
    const bar = progressPrinter(true, (s) => void tty.push(s), () => 0);
    bar(1, 2, task, 'ar');
    bar(2, 2, task, 'done');
    expect(tty[0].startsWith('\r[###############---------------] 1/2 task 7 ar')).toBe(true);
    expect(tty[1].endsWith('\n')).toBe(true);
  });
});
