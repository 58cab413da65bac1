/**
 * The saved-index format, version 1 (little-endian):
 *
 *   offset  size          field
 *   0       8             magic "FCDSTORE"
 *   8       4             version (u32) = 1
 *   12      4             vocabSize (u32): the model's vocab_size
 *   16      4             streamLength (u32): N = tokens + one separator per document
 *   20      4             documentCount (u32): D
 *   24      4             pathBytes (u32): P, UTF-8 bytes of all document paths
 *   28      4             reserved (u32) = 0
 *   32      32            sha256 of the tokenizer files (tokenizer-hash.ts)
 *   64      12·D          document table: start (u32), length (u32), pathLength (u32) per document
 *   ...     P, pad to 4   the paths, concatenated
 *   ...     4·N           tokens (i32; -1 = separator)
 *   ...     4·N           suffix array (i32)
 *   ...     32            sha256 of every byte before it
 *
 * Loading checks magic, version, vocab size, tokenizer hash, the exact file size (before allocating anything), the
 * checksum, and that the tokens, the document table and the suffix array are consistent (ids in range, separators at
 * document ends, the SA a permutation: a crafted file cannot make a search read out of bounds). The SA's order is not
 * checked (on a 33M-token index that took 4-9 s, several times the load itself); the checksum catches corruption.
 * Tokens and SA are read straight into SharedArrayBuffers; the file is never held twice.
 *
 * Example:
 *   writeDatastoreFile('dc.fcds', parts);
 *   readDatastoreFile('dc.fcds', { vocabSize: 32256, tokenizerHash: h })  // the same parts
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import { Datastore } from '../datastore';
import { SEPARATOR } from '../suffix-array';
import { AtomicFile } from '../../util/atomic-file';

export const FORMAT_VERSION = 1;
const MAGIC = Buffer.from('FCDSTORE', 'ascii');
const HEADER_BYTES = 64;
const CHUNK = 1 << 22;

/** What a datastore file holds. */
export interface DatastoreParts {
  vocabSize: number;
  tokenizerHash: string; // 64 hex digits
  tokens: Int32Array;
  sa: Int32Array;
  documents: { path: string; start: number; length: number }[];
}

/** Expectations checked on load (omit to accept any). */
export interface LoadExpectations {
  vocabSize?: number;
  tokenizerHash?: string;
}

