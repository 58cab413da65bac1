/** Test helpers for the decoder: a character tokenizer and a scripted retriever. */
import type { Tokenizer } from '../../model/tokenizer';
import { ListTree, sourceResult as stamped } from '../../retrieval/continuations';
import type { RetrievalResult, Retriever, SourceResult, StepFeedback, DraftSource } from '../../retrieval/types';

/** Id i decodes to ALPHABET[i % len]; id 0 is EOS (decodes to '' when skipping specials). */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz \n():=';

export function charTokenizer(vocabSize: number): Tokenizer {
  const text = (id: number): string => (id === 0 ? '</s>' : ALPHABET[id % ALPHABET.length]);
  return {
    dir: '(test)',
    bosId: null,
    eosIds: [0],
    vocabSize,
    encode: (s) => Array.from(s, (ch) => ALPHABET.indexOf(ch) + ALPHABET.length),
    decode: (ids, o = {}) => Array.from(ids, (id) => (id === 0 && (o.skipSpecialTokens ?? true) ? '' : text(id))).join(''),
    tokenTexts: () => Array.from({ length: vocabSize }, (_, id) => text(id)),
  };
}

export function decision(): RetrievalResult['decision'] {
  return { cacheActive: false, cacheHit: false, lineStart: false, coin: null, skipped: false, missingTableHit: false, parallel: false, ms: 0 };
}

/** One source result from plain arrays. */
export function sourceResult(source: DraftSource, continuations: [number[], number][]): SourceResult {
  const tree = new ListTree(continuations.map(([tokens, count]) => ({ tokens, count })));
  return stamped(source, { matchLength: continuations.length > 0 ? 1 : 0, matchCount: tree.count, tree }, 0);
}

/** A retriever answering from a function of the context, recording every call. */
export class ScriptedRetriever implements Retriever {
  readonly contexts: number[][] = [];
  readonly feedback: StepFeedback[] = [];
  begun = 0;
  closed = 0;
  constructor(private readonly answer: (context: Int32Array) => SourceResult[]) {}
  begin(): void {
    this.begun++;
  }
  async retrieve(context: Int32Array): Promise<RetrievalResult> {
    this.contexts.push(Array.from(context));
    return { results: this.answer(context), decision: decision() };
  }
  update(f: StepFeedback): void {
    this.feedback.push({ ...f, tokens: f.tokens.slice() });
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

