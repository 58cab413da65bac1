/**
 * The KV cache: per slot (one slot per layer and kv head), the committed keys and values as a short list of blocks,
 * then the open block, which holds the current forward's new tokens (pending until `commit` keeps some of them).
 *
 * tfjs tensors are immutable, so a cache that is one tensor would be copied whole on every append. Two ways around it:
 * - **In place** (given a `TensorWriter`: writable views of tensors' memory, as tfjs-wasm's heap offers): the open block
 *   is a tail of TAIL_CAPACITY entries, `[headDim, TAIL_CAPACITY]` / `[TAIL_CAPACITY, headDim]`. Its first `length`
 *   entries are committed; a forward writes its new tokens' K/V after them (`setPending`) and masks every column that is
 *   neither (`openLayout`, the forward's bias); `commit` moves the kept entries up within the tail. So a commit runs no
 *   tfjs op (with new tensors: a slice per slot and the merges' concats, 0.17-0.5 ms of a ~3-4 ms tiny-coder-dsc step).
 *   A forward over more tokens than the tail holds (a prefill chunk, a large tree) is held as new tensors beside the
 *   tail (the bias covers both), and its kept entries are copied into the tail when they fit (else the tail's entries
 *   and they become blocks). The committed entries outside the tail stay one block: a full tail joins it (a copy of the
 *   cache once per 32 tokens of greedy decoding), against a few more matMuls per slot in every forward for each further
 *   block (geometric merging kept 2-3 blocks there: 266 kernels per tiny-coder-dsc forward at 300-400 cached tokens,
 *   against 255), and a new block makes the next forward pack it afresh (below). Masked columns add exact
 *   zeros to attention (softmax gives them probability 0; unused columns hold zeros or stale finite entries).
 * - **New tensors** (other backends): the open block is the new tokens' K/V themselves; a commit copies the kept
 *   entries into a new block (a slice per slot for a run of entries, else a gather), and neighbouring blocks merge
 *   geometrically: the last two merge while the older one is at most MERGE_RATIO times longer, so block lengths shrink
 *   by more than MERGE_RATIO from oldest to newest and there are at most ⌊log_4 L⌋ + 1 blocks (each one attention
 *   matMul per head). Appending is amortised O(log L) copied entries per token, not O(L): one token at a time up to
 *   L = 2048, each entry is copied about 13 times in all and there are never more than 5 blocks (MERGE_RATIO 1, a
 *   binary counter, gives 11 copies but 11 blocks).
 * Attention itself still reads all L entries, so a step costs O(L) in attention on top of the O(1)-in-L weight matmuls.
 *
 * Layout: one 2-D tensor per kv head, because tfjs-wasm runs 2-D matMuls through XNNPACK but batched (3-D) ones
 * through a slow loop (15x slower at L = 2048 for SmolLM's shapes). Keys `[headDim, len]` (pre-transposed so q·Kᵀ
 * is a plain matMul; transposeB is slow too), values `[len, headDim]`. Keys are stored already rotated, like HF.
 *
 * Example:
 *   const open = cache.begin(n)    // in forward: where the n tree tokens go (their mask: `openLayout`)
 *   cache.setPending(slot, k, v)   // for each layer × kv head
 *   cache.commit([0, 2, 5])        // keep tree tokens 0, 2, 5 in that order: length += 3
 *   cache.rollback(10)             // back to the first 10 entries
 */
import * as tf from '@tensorflow/tfjs-core';

const MERGE_RATIO = 4;
/**
 * Entries of an in-place tail. Small, because each forward pays for the whole tail: tfjs-wasm's matMul packs its second
 * operand once per tensor id, and the tail changes every step, so its two matMuls per slot pack all its columns afresh.
 * With 64, tiny-coder-dsc's forwards grew by about what its commits saved (0.16-0.31 ms); with 16 or 32 a step, forward
 * and commit, took 0.04-0.33 ms less than with new tensors (greedy) and 0.21-0.31 ms less (4-row trees), in four runs
 * at a 300-token context.
 */
export const TAIL_CAPACITY = 32;

/**
 * The first of `idx` when they are consecutive integers in increasing order (rows to slice rather than gather), else -1.
 * Example: runStart([3, 4, 5]) → 3; runStart([3, 5]) → -1; runStart([]) → -1
 */
export function runStart(idx: readonly number[]): number {
  return idx.length > 0 && idx.every((v, i) => v === idx[0] + i) ? idx[0] : -1;
}

/** Writes to a float32 tensor's memory in place (model/wasm-slice.ts, `wasmTensorWriter`). */
export interface TensorWriter {
  view(t: tf.Tensor): Float32Array; // the tensor's memory, writable; valid until the next allocation on its backend
  changed(t: tf.Tensor): void; // after writing: the backend drops what it derived from the old contents
}

