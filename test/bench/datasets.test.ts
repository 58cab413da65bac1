import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadHumanEval, loadRepoEval, loadTasks, readJsonl } from '../../src/bench/datasets';

const HE = path.join(__dirname, 'fixtures/HumanEval-3.jsonl.gz');
const RE = path.join(__dirname, '../../examples/repoeval-redframes');

describe('loadHumanEval', () => {
  it('reads the gzipped jsonl: prompt = prompt, reference = canonical_solution', () => {
    const tasks = loadHumanEval(HE);
    expect(tasks.map((t) => t.id)).toEqual(['HumanEval/0', 'HumanEval/1', 'HumanEval/2']);
    expect(tasks[0].prompt.startsWith('from typing import List\n\n\ndef has_close_elements(')).toBe(true);
    expect(tasks[0].reference.startsWith('    for idx, elem in enumerate(numbers):')).toBe(true);
    expect(tasks[0].repo).toBeUndefined();
  });
  it('loadTasks reads the same tasks from the file', () => {
    expect(loadTasks('humaneval', HE)).toHaveLength(3);
  });
});

describe('loadRepoEval', () => {
  const tasks = loadRepoEval(RE);
  const repoFile = (t: (typeof tasks)[0]) =>
    fs.readFileSync(path.join(RE, 'repos', t.repo!, t.exclusion!.file), 'utf8').split('\n');

  it('reads every row, ids are line indices, repository = fpath_tuple[0]', () => {
    expect(tasks).toHaveLength(42);
    expect(tasks.map((t) => t.id)).toEqual(tasks.map((_, i) => String(i)));
    expect(new Set(tasks.map((t) => t.repo))).toEqual(new Set(['maxhumber_redframes']));
  });
  it.each([0, 1, 31, 41])('task %i: the excluded lines of the real file are exactly ground_truth', (i) => {
    const t = tasks[i];
    const lines = repoFile(t);
    const excluded = lines.slice(t.exclusion!.startLine - 1, t.exclusion!.endLine).join('\n');
    expect(excluded).toBe(t.reference.replace(/\n$/, ''));
  });
  it.each([0, 31])('task %i: the prompt (with its newline restored) is what precedes the excluded lines', (i) => {
    const t = tasks[i];
    const before = repoFile(t).slice(0, t.exclusion!.startLine - 1).join('\n') + '\n';
    expect(t.prompt.endsWith('\n')).toBe(true);
    expect(before.endsWith(t.prompt)).toBe(true);
  });
});

describe('bad input', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-datasets-'));
  it('names the file and line of invalid JSON', () => {
    const f = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(f, '{"a":1}\n{oops\n');
    expect(() => readJsonl(f)).toThrow(`${f}:2: not valid JSON`);
  });
  it('names a missing field', () => {
    const f = path.join(dir, 'he.jsonl');
    fs.writeFileSync(f, '{"task_id":"x","prompt":"p"}\n');
    expect(() => loadHumanEval(f)).toThrow(`${f}:1: field 'canonical_solution' must be a string`);
  });
  it('names a missing file', () => {
    expect(() => loadRepoEval(path.join(dir, 'nope'))).toThrow('nope: not found');
  });
});
