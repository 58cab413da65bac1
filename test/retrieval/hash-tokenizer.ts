/** A stateless word tokenizer for worker tests: each word, space or symbol → FNV-1a hash mod vocabSize. */
export function hashTokenizer(vocabSize: number, failOn?: string) {
  return {
    encode(text: string): number[] {
      if (failOn !== undefined && text.includes(failOn)) throw new Error(`cannot tokenize '${failOn}'`);
      return (text.match(/\w+|\s|[^\w\s]/g) ?? []).map((w) => {
        let h = 0x811c9dc5;
        for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193) >>> 0;
        return h % vocabSize;
      });
    },
  };
}
