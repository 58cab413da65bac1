/** The strict safetensors reader and sharded checkpoints, on files written by the test (valid and broken). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openCheckpoint } from '../../model/checkpoint';
import { f16ToF32, openSafetensors, repeatedKey } from '../../model/safetensors';
import { f32Bytes, u16Bytes, writeRaw, writeSafetensors } from './safetensors-writer';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'st-'))));
afterEach(() => fs.rmSync(dir, { recursive: true }));

/** Independent f16 → f32 by bit manipulation (renormalise subnormals into the f32 exponent range). */
function f16ViaBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  let exp = (h >> 10) & 0x1f;
  let frac = h & 0x3ff;
  let bits: number;
  if (exp === 0x1f) bits = sign | 0x7f800000 | (frac << 13);
  else if (exp === 0 && frac === 0) bits = sign;
  else {
    if (exp === 0) {
      exp = 1;
      while (!(frac & 0x400)) (frac <<= 1), exp--;
      frac &= 0x3ff;
    }
    bits = sign | ((exp - 15 + 127) << 23) | (frac << 13);
  }
  return new Float32Array(Uint32Array.of(bits >>> 0).buffer)[0];
}

describe('dtype decoding', () => {
  test('F16: every one of the 65536 bit patterns matches an independent bit-level decode', () => {
    let bad = 0;
    for (let h = 0; h < 0x10000; h++) {
      const a = f16ToF32(h);
      const b = f16ViaBits(h);
      if (!(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)))) bad++;
    }
    expect(bad).toBe(0);
  });

  test.each([
    [0x3c00, 1], [0xc000, -2], [0x7bff, 65504], [0x0400, 2 ** -14], [0x0001, 2 ** -24], [0x03ff, 1023 * 2 ** -24],
    [0x8001, -(2 ** -24)], [0x7c00, Infinity], [0xfc00, -Infinity], [0x3555, 0.333251953125],
  ])('F16 bits %i → %s (hand values, subnormals included)', (h, v) => {
    const file = path.join(dir, 'a.safetensors');
    writeSafetensors(file, { t: { dtype: 'F16', shape: [1], data: u16Bytes([h]) } });
    const st = openSafetensors(file);
    expect(st.read('t')[0]).toBe(v);
    st.close();
  });

  test('BF16: f32 bits = u16 << 16 (1, -3, pi rounded, a subnormal)', () => {
    const file = path.join(dir, 'a.safetensors');
    writeSafetensors(file, { t: { dtype: 'BF16', shape: [2, 2], data: u16Bytes([0x3f80, 0xc040, 0x4049, 0x0001]) } });
    const st = openSafetensors(file);
    expect(Array.from(st.read('t'))).toEqual([1, -3, 3.140625, 2 ** -133]);
    st.close();
  });

  test('F32 and a zero-size tensor; shapes and metadata come from the header', () => {
    const file = path.join(dir, 'a.safetensors');
    writeSafetensors(file, { w: { dtype: 'F32', shape: [3], data: f32Bytes([0.5, -1e-30, 7]) }, e: { dtype: 'F32', shape: [0, 4], data: Buffer.alloc(0) } });
    const st = openSafetensors(file);
    expect(Array.from(st.read('w'))).toEqual([0.5, Math.fround(-1e-30), 7]);
    expect(st.read('e')).toHaveLength(0);
    expect(st.tensors.get('w')?.shape).toEqual([3]);
    expect(st.metadata).toEqual({ format: 'pt' });
    expect(() => st.read('nope')).toThrow(`${file}: no tensor 'nope'`);
    st.close();
  });
});

test.each<[string, string | undefined]>([
  ['{"a":{"b":1},"c":2,"a":3}', 'a'],
  ['{"a":{"a":1,"b":{"a":2}}}', undefined], // nested keys are another object's
  ['{"a":["b",{"b":1}],"b":1}', undefined], // strings and objects inside arrays are not top-level keys
  ['{"x\\"y":1,"z":"x\\"y","x\\u0022y":2}', 'x"y'], // escaped quote; a value equal to a key does not count
  ['{}', undefined],
])('repeatedKey(%s) → %s (top-level keys only, escapes decoded)', (text, want) => {
  expect(repeatedKey(text)).toBe(want);
});

