/**
 * A small strict tar reader: `.tar` and `.tar.gz` / `.tgz` (zlib), ustar headers, GNU long names (`L`), pax `path`
 * records (`x`), streamed entry by entry so a large archive never sits in memory. Errors name the archive.
 *
 * Example:
 *   for await (const e of readTarEntries('cpython-3.11.7-lib.tar.gz')) {
 *     if (e.data) console.log(e.path, e.data.length);   // 'cpython-3.11.7-lib/abc.py' 6538
 *   }
 */
import * as fs from 'fs';
import * as zlib from 'zlib';

/** One regular file of the archive. */
export interface TarEntry {
  path: string; // path inside the archive, as written (pax / GNU long name when present)
  size: number; // bytes of the file
  data: Buffer | null; // the file's bytes; null when size > maxEntryBytes (the bytes were skipped unread)
}

export interface TarOptions {
  maxEntryBytes?: number; // larger entries are yielded with data = null (default 256 MiB)
}

const BLOCK = 512;

/** Pulls exact byte counts out of a stream of chunks. */
class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  offset = 0; // bytes consumed so far (of the uncompressed tar)
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Exactly n bytes, or fewer only at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    while (this.buffered < n) {
      const next = await this.source.next();
      if (next.done) break;
      this.chunks.push(next.value);
      this.buffered += next.value.length;
    }
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const out = all.subarray(0, Math.min(n, all.length));
    const rest = all.subarray(out.length);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    this.offset += out.length;
    return out;
  }

  /** Skip n bytes without keeping them; returns how many were skipped. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const got = await this.read(Math.min(left, 1 << 20));
      if (got.length === 0) break;
      left -= got.length;
    }
    return n - left;
  }
}

/** A NUL-terminated ASCII/UTF-8 field. Example: field(Buffer.from('ab\0\0'), 0, 4) → 'ab'. */
function field(b: Buffer, start: number, len: number): string {
  const raw = b.subarray(start, start + len);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? len : end).toString('utf8');
}

/** An octal number field, or GNU base-256 when the top bit is set. Example: '0000644 ' → 420. */
function numeric(b: Buffer, start: number, len: number, archive: string, what: string): number {
  if (b[start] & 0x80) {
    let v = b[start] & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[start + i];
    return v;
  }
  const s = field(b, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new Error(`${archive}: bad ${what} field '${s}' in a tar header`);
  return parseInt(s, 8);
}

/** Header checksum: the byte sum with the checksum field read as spaces. */
function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  const stored = field(h, 148, 8).trim();
  return /^[0-7]+$/.test(stored) && parseInt(stored, 8) === sum;
}

/** The `path` record of a pax extended header ("<len> path=<value>\n" records). Example: '20 path=a/b/c.py\n' → 'a/b/c.py'. */
export function paxPath(data: Buffer, archive: string): string | null {
  let pos = 0;
  let found: string | null = null;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const len = space === -1 ? NaN : Number(data.subarray(pos, space).toString('ascii'));
    if (!Number.isInteger(len) || len <= 0 || pos + len > data.length) throw new Error(`${archive}: malformed pax header record at byte ${pos}`);
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') found = record.slice(eq + 1);
    pos += len;
  }
  return found;
}

function chunksOf(file: string): AsyncIterator<Buffer> {
  if (!fs.existsSync(file)) throw new Error(`${file}: file not found`);
  const raw = fs.createReadStream(file);
  const gz = /\.(tar\.gz|tgz)$/i.test(file);
  const stream = gz ? raw.pipe(zlib.createGunzip()) : raw;
  if (gz) raw.on('error', (e) => stream.destroy(e));
  return (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
}

/** Read a member's full data (for long names and pax headers), bounded to 1 MiB. */
async function readSmall(reader: ByteReader, size: number, archive: string, kind: string): Promise<Buffer> {
  if (size > 1 << 20) throw new Error(`${archive}: ${kind} header of ${size} bytes is implausibly large`);
  const data = await reader.read(size);
  if (data.length < size) throw new Error(`${archive}: truncated ${kind} header`);
  await reader.skip((BLOCK - (size % BLOCK)) % BLOCK);
  return data;
}

/**
 * The regular files of a `.tar` / `.tar.gz` archive, in archive order. Directories, links and device entries are
 * passed over. Throws, naming the archive, on a bad checksum, a truncated entry or a corrupt gzip stream.
 */
export async function* readTarEntries(file: string, options: TarOptions = {}): AsyncGenerator<TarEntry> {
  const maxEntryBytes = options.maxEntryBytes ?? 256 * 2 ** 20;
  const reader = new ByteReader(chunksOf(file));
  let longName: string | null = null;
  try {
    for (;;) {
      const at = reader.offset;
      const header = await reader.read(BLOCK);
      if (header.length === 0) throw new Error(`${file}: unexpected end of archive (no end-of-archive blocks)`);
      if (header.length < BLOCK) throw new Error(`${file}: truncated tar header at byte ${at}`);
      if (header.every((b) => b === 0)) return;
      if (!checksumOk(header)) throw new Error(`${file}: bad tar header checksum at byte ${at} (not a tar archive, or corrupt)`);
      const size = numeric(header, 124, 12, file, 'size');
      const type = String.fromCharCode(header[156] || 48);
      if (type === 'L') {
        longName = (await readSmall(reader, size, file, 'GNU long name')).toString('utf8').replace(/\0+$/, '');
        continue;
      }
      if (type === 'x') {
        longName = paxPath(await readSmall(reader, size, file, 'pax'), file) ?? longName;
        continue;
      }
      const prefix = header.subarray(257, 263).toString('ascii').startsWith('ustar') ? field(header, 345, 155) : '';
      const path = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
      longName = null;
      const padded = size + ((BLOCK - (size % BLOCK)) % BLOCK);
      if (type !== '0' && type !== '7') {
        if ((await reader.skip(padded)) < padded) throw new Error(`${file}: truncated entry '${path}'`);
        continue;
      }
      if (size > maxEntryBytes) {
        if ((await reader.skip(padded)) < padded) throw new Error(`${file}: truncated entry '${path}'`);
        yield { path, size, data: null };
        continue;
      }
      const data = await reader.read(size);
      if (data.length < size || (await reader.skip(padded - size)) < padded - size) {
        throw new Error(`${file}: truncated entry '${path}' (expected ${size} bytes)`);
      }
      yield { path, size, data: Buffer.from(data) };
    }
  } catch (e) {
    const msg = (e as Error).message;
    throw msg.startsWith(file) ? e : new Error(`${file}: ${msg}`);
  }
}
