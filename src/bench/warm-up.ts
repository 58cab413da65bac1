/**
 * Untimed warm-up before anything is timed: the first generation in a process pays for wasm kernel set-up, first
 * allocations and JIT tiering (ar on the first bench task ran 34.7 ms/token against a median of 6.2, and
 * `generate --mode ar --compare-ar` reported ar 0.50× against itself). A short generation in each mode to be timed,
 * with nothing traced and no session cache touched, takes those costs out of the figures.
 *
 * Example:
 *   await warmUp(model, tokenizer, promptIds, [{ mode: 'ar' }, { mode: 'fastcoder', commonIndex }]);
 *   const timed = await generate(model, tokenizer, promptIds, { mode: 'fastcoder', commonIndex });
 */
import type { CausalLM } from '../../model/causal-lm';
import type { Tokenizer } from '../../model/tokenizer';
import { generate, type GenerateOptions } from '../decode/generate';

/** Tokens generated per warm-up run: enough steps for every forward shape (prefill, 1-token, tree) to have run. */
export const WARM_UP_TOKENS = 16;

/** One short, untimed, untraced generation of `prompt` per entry of `runs`. */
export async function warmUp(model: CausalLM, tokenizer: Tokenizer, prompt: string | number[], runs: GenerateOptions[]): Promise<void> {
  for (const o of runs) {
    const maxNewTokens = Math.min(WARM_UP_TOKENS, o.maxNewTokens ?? WARM_UP_TOKENS);
    await generate(model, tokenizer, prompt, { ...o, maxNewTokens, trace: undefined, onStep: undefined, sessionCache: undefined });
  }
}