describe('validation before allocation (each error names the file)', () => {
  const f32 = (n: number) => f32Bytes(new Array(n).fill(1));
  test.each<[string, () => [Record<string, unknown> | string, Buffer, bigint?], RegExp]>([
    ['header length beyond the file', () => [{}, Buffer.alloc(0), 1000n], /header length 1000 exceeds the file/],
    ['header length absurd (2^63)', () => [{}, Buffer.alloc(0), 2n ** 63n], /exceeds the file/],
    ['header not JSON', () => [{}, Buffer.alloc(0), 3n], /header is not valid JSON/],
    ['unknown dtype', () => [{ t: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, Buffer.alloc(8)], /tensor 't': unsupported dtype I64/],
    ['offsets beyond the data', () => [{ t: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32(2)], /tensor 't': data_offsets \[0,16\] outside the data area \(8 bytes\)/],
    ['size does not match the shape', () => [{ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(2)], /span 8 bytes but shape \[3\] × F32 needs 12/],
    ['begin after end', () => [{ t: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, f32(2)], /bad data_offsets/],
    ['negative shape', () => [{ t: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)], /bad shape/],
    ['missing dtype', () => [{ t: { shape: [1], data_offsets: [0, 4] } }, f32(1)], /missing dtype/],
    ['metadata not strings', () => [{ __metadata__: { format: 1 } }, Buffer.alloc(0)], /__metadata__ must be an object of strings/],
    [
      'overlapping tensors',
      () => [{ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32(3)],
      /tensors 'a' and 'b' overlap/,
    ],
    [
      'a name repeated (JSON.parse would keep the last one silently)',
      () => ['{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', f32(2)],
      /tensor 't' appears twice in the header/,
    ],
    [
      'a repeated name spelled with an escape',
      () => ['{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\\u0074":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', f32(2)],
      /tensor 't' appears twice in the header/,
    ],
    [
      'shape whose element count overflows',
      () => [{ t: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 4] } }, f32(1)],
      /tensor 't': shape \[1099511627776,1099511627776\] has more elements than can be addressed/,
    ],
    [
      'a gap between tensors (bytes no tensor owns)',
      () => [{ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, f32(3)],
      /tensor 'b' starts at data byte 8 but the tensor before it ends at 4/,
    ],
    ['bytes after the last tensor', () => [{ t: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(3)], /8 bytes after the last tensor/],
  ])('%s', (_name, make, message) => {
    const file = path.join(dir, 'bad.safetensors');
    const [header, data, len] = make();
    writeRaw(file, header, data, len);
    expect(() => openSafetensors(file)).toThrow(message);
    expect(() => openSafetensors(file)).toThrow(file);
  });

  test('a file shorter than the 8-byte prefix, and a missing file', () => {
    const file = path.join(dir, 'short.safetensors');
    fs.writeFileSync(file, Buffer.alloc(5));
    expect(() => openSafetensors(file)).toThrow(`${file}: too short`);
    expect(() => openSafetensors(path.join(dir, 'none.safetensors'))).toThrow('file not found');
  });

  test('a directory is refused with its name, not EISDIR from deep inside', () => {
    expect(() => openSafetensors(dir)).toThrow(`${dir}: not a regular file`);
  });
});

describe('checkpoints', () => {
  test('sharded: model.safetensors.index.json maps names to shards', () => {
    writeSafetensors(path.join(dir, 'model-00001-of-00002.safetensors'), { a: { dtype: 'F32', shape: [2], data: f32Bytes([1, 2]) } });
    writeSafetensors(path.join(dir, 'model-00002-of-00002.safetensors'), { b: { dtype: 'BF16', shape: [1], data: u16Bytes([0x4000]) } });
    const weight_map = { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' };
    fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map }));
    const ckpt = openCheckpoint(dir);
    expect(Array.from(ckpt.read('a'))).toEqual([1, 2]);
    expect(Array.from(ckpt.read('b'))).toEqual([2]);
    expect(ckpt.info('b')?.file).toBe(path.join(dir, weight_map.b));
    expect(ckpt.info('c')).toBeUndefined();
    ckpt.close();
  });

  test('sharded: the index names a tensor its shard lacks, or a shard outside the folder', () => {
    writeSafetensors(path.join(dir, 's1.safetensors'), { a: { dtype: 'F32', shape: [1], data: f32Bytes([1]) } });
    const index = path.join(dir, 'model.safetensors.index.json');
    fs.writeFileSync(index, JSON.stringify({ weight_map: { a: 's1.safetensors', z: 's1.safetensors' } }));
    expect(() => openCheckpoint(dir)).toThrow(`${index}: weight_map puts 'z' in s1.safetensors, which has no such tensor`);
    fs.writeFileSync(index, JSON.stringify({ weight_map: { a: '../s1.safetensors' } }));
    expect(() => openCheckpoint(dir)).toThrow(/must be a shard file name in the same folder/);
    for (const shard of ['', '.', '..']) {
      fs.writeFileSync(index, JSON.stringify({ weight_map: { a: shard } }));
      expect(() => openCheckpoint(dir)).toThrow(`${index}: weight_map['a'] must be a shard file name in the same folder, got ${JSON.stringify(shard)}`);
    }
    fs.writeFileSync(index, JSON.stringify({ weight_map: { a: 's1.safetensors', b: 'model-00002.safetensors' } }));
    expect(() => openCheckpoint(dir)).toThrow(`${index}: weight_map puts 'b' in model-00002.safetensors, which is not in ${dir}`);
    fs.writeFileSync(index, '{"weight_map": 3}');
    expect(() => openCheckpoint(dir)).toThrow(`${index}: missing "weight_map" object`);
  });

  test('a directory with no weights', () => {
    expect(() => openCheckpoint(dir)).toThrow(`${dir}: no model.safetensors or model.safetensors.index.json`);
  });
});