function header(parts: DatastoreParts, pathBytes: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(h, 0);
  h.writeUInt32LE(FORMAT_VERSION, 8);
  h.writeUInt32LE(parts.vocabSize, 12);
  h.writeUInt32LE(parts.tokens.length, 16);
  h.writeUInt32LE(parts.documents.length, 20);
  h.writeUInt32LE(pathBytes, 24);
  if (!/^[0-9a-f]{64}$/.test(parts.tokenizerHash)) throw new Error(`tokenizer hash '${parts.tokenizerHash}' is not 64 hex digits`);
  Buffer.from(parts.tokenizerHash, 'hex').copy(h, 32);
  return h;
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;

/** Write `parts` to `file` (via a temporary file renamed into place, so a crash never leaves half an index). */
export function writeDatastoreFile(file: string, parts: DatastoreParts): void {
  const paths = parts.documents.map((d) => Buffer.from(d.path, 'utf8'));
  const pathBytes = paths.reduce((n, p) => n + p.length, 0);
  const pathBlob = Buffer.concat([...paths, Buffer.alloc(pad4(pathBytes))]);
  const table = Buffer.alloc(12 * parts.documents.length);
  parts.documents.forEach((d, i) => {
    table.writeUInt32LE(d.start, 12 * i);
    table.writeUInt32LE(d.length, 12 * i + 4);
    table.writeUInt32LE(paths[i].length, 12 * i + 8);
  });
  const hash = crypto.createHash('sha256');
  const out = new AtomicFile(file);
  const put = (b: Uint8Array) => {
    hash.update(b);
    out.write(b);
  };
  try {
    put(header(parts, pathBytes));
    put(table);
    put(pathBlob);
    for (const arr of [parts.tokens, parts.sa]) {
      for (let i = 0; i < arr.length; i += CHUNK) put(new Uint8Array(arr.buffer, arr.byteOffset + 4 * i, 4 * Math.min(CHUNK, arr.length - i)));
    }
    out.write(hash.digest());
    out.commit();
  } finally {
    out.abort();
  }
}

/** Reads exact byte ranges of an open file into caller memory while hashing them. */
class HashedReader {
  readonly hash = crypto.createHash('sha256');
  pos = 0;
  constructor(
    readonly fd: number,
    readonly file: string,
  ) {}

  into<T extends Uint8Array>(target: T): T {
    for (let done = 0; done < target.length; ) {
      const n = fs.readSync(this.fd, target, done, Math.min(CHUNK, target.length - done), this.pos);
      if (n === 0) throw new Error(`${this.file}: truncated datastore file (ended at byte ${this.pos})`);
      this.hash.update(target.subarray(done, done + n));
      done += n;
      this.pos += n;
    }
    return target;
  }
}

interface Header {
  vocabSize: number;
  streamLength: number;
  documentCount: number;
  pathBytes: number;
  tokenizerHash: string;
}

function parseHeader(h: Buffer, file: string, expect: LoadExpectations): Header {
  if (!h.subarray(0, 8).equals(MAGIC)) throw new Error(`${file}: not a fastcoder datastore (bad magic)`);
  const version = h.readUInt32LE(8);
  if (version > FORMAT_VERSION) throw new Error(`${file}: datastore format version ${version} is newer than this fastcoder reads (${FORMAT_VERSION}); rebuild it or upgrade`);
  if (version !== FORMAT_VERSION) throw new Error(`${file}: unknown datastore format version ${version}`);
  const hd: Header = {
    vocabSize: h.readUInt32LE(12),
    streamLength: h.readUInt32LE(16),
    documentCount: h.readUInt32LE(20),
    pathBytes: h.readUInt32LE(24),
    tokenizerHash: h.subarray(32, 64).toString('hex'),
  };
  if (expect.vocabSize !== undefined && hd.vocabSize !== expect.vocabSize) {
    throw new Error(`${file}: built for vocab size ${hd.vocabSize}, but the model's is ${expect.vocabSize}`);
  }
  if (expect.tokenizerHash !== undefined && hd.tokenizerHash !== expect.tokenizerHash) {
    throw new Error(`${file}: built with a different tokenizer (hash ${hd.tokenizerHash.slice(0, 12)}…, expected ${expect.tokenizerHash.slice(0, 12)}…); rebuild the index`);
  }
  if (hd.streamLength >= 2 ** 31 || hd.documentCount > hd.streamLength) throw new Error(`${file}: corrupt header (stream length ${hd.streamLength}, ${hd.documentCount} documents)`);
  return hd;
}

/** File size implied by a header. Example: N = 5, D = 2, P = 2 → 64 + 24 + 4 + 40 + 32 = 164. */
function expectedSize(h: Header): number {
  return HEADER_BYTES + 12 * h.documentCount + h.pathBytes + pad4(h.pathBytes) + 8 * h.streamLength + 32;
}

/** Read and verify a datastore file; arrays are SharedArrayBuffer-backed. */
export function readDatastoreFile(file: string, expect: LoadExpectations = {}): DatastoreParts {
  if (!fs.existsSync(file)) throw new Error(`${file}: file not found`);
  const fd = fs.openSync(file, 'r');
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${file}: not a regular file (a datastore index is one file, e.g. written by \`fastcoder index\`)`);
    const size = stat.size;
    if (size < HEADER_BYTES) throw new Error(`${file}: truncated datastore file (${size} bytes, shorter than the header)`);
    const r = new HashedReader(fd, file);
    const h = parseHeader(r.into(Buffer.alloc(HEADER_BYTES)), file, expect);
    const want = expectedSize(h);
    if (size !== want) throw new Error(`${file}: ${size < want ? 'truncated' : 'oversized'} datastore file (${size} bytes, the header implies ${want})`);
    const table = r.into(Buffer.alloc(12 * h.documentCount));
    const paths = r.into(Buffer.alloc(h.pathBytes + pad4(h.pathBytes)));
    const tokens = new Int32Array(new SharedArrayBuffer(4 * h.streamLength));
    const sa = new Int32Array(new SharedArrayBuffer(4 * h.streamLength));
    r.into(new Uint8Array(tokens.buffer));
    r.into(new Uint8Array(sa.buffer));
    const stored = Buffer.alloc(32);
    fs.readSync(fd, stored, 0, 32, r.pos);
    if (!stored.equals(r.hash.digest())) throw new Error(`${file}: checksum mismatch (the file is corrupted)`);
    const documents = documentTable(table, paths, h, file);
    checkContents(tokens, sa, documents, h.vocabSize, file);
    return { vocabSize: h.vocabSize, tokenizerHash: h.tokenizerHash, tokens, sa, documents };
  } finally {
    fs.closeSync(fd);
  }
}