/** The cache's shape: its slots and their head size (the tail's tensors are allocated before the forward's K/V exist). */
export interface CacheShape {
  slots: number; // layers × kv heads
  headDim: number;
}

/**
 * The open blocks of a forward (the last `blocks` of `keys(slot)`) as its bias sees them, side by side: `width` columns,
 * the first `committed` of them committed entries, the forward's n new tokens from column `at`, the rest unused.
 * Example: a tail holding 5 of 32, a 4-token forward in it → { blocks: 1, committed: 5, at: 5, width: 32 }; a 40-token
 *   forward beside it → { blocks: 2, committed: 5, at: 32, width: 72 }
 */
export interface OpenLayout {
  blocks: number; // 1 (the tail, or the new tokens' own block) or 2 (the tail, then the new tokens' block)
  committed: number; // leading committed entries (visible to every new token)
  at: number; // column of the first new token
  width: number; // columns in all
}

interface Block {
  length: number; // entries in this block
  keys: tf.Tensor2D[]; // per slot [headDim, length]
  values: tf.Tensor2D[]; // per slot [length, headDim]
}

export class KVCache {
  private blocks: Block[] = []; // committed, oldest first
  private tail: Block | null = null; // in place: the open block, TAIL_CAPACITY wide (its first `length` entries committed)
  private pending: Block | null = null; // new tensors: the last forward's K/V (`length`: its tokens)
  private fresh = -1; // in place: the last forward's new entries in the tail (-1: none to commit)
  private scratch = new Float32Array(0); // in place: the new entries of one slot while a commit reorders them

  /** `writer`: write the open block in place (see the file comment); without it, each commit makes new tensors. */
  constructor(
    private readonly shape: CacheShape,
    private readonly writer?: TensorWriter,
  ) {}

  /** Whether the open block is written in place (see the file comment). */
  get inPlace(): boolean {
    return this.writer !== undefined;
  }

  /** Committed entries. */
  get length(): number {
    return this.blocks.reduce((s, b) => s + b.length, this.tail?.length ?? 0);
  }

  /** Cache blocks, the in-place tail included (each holds 2 tensors per slot). */
  get blockCount(): number {
    return this.blocks.length + (this.tail ? 1 : 0);
  }

  /**
   * Start a forward over `n` new tokens: drop the previous forward's pending K/V and make room for these. Returns where
   * they go (`OpenLayout`): in place, into the tail after its committed entries, unless n > TAIL_CAPACITY; else (and on
   * other backends) into a block of their own, after the tail if there is one.
   */
  begin(n: number): OpenLayout {
    this.dropPending();
    if (this.writer && n <= TAIL_CAPACITY) {
      if (this.tail && this.tail.length + n > TAIL_CAPACITY) this.seal();
      this.tail ??= this.newTail();
      this.fresh = n;
    } else this.pending = { keys: [], values: [], length: n };
    return this.openLayout()!;
  }

  /** The open blocks' layout: the tail, then the new tokens' own block between such a forward and its commit (null: neither). */
  openLayout(): OpenLayout | null {
    const committed = this.tail?.length ?? 0;
    if (!this.pending) return this.tail ? { blocks: 1, committed, at: committed, width: TAIL_CAPACITY } : null;
    const n = this.pending.length;
    return this.tail ? { blocks: 2, committed, at: TAIL_CAPACITY, width: TAIL_CAPACITY + n } : { blocks: 1, committed: 0, at: 0, width: n };
  }

  /** Keys of `slot`, one `[headDim, width]` tensor per block, oldest first; the open blocks (`openLayout`) last. */
  keys(slot: number): tf.Tensor2D[] {
    return this.allBlocks().map((b) => b.keys[slot]);
  }

  /** Values of `slot`, one `[width, headDim]` tensor per block, oldest first; the open blocks last. */
  values(slot: number): tf.Tensor2D[] {
    return this.allBlocks().map((b) => b.values[slot]);
  }

  /** The committed blocks, then the tail and the new tokens' own block where there are. */
  private allBlocks(): Block[] {
    return [...this.blocks, ...(this.tail ? [this.tail] : []), ...(this.pending ? [this.pending] : [])];
  }

  /** The new tokens' `keys` `[D, n]` / `values` `[n, D]` of `slot` for this forward (after `begin(n)`). */
  setPending(slot: number, keys: tf.Tensor2D, values: tf.Tensor2D): void {
    if (this.fresh >= 0) return this.writeTail(slot, keys, values);
    if (!this.pending) throw new Error('setPending: no forward begun');
    this.pending.keys[slot] = tf.keep(keys); // the cache owns them now
    this.pending.values[slot] = tf.keep(values);
  }

