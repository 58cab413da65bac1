/**
 * The Llama / CodeLlama / DeepSeek-Coder transformer on TensorFlow.js, numerically HF `LlamaForCausalLM` (float32):
 * one forward pass over new tokens with explicit position ids and a tree mask, on top of the KV cache; `hiddenStates`
 * runs the same pass and also returns every layer's output (HF `output_hidden_states`), for checks and notebooks.
 *
 * Example (prefill, then verify a two-branch draft tree under token t):
 *   const lm = await loadModel('test/fixtures/hf-llama/llama-tiny');
 *   await lm.forward(prompt, prompt.map((_, i) => i)); lm.commit(prompt.map((_, i) => i));
 *   const L = lm.cacheLength;                         // tokens [t, a, b]: a and b are both children of t
 *   const logits = await lm.forward([t, a, b], [L, L + 1, L + 1], Uint8Array.of(1,0,0, 1,1,0, 1,0,1));
 *   lm.commit([0, 2]);                                // keep t and b
 */
import * as tf from '@tensorflow/tfjs-core';
import { CausalLM } from './causal-lm';
import { LlamaConfig } from './config';
import { KVCache, type OpenLayout, runStart, type TensorWriter } from './kv-cache';
import { rotateHalfMatrix, ropeCosSin } from './rope';
import type { HeadArgmax } from './wasm-head';
import { type PackedLinear, worthKernels } from './wasm-linear';
import { LayerWeights, LlamaWeights, weightTensors } from './weights';

/** Additive score for a masked pair: large, negative, finite (HF uses float32 min; softmax gives 0 either way). */
const MASKED = -1e9;

/** What a backend can do for the model beyond tfjs ops (model/backend.ts, `ChosenBackend`). */
export interface BackendHooks {
  writer?: TensorWriter; // writes to tensors' memory in place (tfjs-wasm's heap): the KV cache's open block is then written in place
  headArgmax?: (weight: tf.Tensor2D) => HeadArgmax | undefined; // the lm_head's argmaxes without tfjs ops (model/wasm-head.ts)
  linear?: (weight: tf.Tensor2D) => PackedLinear | undefined; // the layers' projections without tf.matMul, at the row counts where that is cheaper (model/wasm-linear.ts)
}

/** The bias over the cache's open blocks (`maskBias`), and how many of the last blocks it covers. */
interface OpenBias {
  bias: tf.Tensor2D; // [group·n, width]
  blocks: number; // open blocks (kv-cache.ts, `OpenLayout`)
}

/**
 * Check a tree mask `[n × n]` (1 = row may attend to column; each token must see itself) or build the causal one.
 * Example: `treeMaskOrCausal(undefined, 2)` → [1, 0, 1, 1].
 */
export function treeMaskOrCausal(mask: Uint8Array | undefined, n: number): Uint8Array {
  if (!mask) {
    const causal = new Uint8Array(n * n);
    for (let i = 0; i < n; i++) causal.fill(1, i * n, i * n + i + 1);
    return causal;
  }
  if (mask.length !== n * n) throw new Error(`forward: treeMask has ${mask.length} entries, expected ${n}×${n} = ${n * n}`);
  for (let i = 0; i < n; i++) {
    if (mask[i * n + i] !== 1) throw new Error(`forward: treeMask[${i}][${i}] must be 1 (a token attends to itself)`);
    for (let j = 0; j < n; j++) if (mask[i * n + j] > 1) throw new Error(`forward: treeMask[${i}][${j}] = ${mask[i * n + j]}, expected 0 or 1`);
  }
  return mask;
}

/**
 * The mask as an additive bias over the cache's open blocks for the grouped query rows `[group·n × width]`: row g·n + i
 * is token i's row, for each of the `group` query heads sharing one kv head; the first `committed` columns are visible,
 * the n new tokens' columns (from `at`) as the mask says, the rest are masked (see kv-cache.ts, `OpenLayout`).
 * Example: mask [1,0,1,1], group 1, { committed: 1, at: 1, width: 4 } → [0, 0, -1e9, -1e9,  0, 0, 0, -1e9]
 */
