import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cutLines, newCorpusStats, parseExclusion, readCorpus, CorpusOptions, DEFAULT_CORPUS_OPTIONS } from '../../../retrieval/io/corpus';

const repo = path.join(__dirname, '../../fixtures/retrieval/repo');
const tarDir = path.join(__dirname, '../../fixtures/retrieval/tar');

async function read(sources: string[], options: Partial<CorpusOptions> = {}) {
  const stats = newCorpusStats();
  const docs = [];
  for await (const d of readCorpus(sources, { ...DEFAULT_CORPUS_OPTIONS, ...options }, stats)) docs.push(d);
  return { docs, stats };
}

describe('parseExclusion / cutLines', () => {
  test.each([
    ['pkg/mod.py:12-30', { path: 'pkg/mod.py', startLine: 12, endLine: 30 }],
    ['C:/x/y.py:1-1', { path: 'C:/x/y.py', startLine: 1, endLine: 1 }],
  ])('%s', (spec, want) => expect(parseExclusion(spec)).toEqual(want));
  test.each(['mod.py', 'mod.py:3', 'mod.py:5-4', 'mod.py:0-2'])('rejects %s', (spec) => {
    expect(() => parseExclusion(spec)).toThrow(`--exclude '${spec}'`);
  });
  test.each([
    ['a\nb\nc\n', 2, 2, 'a\nc\n', 1],
    ['a\nb\nc', 2, 3, 'a\n', 2],
    ['a\nb\n', 1, 9, '', 2],
    ['a\nb\n', 5, 6, 'a\nb\n', 0],
  ])('cutLines(%j, %i, %i)', (text, a, b, want, removed) => {
    expect(cutLines(text, a, b)).toEqual({ text: want, removed });
  });
});

describe('readCorpus', () => {
  test('a directory: .py files in sorted order, relative paths, exact text', async () => {
    const { docs, stats } = await read([repo]);
    expect(docs.map((d) => d.path)).toEqual(['checks.py', 'io/__init__.py', 'io/convert.py', 'io/load.py', 'io/save.py', 'stat.py', 'types.py']);
    expect(docs[5].text).toBe(fs.readFileSync(path.join(repo, 'stat.py'), 'utf8'));
    expect(stats.files).toBe(7);
  });

  test('extensions filter; empty list keeps everything', async () => {
    expect((await read([repo], { extensions: [] })).docs.map((d) => d.path)).toContain('LICENSE');
    expect((await read([repo], { extensions: ['LICENSE'] })).docs.map((d) => d.path)).toEqual(['LICENSE']);
  });

  test('a tar.gz archive', async () => {
    const { docs } = await read([path.join(tarDir, 'gnu.tar.gz')]);
    expect(docs.map((d) => d.path)).toContain('src/pkg/mod.py');
  });

  test('binary, non-UTF-8 and oversized files are skipped and counted', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-corpus-'));
    fs.writeFileSync(path.join(dir, 'a.py'), 'x = 1\n');
    fs.writeFileSync(path.join(dir, 'b.py'), Buffer.from([0x78, 0x00, 0x79]));
    fs.writeFileSync(path.join(dir, 'c.py'), Buffer.from([0x78, 0xff, 0xfe]));
    fs.writeFileSync(path.join(dir, 'd.py'), 'y = 2\n'.repeat(100));
    const { docs, stats } = await read([dir], { maxFileBytes: 100 });
    expect(docs.map((d) => d.path)).toEqual(['a.py']);
    expect(stats).toMatchObject({ files: 1, bytes: 6, skippedBinary: 1, skippedNonUtf8: 1, skippedOversized: 1 });
  });

  test('exclusions cut the lines of the named file only', async () => {
    const exclude = [parseExclusion('io/load.py:3-5'), parseExclusion('redframes/stat.py:1-1')];
    const { docs, stats } = await read([repo], { exclude: [exclude[0]] });
    const lines = fs.readFileSync(path.join(repo, 'io/load.py'), 'utf8').split(/(?<=\n)/);
    expect(docs.find((d) => d.path === 'io/load.py')!.text).toBe([...lines.slice(0, 2), ...lines.slice(5)].join(''));
    expect(stats.excludedLines).toBe(3);
    await expect(read([repo], { exclude })).rejects.toThrow("exclusion 'redframes/stat.py:1-1' matched no file read");
  });

  test('overlapping and touching exclusions of one file remove exactly the union of their lines', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-corpus-'));
    const lines = Array.from({ length: 30 }, (_, i) => `L${i + 1}\n`);
    fs.writeFileSync(path.join(dir, 'a.py'), lines.join(''));
    const specs = ['a.py:8-12', 'a.py:5-10', 'a.py:13-13', 'a.py:20-21', 'a.py:21-21'];
    const { docs, stats } = await read([dir], { exclude: specs.map(parseExclusion) });
    const removed = new Set([5, 6, 7, 8, 9, 10, 11, 12, 13, 20, 21]); // by hand: the union of the spans
    expect(docs[0].text).toBe(lines.filter((_, i) => !removed.has(i + 1)).join(''));
    expect(stats.excludedLines).toBe(removed.size);
  });

  test('an exclusion starting past the end of its file is an error, not a silent no-op', async () => {
    const n = fs.readFileSync(path.join(repo, 'io/load.py'), 'utf8').split(/(?<=\n)/).length;
    await expect(read([repo], { exclude: [parseExclusion(`io/load.py:${n + 1}-${n + 5}`)] })).rejects.toThrow(`io/load.py has only ${n} lines`);
    const { stats } = await read([repo], { exclude: [parseExclusion(`io/load.py:${n}-${n + 5}`)] }); // end clamped to the file
    expect(stats.excludedLines).toBe(1);
  });

  test('a missing source names it', async () => {
    await expect(read(['/nonexistent/dir'])).rejects.toThrow('/nonexistent/dir: no such file or directory');
  });
});
