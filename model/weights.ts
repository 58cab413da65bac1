/**
 * The Llama weights as TensorFlow.js tensors, from HF checkpoint names. Linear weights are stored by HF as
 * `[out, in]` (`y = x Wᵀ`); we transpose them once at load to `[in, out]` (tfjs-wasm's matMul is ~10x slower with
 * transposeB) and concatenate the projections that read the same input: q|k|v and gate|up.
 *
 * Example:
 *   const w = loadWeights(openCheckpoint(dir), loadConfig(dir));
 *   w.layers[0].qkvProj.shape   // [hidden, (numHeads + 2·numKvHeads)·headDim]
 */
import * as tf from '@tensorflow/tfjs-core';
import { Checkpoint } from './checkpoint';
import { LlamaConfig } from './config';

export interface LayerWeights {
  inputLayernorm: tf.Tensor1D; // input_layernorm.weight [hidden]
  qkvProj: tf.Tensor2D; // [q_proj; k_proj; v_proj]ᵀ: [hidden, (H + 2·kvH)·headDim]
  oProj: tf.Tensor2D; // o_projᵀ: [H·headDim, hidden]
  postAttentionLayernorm: tf.Tensor1D; // post_attention_layernorm.weight [hidden]
  gateUpProj: tf.Tensor2D; // [gate_proj; up_proj]ᵀ: [hidden, 2·intermediate]
  downProj: tf.Tensor2D; // down_projᵀ: [intermediate, hidden]
}

export interface LlamaWeights {
  embedTokens: tf.Tensor2D; // model.embed_tokens.weight [vocab, hidden] (gathered by token id)
  layers: LayerWeights[]; // model.layers.{i}
  norm: tf.Tensor1D; // model.norm.weight [hidden]
  lmHead: tf.Tensor2D; // lm_head.weightᵀ (or embed_tokensᵀ when tied): [hidden, vocab]
}

/** Reads one HF tensor (already checked to exist with the expected shape) as float32. */
export type TensorSource = (name: string) => Float32Array;

/**
 * Every HF tensor name the model needs with its shape. With tied embeddings the single shared matrix is listed under
 * whichever name `has` reports (embed_tokens preferred).
 * Example: for llama-tiny, `expectedTensors(cfg, has).get('model.layers.0.self_attn.k_proj.weight')` → [64, 64].
 */
export function expectedTensors(c: LlamaConfig, has: (name: string) => boolean): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const embed = [c.vocabSize, c.hiddenSize];
  if (!c.tieWordEmbeddings) out.set('model.embed_tokens.weight', embed).set('lm_head.weight', embed);
  else out.set(has('model.embed_tokens.weight') || !has('lm_head.weight') ? 'model.embed_tokens.weight' : 'lm_head.weight', embed);
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}.`;
    out.set(p + 'input_layernorm.weight', [c.hiddenSize]).set(p + 'post_attention_layernorm.weight', [c.hiddenSize]);
    out.set(p + 'self_attn.q_proj.weight', [q, c.hiddenSize]).set(p + 'self_attn.k_proj.weight', [kv, c.hiddenSize]);
    out.set(p + 'self_attn.v_proj.weight', [kv, c.hiddenSize]).set(p + 'self_attn.o_proj.weight', [c.hiddenSize, q]);
    out.set(p + 'mlp.gate_proj.weight', [c.intermediateSize, c.hiddenSize]).set(p + 'mlp.up_proj.weight', [c.intermediateSize, c.hiddenSize]);
    out.set(p + 'mlp.down_proj.weight', [c.hiddenSize, c.intermediateSize]);
  }
  return out.set('model.norm.weight', [c.hiddenSize]);
}

/**
 * Transpose `[out, in]` matrices and lay them side by side: result `[in, Σout]`.
 * Example: `transposeConcat([[Float32Array.of(1, 2, 3, 4), 2]], 2)` (W = [[1,2],[3,4]]) → [1, 3, 2, 4].
 */
export function transposeConcat(parts: [Float32Array, number][], inDim: number): Float32Array {
  const total = parts.reduce((s, [, out]) => s + out, 0);
  const dst = new Float32Array(inDim * total);
  let col = 0;
  for (const [src, out] of parts) {
    for (let o = 0; o < out; o++) for (let i = 0; i < inDim; i++) dst[i * total + col + o] = src[o * inDim + i];
    col += out;
  }
  return dst;
}

/**
 * Build the tfjs weights from a tensor source (a checkpoint, or random values in the benchmark); `embedName` /
 * `lmHeadName` say which HF tensors hold the embedding and the head (the same name when tied).
 * Example: `buildWeights(cfg, (n) => ckpt.read(n), 'lm_head.weight', 'lm_head.weight')` for tinystories-656k.
 */
export function buildWeights(c: LlamaConfig, read: TensorSource, embedName: string, lmHeadName: string): LlamaWeights {
  const h = c.hiddenSize;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const layers: LayerWeights[] = [];
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}.`;
    const attn = (n: string) => read(`${p}self_attn.${n}_proj.weight`);
    const mlp = (n: string) => read(`${p}mlp.${n}_proj.weight`);
    layers.push({
      inputLayernorm: tf.tensor1d(read(p + 'input_layernorm.weight')),
      qkvProj: tf.tensor2d(transposeConcat([[attn('q'), q], [attn('k'), kv], [attn('v'), kv]], h), [h, q + 2 * kv]),
      oProj: tf.tensor2d(transposeConcat([[attn('o'), h]], q), [q, h]),
      postAttentionLayernorm: tf.tensor1d(read(p + 'post_attention_layernorm.weight')),
      gateUpProj: tf.tensor2d(transposeConcat([[mlp('gate'), c.intermediateSize], [mlp('up'), c.intermediateSize]], h), [h, 2 * c.intermediateSize]),
      downProj: tf.tensor2d(transposeConcat([[mlp('down'), h]], c.intermediateSize), [c.intermediateSize, h]),
    });
  }
  const embed = read(embedName);
  const head = lmHeadName === embedName ? embed : read(lmHeadName);
  return {
    embedTokens: tf.tensor2d(embed, [c.vocabSize, h]),
    layers,
    norm: tf.tensor1d(read('model.norm.weight')),
    lmHead: tf.tensor2d(transposeConcat([[head, c.vocabSize]], h), [h, c.vocabSize]),
  };
}

