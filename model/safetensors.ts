/**
 * A strict safetensors reader: u64 LE header length N, N bytes of JSON `{name: {dtype, shape, data_offsets}}`, then the
 * raw little-endian data (offsets count from the end of the header), tensors back to back. Everything is validated (names
 * unique, shapes, offsets, layout) before any tensor is allocated, and tensors are read one at a time straight from the file (no second copy of the whole file).
 * F32, F16 (IEEE half, subnormals included) and BF16 decode to Float32Array; any other dtype is an error.
 *
 * Example:
 *   const st = openSafetensors('model.safetensors');
 *   st.tensors.get('model.norm.weight')      // { dtype: 'F32', shape: [64], begin: 0, end: 256 }
 *   const w = st.read('model.norm.weight');  // Float32Array(64)
 *   st.close();
 */
import * as fs from 'fs';
import * as os from 'os';

/** Bytes per element of the dtypes we decode. */
const DTYPE_SIZE: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };
/** Largest header we accept (the spec's own limit is 100 MB). */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface TensorInfo {
  dtype: string; // 'F32' | 'F16' | 'BF16'
  shape: number[]; // dimensions, row-major
  begin: number; // byte offset of the data, from the start of the file
  end: number; // one past the last byte, from the start of the file
}

export interface SafetensorsFile {
  readonly file: string; // path, for error messages
  readonly tensors: Map<string, TensorInfo>; // every tensor in the header, in header order
  readonly metadata: Record<string, string>; // the header's `__metadata__` (may be empty)
  /** Decode one tensor to float32. */
  read(name: string): Float32Array;
  close(): void;
}

/**
 * Decode one IEEE 754 half-precision value (bits as u16) to a number, subnormals and inf/NaN included.
 * Examples: `f16ToF32(0x3c00)` → 1; `f16ToF32(0x0001)` → 2^-24 (smallest subnormal); `f16ToF32(0xfc00)` → -Infinity.
 */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Decode raw little-endian bytes of `dtype` into `out` (length = element count).
 * Example: BF16 bytes `[0x80, 0x3f]` (u16 0x3f80) → 1, since f32 bits = u16 << 16.
 */
export function decodeInto(bytes: Uint8Array, dtype: string, out: Float32Array): void {
  if (dtype === 'F32') {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
    return;
  }
  const u16 = (i: number) => bytes[2 * i] | (bytes[2 * i + 1] << 8);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < out.length; i++) bits[i] = u16(i) << 16;
    return;
  }
  for (let i = 0; i < out.length; i++) out[i] = f16ToF32(u16(i));
}

function readExact(fd: number, file: string, length: number, position: number, buf: Uint8Array = Buffer.alloc(length)): Uint8Array {
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) throw new Error(`${file}: unexpected end of file at byte ${position + got}`);
    got += n;
  }
  return buf;
}

function parseHeader(headerBytes: Uint8Array, file: string): Record<string, unknown> {
  const text = Buffer.from(headerBytes).toString('utf8');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: safetensors header is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new Error(`${file}: safetensors header is not a JSON object`);
  const repeated = repeatedKey(text);
  if (repeated !== undefined) throw new Error(`${file}: tensor '${repeated}' appears twice in the header`);
  return header as Record<string, unknown>;
}

/**
 * The first name that occurs twice among the top-level keys of a valid JSON object text (JSON.parse silently keeps the
 * last one, which would hide a second tensor under the same name). Escapes are decoded before comparing.
 * Examples: `repeatedKey('{"a":{"b":1},"c":2,"a":3}')` → 'a'; `repeatedKey('{"a":{"a":1}}')` → undefined.
 */
export function repeatedKey(text: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  let atKey = false; // the next string at depth 1 is a key
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (atKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        atKey = false;
      }
      i = j;
    } else if (ch === '{' || ch === '[') atKey = ++depth === 1 && ch === '{';
    else if (ch === '}' || ch === ']') depth--;
    else if (ch === ',') atKey = depth === 1;
  }
  return undefined;
}

/** `__metadata__` must map strings to strings (the safetensors spec). Example: `{"format": "pt"}`. */
function checkMetadata(raw: unknown, file: string): Record<string, string> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || !Object.values(raw).every((v) => typeof v === 'string')) {
    throw new Error(`${file}: __metadata__ must be an object of strings, got ${JSON.stringify(raw)}`);
  }
  return raw as Record<string, string>;
}

