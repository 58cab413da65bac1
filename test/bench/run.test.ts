import * as path from 'path';
import { loadTokenizer } from '../../model/tokenizer';
import { loadHumanEval } from '../../src/bench/datasets';
import { parseModes } from '../../src/bench/modes';
import { promptIds, runBench, sameOutput, sessionCaches } from '../../src/bench/run';
import type { BenchConfig } from '../../src/bench/results';

const TOK = path.join(__dirname, '../fixtures/tokenizers/deepseek-coder');

describe('parseModes', () => {
  it('puts ar first, expands ablations, accepts w/o-x spellings', () => {
    expect(parseModes('fastcoder,w/o cache,ar').map((m) => m.name)).toEqual(['ar', 'fastcoder', 'w/o-cache']);
    expect(parseModes('ablations').map((m) => m.name)).toEqual(['w/o-repo', 'w/o-cache', 'w/o-timing', 'w/-parallel']);
    expect(parseModes('w/o-cache')[0].options).toMatchObject({ mode: 'fastcoder', cache: false, repo: true, parallel: false });
    expect(parseModes('w/ parallel')[0].options).toMatchObject({ mode: 'fastcoder', repo: true, cache: true, timing: true, parallel: true });
  });
  it('names an unknown mode', () => expect(() => parseModes('ar,fast')).toThrow("--modes: unknown mode 'fast'"));
});

describe('sessionCaches', () => {
  const [fc, noCache, rest, par] = parseModes('fastcoder,w/o-cache,rest,w/-parallel');
  const task = (id: string, repo?: string) => ({ id, prompt: '', reference: '', repo });
  it('session: one cache per (mode, repository), none for modes without a cache', () => {
    const caches = sessionCaches('session');
    expect(caches(task('1', 'a'), fc)).toBeDefined();
    expect(caches(task('2', 'a'), fc)).toBe(caches(task('1', 'a'), fc));
    expect(caches(task('3', 'b'), fc)).not.toBe(caches(task('1', 'a'), fc));
    expect(caches(task('1', 'a'), par)).not.toBe(caches(task('1', 'a'), fc));
    expect(caches(task('4'), fc)).toBe(caches(task('5'), fc)); // HumanEval: no repository, one cache per mode
    expect([caches(task('1', 'a'), noCache), caches(task('1', 'a'), rest)]).toEqual([undefined, undefined]);
  });
  it('generation: none', () => expect(sessionCaches('generation')(task('1', 'a'), fc)).toBeUndefined());
});

describe('sameOutput / promptIds', () => {
  it.each([
    [[5, 6], [5, 6, 7], true],
    [[5, 6, 7], [5, 6, 7], true],
    [[5, 8], [5, 6, 7], false],
    [[5, 6, 7, 8], [5, 6, 7], false],
  ])('%j vs %j → %s', (a, b, want) => expect(sameOutput(a, b)).toBe(want));
  it('keeps BOS and the last tokens', () => {
    const tok = loadTokenizer(TOK);
    const all = tok.encode('def f(x):\n    return x\n', { addSpecialTokens: true });
    expect(promptIds(tok, 'def f(x):\n    return x\n', 4)).toEqual([all[0], ...all.slice(-3)]);
  });
});

describe('runBench with the oracle', () => {
  const tok = loadTokenizer(TOK);
  const tasks = loadHumanEval(path.join(__dirname, 'fixtures/HumanEval-3.jsonl.gz'));
  const config: BenchConfig = {
    dataset: 'humaneval', data: 'x', tokenizer: TOK, model: null, oracle: true, commonIndex: null, maxNewTokens: 1000, seed: 0, modes: ['ar', 'pld'], cacheScope: 'generation', budget: 64,
  };
  const target = { kind: 'oracle' as const, vocabSize: 32256, eosId: 32014, costMs: 0 };
  it('reproduces the reference in every mode; ar takes one forward per token', async () => {
    const r = await runBench({ config, tasks, modes: parseModes('ar,pld'), tokenizer: tok, target });
    for (const t of tasks) {
      const ref = tok.encode(t.reference);
      const ar = r.results.find((x) => x.task === t.id && x.mode === 'ar')!;
      expect(ar.tokens).toEqual([...ref, 32014]);
      expect(ar.forwards).toBe(ref.length + 1);
      expect(r.results.find((x) => x.task === t.id && x.mode === 'pld')!.tokens).toEqual(ar.tokens);
    }
    expect(r.aggregates.pld.identicalToAr).toBe(3);
    expect(r.aggregates.ar.acceptance).toBe(1);
  });
  it('resumes: rows already there are not run again', async () => {
    const first = await runBench({ config, tasks: tasks.slice(0, 1), modes: parseModes('ar,pld'), tokenizer: tok, target });
    const seen: string[] = [];
    const r = await runBench({
      config, tasks, modes: parseModes('ar,pld'), tokenizer: tok, target, previous: first.results,
      onProgress: (_d, _t, task, mode) => seen.push(`${task.id} ${mode}`),
    });
    expect(seen.filter((s) => s.startsWith('HumanEval/0 '))).toEqual([]);
    expect(seen).toContain('HumanEval/1 pld');
    expect(r.results).toHaveLength(6);
  });
  it('--repeat: each task runs its modes in rounds and keeps one row per mode, the median run, with every run timed', async () => {
    const seen: string[] = [];
    const r = await runBench({ config: { ...config, repeat: 3 }, tasks: tasks.slice(0, 2), modes: parseModes('ar,pld'), tokenizer: tok, target, onProgress: (d, t, task, mode) => seen.push(`${d}/${t} ${task.id} ${mode}`) });
    expect(seen.slice(0, 6)).toEqual(['0/12 HumanEval/0 ar', '1/12 HumanEval/0 pld', '2/12 HumanEval/0 ar', '3/12 HumanEval/0 pld', '4/12 HumanEval/0 ar', '5/12 HumanEval/0 pld']);
    expect(r.results).toHaveLength(4);
    for (const row of r.results) {
      expect(row.runsMsPerToken).toHaveLength(3);
      expect(row.msPerToken).toBe([...row.runsMsPerToken!].sort((a, b) => a - b)[1]);
      expect(row.identicalToAr).toBe(true);
    }
  });
  it.each([[3, 'session', 'cache the run before it left'], [0, 'generation', 'at least 1']] as const)('--repeat %d with cache scope %s is refused', async (repeat, cacheScope, message) => {
    await expect(runBench({ config: { ...config, repeat, cacheScope }, tasks, modes: parseModes('ar'), tokenizer: tok, target })).rejects.toThrow(message);
  });
});