  /** Append pending entries `keep` (in that order) and drop the rest; merge blocks (in place: into one). */
  commit(keep: ArrayLike<number>): void {
    const n = this.pending?.length ?? this.fresh;
    if (n < 0) throw new Error('commit: no forward pass to commit from (commit may follow each forward once)');
    const idx = Array.from(keep);
    for (const i of idx) {
      if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`commit: index ${i} out of range for the last forward's ${n} tokens`);
    }
    if (new Set(idx).size !== idx.length) throw new Error(`commit: repeated index in [${idx.join(', ')}]`);
    if (!this.pending) return this.commitTail(idx);
    const t = this.tail;
    if (t && idx.length <= TAIL_CAPACITY - t.length) return this.commitIntoTail(idx);
    if (t?.length) this.seal(); // its entries come before the kept ones
    this.commitPending(idx);
    if (this.writer) this.mergeAll();
    else this.mergeTail();
  }

  /** Keep only the first `length` committed entries (and drop pending K/V). */
  rollback(length: number): void {
    if (!Number.isInteger(length) || length < 0 || length > this.length) throw new Error(`rollback: length ${length} must be an integer in 0..${this.length}`);
    this.dropPending();
    let total = this.length - (this.tail?.length ?? 0);
    if (this.tail) this.tail.length = Math.max(0, length - total);
    while (total > length) {
      const last = this.blocks.pop()!;
      total -= last.length;
      const keepN = length - total;
      if (keepN > 0) {
        this.blocks.push(sliceBlock(last, keepN));
        total += keepN;
      }
      tf.dispose([...last.keys, ...last.values]);
    }
  }

  /** Empty the cache. */
  reset(): void {
    this.rollback(0);
    if (this.tail) tf.dispose([...this.tail.keys, ...this.tail.values]);
    this.tail = null;
  }

  /** Drop the pending K/V of the previous forward (an in-place tail just forgets them: they are beyond its length). */
  private dropPending(): void {
    this.fresh = -1;
    if (!this.pending) return;
    tf.dispose([...this.pending.keys, ...this.pending.values]);
    this.pending = null;
  }

  /** New tensors: the kept entries become a block (the whole forward's as it is, a slice for a run, else a gather). */
  private commitPending(idx: number[]): void {
    const p = this.pending!;
    this.pending = null;
    const start = runStart(idx);
    if (idx.length === 0) return void tf.dispose([...p.keys, ...p.values]);
    if (start === 0 && idx.length === p.length) return void this.blocks.push(p); // the whole forward, as it is
    // a run of consecutive entries (the usual accepted path: the root, then its first children): a slice copies it
    // on the JS side, where a gather is a kernel call per slot
    const at = start >= 0 ? null : tf.tensor1d(idx, 'int32');
    const keys = p.keys.map((k) => (at ? tf.gather(k, at, 1) : tf.slice(k, [0, start], [-1, idx.length])) as tf.Tensor2D);
    const values = p.values.map((v) => (at ? tf.gather(v, at, 0) : tf.slice(v, [start, 0], [idx.length, -1])) as tf.Tensor2D);
    tf.dispose([...(at ? [at] : []), ...p.keys, ...p.values]);
    this.blocks.push({ length: idx.length, keys, values });
  }

  /**
   * In place: move the kept new entries up to follow the committed ones (nothing to move when they are the first k of
   * them, the usual accepted path), then seal the tail if it is full.
   * Example: tail length 5, new entries at 5..8, keep [2, 0] → entry 7 moves to 5, entry 5 to 6; length 7
   */
  private commitTail(idx: number[]): void {
    const t = this.tail!;
    const n = this.fresh;
    this.fresh = -1;
    if (runStart(idx) !== 0 && idx.length > 0) for (let s = 0; s < this.shape.slots; s++) this.reorder(t, s, idx, n);
    this.extendTail(idx.length);
  }

  /** In place: `count` entries written after the tail's committed ones are committed now; a full tail seals. */
  private extendTail(count: number): void {
    this.tail!.length += count;
    if (this.tail!.length === TAIL_CAPACITY) this.seal();
  }

  /** Slot s of the tail: its n new entries (from column t.length) reordered as `idx`, by way of `scratch`. */
  private reorder(t: Block, s: number, idx: number[], n: number): void {
    const D = this.shape.headDim;
    if (this.scratch.length < 2 * D * n) this.scratch = new Float32Array(2 * D * n);
    const k = this.scratch.subarray(0, D * n); // [D, n]
    const v = this.scratch.subarray(D * n, 2 * D * n); // [n, D]
    const tk = this.writer!.view(t.keys[s]); // [D, TAIL_CAPACITY]
    for (let d = 0; d < D; d++) k.set(tk.subarray(d * TAIL_CAPACITY + t.length, d * TAIL_CAPACITY + t.length + n), d * n);
    v.set(this.writer!.view(t.values[s]).subarray(t.length * D, (t.length + n) * D));
    this.writeColumns(s, k, v, n, idx);
  }

  /** In place: write slot s's new K `[D, n]` / V `[n, D]` after the tail's committed entries. */
  private writeTail(slot: number, keys: tf.Tensor2D, values: tf.Tensor2D): void {
    const n = keys.shape[1];
    this.writeColumns(slot, this.writer!.view(keys), this.writer!.view(values), n, Array.from({ length: n }, (_, j) => j));
    tf.dispose([keys, values]); // copied: the cache owns them, as it keeps them when not in place
  }

  /** In place, after a forward held as new tensors: its kept entries `idx` copied into the tail, which seals if full. */
  private commitIntoTail(idx: number[]): void {
    const p = this.pending!;
    this.pending = null;
    const w = this.writer!;
    for (let s = 0; s < this.shape.slots; s++) this.writeColumns(s, w.view(p.keys[s]), w.view(p.values[s]), p.length, idx);
    tf.dispose([...p.keys, ...p.values]);
    this.extendTail(idx.length);
  }

  /**
   * Entries `cols` of K `k` `[D, n]` / V `v` `[n, D]`, in that order, into slot s of the tail after its committed
   * entries (`k` and `v` may be views of the heap: nothing is allocated before they are read).
   */
  private writeColumns(s: number, k: Float32Array, v: Float32Array, n: number, cols: number[]): void {
    const t = this.tail!;
    const w = this.writer!;
    const D = this.shape.headDim;
    const tk = w.view(t.keys[s]); // [D, TAIL_CAPACITY]
    for (let d = 0; d < D; d++) for (let j = 0; j < cols.length; j++) tk[d * TAIL_CAPACITY + t.length + j] = k[d * n + cols[j]];
    const tv = w.view(t.values[s]); // [TAIL_CAPACITY, D]
    for (let j = 0; j < cols.length; j++) tv.set(v.subarray(cols[j] * D, (cols[j] + 1) * D), (t.length + j) * D);
    w.changed(t.keys[s]);
    w.changed(t.values[s]);
  }

  /** In place: a tail of TAIL_CAPACITY zero columns (zeros: unused columns must hold finite values). */
  private newTail(): Block {
    const { slots, headDim: D } = this.shape;
    const keys = Array.from({ length: slots }, () => tf.keep(tf.zeros([D, TAIL_CAPACITY])) as tf.Tensor2D);
    const values = Array.from({ length: slots }, () => tf.keep(tf.zeros([TAIL_CAPACITY, D])) as tf.Tensor2D);
    return { length: 0, keys, values };
  }

  /**
   * In place: the tail's committed entries become a block: the tail itself when full (a new one comes with the next
   * forward), else a slice of it (the tail stays, empty).
   */
  private seal(): void {
    const t = this.tail!;
    if (t.length === TAIL_CAPACITY) {
      this.blocks.push(t);
      this.tail = null;
    } else {
      this.blocks.push(sliceBlock(t, t.length));
      t.length = 0;
    }
    this.mergeAll();
  }

  /** In place: every committed block joined into one (the tail takes greedy steps' entries, so this runs once per tail). */
  private mergeAll(): void {
    if (this.blocks.length >= 2) this.blocks = [joinBlocks(this.blocks)];
  }

  /** New tensors: the last two blocks joined while the older is at most MERGE_RATIO times longer. */
  private mergeTail(): void {
    const b = this.blocks;
    while (b.length >= 2 && b[b.length - 2].length <= MERGE_RATIO * b[b.length - 1].length) b.push(joinBlocks(b.splice(-2)));
  }
}

/** Blocks joined into one, in order (their tensors disposed). */
function joinBlocks(blocks: Block[]): Block {
  const join = (parts: tf.Tensor2D[][], axis: number) => parts[0].map((_, s) => tf.concat(parts.map((p) => p[s]), axis));
  const joined = { length: blocks.reduce((n, b) => n + b.length, 0), keys: join(blocks.map((b) => b.keys), 1), values: join(blocks.map((b) => b.values), 0) };
  tf.dispose(blocks.flatMap((b) => [...b.keys, ...b.values]));
  return joined;
}

/** The first `n` entries of a block, as a new block. */
function sliceBlock(b: Block, n: number): Block {
  return { length: n, keys: b.keys.map((k) => tf.slice(k, [0, 0], [-1, n])), values: b.values.map((v) => tf.slice(v, [0, 0], [n, -1])) };
}
