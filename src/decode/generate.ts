/**
 * `generate`: greedy decoding with retrieval drafts, verified losslessly. Each step:
 *   retrieve → weighted Trie → one forward over [root + draft tree] with the tree mask and position ids → accept the
 *   longest path equal to the argmax chain, plus the bonus token → commit those K/V → feed back to the retriever.
 * Every mode returns exactly the tokens of `ar` (plain greedy, one token per forward); only the speed differs.
 *
 * Example:
 *   const model = await loadModel('models/tiny-coder-dsc'); const tok = loadTokenizer('models/tiny-coder-dsc');
 *   const r = await generate(model, tok, 'def fib(n):', { mode: 'pld', maxNewTokens: 64 });
 *   r.text, r.metrics.acceptance
 */
import type { CausalLM } from '../../model/causal-lm';
import { acceptOnModel, type ModelAcceptance } from '../../model/greedy';
import type { Tokenizer } from '../../model/tokenizer';
import type { StepFeedback } from '../../retrieval/types';
import { verifyInputs, type DraftTree } from '../../trie/draft-tree';
import { acceptedTokens, draftTrace, tokenInLine } from '../trace/step';
import type { GenerationMetrics, StepTiming, StepTrace, TraceHeader } from '../trace/types';
import { openBudget } from './budget';
import { type Draft, openDrafter } from './drafter';
import { MetricsAccumulator } from './metrics';
import { type GenerateOptions, type ResolvedOptions, resolveOptions } from './options';
import { DEFAULT_PROMPT_LOOKUP } from './prompt-lookup';
import { StopCondition, type StopReason } from './stop';

export { ABLATIONS, MODES, PLUS_ABLATIONS, type AblationRow, type GenerateOptions, type Mode } from './options';

export interface GenerationResult {
  tokens: number[]; // generated ids only (an EOS that stopped generation included)
  text: string; // decoded generated text, special tokens skipped
  stopReason: StopReason;
  metrics: GenerationMetrics;
}

const now = (): number => performance.now();

/** Generate a continuation of `prompt` (text, or token ids used as given) with `options.mode`. */
export async function generate(model: CausalLM, tokenizer: Tokenizer, prompt: string | number[], options: GenerateOptions): Promise<GenerationResult> {
  const opts = resolveOptions(options, DEFAULT_PROMPT_LOOKUP);
  const promptIds = promptTokens(model, tokenizer, prompt, opts);
  const texts = opts.onStep !== undefined || opts.trace !== undefined ? tokenizer.tokenTexts() : null; // only a trace reads them
  opts.trace?.write(traceHeader(opts, promptIds, tokenizer));

  const drafter = openDrafter(opts, tokenizer);
  // the caller's policy (`stepBudget`), else a fixed size or `auto`, the tree size chosen per step (ar drafts nothing: no calibration for it)
  const budget = opts.stepBudget ?? (await openBudget(opts.mode === 'ar' ? 0 : opts.budget, model, opts.costProfile, opts.label));
  const positionRoom = (model.maxPositions ?? Infinity) - promptIds.length; // new tokens that still have a position
  const stop = new StopCondition({ eosIds: eosIdsOf(model, tokenizer, opts), stop: opts.stop, maxNewTokens: opts.maxNewTokens, positionRoom }, (ids) => tokenizer.decode(ids));
  const context = new TokenBuffer(promptIds); // prompt + generated; the last token is the root, not yet in the KV cache
  const metrics = new MetricsAccumulator();
  let stopReason: StopReason | null = stop.atStart();
  let start = now();
  let prefillMs = 0;
  try {
    await drafter.begin(Int32Array.from(promptIds)); // set-up (worker threads of parallel search), not timed
    start = now();
    await prefill(model, promptIds);
    prefillMs = now() - start;
    for (let step = 0; stopReason === null; step++) {
      const t0 = now();
      const drafted = await budget.draft(drafter, context.view()); // retrieve → Trie (auto: not while drafting does not pay)
      const { tree, batch, expected } = budget.trim(drafted.tree);
      const draft = { ...drafted, tree };
      const t1 = now();
      const acc = await verify(model, context.last(), tree, batch); // one forward over [root + tree], greedy acceptance
      const t2 = now();
      model.commit(acc.rows); // the K/V of the root and the accepted path
      budget.observe(drafted.tree, acc.tokens);
      const t3 = now();
      const { kept, reason } = stop.pushAll(acc.tokens);
      stopReason = reason;
      const contextLength = context.size;
      context.append(acc.tokens, kept);
      drafter.update(feedback(context, promptIds.length, kept, acc)); // feed back to the retriever's cache
      const timing = { retrieveMs: draft.retrieveMs, trieMs: draft.trieMs, forwardMs: t2 - t1, commitMs: t3 - t2, otherMs: t1 - t0 - draft.retrieveMs - draft.trieMs + (now() - t3) };
      const trace = stepTrace(step, contextLength, context, draft, acc, kept, timing, texts, expected);
      metrics.add(trace);
      opts.onStep?.(trace);
      opts.trace?.write(trace);
    }
  } finally {
    await drafter.close();
  }
  const tokens = Array.from(context.view().subarray(promptIds.length));
  const result: GenerationResult = { tokens, text: tokenizer.decode(tokens), stopReason, metrics: metrics.finish(tokens.length, now() - start, prefillMs) };
  opts.trace?.write({ kind: 'summary', tokens, text: result.text, stopReason, metrics: result.metrics });
  return result;
}

