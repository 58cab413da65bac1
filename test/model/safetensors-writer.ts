/**
 * Test helper: write safetensors files, valid or deliberately broken, from raw parts.
 *
 * Example:
 *   writeSafetensors(file, { w: { dtype: 'F32', shape: [2], data: f32Bytes([1, 2]) } });
 *   writeRaw(file, { w: { dtype: 'F32', shape: [2], data_offsets: [0, 9] } }, Buffer.alloc(8));  // size mismatch
 */
import * as fs from 'fs';

export interface RawEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Little-endian float32 bytes. Example: `f32Bytes([1])` → <00 00 80 3f>. */
export function f32Bytes(values: number[]): Buffer {
  return Buffer.from(Float32Array.from(values).buffer);
}

/** Little-endian u16 bytes. Example: `u16Bytes([0x3c00])` → <00 3c>. */
export function u16Bytes(values: number[]): Buffer {
  return Buffer.from(Uint16Array.from(values).buffer);
}

/**
 * Header JSON (+ metadata) exactly as given, then `data`; `headerLength` overrides the u64 prefix. A string header is
 * written verbatim (e.g. with a repeated name, which an object cannot hold).
 */
export function writeRaw(file: string, header: Record<string, unknown> | string, data: Buffer, headerLength?: bigint): void {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify({ __metadata__: { format: 'pt' }, ...header }));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(headerLength ?? BigInt(json.length));
  fs.writeFileSync(file, Buffer.concat([prefix, json, data]));
}

/** A valid file: tensors laid out one after another in the given order. */
export function writeSafetensors(file: string, tensors: Record<string, { dtype: string; shape: number[]; data: Buffer }>): void {
  const header: Record<string, RawEntry> = {};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.length] };
    offset += t.data.length;
  }
  writeRaw(file, header, Buffer.concat(Object.values(tensors).map((t) => t.data)));
}