export function maskBias(mask: Uint8Array, n: number, group: number, open: Omit<OpenLayout, 'blocks'> = { committed: 0, at: 0, width: n }): Float32Array {
  const { committed, at, width } = open;
  const bias = new Float32Array(group * n * width).fill(MASKED);
  for (let r = 0; r < group * n; r++) {
    const i = r % n; // the new token of this row
    bias.fill(0, r * width, r * width + committed);
    for (let j = 0; j < n; j++) if (mask[i * n + j]) bias[r * width + at + j] = 0;
  }
  return bias;
}

/** HF LlamaRMSNorm: `w * (x / sqrt(mean(x²) + eps))` over the last axis. */
function rmsNorm(x: tf.Tensor2D, weight: tf.Tensor1D, eps: number): tf.Tensor2D {
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), weight);
}

export class LlamaModel implements CausalLM {
  private readonly cache: KVCache;
  private readonly rotateHalf: tf.Tensor2D; // [headDim, headDim]: x·R = rotate_half(x)
  private hidden: tf.Tensor2D | null = null; // [n, hidden]: the last forward's final-normed hidden states, for `logits`
  /**
   * Greedy verification asks for argmaxes along the accepted path one row at a time on CPU backends (each row costs a
   * [hidden × vocab] matMul there; a read costs nothing) and for every row at once on GPU backends (one read per
   * step; extra rows are nearly free). Settable, to compare both: `npm run bench:model -- --generate <model dir>`.
   */
  verifyRows: 'path' | 'all';
  /**
   * How `argmax` multiplies rows by the lm_head: the wasm kernels (model/wasm-head.ts), where the backend has them, or
   * tfjs. Every row count goes one way: the kernels read their own copy of the lm_head, and a read right after one of the
   * other copy took 0.35-0.4 ms more on tiny-coder-dsc (its 33 MB partly stay in the cache between reads). Settable, to
   * compare both.
   */
  headKernel: 'panels' | 'tfjs';
  private readonly head: HeadArgmax | undefined; // the lm_head packed for the wasm kernels
  /**
   * How the layers' projections multiply: by the wasm kernels at the row counts where they are faster (`worthKernels`:
   * all but 4 and 8 rows), where the backend has them, else always tf.matMul. The same
   * values either way. Settable, to compare both.
   */
  linearKernel: 'panels' | 'tfjs';
  private readonly linears = new Map<tf.Tensor2D, PackedLinear>(); // each layer's projection weights packed for the kernels

  constructor(
    readonly config: LlamaConfig, // the validated config.json
    private readonly weights: LlamaWeights, // tfjs tensors, owned by the model
    readonly backend: string, // the tfjs backend the weights live on
    readonly backendDetail = backend, // which package provides it, and the GPU adapter (for the CLI to print)
    readonly threads = 1, // wasm: the size of XNNPACK's thread pool (a cost profile is measured per count)
    hooks: BackendHooks = {}, // what the backend offers beyond tfjs ops: the KV cache's in-place writer, the lm_head kernels
  ) {
    this.cache = new KVCache({ slots: config.numLayers * config.numKvHeads, headDim: config.headDim }, hooks.writer);
    this.head = hooks.headArgmax?.(weights.lmHead);
    this.headKernel = this.head ? 'panels' : 'tfjs';
    for (const w of weights.layers.flatMap((l) => [l.qkvProj, l.oProj, l.gateUpProj, l.downProj])) {
      const packed = hooks.linear?.(w);
      if (packed) this.linears.set(w, packed);
    }
    this.linearKernel = this.linears.size > 0 ? 'panels' : 'tfjs';
    this.rotateHalf = tf.tensor2d(rotateHalfMatrix(config.headDim), [config.headDim, config.headDim]);
    this.verifyRows = backend === 'webgpu' || backendDetail.includes('tfjs-node-gpu') ? 'all' : 'path';
  }

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  get maxPositions(): number {
    return this.config.maxPositionEmbeddings;
  }

  get eosIds(): readonly number[] {
    return this.config.eosTokenIds;
  }

  get cacheLength(): number {
    return this.cache.length;
  }

  /** Whether the KV cache writes its open block in place (wasm) rather than making new tensors at each commit. */
  get kvCacheInPlace(): boolean {
    return this.cache.inPlace;
  }

