/**
 * Retrieval timing (paper IV-C): at the first non-whitespace token of a line, the next token is hard to predict from
 * the context, so retrieval runs only with probability p there. A seeded generator keeps runs reproducible.
 *
 * Example:
 *   isLineStart([id('x'), id(':\n'), id('    ')], texts)  // true: the line so far is indentation
 *   const rand = seededRandom(42); rand()             // 0.6011... , the same on every run
 */

/**
 * Is the line so far non-empty indentation (spaces/tabs after the last newline, or from the start of the text), so that
 * the next token is the line's first non-whitespace token? Reads token texts backwards until it can decide.
 *
 * Of the two readings of "the first non-whitespace token of a line" this is the one that also fires in the
 * independent reference implementation (`../shared/reference/oracle`): byte-level BPE tokenizers such as DeepSeek-Coder's
 * write indentation as its own token ('\n', '   ', ' return'), so right after a newline the next token is usually the
 * indentation, which is easy to predict; only an unindented line's first token is missed.
 * Example (texts[1] = 'x', texts[2] = '\n', texts[3] = '  '): [1, 2, 3] → true; [1, 2] → false; [2, 1] → false.
 */
export function isLineStart(context: ArrayLike<number>, tokenTexts: string[]): boolean {
  let indent = 0;
  for (let i = context.length - 1; i >= 0; i--) {
    const text = tokenTexts[context[i]] ?? '';
    for (let j = text.length - 1; j >= 0; j--) {
      const ch = text[j];
      if (ch === '\n') return indent > 0;
      if (ch === ' ' || ch === '\t') indent++;
      else if (ch !== '\r') return false;
    }
  }
  return indent > 0;
}

/**
 * The coin seed of one generation: the run's seed mixed with an FNV-1a hash of the prompt's token ids, so that every
 * prompt draws its own deterministic coins (one seed for all tasks would give every task the same first coins).
 * Example: generationSeed(0, [1, 2]) !== generationSeed(0, [1, 3]); generationSeed(0, [1, 2]) is the same on every run.
 */
export function generationSeed(seed: number, prompt: ArrayLike<number>): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < prompt.length; i++) {
    const t = prompt[i] >>> 0;
    for (let b = 0; b < 32; b += 8) h = Math.imul(h ^ ((t >>> b) & 0xff), 0x01000193) >>> 0;
  }
  return h;
}

/** Uniform [0, 1) generator (mulberry32) from a 32-bit seed. Example: two generators with seed 1 give equal streams. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