/**
 * One verification forward over [root + tree] with the tree mask and position ids, then greedy acceptance with the
 * argmaxes computed by the model: the first `batch` rows at once and the rest of the accepted path row by row (`auto`
 * picks `batch` per step), else as the model reads: only the rows on the accepted path on a CPU (the lm_head is most of
 * a small model's tree forward), all rows in one read on a GPU (`CausalLM.verifyRows`).
 */
async function verify(model: CausalLM, root: number, tree: DraftTree, batch: number | undefined): Promise<ModelAcceptance> {
  const inputs = verifyInputs(root, model.cacheLength, tree);
  await model.forwardHidden(inputs.tokens, inputs.positions, inputs.mask);
  return acceptOnModel(model, tree.tokens, tree.parents, batch);
}

/** What the retriever learns from a step: the context so far and how many of the `kept` tokens came from the draft. */
function feedback(context: TokenBuffer, generatedStart: number, kept: number, acc: ModelAcceptance): StepFeedback {
  return { tokens: context.view(), generatedStart, appended: kept, fromDraft: Math.min(acc.nodes.length, kept) };
}

/** The step's trace (`StepTrace`); token texts and sources only when someone reads the trace (`texts` given). */
function stepTrace(step: number, contextLength: number, context: TokenBuffer, draft: Draft, acc: ModelAcceptance, kept: number, timing: StepTiming, texts: string[] | null, expected: number[] | undefined): StepTrace {
  return {
    kind: 'step',
    step,
    contextLength,
    tokenInLine: texts ? tokenInLine(context.view().subarray(0, contextLength), texts) : 0,
    retrieval: draft.retrieval,
    draft: draftTrace(draft.tree),
    accepted: texts ? acceptedTokens(draft.tree, acc.nodes, acc.tokens, kept, (t) => texts[t] ?? '') : [],
    batch: acc.batch,
    ...(expected ? { expected } : {}),
    timing,
  };
}

/**
 * Prompt + generated tokens in one growing Int32Array, so that a step hands the drafter and the retriever a view
 * (O(1)) instead of a copy of the whole context. A view stays valid: tokens are only appended, and a reallocation
 * leaves the old array as it was.
 *
 * Example: const b = new TokenBuffer([1, 2]); b.append([3, 4, 5], 2); b.view() → Int32Array [1, 2, 3, 4]; b.last() → 4
 */