/** Problems listed in an error before "... and N more": a config that names 1e5 layers must not print 55 MB. */
const LISTED_PROBLEMS = 10;

/** Check that every expected tensor exists with the right shape; one error listing the first problems and the count. */
function checkTensors(ckpt: Checkpoint, expected: Map<string, number[]>): void {
  const problems: string[] = [];
  for (const [name, shape] of expected) {
    const info = ckpt.info(name);
    if (!info) problems.push(`missing ${name} ${JSON.stringify(shape)}`);
    else if (info.shape.join() !== shape.join()) problems.push(`${name} has shape ${JSON.stringify(info.shape)}, expected ${JSON.stringify(shape)}`);
  }
  if (!problems.length) return;
  const more = problems.length > LISTED_PROBLEMS ? [`... and ${problems.length - LISTED_PROBLEMS} more`] : [];
  throw new Error(`${ckpt.description}: ${problems.length} weight problem(s):\n  ${[...problems.slice(0, LISTED_PROBLEMS), ...more].join('\n  ')}`);
}

/**
 * Layers in the checkpoint: 1 + the largest i of its `model.layers.{i}.` names (0 when there are none).
 * Example: ['model.layers.0.mlp.up_proj.weight', 'model.layers.1.input_layernorm.weight', 'model.norm.weight'] → 2
 */
export function checkpointLayers(names: string[]): number {
  let n = 0;
  for (const name of names) {
    const m = /^model\.layers\.(\d+)\./.exec(name);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return n;
}

/** Validate and load every tensor of `ckpt` into tfjs tensors (see the module comment). */
export function loadWeights(ckpt: Checkpoint, c: LlamaConfig): LlamaWeights {
  // before listing expected tensors: num_hidden_layers 1e9 would build a map of 9e9 names
  const layers = checkpointLayers(ckpt.names());
  if (c.numLayers !== layers) throw new Error(`${ckpt.description}: config.json has num_hidden_layers ${c.numLayers}, but the checkpoint holds ${layers} layers (model.layers.0 to model.layers.${layers - 1})`);
  const expected = expectedTensors(c, (n) => ckpt.info(n) !== undefined);
  checkTensors(ckpt, expected);
  const embedName = expected.has('model.embed_tokens.weight') ? 'model.embed_tokens.weight' : 'lm_head.weight';
  const lmHeadName = expected.has('lm_head.weight') ? 'lm_head.weight' : embedName;
  return buildWeights(c, (n) => ckpt.read(n), embedName, lmHeadName);
}

/** Every tensor held by `w`, e.g. to dispose them. Example: `tf.dispose(weightTensors(w))`; 2 layers → 3 + 2·6 tensors. */
export function weightTensors(w: LlamaWeights): tf.Tensor[] {
  return [w.embedTokens, w.norm, w.lmHead, ...w.layers.flatMap((l) => Object.values(l) as tf.Tensor[])];
}
