/**
 * A strict safetensors reader: u64 LE header length N, N bytes of JSON `{name: {dtype, shape, data_offsets}}`, then the
 * raw little-endian data (offsets count from the end of the header). Everything is validated before any tensor is
 * allocated, and tensors are read one at a time straight from the file (no second copy of the whole file).
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
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(headerBytes).toString('utf8'));
  } catch (e) {
    throw new Error(`${file}: safetensors header is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new Error(`${file}: safetensors header is not a JSON object`);
  return header as Record<string, unknown>;
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
  if (off[1] - off[0] !== count * size) {
    throw new Error(`${where}: data_offsets span ${off[1] - off[0]} bytes but shape ${JSON.stringify(shape)} × ${e.dtype} needs ${count * size}`);
  }
  return { dtype: e.dtype, shape: shape as number[], begin: dataStart + off[0], end: dataStart + off[1] };
}

function checkNoOverlap(tensors: Map<string, TensorInfo>, file: string): void {
  const sorted = [...tensors.entries()].filter(([, t]) => t.end > t.begin).sort((a, b) => a[1].begin - b[1].begin);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i][1].begin < sorted[i - 1][1].end) throw new Error(`${file}: tensors '${sorted[i - 1][0]}' and '${sorted[i][0]}' overlap`);
  }
}

/** Open and validate a .safetensors file; see the module comment for an example. */
export function openSafetensors(file: string): SafetensorsFile {
  if (os.endianness() !== 'LE') throw new Error(`${file}: this reader needs a little-endian host`);
  if (!fs.existsSync(file)) throw new Error(`${file}: file not found`);
  const fd = fs.openSync(file, 'r');
  try {
    const fileSize = fs.fstatSync(fd).size;
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
    checkNoOverlap(tensors, file);
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