  /** Committed cache blocks (see kv-cache.ts); each holds 2 tensors per layer and kv head. */
  get cacheBlockCount(): number {
    return this.cache.blockCount;
  }

  async forward(tokens: ArrayLike<number>, positions: ArrayLike<number>, treeMask?: Uint8Array): Promise<Float32Array> {
    await this.forwardHidden(tokens, positions, treeMask);
    return this.logits(Array.from({ length: tokens.length }, (_, i) => i));
  }

  async forwardHidden(tokens: ArrayLike<number>, positions: ArrayLike<number>, treeMask?: Uint8Array): Promise<void> {
    this.forwardLayers(tokens, positions, treeMask);
  }

  /**
   * The forward pass proper, up to the final RMSNorm (see `forwardHidden`): embeddings, then each decoder layer, the
   * result kept in `this.hidden` for `logits` / `argmax`; each layer's input is kept and pushed to `states` when given.
   */
  private forwardLayers(tokens: ArrayLike<number>, positions: ArrayLike<number>, treeMask: Uint8Array | undefined, states?: tf.Tensor2D[]): void {
    const c = this.config;
    const n = tokens.length;
    if (n === 0) throw new Error('forward: no tokens');
    if (positions.length !== n) throw new Error(`forward: ${n} tokens but ${positions.length} positions`);
    for (let i = 0; i < n; i++) {
      if (!Number.isInteger(tokens[i]) || tokens[i] < 0 || tokens[i] >= c.vocabSize) throw new Error(`forward: token ${tokens[i]} at index ${i} is not in 0..${c.vocabSize - 1}`);
      if (!Number.isInteger(positions[i]) || positions[i] < 0) throw new Error(`forward: position ${positions[i]} at index ${i} is not a non-negative integer`);
    }
    const group = c.numHeads / c.numKvHeads;
    const mask = treeMaskOrCausal(treeMask, n);
    const { cos, sin } = ropeCosSin(positions, c.headDim, c.ropeTheta, c.ropeScalingFactor);
    const open = this.cache.begin(n); // where the new tokens' K/V go
    const bias = maskBias(mask, n, group, open);
    this.dropHidden();
    this.hidden = tf.tidy(() => {
      const ids = tf.tensor1d(Int32Array.from(tokens), 'int32');
      const rope = { cos: tf.tensor3d(cos, [n, 1, c.headDim]), sin: tf.tensor3d(sin, [n, 1, c.headDim]) };
      const openBias = { bias: tf.tensor2d(bias, [group * n, open.width]), blocks: open.blocks };
      let x = tf.gather(this.weights.embedTokens, ids) as tf.Tensor2D; // [n, hidden]
      this.weights.layers.forEach((layer, l) => {
        if (states) states.push(tf.keep(x)); // HF's hidden_states[l]: the input of layer l
        // a tidy per layer frees its intermediates (attention scores: kvH × [group·n, L + width]) before the next layer
        x = tf.tidy(() => {
          const h = tf.add<tf.Tensor2D>(x, this.attention(l, layer, rmsNorm(x, layer.inputLayernorm, c.rmsNormEps), rope, openBias));
          return tf.add(h, this.mlp(layer, rmsNorm(h, layer.postAttentionLayernorm, c.rmsNormEps)));
        });
      });
      return rmsNorm(x, this.weights.norm, c.rmsNormEps); // [n, hidden]
    });
  }

  async logits(rows: ArrayLike<number>): Promise<Float32Array> {
    const logits = tf.tidy(() => tf.matMul(this.hiddenRows(rows, 'logits'), this.weights.lmHead)); // [rows, vocab]
    try {
      return (await logits.data()) as Float32Array;
    } finally {
      logits.dispose();
    }
  }

  async argmax(rows: ArrayLike<number>): Promise<Int32Array> {
    if (this.head && this.headKernel === 'panels') {
      const h = this.hiddenRows(rows, 'argmax');
      try {
        return this.head.argmax(h);
      } finally {
        if (h !== this.hidden) h.dispose();
      }
    }
    const ids = tf.tidy(() => tf.argMax(tf.matMul(this.hiddenRows(rows, 'argmax'), this.weights.lmHead), 1)); // [rows]
    try {
      return Int32Array.from(await ids.data());
    } finally {
      ids.dispose();
    }
  }