function tensorInfo(name: string, raw: unknown, dataStart: number, dataSize: number, file: string): TensorInfo {
  const where = `${file}: tensor '${name}'`;
  const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (!e || typeof e !== 'object') throw new Error(`${where}: header entry is not an object`);
  if (typeof e.dtype !== 'string') throw new Error(`${where}: missing dtype`);
  const size = DTYPE_SIZE[e.dtype];
  if (size === undefined) throw new Error(`${where}: unsupported dtype ${e.dtype} (only F32, F16, BF16)`);
  const shape = e.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`${where}: bad shape ${JSON.stringify(shape)}`);
  const off = e.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0) || off[0] > off[1]) {
    throw new Error(`${where}: bad data_offsets ${JSON.stringify(off)}`);
  }
  if (off[1] > dataSize) throw new Error(`${where}: data_offsets ${JSON.stringify(off)} outside the data area (${dataSize} bytes)`);
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count * size)) throw new Error(`${where}: shape ${JSON.stringify(shape)} has more elements than can be addressed`);
  if (off[1] - off[0] !== count * size) {
    throw new Error(`${where}: data_offsets span ${off[1] - off[0]} bytes but shape ${JSON.stringify(shape)} × ${e.dtype} needs ${count * size}`);
  }
  return { dtype: e.dtype, shape: shape as number[], begin: dataStart + off[0], end: dataStart + off[1] };
}

/**
 * The data area must be the tensors back to back, as the safetensors spec (and HF's reader) requires: sorted by offset,
 * each starts where the previous one ends, and the last ends at the end of the file. No byte is shared or unowned.
 * Example: offsets [0,8] and [8,12] in a 12-byte data area are fine; [0,8] and [4,12] overlap; [0,4] and [8,12] leave a gap.
 */
function checkLayout(tensors: Map<string, TensorInfo>, dataStart: number, fileSize: number, file: string): void {
  const sorted = [...tensors.entries()].sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  let end = dataStart;
  let prev = '';
  for (const [name, t] of sorted) {
    if (t.begin < end) throw new Error(`${file}: tensors '${prev}' and '${name}' overlap`);
    if (t.begin > end) throw new Error(`${file}: tensor '${name}' starts at data byte ${t.begin - dataStart} but the tensor before it ends at ${end - dataStart} (bytes no tensor owns)`);
    [end, prev] = [t.end, name];
  }
  if (end !== fileSize) throw new Error(`${file}: ${fileSize - end} bytes after the last tensor (the data area must end where the last tensor ends)`);
}

/** Open and validate a .safetensors file; see the module comment for an example. */
export function openSafetensors(file: string): SafetensorsFile {
  if (os.endianness() !== 'LE') throw new Error(`${file}: this reader needs a little-endian host`);
  if (!fs.existsSync(file)) throw new Error(`${file}: file not found`);
  const fd = fs.openSync(file, 'r');
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${file}: not a regular file`);
    const fileSize = stat.size;
    if (fileSize < 8) throw new Error(`${file}: too short for a safetensors file (${fileSize} bytes)`);
    const n = Buffer.from(readExact(fd, file, 8, 0)).readBigUInt64LE(0);
    if (n > BigInt(Math.min(MAX_HEADER_BYTES, fileSize - 8))) {
      throw new Error(`${file}: header length ${n} exceeds the file (${fileSize} bytes) or the ${MAX_HEADER_BYTES}-byte limit`);
    }
    const header = parseHeader(readExact(fd, file, Number(n), 8), file);
    const dataStart = 8 + Number(n);
    const tensors = new Map<string, TensorInfo>();
    let metadata: Record<string, string> = {};
    for (const [name, raw] of Object.entries(header)) {
      if (name === '__metadata__') metadata = checkMetadata(raw, file);
      else tensors.set(name, tensorInfo(name, raw, dataStart, fileSize - dataStart, file));
    }
    checkLayout(tensors, dataStart, fileSize, file);
    return {
      file,
      tensors,
      metadata,
      read(name: string): Float32Array {
        const info = tensors.get(name);
        if (!info) throw new Error(`${file}: no tensor '${name}'`);
        const out = new Float32Array((info.end - info.begin) / DTYPE_SIZE[info.dtype]);
        const length = info.end - info.begin;
        if (info.dtype === 'F32') readExact(fd, file, length, info.begin, new Uint8Array(out.buffer)); // straight into place
        else decodeInto(readExact(fd, file, length, info.begin), info.dtype, out);
        return out;
      },
      close: () => fs.closeSync(fd),
    };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}
