/**
 * The KV cache: per slot (one slot per layer and kv head), the committed keys and values as a short list of blocks,
 * plus the pending K/V of the last forward (its tree tokens) until `commit` keeps some of them.
 *
 * tfjs tensors are immutable, so a cache that is one tensor would be copied whole on every append. Instead each commit
 * adds a block and neighbouring blocks merge geometrically: the last two merge while the older one is at most
 * MERGE_RATIO times longer, so block lengths shrink by more than MERGE_RATIO from oldest to newest and there are at most
 * ⌊log_4 L⌋ + 1 blocks (each one attention matMul per head). Appending is amortised O(log L) copied entries per token,
 * not O(L): one token at a time up to L = 2048, each entry is copied about 13 times in all and there are never more than
 * 5 blocks (MERGE_RATIO 1, a binary counter, gives 11 copies but 11 blocks). Attention itself still reads all L
 * entries, so a step costs O(L) in attention on top of the O(1)-in-L weight matmuls.
 *
 * Layout: one 2-D tensor per kv head, because tfjs-wasm runs 2-D matMuls through XNNPACK but batched (3-D) ones
 * through a slow loop (15x slower at L = 2048 for SmolLM's shapes). Keys `[headDim, len]` (pre-transposed so q·Kᵀ
 * is a plain matMul; transposeB is slow too), values `[len, headDim]`. Keys are stored already rotated, like HF.
 *
 * Example:
 *   cache.setPending(slot, k, v)   // in forward, for each layer × kv head, n tree tokens
 *   cache.commit([0, 2, 5])        // keep tree tokens 0, 2, 5 in that order: length += 3
 *   cache.rollback(10)             // back to the first 10 entries
 */
import * as tf from '@tensorflow/tfjs-core';

const MERGE_RATIO = 4;

/**
 * The first of `idx` when they are consecutive integers in increasing order (rows to slice rather than gather), else -1.
 * Example: runStart([3, 4, 5]) → 3; runStart([3, 5]) → -1; runStart([]) → -1
 */
export function runStart(idx: readonly number[]): number {
  return idx.length > 0 && idx.every((v, i) => v === idx[0] + i) ? idx[0] : -1;
}

interface Block {
  length: number; // entries in this block
  keys: tf.Tensor2D[]; // per slot [headDim, length]
  values: tf.Tensor2D[]; // per slot [length, headDim]
}

export class KVCache {
  private blocks: Block[] = []; // committed, oldest first
  private pending: { keys: tf.Tensor2D[]; values: tf.Tensor2D[]; length: number } | null = null; // last forward's K/V

  /** Committed entries. */
  get length(): number {
    return this.blocks.reduce((s, b) => s + b.length, 0);
  }

  /** Number of committed blocks (each holds 2 tensors per slot). */
  get blockCount(): number {
    return this.blocks.length;
  }

  /** Committed keys of `slot`, one `[headDim, len]` tensor per block, oldest first. */
  keys(slot: number): tf.Tensor2D[] {
    return this.blocks.map((b) => b.keys[slot]);
  }

  /** Committed values of `slot`, one `[len, headDim]` tensor per block, oldest first. */
  values(slot: number): tf.Tensor2D[] {
    return this.blocks.map((b) => b.values[slot]);
  }

  /** Drop the pending K/V of the previous forward (called at the start of every forward). */
  dropPending(): void {
    if (!this.pending) return;
    tf.dispose([...this.pending.keys, ...this.pending.values]);
    this.pending = null;
  }

  /** Hold `keys` `[D, n]` / `values` `[n, D]` of `slot` for the current forward; the cache owns them now. */
  setPending(slot: number, keys: tf.Tensor2D, values: tf.Tensor2D): void {
    this.pending ??= { keys: [], values: [], length: keys.shape[1] };
    this.pending.keys[slot] = tf.keep(keys);
    this.pending.values[slot] = tf.keep(values);
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
    const start = runStart(idx);
    const identity = start === 0 && idx.length === p.length;
    if (idx.length === 0 || identity) {
      if (idx.length === 0) tf.dispose([...p.keys, ...p.values]);
      else this.blocks.push({ length: p.length, keys: p.keys, values: p.values });
    } else if (start >= 0) {
      // a run of consecutive entries (the usual accepted path: the root, then its first children): a slice copies it
      // on the JS side, where a gather is a kernel call per slot
      const keys = p.keys.map((k) => tf.slice(k, [0, start], [-1, idx.length]));
      const values = p.values.map((v) => tf.slice(v, [start, 0], [idx.length, -1]));
      tf.dispose([...p.keys, ...p.values]);
      this.blocks.push({ length: idx.length, keys, values });
    } else {
      const at = tf.tensor1d(idx, 'int32');
      const keys = p.keys.map((k) => tf.gather(k, at, 1) as tf.Tensor2D);
      const values = p.values.map((v) => tf.gather(v, at, 0) as tf.Tensor2D);
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
      const join = (x: tf.Tensor2D[], y: tf.Tensor2D[], axis: number) => x.map((t, s) => tf.concat([t, y[s]], axis));
      b.push({ length: prev.length + last.length, keys: join(prev.keys, last.keys, 1), values: join(prev.values, last.values, 0) });
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
        const keys = last.keys.map((k) => tf.slice(k, [0, 0], [-1, keepN]));
        const values = last.values.map((v) => tf.slice(v, [0, 0], [keepN, -1]));
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