  /**
   * The last forward's final hidden states at `rows`: all of them as they are when rows = 0..n-1, a slice for other
   * consecutive rows (the accept walk's single rows; tfjs-wasm copies a slice on the JS side), else a gather.
   */
  private hiddenRows(rows: ArrayLike<number>, caller: string): tf.Tensor2D {
    const h = this.hidden;
    if (!h) throw new Error(`${caller}: no forward pass to read rows from`);
    const n = h.shape[0];
    for (let i = 0; i < rows.length; i++) {
      if (!Number.isInteger(rows[i]) || rows[i] < 0 || rows[i] >= n) throw new Error(`${caller}: row ${rows[i]} out of range for the last forward's ${n} tokens`);
    }
    const list = Array.from(rows);
    const start = runStart(list);
    if (start === 0 && list.length === n) return h;
    if (start >= 0) return tf.slice(h, [start, 0], [list.length, -1]); // [rows, hidden]
    return tf.gather(h, Int32Array.from(list)); // [rows, hidden]
  }

  /**
   * `forwardHidden` that also returns every layer's hidden states for the new tokens, with HF's `output_hidden_states`
   * convention: `numLayers + 1` arrays `[n × hidden]`, `[0]` = the embeddings, `[l]` = the input of layer l (the output
   * of layer l - 1), and the last = the final RMSNorm applied to the last layer's output. Like `forwardHidden`, the new
   * K/V become pending and `logits(rows)` reads this pass's rows afterwards. Meant for checks and notebooks: it copies
   * every layer's activations off the backend.
   *
   * Example (llama-tiny, 2 layers, hidden 64):
   *   const hs = await lm.hiddenStates(prompt, prompt.map((_, i) => i));
   *   hs.length      // 3
   *   hs[1].length   // 24 × 64: the output of layer 0, HF's hidden_states[1]
   */
  async hiddenStates(tokens: ArrayLike<number>, positions: ArrayLike<number>, treeMask?: Uint8Array): Promise<Float32Array[]> {
    const states: tf.Tensor2D[] = [];
    try {
      this.forwardLayers(tokens, positions, treeMask, states);
      return await Promise.all([...states, this.hidden!].map(async (t) => (await t.data()) as Float32Array));
    } finally {
      tf.dispose(states);
    }
  }

  /** Self-attention of layer `l` over the committed cache plus the new tokens (whose K/V become pending). */
  private attention(l: number, w: LayerWeights, x: tf.Tensor2D, rope: { cos: tf.Tensor3D; sin: tf.Tensor3D }, openBias: OpenBias): tf.Tensor2D {
    const { numHeads: H, numKvHeads: kvH, headDim: D } = this.config;
    const n = x.shape[0];
    const G = H / kvH; // query heads per kv head
    const qkv = this.matMul(x, w.qkvProj); // [n, (H + 2·kvH)·D]
    const [qkFlat, vFlat] = tf.split(qkv, [(H + kvH) * D, kvH * D], 1); // [n, (H + kvH)·D], [n, kvH·D]
    // RoPE on q and k together: x·cos + rotate_half(x)·sin
    const qk = tf.reshape(qkFlat, [n, H + kvH, D]); // [n, H + kvH, D]
    const qkRows = tf.reshape(qk, [n * (H + kvH), D]); // [n·(H + kvH), D]
    const rotated = tf.reshape(tf.matMul(qkRows, this.rotateHalf), [n, H + kvH, D]); // [n, H + kvH, D]
    const qkRoped = tf.add(tf.mul(qk, rope.cos), tf.mul(rotated, rope.sin)); // [n, H + kvH, D]
    const [q, k] = tf.split(qkRoped, [H, kvH], 1); // [n, H, D], [n, kvH, D]
    // query head h uses kv head ⌊h / G⌋: group the query heads under their kv head, rows (g, token)
    const qByHead = tf.transpose(q, [1, 0, 2]); // [H, n, D]
    const qGrouped = tf.reshape(qByHead, [kvH, G * n, D]); // [kvH, G·n, D]
    const qScaled = tf.mul(qGrouped, 1 / Math.sqrt(D)); // [kvH, G·n, D] (scaled before q·kᵀ, not after: equal up to float32 rounding)
    const qHeads = tf.unstack(qScaled) as tf.Tensor2D[]; // kvH × [G·n, D]
    const kHeads = tf.unstack(tf.transpose(k, [1, 2, 0])) as tf.Tensor2D[]; // kvH × [D, n]
    const v = tf.reshape(vFlat, [n, kvH, D]); // [n, kvH, D]
    const vHeads = tf.unstack(tf.transpose(v, [1, 0, 2])) as tf.Tensor2D[]; // kvH × [n, D]
    const ctx = qHeads.map((qh, j) => this.attendHead(l * kvH + j, qh, kHeads[j], vHeads[j], openBias)); // kvH × [G·n, D]
    const ctxHeads = tf.reshape(tf.stack(ctx), [H, n, D]); // [H, n, D]
    const merged = tf.reshape<tf.Rank.R2>(tf.transpose(ctxHeads, [1, 0, 2]), [n, H * D]); // [n, H·D]
    return this.matMul(merged, w.oProj); // [n, hidden]
  }

