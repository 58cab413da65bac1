/**
 * Building a datastore from text: read the corpus (directories, files, `.tar(.gz)`), tokenize each document (in this
 * thread or in worker threads), check the ids and build the suffix array.
 *
 * Example:
 *   const { datastore, stats } = await buildDatastore(['repo/'], { tokenizer, vocabSize: 32256, tokenizerHash: hash });
 */
import { Datastore, datastoreFromDocuments, TextTokenizer } from '../datastore';
import { CorpusOptions, CorpusStats, DEFAULT_CORPUS_OPTIONS, newCorpusStats, readCorpus } from './corpus';
import { TokenizePool, TokenizerFactory } from './tokenize-pool';

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

