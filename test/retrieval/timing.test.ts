import { generationSeed, isLineStart, seededRandom } from '../../retrieval/timing';

// Hand-made token texts, as tokenTexts() would give them for a byte-level BPE.
const texts = ['x', '\n', '  ', ':\n', '\t', 'def', ' ', '\n    ', 'a\n  b', '\r\n'];

describe('isLineStart', () => {
  test.each([
    [[0, 1], false], // "x\n": the next token is usually indentation
    [[0, 1, 2], true], // "x\n  "
    [[3, 4], true], // ":\n\t"
    [[5, 6], false], // "def "
    [[1, 0], false], // "\nx"
    [[7], true], // "\n    "
    [[8], false], // "a\n  b"
    [[0, 9], false], // "x\r\n"
    [[], false], // start of text: no indentation
    [[2, 6], true], // "   " at the start of the text
    [[1, 1, 2], true], // "\n\n  ": indentation after an empty line
    [[0, 1, 6, 0], false], // "x\n x"
  ])('%j → %s', (ids, want) => expect(isLineStart(ids, texts)).toBe(want));
});

describe('seededRandom', () => {
  test('reproducible, seed-dependent, uniform-looking', () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    const xs = Array.from({ length: 10000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(seededRandom(6)()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
  });
});

describe('generationSeed', () => {
  test('deterministic, and different for another seed, another token, another order or length', () => {
    const base = generationSeed(0, [1, 2, 3]);
    expect(generationSeed(0, Int32Array.from([1, 2, 3]))).toBe(base);
    for (const [seed, prompt] of [[1, [1, 2, 3]], [0, [1, 2, 4]], [0, [3, 2, 1]], [0, [1, 2]], [0, [1, 2, 3, 0]], [0, [1 + 256, 2, 3]]] as const) {
      expect(generationSeed(seed, prompt)).not.toBe(base);
    }
    expect(Number.isInteger(base) && base >= 0 && base < 2 ** 32).toBe(true);
  });
});
