/**
 * The KV cache: per layer, the committed keys and values as a short list of blocks, plus the pending K/V of the last
 * forward (its tree tokens) until `commit` keeps some of them.
 *
 * tfjs tensors are immutable, so a cache that is one tensor would be copied whole on every append. Instead each commit
 * adds a block and neighbouring blocks merge geometrically: the last two merge while the older one is at most
 * MERGE_RATIO times longer. Every committed entry is therefore copied O(log L) times over its life (amortised
 * O(log L) per appended token, not O(L)), and there are at most about log_{MERGE_RATIO+1}(L) + 1 blocks (7 at
 * L = 2048), each one attention matMul. Attention itself still reads all L entries per step: O(L) per new token.
 *
 * Layout: keys `[kvHeads, headDim, len]` (pre-transposed so q·Kᵀ is a plain matMul, tfjs-wasm's transposeB is slow),
 * values `[kvHeads, len, headDim]`. Keys are stored already rotated (RoPE applied), like HF.
 *
 * Example:
 *   cache.setPending(layer, k, v)  // in forward, for each layer, n tree tokens
 *   cache.commit([0, 2, 5])        // keep tree tokens 0, 2, 5 in that order: length += 3
 *   cache.rollback(10)             // back to the first 10 entries
 */
import * as tf from '@tensorflow/tfjs-core';

const MERGE_RATIO = 4;

interface Block {
  length: number; // entries in this block
  keys: tf.Tensor3D[]; // per layer [kvHeads, headDim, length]
  values: tf.Tensor3D[]; // per layer [kvHeads, length, headDim]
}

export class KVCache {
  private blocks: Block[] = []; // committed, oldest first
  private pending: { keys: tf.Tensor3D[]; values: tf.Tensor3D[]; length: number } | null = null; // last forward's K/V

  /** Committed entries. */
  get length(): number {
    return this.blocks.reduce((s, b) => s + b.length, 0);
  }

  /** Number of committed blocks (each holds 2 tensors per layer). */
  get blockCount(): number {
    return this.blocks.length;
  }

  /** Committed keys of `layer`, one tensor per block, oldest first. */
  keys(layer: number): tf.Tensor3D[] {
    return this.blocks.map((b) => b.keys[layer]);
  }

  /** Committed values of `layer`, one tensor per block, oldest first. */
  values(layer: number): tf.Tensor3D[] {
    return this.blocks.map((b) => b.values[layer]);
  }

  /** Drop the pending K/V of the previous forward (called at the start of every forward). */
  dropPending(): void {
    if (!this.pending) return;
    tf.dispose([...this.pending.keys, ...this.pending.values]);
    this.pending = null;
  }

  /** Hold `keys` `[kvH, D, n]` / `values` `[kvH, n, D]` of `layer` for the current forward; the cache owns them now. */
  setPending(layer: number, keys: tf.Tensor3D, values: tf.Tensor3D): void {
    this.pending ??= { keys: [], values: [], length: keys.shape[2] };
    this.pending.keys[layer] = tf.keep(keys);
    this.pending.values[layer] = tf.keep(values);
  }

  /** Append pending entries `keep` (in that order) as a new block, drop the rest, then merge blocks. */
  commit(keep: ArrayLike<number>): void {
    const p = this.pending;
    if (!p) throw new Error('commit: no forward pass to commit from (commit may follow each forward once)');
    const idx = Array.from(keep);
    for (const i of idx) {
      if (!Number.isInteger(i) || i < 0 || i >= p.length) throw new Error(`commit: index ${i} out of range for the last forward's ${p.length} tokens`);
    }
    if (new Set(idx).size !== idx.length) throw new Error(`commit: repeated index in [${idx.join(', ')}]`);
    this.pending = null;
    const identity = idx.length === p.length && idx.every((v, i) => v === i);
    if (idx.length === 0 || identity) {
      if (idx.length === 0) tf.dispose([...p.keys, ...p.values]);
      else this.blocks.push({ length: p.length, keys: p.keys, values: p.values });
    } else {
      const at = tf.tensor1d(idx, 'int32');
      const keys = p.keys.map((k) => tf.gather(k, at, 2) as tf.Tensor3D);
      const values = p.values.map((v) => tf.gather(v, at, 1) as tf.Tensor3D);
      tf.dispose([at, ...p.keys, ...p.values]);
      this.blocks.push({ length: idx.length, keys, values });
    }
    this.mergeTail();
  }

  private mergeTail(): void {
    const b = this.blocks;
    while (b.length >= 2 && b[b.length - 2].length <= MERGE_RATIO * b[b.length - 1].length) {
      const last = b.pop()!;
      const prev = b.pop()!;
      const join = (x: tf.Tensor3D[], y: tf.Tensor3D[], axis: number) => x.map((t, l) => tf.concat([t, y[l]], axis));
      b.push({ length: prev.length + last.length, keys: join(prev.keys, last.keys, 2), values: join(prev.values, last.values, 1) });
      tf.dispose([...prev.keys, ...prev.values, ...last.keys, ...last.values]);
    }
  }

  /** Keep only the first `length` committed entries (and drop pending K/V). */
  rollback(length: number): void {
    if (!Number.isInteger(length) || length < 0 || length > this.length) throw new Error(`rollback: length ${length} must be an integer in 0..${this.length}`);
    this.dropPending();
    let total = this.length;
    while (total > length) {
      const last = this.blocks.pop()!;
      total -= last.length;
      const keepN = length - total;
      if (keepN > 0) {
        const keys = last.keys.map((k) => tf.slice(k, [0, 0, 0], [-1, -1, keepN]));
        const values = last.values.map((v) => tf.slice(v, [0, 0, 0], [-1, keepN, -1]));
        this.blocks.push({ length: keepN, keys, values });
        total += keepN;
      }
      tf.dispose([...last.keys, ...last.values]);
    }
  }

  /** Empty the cache. */
  reset(): void {
    this.rollback(0);
  }
}