class TokenBuffer {
  private data: Int32Array;
  private length: number;

  constructor(initial: number[]) {
    this.data = new Int32Array(Math.max(16, 2 * initial.length));
    this.data.set(initial);
    this.length = initial.length;
  }

  /** The first `count` of `tokens` appended (capacity doubles when full). */
  append(tokens: number[], count: number): void {
    if (this.length + count > this.data.length) {
      const grown = new Int32Array(Math.max(2 * this.data.length, this.length + count));
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    for (let i = 0; i < count; i++) this.data[this.length++] = tokens[i];
  }

  /** The tokens so far, as a view (no copy). */
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }

  last(): number {
    return this.data[this.length - 1];
  }

  get size(): number {
    return this.length;
  }
}

/** Token ids of the prompt, checked against the model's vocabulary. */
function promptTokens(model: CausalLM, tokenizer: Tokenizer, prompt: string | number[], opts: ResolvedOptions): number[] {
  const ids = typeof prompt === 'string' ? tokenizer.encode(prompt, { addSpecialTokens: opts.addSpecialTokens }) : prompt;
  if (ids.length === 0) throw new Error('generate: the prompt has no tokens');
  const bad = ids.findIndex((t) => !Number.isInteger(t) || t < 0 || t >= model.vocabSize);
  if (bad >= 0) throw new Error(`generate: prompt token ${ids[bad]} at index ${bad} is not in 0..${model.vocabSize - 1}`);
  if (model.maxPositions !== undefined && ids.length > model.maxPositions) {
    throw new Error(`generate: the prompt has ${ids.length} tokens, more than the model's ${model.maxPositions} positions (max_position_embeddings); keep its last tokens (--max-prompt-tokens)`);
  }
  return ids;
}

/**
 * Run the prompt minus its last token through the model, `PREFILL_CHUNK` tokens per forward, and cache it; the last
 * token is the first step's root. In one pass a 10k-token prompt needed [heads × 10k × 10k] attention scores and
 * aborted the process; a chunk sees the cache so far plus itself, so the result is the same.
 */
async function prefill(model: CausalLM, prompt: number[]): Promise<void> {
  model.reset();
  for (let start = 0; start < prompt.length - 1; start += PREFILL_CHUNK) {
    const end = Math.min(start + PREFILL_CHUNK, prompt.length - 1);
    await model.forwardHidden(prompt.slice(start, end), Array.from({ length: end - start }, (_, i) => start + i));
    model.commit(Array.from({ length: end - start }, (_, i) => i));
  }
}

/** Prompt tokens per prefill forward: attention scores stay [heads × 256 × context]. */
export const PREFILL_CHUNK = 256;

/** EOS ids: the option, else the model's (its config.json is authoritative), else the tokenizer's. */
function eosIdsOf(model: CausalLM, tokenizer: Tokenizer, opts: ResolvedOptions): readonly number[] {
  if (opts.eosIds) return opts.eosIds;
  return model.eosIds.length > 0 ? model.eosIds : tokenizer.eosIds;
}

/** The trace's first line: the options in effect (datastores and callbacks by presence only). */
function traceHeader(opts: ResolvedOptions, promptIds: number[], tokenizer: Tokenizer): TraceHeader {
  const { repoIndex, commonIndex, retriever, onStep, trace, label, sessionCache, stepBudget, ...plain } = opts;
  const options = {
    ...plain,
    repoIndex: repoIndex !== undefined,
    commonIndex: commonIndex !== undefined,
    retriever: retriever !== undefined,
    onStep: onStep !== undefined,
    stepBudget: stepBudget !== undefined,
    cacheScope: sessionCache ? 'session' : 'generation',
    sessionCacheSequences: sessionCache?.size ?? null, // sequences the session cache held when this generation began
  };
  return { kind: 'header', mode: label, options, promptTokens: promptIds, promptText: tokenizer.decode(promptIds, { skipSpecialTokens: false }) };
}
