/**
 * A Llama of a given shape with deterministic random weights: for timing (`bench:model`) and as the cost model of the
 * oracle target (`bench --oracle-cost-model`), where only the speed of the forward pass matters, not its output.
 *
 * Example:
 *   const lm = await randomModel('smollm-135m');       // 30 layers, hidden 576, vocab 49152, on the best backend
 *   const logits = await lm.forward([1, 2, 3], [0, 1, 2]);
 */
import * as fs from 'fs';
import { type LlamaConfig, parseConfig } from '../../model/config';
import { selectBackend } from '../../model/backend';
import { LlamaModel } from '../../model/llama';
import { backendHooks, type LoadOptions } from '../../model/load';
import { buildWeights } from '../../model/weights';
import { seededRandom } from '../../retrieval/timing';
import { readJsonObject } from '../../util/json-file';

/** Shapes of known models (config.json fields). */
export const MODEL_PRESETS: Record<string, Record<string, unknown>> = {
  'smollm-135m': { hidden_size: 576, num_hidden_layers: 30, num_attention_heads: 9, num_key_value_heads: 3, intermediate_size: 1536, vocab_size: 49152, tie_word_embeddings: true },
  'tiny-coder-dsc': { hidden_size: 256, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 64, intermediate_size: 688, vocab_size: 32256, tie_word_embeddings: true },
  // deepseek-ai/deepseek-coder-1.3b-base: float32 weights 5.4 GB, more than wasm's 4 GiB memory (webgpu or tfjs-node)
  'deepseek-coder-1.3b': { hidden_size: 2048, num_hidden_layers: 24, num_attention_heads: 16, num_key_value_heads: 16, intermediate_size: 5504, vocab_size: 32256, tie_word_embeddings: false, rope_scaling: { type: 'linear', factor: 4 }, max_position_embeddings: 16384, rope_theta: 100000, rms_norm_eps: 1e-6 },
  'tinystories-656k': { hidden_size: 128, num_hidden_layers: 2, num_attention_heads: 8, num_key_value_heads: 4, intermediate_size: 384, vocab_size: 2048, tie_word_embeddings: true },
};

/**
 * The config of a preset name or a config.json path. Example: readModelShape('smollm-135m').numLayers // 30
 */
export function readModelShape(spec: string): LlamaConfig {
  if (MODEL_PRESETS[spec]) return parseConfig({ model_type: 'llama', rms_norm_eps: 1e-5, rope_theta: 10000, ...MODEL_PRESETS[spec] }, `preset ${spec}`);
  if (!fs.existsSync(spec)) throw new Error(`${spec}: neither a config.json file nor a preset (${Object.keys(MODEL_PRESETS).join(', ')})`);
  return parseConfig(readJsonObject(spec), spec);
}

/** Deterministic uniform values in [-a, a) with variance 1/fanIn, so activations stay in range. */
function randomSource(c: LlamaConfig): (name: string) => Float32Array {
  const next = seededRandom(1234);
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const shapes: [RegExp, number, number][] = [
    [/norm/, 1, c.hiddenSize], [/q_proj/, q, c.hiddenSize], [/[kv]_proj/, kv, c.hiddenSize], [/o_proj/, c.hiddenSize, q],
    [/gate_proj|up_proj/, c.intermediateSize, c.hiddenSize], [/down_proj/, c.hiddenSize, c.intermediateSize], [/embed|lm_head/, c.vocabSize, c.hiddenSize],
  ];
  return (name) => {
    const [, out, fanIn] = shapes.find(([re]) => re.test(name))!;
    const a = Math.sqrt(3 / fanIn);
    const v = new Float32Array(out * fanIn);
    if (/norm/.test(name)) return v.fill(1);
    for (let i = 0; i < v.length; i++) v[i] = (2 * next() - 1) * a;
    return v;
  };
}

/**
 * Bytes of float32 weights the model holds: every layer, the embedding, the final norm, and the lm_head as its own
 * transposed copy even when tied (weights.ts). Example: smollm-135m → 651,306,240 (538 MB of it read per token).
 */
export function heldWeightBytes(c: LlamaConfig): number {
  return 4 * (c.numLayers * layerParams(c) + 2 * c.vocabSize * c.hiddenSize + c.hiddenSize);
}

/**
 * Bytes of weights a one-token forward reads: every layer, the final norm and the lm_head (the embedding: one row).
 * Example: smollm-135m → 538,060,032.
 */
export function forwardWeightBytes(c: LlamaConfig): number {
  return 4 * (c.numLayers * layerParams(c) + c.vocabSize * c.hiddenSize + c.hiddenSize);
}

function layerParams(c: LlamaConfig): number {
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  return c.hiddenSize * (q + 2 * kv) + q * c.hiddenSize + 3 * c.hiddenSize * c.intermediateSize + 2 * c.hiddenSize;
}

/** tfjs-wasm's memory is 32-bit: 4 GiB at most, weights and activations together. */
const WASM_MAX_BYTES = 2 ** 32;

/** Width of the per-op twin's residual stream, MLP and vocabulary (`perOpTwin`). */
const TWIN_WIDTH = { hidden: 64, intermediate: 128, vocab: 2048 };

/**
 * The per-op twin of a shape: the same layers, heads, head size and positions, so the same kernels in the same order on
 * the same attention, but a residual stream of 64, an MLP of 128 and a vocabulary of 2048: on SmolLM-135M's shape a
 * one-token forward reads 15 MB of weights instead of 538. What its forward costs is what the forward pays per kernel
 * call whatever the weights, a floor that no faster arithmetic or memory takes away (`bench:model --per-op-floor`). The
 * kernel calls are the same as long as the original's projections take the same path (on wasm: widths that are
 * multiples of 16, as in every preset).
 * Example: perOpTwin(readModelShape('smollm-135m')) → 30 layers, heads 9 / 3 of 64, hidden 64, intermediate 128, vocab 2048
 */
export function perOpTwin(c: LlamaConfig): LlamaConfig {
  return { ...c, hiddenSize: TWIN_WIDTH.hidden, intermediateSize: TWIN_WIDTH.intermediate, vocabSize: Math.min(c.vocabSize, TWIN_WIDTH.vocab), bosTokenId: null, eosTokenIds: [] };
}

/** A random-weight model of the shape `spec` (preset name, config.json path, or a config) on the chosen backend. */
export async function randomModel(spec: string | LlamaConfig, opts: LoadOptions = {}): Promise<LlamaModel> {
  const c = typeof spec === 'string' ? readModelShape(spec) : spec;
  const backend = await selectBackend(opts.backend, opts);
  const bytes = heldWeightBytes(c);
  if (backend.name === 'wasm' && bytes >= WASM_MAX_BYTES) {
    throw new Error(`${typeof spec === 'string' ? spec : 'this shape'}: its float32 weights take ${(bytes / 1e9).toFixed(1)} GB, more than the wasm backend's 4 GiB memory; use --backend webgpu (a GPU, or SwiftShader) or install @tensorflow/tfjs-node`);
  }
  const embed = 'model.embed_tokens.weight';
  return new LlamaModel(c, buildWeights(c, randomSource(c), embed, c.tieWordEmbeddings ? embed : 'lm_head.weight'), backend.name, backend.detail, backend.threads, backendHooks(backend, opts));
}