  /**
   * One kv head (cache slot `slot`): its G query heads over the committed cache blocks, then the open blocks, which
   * hold the n new tokens' K/V (`setPending`; see kv-cache.ts). The open blocks' columns are masked by `open.bias`:
   * committed entries visible, the new tokens as the tree mask says, unused columns not at all. Softmax over the
   * concatenated scores, then one probs·values matMul per block.
   */
  private attendHead(slot: number, qh: tf.Tensor2D, kNew: tf.Tensor2D, vNew: tf.Tensor2D, open: OpenBias): tf.Tensor2D {
    this.cache.setPending(slot, kNew, vNew);
    const keys = this.cache.keys(slot); // blocks × [D, width_b], the open blocks last
    const values = this.cache.values(slot); // blocks × [width_b, D]
    const scores = keys.map((kb) => tf.matMul(qh, kb)); // blocks × [G·n, width_b]
    const firstOpen = keys.length - open.blocks;
    const opened = scores.slice(firstOpen); // the open blocks' scores, [G·n, width] side by side
    const masked = tf.add(opened.length === 1 ? opened[0] : tf.concat(opened, 1), open.bias); // [G·n, width]
    const all = firstOpen === 0 ? masked : tf.concat([...scores.slice(0, firstOpen), masked], 1); // [G·n, L + width]
    const probs = tf.softmax(all); // [G·n, L + width]
    const parts = values.length === 1 ? [probs] : tf.split(probs, values.map((vb) => vb.shape[0]), 1); // blocks × [G·n, width_b]
    const out = parts.map((p, b) => tf.matMul(p, values[b]) as tf.Tensor2D); // blocks × [G·n, D]
    return out.length === 1 ? out[0] : tf.addN(out); // [G·n, D]
  }

  /** x · w for a layer's projection weight w: by its packed copy where `linearKernel` and the row count say so. */
  private matMul(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
    const packed = this.linearKernel === 'panels' && worthKernels(x.shape[0]) ? this.linears.get(w) : undefined;
    return packed ? packed.matMul(x) : tf.matMul(x, w);
  }

  /** SwiGLU MLP: down(silu(gate(x)) · up(x)). */
  private mlp(w: LayerWeights, h: tf.Tensor2D): tf.Tensor2D {
    const [gate, up] = tf.split(this.matMul(h, w.gateUpProj), 2, 1); // [n, intermediate] each
    return this.matMul(tf.mul(tf.mul(gate, tf.sigmoid(gate)), up), w.downProj); // [n, hidden]
  }

  commit(keep: ArrayLike<number>): void {
    this.cache.commit(keep);
    this.dropHidden();
  }

  rollback(length: number): void {
    this.cache.rollback(length);
    this.dropHidden();
  }

  private dropHidden(): void {
    this.hidden?.dispose();
    this.hidden = null;
  }

  reset(): void {
    this.cache.reset();
    this.dropHidden();
  }

  dispose(): void {
    this.reset();
    this.head?.dispose();
    for (const packed of this.linears.values()) packed.dispose();
    tf.dispose([this.rotateHalf, ...weightTensors(this.weights)]);
  }
}
