import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { paxPath, readTarEntries } from '../../../retrieval/io/tar';

const dir = path.join(__dirname, '../../fixtures/retrieval/tar');
const longPath = `src/${'d'.repeat(60)}/${'e'.repeat(60)}/long_name_file.py`;
// Written by hand from the tree that was archived (see test/fixtures/retrieval/README.md); the symlink is not a file.
const expected: Record<string, string> = {
  [longPath]: 'x = "long"\n',
  'src/empty.py': '',
  'src/pkg/mod.py': 'def f():\n    return 1\n',
  'src/utf8.py': 'café = 1\n',
};

async function collect(file: string, maxEntryBytes?: number): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for await (const e of readTarEntries(file, { maxEntryBytes })) out[e.path] = e.data === null ? null : e.data.toString('utf8');
  return out;
}

function tmpFile(name: string, data: Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fc-tar-')), name);
  fs.writeFileSync(file, data);
  return file;
}

describe('readTarEntries', () => {
  test.each(['gnu.tar.gz', 'pax.tar', 'ustar.tar'])('%s: every regular file with its full path and bytes', async (name) => {
    expect(await collect(path.join(dir, name))).toEqual(expected);
  });

  test('entries over maxEntryBytes come back with data null and the stream stays in sync', async () => {
    const got = await collect(path.join(dir, 'ustar.tar'), 12);
    expect(got['src/pkg/mod.py']).toBeNull();
    expect(got['src/utf8.py']).toBe('café = 1\n');
  });

  test('a truncated archive is an error naming it', async () => {
    const raw = fs.readFileSync(path.join(dir, 'ustar.tar'));
    const file = tmpFile('cut.tar', raw.subarray(0, 512 * 3 + 100));
    await expect(collect(file)).rejects.toThrow(new RegExp(`${file}: (truncated|unexpected end)`));
  });

  test('a corrupted header is a checksum error naming the archive', async () => {
    const raw = Buffer.from(fs.readFileSync(path.join(dir, 'pax.tar')));
    raw[10] ^= 0xff;
    const file = tmpFile('bad.tar', raw);
    await expect(collect(file)).rejects.toThrow(`${file}: bad tar header checksum at byte 0`);
  });

  test('a corrupt gzip stream is an error naming the archive', async () => {
    const gz = Buffer.from(fs.readFileSync(path.join(dir, 'gnu.tar.gz')));
    gz[gz.length - 20] ^= 0xff;
    const file = tmpFile('bad.tar.gz', gz);
    await expect(collect(file)).rejects.toThrow(file);
  });

  test('a gzipped non-tar file is rejected', async () => {
    const file = tmpFile('text.tar.gz', zlib.gzipSync(Buffer.alloc(1024, 'a')));
    await expect(collect(file)).rejects.toThrow(`${file}: bad tar header checksum`);
  });

  test('a missing file is an error naming it', async () => {
    await expect(collect('/nonexistent/x.tar')).rejects.toThrow('/nonexistent/x.tar: file not found');
  });
});

describe('paxPath', () => {
  test('hand-computed records', () => {
    expect(paxPath(Buffer.from('17 path=a/b/c.py\n10 uid=00\n'), 'x.tar')).toBe('a/b/c.py');
    expect(paxPath(Buffer.from('10 uid=00\n'), 'x.tar')).toBeNull();
    expect(() => paxPath(Buffer.from('99 path=a\n'), 'x.tar')).toThrow('x.tar: malformed pax header record at byte 0');
  });
});
