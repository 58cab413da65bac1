/**
 * A model directory's tensors, whether in one `model.safetensors` or sharded via `model.safetensors.index.json`
 * (`{"weight_map": {tensorName: shardFile}}`). Shards are opened once and validated up front.
 *
 * Example:
 *   const ckpt = openCheckpoint('models/tiny-coder-dsc');
 *   ckpt.info('model.norm.weight')?.shape   // [hidden]
 *   ckpt.read('model.norm.weight')          // Float32Array
 *   ckpt.close();
 */
import * as fs from 'fs';
import * as path from 'path';
import { openSafetensors, SafetensorsFile, TensorInfo } from './safetensors';
import { readJsonObject } from '../util/json-file';

export interface Checkpoint {
  readonly description: string; // the file(s) read, for error messages
  /** Header entry of `name` and the file holding it, or undefined if no shard has it. */
  info(name: string): (TensorInfo & { file: string }) | undefined;
  /** Every tensor name, in file order. */
  names(): string[];
  /** Decode tensor `name` to float32. */
  read(name: string): Float32Array;
  close(): void;
}

function readIndex(indexFile: string): Map<string, string> {
  const map = readJsonObject(indexFile).weight_map;
  if (!map || typeof map !== 'object' || Array.isArray(map)) throw new Error(`${indexFile}: missing "weight_map" object`);
  const out = new Map<string, string>();
  for (const [name, shard] of Object.entries(map)) {
    if (typeof shard !== 'string' || ['', '.', '..'].includes(shard) || shard.includes('/') || shard.includes('\\')) {
      throw new Error(`${indexFile}: weight_map['${name}'] must be a shard file name in the same folder, got ${JSON.stringify(shard)}`);
    }
    out.set(name, shard);
  }
  return out;
}

function openSharded(dir: string, indexFile: string): Checkpoint {
  const weightMap = readIndex(indexFile);
  const shards = new Map<string, SafetensorsFile>();
  try {
    for (const [name, shard] of weightMap) {
      if (shards.has(shard)) continue;
      const file = path.join(dir, shard);
      if (!fs.existsSync(file)) throw new Error(`${indexFile}: weight_map puts '${name}' in ${shard}, which is not in ${dir}`);
      shards.set(shard, openSafetensors(file));
    }
    for (const [name, shard] of weightMap) {
      if (!shards.get(shard)!.tensors.has(name)) throw new Error(`${indexFile}: weight_map puts '${name}' in ${shard}, which has no such tensor`);
    }
  } catch (e) {
    for (const s of shards.values()) s.close();
    throw e;
  }
  const shardOf = (name: string) => {
    const shard = weightMap.get(name);
    return shard === undefined ? undefined : shards.get(shard)!;
  };
  return {
    description: indexFile,
    info(name) {
      const st = shardOf(name);
      const t = st?.tensors.get(name);
      return st && t ? { ...t, file: st.file } : undefined;
    },
    names: () => [...weightMap.keys()],
    read(name) {
      const st = shardOf(name);
      if (!st) throw new Error(`${indexFile}: no tensor '${name}' in weight_map`);
      return st.read(name);
    },
    close: () => shards.forEach((s) => s.close()),
  };
}

/** Open `dir/model.safetensors`, or the shards listed in `dir/model.safetensors.index.json`. */
export function openCheckpoint(dir: string): Checkpoint {
  const indexFile = path.join(dir, 'model.safetensors.index.json');
  if (fs.existsSync(indexFile)) return openSharded(dir, indexFile);
  const file = path.join(dir, 'model.safetensors');
  if (!fs.existsSync(file)) throw new Error(`${dir}: no model.safetensors or model.safetensors.index.json`);
  const st = openSafetensors(file);
  return {
    description: file,
    info: (name) => {
      const t = st.tensors.get(name);
      return t ? { ...t, file } : undefined;
    },
    names: () => [...st.tensors.keys()],
    read: (name) => st.read(name),
    close: () => st.close(),
  };
}