function documentTable(table: Buffer, paths: Buffer, h: Header, file: string): DatastoreParts['documents'] {
  const docs: DatastoreParts['documents'] = [];
  let pathAt = 0;
  let expectedStart = 0;
  for (let i = 0; i < h.documentCount; i++) {
    const start = table.readUInt32LE(12 * i);
    const length = table.readUInt32LE(12 * i + 4);
    const pathLength = table.readUInt32LE(12 * i + 8);
    if (start !== expectedStart || pathAt + pathLength > h.pathBytes) throw new Error(`${file}: corrupt document table at entry ${i}`);
    docs.push({ path: paths.subarray(pathAt, pathAt + pathLength).toString('utf8'), start, length });
    pathAt += pathLength;
    expectedStart = start + length + 1;
  }
  if (expectedStart !== h.streamLength || pathAt !== h.pathBytes) throw new Error(`${file}: document table does not cover the token stream`);
  return docs;
}

/** Ids in range, separators exactly at document ends, and the SA a permutation. O(N). */
function checkContents(tokens: Int32Array, sa: Int32Array, docs: DatastoreParts['documents'], vocabSize: number, file: string): void {
  for (const d of docs) {
    for (let i = d.start; i < d.start + d.length; i++) {
      const t = tokens[i];
      if (!(t >= 0 && t < vocabSize)) throw new Error(`${file}: token id ${t} at position ${i} is outside [0, ${vocabSize})`);
    }
    if (tokens[d.start + d.length] !== SEPARATOR) throw new Error(`${file}: document ${d.path} is not followed by a separator`);
  }
  const seen = new Uint8Array(sa.length);
  for (let i = 0; i < sa.length; i++) {
    const p = sa[i];
    if (!(p >= 0 && p < sa.length) || seen[p]) throw new Error(`${file}: suffix array is corrupt at entry ${i}`);
    seen[p] = 1;
  }
}

/** Save to `file` in the versioned format of `datastore-file.ts`. Example: saveDatastore(ds, "dc.fcds"); loadDatastore("dc.fcds"). */
export function saveDatastore(ds: Datastore, file: string): void {
  writeDatastoreFile(file, ds);
}

/**
 * Load and verify a saved datastore; pass the model's vocab size and tokenizer hash to reject a mismatched index.
 * Example: loadDatastore('dc.fcds', { vocabSize: 32256, tokenizerHash: tokenizerHash('models/tiny-coder-dsc') })
 */
export function loadDatastore(file: string, expect: LoadExpectations = {}): Datastore {
  const p = readDatastoreFile(file, expect);
  return new Datastore(p.vocabSize, p.tokenizerHash, p.tokens, p.sa, p.documents);
}
