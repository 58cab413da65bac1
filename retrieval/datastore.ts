/**
 * A datastore (D_r or D_c): the token stream of many documents, its suffix array and the document table, in
 * SharedArrayBuffer-backed arrays so worker threads can search it without a copy. Built from text with the model's
 * tokenizer, or from token streams; saved and loaded with `datastore-file.ts`.
 *
 * Example:
 *   const { datastore } = await buildDatastore(['repo/'], { tokenizer, vocabSize: 32256, tokenizerHash: hash });
 *   datastore.search(context, { nMax: 16, nMin: 2, k: 5000, span: 10 })  // { matchLength, matchCount, continuations }
 */
import { buildSuffixArray, searchSuffixArray, SearchOptions, SEPARATOR, SuffixMatch } from './suffix-array';
import { LoadExpectations, readDatastoreFile, writeDatastoreFile } from './datastore-file';
import { TokenizePool, TokenizerFactory } from './tokenize-pool';
import { CorpusOptions, CorpusStats, DEFAULT_CORPUS_OPTIONS, newCorpusStats, readCorpus } from './corpus';

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

  /** Longest-suffix search of `context` (see `searchSuffixArray`). */
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

/** Progress of a build, reported after each file. */
export interface BuildProgress {
  files: number;
  tokens: number;
  bytes: number;
}

export interface BuildOptions extends Partial<CorpusOptions> {
  tokenizer: TextTokenizer; // used in this thread when `workers` is not given
  workers?: { tokenizer: TokenizerFactory; threads: number }; // tokenize in worker threads instead
  vocabSize: number;
  tokenizerHash: string;
  onProgress?: (p: BuildProgress) => void;
}

export interface BuildStats extends CorpusStats {
  tokens: number;
  tokenizeSeconds: number; // reading + tokenizing
  suffixArraySeconds: number;
}

/**
 * Read `sources` (directories, files, `.tar(.gz)` archives), tokenize every document and build the datastore.
 * Token ids >= vocabSize are an error naming the document.
 */
export async function buildDatastore(sources: string[], options: BuildOptions): Promise<{ datastore: Datastore; stats: BuildStats }> {
  const corpus = { ...DEFAULT_CORPUS_OPTIONS, ...options };
  const stats = newCorpusStats();
  const progress: BuildProgress = { files: 0, tokens: 0, bytes: 0 };
  const t0 = performance.now();
  const docs: { path: string; tokens: ArrayLike<number> }[] = [];
  const add = (docPath: string, text: string, tokens: ArrayLike<number>) => {
    checkIds(tokens, options.vocabSize, docPath);
    docs.push({ path: docPath, tokens });
    progress.files++;
    progress.tokens += tokens.length;
    progress.bytes += Buffer.byteLength(text);
    options.onProgress?.(progress);
  };
  const corpusDocs = readCorpus(sources, corpus, stats);
  if (options.workers) await tokenizeInWorkers(corpusDocs, options.workers, add);
  else for await (const doc of corpusDocs) add(doc.path, doc.text, options.tokenizer.encode(doc.text));
  const t1 = performance.now();
  const datastore = datastoreFromDocuments(docs, options.vocabSize, options.tokenizerHash);
  const t2 = performance.now();
  return {
    datastore,
    stats: { ...stats, tokens: datastore.tokenCount, tokenizeSeconds: (t1 - t0) / 1000, suffixArraySeconds: (t2 - t1) / 1000 },
  };
}

/** Tokenize in a pool, keeping document order and a bounded number of documents in flight. */
async function tokenizeInWorkers(
  docs: AsyncIterable<{ path: string; text: string }>,
  workers: { tokenizer: TokenizerFactory; threads: number },
  add: (path: string, text: string, tokens: Int32Array) => void,
): Promise<void> {
  const pool = new TokenizePool(workers.tokenizer, workers.threads);
  const queue: { path: string; text: string; ids: Promise<Int32Array> }[] = [];
  const take = async () => {
    const d = queue.shift()!;
    const ids = await d.ids.catch((e: Error) => {
      throw new Error(`${d.path}: ${e.message}`);
    });
    add(d.path, d.text, ids);
  };
  try {
    for await (const doc of docs) {
      const ids = pool.encode(doc.text);
      ids.catch(() => undefined); // handled when its turn comes; never an unhandled rejection meanwhile
      queue.push({ ...doc, ids });
      while (queue.length > 8 * workers.threads) await take();
    }
    while (queue.length) await take();
  } finally {
    await pool.close();
  }
}

function checkIds(tokens: ArrayLike<number>, vocabSize: number, docPath: string): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!(t >= 0 && t < vocabSize)) throw new Error(`${docPath}: tokenizer produced id ${t}, outside the vocabulary [0, ${vocabSize})`);
  }
}

/** Save to `file` in the versioned format of `datastore-file.ts`. Example: saveDatastore(ds, "dc.fcds"); loadDatastore("dc.fcds"). */
export function saveDatastore(ds: Datastore, file: string): void {
  writeDatastoreFile(file, ds);
}

/**
 * Load and verify a saved datastore; pass the model's vocab size and tokenizer hash to reject a mismatched index.
 * Example: loadDatastore('dc.fcds', { vocabSize: 32256, tokenizerHash: tokenizerHash('models/tiny-coder-dsc') })
 */
export function loadDatastore(file: string, expect: LoadExpectations = {}): Datastore {
  const p = readDatastoreFile(file, expect);
  return new Datastore(p.vocabSize, p.tokenizerHash, p.tokens, p.sa, p.documents);
}
