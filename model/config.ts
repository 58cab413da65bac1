/**
 * Hugging Face `config.json` for `model_type: "llama"` (Llama, CodeLlama, DeepSeek-Coder), validated into the
 * handful of numbers the forward pass needs.
 *
 * Example:
 *   const cfg = loadConfig('models/tiny-coder-dsc');   // reads models/tiny-coder-dsc/config.json
 *   cfg.headDim                                        // hidden_size / num_attention_heads unless head_dim is given
 */
import * as path from 'path';
import { readJsonObject } from '../util/json-file';

export interface LlamaConfig {
  vocabSize: number; // vocab_size: rows of embed_tokens / lm_head
  hiddenSize: number; // hidden_size: width of the residual stream
  numLayers: number; // num_hidden_layers
  numHeads: number; // num_attention_heads (query heads)
  numKvHeads: number; // num_key_value_heads (GQA; = numHeads for plain multi-head attention)
  headDim: number; // head_dim, or hidden_size / num_attention_heads
  intermediateSize: number; // intermediate_size: width of the SwiGLU MLP
  rmsNormEps: number; // rms_norm_eps
  ropeTheta: number; // rope_theta (base of the rotary frequencies)
  ropeScalingFactor: number; // linear rope_scaling factor (positions are divided by it); 1 when rope_scaling is null
  tieWordEmbeddings: boolean; // lm_head shares the embedding matrix
  maxPositionEmbeddings: number; // max_position_embeddings: prompt + generated tokens never exceed it (generate refuses a longer prompt and stops there)
  bosTokenId: number | null; // bos_token_id
  eosTokenIds: number[]; // eos_token_id (a number or a list in config.json)
}

type Json = Record<string, unknown>;

/** A config value for an error message; numbers as JS prints them (JSON.stringify turns Infinity, from 1e999, into null). */
const show = (v: unknown): string => (typeof v === 'number' ? String(v) : JSON.stringify(v));

function positiveInt(j: Json, key: string, file: string, fallback?: number): number {
  const v = j[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new Error(`${file}: ${key} must be a positive integer, got ${show(j[key])}`);
  }
  return v;
}

function positiveNumber(j: Json, key: string, file: string, fallback: number): number {
  const v = j[key] ?? fallback;
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
    throw new Error(`${file}: ${key} must be a positive number, got ${show(j[key])}`);
  }
  return v;
}

/**
 * The linear scaling factor of `rope_scaling` (1 for null). The type is read from `type` or `rope_type`.
 * Example: `ropeScalingFactor({ type: 'linear', factor: 4 }, f)` → 4; `{ rope_type: 'yarn', ... }` → throws.
 */
export function ropeScalingFactor(scaling: unknown, file: string): number {
  if (scaling === null || scaling === undefined) return 1;
  if (typeof scaling !== 'object' || Array.isArray(scaling)) {
    throw new Error(`${file}: rope_scaling must be null or an object, got ${JSON.stringify(scaling)}`);
  }
  const s = scaling as Json;
  const type = s.type ?? s.rope_type;
  if (type === 'default') return 1;
  if (type !== 'linear') throw new Error(`${file}: unsupported rope_scaling ${JSON.stringify(type)} (only null and "linear")`);
  const factor = s.factor;
  if (typeof factor !== 'number' || !(factor > 0) || !Number.isFinite(factor)) {
    throw new Error(`${file}: rope_scaling.factor must be a positive number, got ${show(factor)}`);
  }
  return factor;
}

function tokenIds(v: unknown, key: string, file: string): number[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const id of list) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) throw new Error(`${file}: ${key} must be token ids, got ${JSON.stringify(v)}`);
  }
  return list as number[];
}

/**
 * Validate a parsed config.json (`file` is only used in error messages).
 * Example: `parseConfig({ model_type: 'llama', hidden_size: 64, ... }, 'x/config.json').headDim` → 16 for 4 heads.
 */
export function parseConfig(j: Json, file: string): LlamaConfig {
  if (j.model_type !== 'llama') {
    throw new Error(`${file}: unsupported model_type ${JSON.stringify(j.model_type)} (only "llama": Llama, CodeLlama, DeepSeek-Coder)`);
  }
  for (const flag of ['attention_bias', 'mlp_bias'] as const) {
    if (j[flag] === true) throw new Error(`${file}: ${flag}=true is not supported`);
  }
  if (j.hidden_act !== undefined && j.hidden_act !== 'silu') throw new Error(`${file}: unsupported hidden_act ${JSON.stringify(j.hidden_act)} (only "silu")`);
  const hiddenSize = positiveInt(j, 'hidden_size', file);
  const numHeads = positiveInt(j, 'num_attention_heads', file);
  const numKvHeads = positiveInt(j, 'num_key_value_heads', file, numHeads);
  if (numHeads % numKvHeads !== 0) throw new Error(`${file}: num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`);
  if (j.head_dim == null && hiddenSize % numHeads !== 0) throw new Error(`${file}: hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${numHeads}`);
  const headDim = positiveInt(j, 'head_dim', file, hiddenSize / numHeads);
  if (headDim % 2 !== 0) throw new Error(`${file}: head_dim ${headDim} must be even for rotary embeddings`);
  return {
    vocabSize: positiveInt(j, 'vocab_size', file),
    hiddenSize,
    numLayers: positiveInt(j, 'num_hidden_layers', file),
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize: positiveInt(j, 'intermediate_size', file),
    rmsNormEps: positiveNumber(j, 'rms_norm_eps', file, 1e-6),
    ropeTheta: positiveNumber(j, 'rope_theta', file, 10000),
    ropeScalingFactor: ropeScalingFactor(j.rope_scaling, file),
    tieWordEmbeddings: j.tie_word_embeddings === true,
    maxPositionEmbeddings: positiveInt(j, 'max_position_embeddings', file, 2048),
    bosTokenId: tokenIds(j.bos_token_id, 'bos_token_id', file)[0] ?? null,
    eosTokenIds: tokenIds(j.eos_token_id, 'eos_token_id', file),
  };
}

/** Read and validate `dir/config.json`. Example: `loadConfig('test/fixtures/hf-llama/llama-tiny').numLayers` → 2. */
export function loadConfig(dir: string): LlamaConfig {
  const file = path.join(dir, 'config.json');
  return parseConfig(readJsonObject(file) as Json, file);
}
