import * as crypto from 'crypto';
import { seededRandom } from '../../retrieval/timing';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { datastoreFromDocuments, Datastore } from '../../retrieval/datastore';
import { buildDatastore } from '../../retrieval/io/build';
import { loadDatastore, saveDatastore } from '../../retrieval/io/datastore-file';
import { FORMAT_VERSION } from '../../retrieval/io/datastore-file';
import { naiveSearch } from './naive';

const repo = path.join(__dirname, '../fixtures/retrieval/repo');
const HASH = 'ab'.repeat(32);
const OTHER_HASH = 'cd'.repeat(32);
const VOCAB = 4096;

/** A word-level tokenizer: words, single whitespace chars and punctuation, numbered in order of first sight. */
function wordTokenizer() {
  const ids = new Map<string, number>();
  return { encode: (text: string) => (text.match(/\w+|\s|[^\w\s]/g) ?? []).map((w) => ids.get(w) ?? ids.set(w, ids.size).get(w)!) };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fc-ds-'));

async function repoDatastore(): Promise<{ ds: Datastore; docs: number[][] }> {
  const tok = wordTokenizer();
  const { datastore } = await buildDatastore([repo], { tokenizer: tok, vocabSize: VOCAB, tokenizerHash: HASH });
  const again = wordTokenizer(); // same numbering, applied independently to the files in sorted order
  const files = ['checks.py', 'io/__init__.py', 'io/convert.py', 'io/load.py', 'io/save.py', 'stat.py', 'types.py'];
  return { ds: datastore, docs: files.map((f) => again.encode(fs.readFileSync(path.join(repo, f), 'utf8'))) };
}

describe('buildDatastore', () => {
  test('the stream is each document followed by a separator; the table points at them', async () => {
    const { ds, docs } = await repoDatastore();
    expect(Array.from(ds.tokens)).toEqual(docs.flatMap((d) => [...d, -1]));
    expect(ds.documents.map((d) => d.length)).toEqual(docs.map((d) => d.length));
    expect(ds.documents[2]).toMatchObject({ path: 'io/convert.py', start: docs[0].length + docs[1].length + 2 });
    expect(ds.tokens.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(ds.sa.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  test('search over real code equals a naive scan at every position of every file', async () => {
    const { ds, docs } = await repoDatastore();
    const opts = { nMax: 16, nMin: 2, k: 5000, span: 10 };
    let matched = 0;
    for (const d of docs) {
      for (let end = 1; end <= d.length; end += 3) {
        const context = Int32Array.from(d.slice(Math.max(0, end - 20), end));
        const got = ds.search(context, opts);
        expect(got).toEqual(naiveSearch(ds.tokens, context, opts));
        if (got.matchLength > 0) matched++;
      }
    }
    expect(matched).toBeGreaterThan(100);
  });

  test('a token id outside the vocabulary names the document', async () => {
    await expect(buildDatastore([repo], { tokenizer: { encode: () => [1, 5000] }, vocabSize: VOCAB, tokenizerHash: HASH })).rejects.toThrow(
      'checks.py: tokenizer produced id 5000, outside the vocabulary [0, 4096)',
    );
  });
});

describe('saveDatastore / loadDatastore', () => {
  const rand = seededRandom(7);
  const docs = Array.from({ length: 30 }, (_, i) => ({ path: `d${i}/é${i}.py`, tokens: Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 32256)) }));
  const ds = datastoreFromDocuments(docs, 32256, HASH);
  const saved = () => {
    const file = path.join(tmp(), 'x.fcds');
    saveDatastore(ds, file);
    return file;
  };

  test('round trip: identical tokens, SA, table, identity; shared memory', () => {
    const back = loadDatastore(saved(), { vocabSize: 32256, tokenizerHash: HASH });
    expect(Array.from(back.tokens)).toEqual(Array.from(ds.tokens));
    expect(Array.from(back.sa)).toEqual(Array.from(ds.sa));
    expect(back.documents).toEqual(ds.documents);
    expect([back.vocabSize, back.tokenizerHash]).toEqual([32256, HASH]);
    expect(back.sa.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  test('an empty datastore round-trips', () => {
    const file = path.join(tmp(), 'empty.fcds');
    saveDatastore(datastoreFromDocuments([], 10, HASH), file);
    expect(loadDatastore(file).tokens.length).toBe(0);
  });

  const corrupt = (edit: (b: Buffer) => Buffer) => {
    const file = saved();
    fs.writeFileSync(file, edit(fs.readFileSync(file)));
    return file;
  };
  test.each<[string, (b: Buffer) => Buffer, RegExp]>([
    ['truncated', (b) => b.subarray(0, b.length - 100), /truncated datastore file/],
    ['shorter than a header', (b) => b.subarray(0, 10), /truncated datastore file \(10 bytes/],
    ['a flipped token byte', (b) => { b[64 + 12 * 30 + 200] ^= 1; return b; }, /checksum mismatch/],
    ['bad magic', (b) => { b.write('NOTADS!!', 0); return b; }, /not a fastcoder datastore/],
    ['a newer version', (b) => { b.writeUInt32LE(FORMAT_VERSION + 1, 8); return b; }, /version 2 is newer than this fastcoder reads \(1\)/],
    ['a huge stream length', (b) => { b.writeUInt32LE(2 ** 30, 16); return b; }, /truncated datastore file .* the header implies/],
  ])('%s', (_, edit, msg) => {
    const file = corrupt(edit);
    expect(() => loadDatastore(file)).toThrow(file);
    expect(() => loadDatastore(file)).toThrow(msg);
  });

  // Crafted files: edited, then given a valid checksum, so only the consistency checks can refuse them.
  // Layout of this two-document file: header 64, table 24, paths 'a.pyb.py' 8, tokens [1 2 3 -1 4 5 -1], SA.
  const crafted = (edit: (b: Buffer) => void) => {
    const file = path.join(tmp(), 'crafted.fcds');
    saveDatastore(datastoreFromDocuments([{ path: 'a.py', tokens: [1, 2, 3] }, { path: 'b.py', tokens: [4, 5] }], 10, HASH), file);
    const b = fs.readFileSync(file);
    edit(b);
    const body = b.subarray(0, b.length - 32);
    fs.writeFileSync(file, Buffer.concat([body, crypto.createHash('sha256').update(body).digest()]));
    return file;
  };
  const TOKENS = 64 + 24 + 8;
  const SA = TOKENS + 4 * 7;
  test.each<[string, (b: Buffer) => void, string]>([
    ['a token id past the vocabulary', (b) => b.writeInt32LE(99, TOKENS), 'token id 99 at position 0 is outside [0, 10)'],
    ['a separator inside a document', (b) => b.writeInt32LE(-1, TOKENS + 4), 'token id -1 at position 1 is outside [0, 10)'],
    ['a document without its separator', (b) => b.writeInt32LE(7, TOKENS + 12), 'document a.py is not followed by a separator'],
    ['a suffix array entry twice', (b) => b.writeInt32LE(b.readInt32LE(SA), SA + 4), 'suffix array is corrupt at entry 1'],
    ['a suffix array entry past the stream', (b) => b.writeInt32LE(7, SA + 8), 'suffix array is corrupt at entry 2'],
    ['a document length past the stream', (b) => b.writeUInt32LE(2 ** 31, 64 + 4), 'corrupt document table at entry 1'],
    ['a path length past the path bytes', (b) => b.writeUInt32LE(9, 64 + 8), 'corrupt document table at entry 0'],
  ])('crafted with a valid checksum: %s', (_, edit, msg) => {
    const file = crafted(edit);
    expect(() => loadDatastore(file)).toThrow(`${file}: ${msg}`);
  });

  test('a directory is refused by name', () => {
    const dir = tmp();
    expect(() => loadDatastore(dir)).toThrow(`${dir}: not a regular file`);
  });

  test('a different tokenizer or vocab size is refused', () => {
    const file = saved();
    expect(() => loadDatastore(file, { tokenizerHash: OTHER_HASH })).toThrow(`${file}: built with a different tokenizer`);
    expect(() => loadDatastore(file, { vocabSize: 32000 })).toThrow(`${file}: built for vocab size 32256, but the model's is 32000`);
  });

  test('a missing file', () => {
    expect(() => loadDatastore('/nonexistent.fcds')).toThrow('/nonexistent.fcds: file not found');
  });
});
