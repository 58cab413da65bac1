/**
 * Run metrics (`GenerationMetrics` in `src/trace/types.ts`): L, F, L/F, ms/token, the time split, retrieval counters, and the
 * speedup against an `ar` run of the same prompt.
 */
import type { GenerationMetrics, StepTiming, StepTrace } from '../trace/types';

/** All-zero timings. Example: zeroTiming().forwardMs → 0 */
export function zeroTiming(): StepTiming {
  return { retrieveMs: 0, trieMs: 0, forwardMs: 0, commitMs: 0, otherMs: 0 };
}

/** Accumulates per-step figures into `GenerationMetrics`. */
export class MetricsAccumulator {
  private readonly time = zeroTiming();
  private forwards = 0;
  private retrievals = 0;
  private cacheHits = 0;
  private skippedByTiming = 0;
  private missingTableHits = 0;

  /** Count one verification step. Example: add(step) after each forward. */
  add(step: Pick<StepTrace, 'timing' | 'retrieval'>): void {
    this.forwards++;
    for (const k of Object.keys(this.time) as (keyof StepTiming)[]) this.time[k] += step.timing[k];
    const d = step.retrieval?.decision;
    if (!d) return;
    this.retrievals++;
    if (d.cacheHit) this.cacheHits++;
    if (d.skipped) this.skippedByTiming++;
    if (d.missingTableHit) this.missingTableHits++;
  }

  /**
   * The totals. Example: 10 tokens in 4 forwards, wall 130 ms with 30 ms prefill →
   *   { generated: 10, forwards: 4, acceptance: 2.5, msPerToken: 10, ... }
   */
  finish(generated: number, wallMs: number, prefillMs: number): GenerationMetrics {
    return {
      generated,
      forwards: this.forwards,
      acceptance: this.forwards > 0 ? generated / this.forwards : 0,
      wallMs,
      prefillMs,
      msPerToken: generated > 0 ? (wallMs - prefillMs) / generated : 0,
      time: { ...this.time },
      retrievals: this.retrievals,
      cacheHits: this.cacheHits,
      skippedByTiming: this.skippedByTiming,
      missingTableHits: this.missingTableHits,
    };
  }
}

/**
 * Speedup of a run against an `ar` run of the same prompt: ar ms/token ÷ this run's ms/token.
 *
 * Example: speedup({ msPerToken: 10, ... }, { msPerToken: 25, ... }) → 2.5
 */
export function speedup(run: GenerationMetrics, ar: GenerationMetrics): number {
  if (!(run.msPerToken > 0) || !(ar.msPerToken > 0)) throw new Error('speedup: both runs need generated tokens and a positive ms/token');
  return ar.msPerToken / run.msPerToken;
}

/**
 * First index where two token sequences differ (-1 if equal): counts lossless-ness violations, e.g. an argmax flipped by
 * floating-point reduction order in a tree forward against the single-token forward of `ar`.
 *
 * Example: firstDivergence([1, 2, 3], [1, 2, 4]) → 2; firstDivergence([1, 2], [1, 2, 3]) → 2; equal → -1
 */
export function firstDivergence(tokens: ArrayLike<number>, reference: ArrayLike<number>): number {
  const n = Math.min(tokens.length, reference.length);
  for (let i = 0; i < n; i++) if (tokens[i] !== reference[i]) return i;
  return tokens.length === reference.length ? -1 : n;
}
