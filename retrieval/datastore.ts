/**
 * A datastore (D_r or D_c): the token stream of many documents, its suffix array and the document table, in
 * SharedArrayBuffer-backed arrays so worker threads can search it without a copy. Built from text with the model's
 * tokenizer, or from token streams; saved and loaded with `datastore-file.ts`.
 *
 * Example:
 *   const { datastore } = await buildDatastore(['repo/'], { tokenizer, vocabSize: 32256, tokenizerHash: hash });
 *   datastore.match(context, { nMax: 16, nMin: 2, k: 5000, span: 10 })   // { matchLength, matchCount, tree }
 *   datastore.search(context, { nMax: 16, nMin: 2, k: 5000, span: 10 })  // { matchLength, matchCount, continuations }
 */
import { buildSuffixArray, findMatch, searchSuffixArray, SearchOptions, SEPARATOR, suffixTreeMatch, SuffixMatch, SuffixRange } from './suffix-array';
import type { TreeMatch } from './types';

/** One document of the stream. */
export interface DocumentEntry {
  path: string; // as read (relative to the directory, or inside the archive)
  start: number; // index of its first token in `tokens`
  length: number; // its token count (the separator after it not included)
}

/** Anything that turns text into token ids without special tokens (e.g. `model/tokenizer.ts`'s Tokenizer). */
export interface TextTokenizer {
  encode(text: string): number[];
}

/** A searchable token datastore. */
export class Datastore {
  constructor(
    readonly vocabSize: number, // the model's vocab_size: every id is < this
    readonly tokenizerHash: string, // hex sha256 of the tokenizer files (see tokenizer-hash.ts)
    readonly tokens: Int32Array, // documents, each followed by SEPARATOR; SharedArrayBuffer-backed
    readonly sa: Int32Array, // suffix array of `tokens`; SharedArrayBuffer-backed
    readonly documents: DocumentEntry[],
  ) {}

  /** Token count, separators excluded. Example: docs [5 6] and [5] → 3. */
  get tokenCount(): number {
    return this.tokens.length - this.documents.length;
  }

  /** Longest-suffix search of `context`, its continuations as a tree read from the suffix array (see `findMatch`). */
  match(context: Int32Array, opts: SearchOptions): TreeMatch {
    return this.treeMatch(findMatch(this.tokens, this.sa, context, opts), opts.span);
  }

  /** The match at `range` of this datastore's suffix array (e.g. found by a search worker), with its tree. */
  treeMatch(range: SuffixRange, span: number): TreeMatch {
    return suffixTreeMatch(this.tokens, this.sa, range, span);
  }

  /** Longest-suffix search of `context` with the continuations listed (see `searchSuffixArray`). */
  search(context: Int32Array, opts: SearchOptions): SuffixMatch {
    return searchSuffixArray(this.tokens, this.sa, context, opts);
  }
}

/** An Int32Array of `n` elements over shared memory. Example: sharedInt32(3).buffer instanceof SharedArrayBuffer → true. */
export function sharedInt32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(n * 4));
}

/**
 * A datastore from token-id documents (ids in [0, vocabSize)).
 * Example: datastoreFromDocuments([{ path: 'a', tokens: [5, 6] }, { path: 'b', tokens: [5] }], 10, 'h').tokens
 *   → [5, 6, -1, 5, -1]
 */
export function datastoreFromDocuments(docs: { path: string; tokens: ArrayLike<number> }[], vocabSize: number, tokenizerHash: string): Datastore {
  const total = docs.reduce((n, d) => n + d.tokens.length + 1, 0);
  if (total >= 2 ** 31) throw new Error(`datastore of ${total} tokens exceeds the 2^31 limit of Int32 suffix arrays`);
  const tokens = sharedInt32(total);
  const documents: DocumentEntry[] = [];
  let at = 0;
  for (const d of docs) {
    tokens.set(d.tokens, at);
    documents.push({ path: d.path, start: at, length: d.tokens.length });
    at += d.tokens.length;
    tokens[at++] = SEPARATOR;
  }
  const sa = buildSuffixArray(tokens, vocabSize, sharedInt32(total));
  return new Datastore(vocabSize, tokenizerHash, tokens, sa, documents);
}
