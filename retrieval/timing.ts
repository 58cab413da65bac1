/**
 * Retrieval timing (paper IV-C): at the first non-whitespace token of a line, the next token is hard to predict from
 * the context, so retrieval runs only with probability p there. A seeded generator keeps runs reproducible.
 *
 * Example:
 *   isLineStart([id('x'), id(':\n'), id('    ')], texts)  // true: the text ends with a newline plus indentation
 *   const rand = seededRandom(42); rand()             // 0.6011... , the same on every run
 */

/**
 * Does the decoded context end with a newline followed by optional spaces/tabs (or is it empty), so that the next
 * token is the first non-whitespace token of a line? Reads token texts backwards until it can decide.
 * Example (texts[1] = 'x', texts[2] = '\n', texts[3] = '  '): [1, 2, 3] → true; [2, 1] → false.
 */
export function isLineStart(context: ArrayLike<number>, tokenTexts: string[]): boolean {
  for (let i = context.length - 1; i >= 0; i--) {
    const text = tokenTexts[context[i]] ?? '';
    for (let j = text.length - 1; j >= 0; j--) {
      const ch = text[j];
      if (ch === '\n') return true;
      if (ch !== ' ' && ch !== '\t' && ch !== '\r') return false;
    }
  }
  return true;
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
