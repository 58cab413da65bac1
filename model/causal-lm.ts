/**
 * The contract between a target model and the decoder (`src/`): a forward pass over new tokens, with explicit
 * position ids and tree mask, on top of a KV cache that only grows by `commit`.
 *
 * Implemented by the tfjs Llama (`model/llama.ts`) and by the scripted oracle target (`src/decode/oracle.ts`).
 *
 * Example (greedy chain, t0 not yet cached, one draft token d):
 *   const logits = await lm.forward([t0, d], [lm.cacheLength, lm.cacheLength + 1]); // causal between the two
 *   // row 0 predicts the token after t0; if it equals d, keep both:
 *   lm.commit([0, 1]);
 */
export interface CausalLM {
  /** Length of one logits row. */
  readonly vocabSize: number;
  /** End-of-sequence ids of this model (config.json's `eos_token_id`; empty when it names none). */
  readonly eosIds: readonly number[];
  /** Positions the model was trained for (config.json's `max_position_embeddings`); absent: no limit. */
  readonly maxPositions?: number;
  /** Committed KV entries; the next chain token sits at this position. */
  readonly cacheLength: number;
  /**
   * Logits `[n × vocabSize]`, row-major, for n new tokens at `positions`. Every committed entry is visible to every new
   * token; among the new tokens, `treeMask` (`[n × n]` row-major, 1 = row may attend to column) decides, default causal.
   * The new K/V are held pending until the next `commit`; a second forward without commit drops them.
   */
  forward(tokens: ArrayLike<number>, positions: ArrayLike<number>, treeMask?: Uint8Array): Promise<Float32Array>;
  /**
   * `forward` without the logits: runs the layers (same K/V made pending) and keeps the last forward's final hidden
   * states, so that `logits(rows)` can compute only the rows that are read. Greedy verification reads just the rows on
   * the accepted path, and prefill only the last one; for a small model the lm_head over 65 tree rows costs as much as
   * all its layers (tiny-coder-dsc: [65 × 256] · [256 × 32256]).
   */
  forwardHidden(tokens: ArrayLike<number>, positions: ArrayLike<number>, treeMask?: Uint8Array): Promise<void>;
  /**
   * Logits `[rows.length × vocabSize]` of the given rows (indices into the last forward's tokens, in that order),
   * equal to those rows of `forward`'s result; callable any number of times until the next commit, forward or reset.
   * Example: after `forwardHidden([a, b, c], ...)`, `logits([2])` is row 2.
   */
  logits(rows: ArrayLike<number>): Promise<Float32Array>;
  /**
   * The argmax (greedy token) of each given row, like `argmaxRow` of those rows of `logits(rows)` but computed where
   * the logits are, so that only the ids are read back: one read for any number of rows.
   * Example: after `forwardHidden([a, b, c], ...)`, `argmax([0, 2])` → Int32Array [next after a, next after c].
   */
  argmax(rows: ArrayLike<number>): Promise<Int32Array>;
  /**
   * How greedy verification should ask for argmaxes (`acceptOnModel` in greedy.ts): 'path' = one row at a time, only
   * the rows on the accepted path (fewest lm_head rows; where a read is cheap, as on a CPU), 'all' = every row of the
   * forward in one call (one read per step; where a read is dear and extra rows nearly free, as on a GPU).
   */
  readonly verifyRows: 'path' | 'all';
  /** Append the pending K/V of the last forward's tokens at indices `keep` (in that order) to the cache; drop the rest. */
  commit(keep: ArrayLike<number>): void;
  /** Truncate the committed cache to its first `length` entries. */
  rollback(length: number): void;
  /** Empty the cache (start a new sequence). */
  reset(): void;
  /** Free everything the model holds (weights, cache); the object is unusable afterwards. */
  dispose(): void;
}
