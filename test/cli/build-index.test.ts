import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from '../../src/cli/build-index';
import { loadDatastore } from '../../retrieval/io/datastore-file';
import { tokenizerHash } from '../../retrieval/io/tokenizer-hash';

const tok = path.join(__dirname, '../fixtures/retrieval/tokenizer');

function corpus(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-index-'));
  fs.mkdirSync(path.join(dir, 'pkg'));
  fs.writeFileSync(path.join(dir, 'pkg/a.py'), 'def f(x):\n    return x\n');
  fs.writeFileSync(path.join(dir, 'pkg/b.py'), 'x = 1\ndef g(x):\n    return 1\n');
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'x = 1\n');
  fs.writeFileSync(path.join(dir, 'blob.py'), Buffer.from([1, 0, 2]));
  return dir;
}

async function runQuiet(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  const error = jest.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
  try {
    return { code: await run(args), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('fastcoder index', () => {
  test.each(['1', '2'])('--threads %s: hand-computed token stream, exclusion, skipped binary, summary line', async (threads) => {
    const dir = corpus();
    const out = path.join(dir, 'x.fcds');
    const r = await runQuiet(['--tokenizer', tok, '--out', out, '--threads', threads, '--exclude', 'pkg/b.py:1-1', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^${out}: 2 documents, 14 tokens, skipped 1 \\(binary 1, non-UTF-8 0, oversized 0\\), excluded 1 lines`));
    const ds = loadDatastore(out, { vocabSize: 16, tokenizerHash: tokenizerHash(tok) });
    // a.py: def f ( x ): return x ; b.py without line 1: def g ( x ): return 1
    expect(Array.from(ds.tokens)).toEqual([1, 2, 3, 6, 4, 5, 6, -1, 1, 9, 3, 6, 4, 5, 8, -1]);
    expect(ds.documents.map((d) => d.path)).toEqual(['pkg/a.py', 'pkg/b.py']);
  });

  test('--ext picks other files; --vocab-size overrides config.json', async () => {
    const dir = corpus();
    const out = path.join(dir, 'y.fcds');
    expect((await runQuiet(['--tokenizer', tok, '--out', out, '--ext', '.txt', '--vocab-size', '12', dir])).code).toBe(0);
    const ds = loadDatastore(out);
    expect([ds.vocabSize, Array.from(ds.tokens)]).toEqual([12, [6, 7, 8, -1]]);
  });

  test('usage errors', async () => {
    expect((await runQuiet(['--out', 'x.fcds', '.'])).code).toBe(2);
    await expect(runQuiet(['--tokenizer', tok, '--out', 'x', '--threads', '0', '.'])).rejects.toThrow("--threads '0'");
    await expect(runQuiet(['--tokenizer', tok, '--out', 'x', '--vocab-size', '5', corpus()])).rejects.toThrow(/pkg\/a\.py: tokenizer produced id 6, outside the vocabulary \[0, 5\)/);
    expect((await runQuiet(['--help'])).out).toMatch(/^usage: fastcoder index/);
  });

  test('sizes are bounded: --threads and --max-file-bytes above their maximum are refused', async () => {
    await expect(runQuiet(['--tokenizer', tok, '--out', 'x', '--threads', '1000', '.'])).rejects.toThrow("--threads '1000': at most 32");
    await expect(runQuiet(['--tokenizer', tok, '--out', 'x', '--max-file-bytes', '100000000', '.'])).rejects.toThrow("--max-file-bytes '100000000': at most 4194304");
  });

  test('--out an existing directory is refused before building, and leaves nothing behind', async () => {
    const dir = corpus();
    await expect(runQuiet(['--tokenizer', tok, '--out', dir, dir])).rejects.toThrow(`--out ${dir}: is a directory`);
    expect(fs.readdirSync(path.dirname(dir)).filter((n) => n.startsWith(path.basename(dir) + '.tmp-'))).toEqual([]);
  });

  test('no document to index (empty or all-binary input) is an error, and no index is written', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-empty-'));
    const out = path.join(empty, 'x.fcds');
    await expect(runQuiet(['--tokenizer', tok, '--out', out, empty])).rejects.toThrow(`no documents to index in ${empty}: skipped 0 (binary 0, non-UTF-8 0, oversized 0); nothing written`);
    fs.writeFileSync(path.join(empty, 'blob.py'), Buffer.from([1, 0, 2]));
    await expect(runQuiet(['--tokenizer', tok, '--out', out, empty])).rejects.toThrow('skipped 1 (binary 1, non-UTF-8 0, oversized 0)');
    expect(fs.existsSync(out)).toBe(false);
  });
});
