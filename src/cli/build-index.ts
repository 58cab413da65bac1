/**
 * `fastcoder index --tokenizer <dir> --out <file> [--ext .py] [--exclude path:a-b] <paths...>`: build a datastore
 * (D_r from a repository, D_c from a corpus directory or .tar.gz) and save it.
 *
 * Example:
 *   fastcoder index --tokenizer models/tiny-coder-dsc --out dc.fcds cpython-3.11.7-lib.tar.gz
 *   // dc.fcds: 734 documents, 3,4xx,xxx tokens, skipped 0 (binary 0, non-UTF-8 0, oversized 0), ... s
 */
import * as fs from 'fs';
import * as os from 'os';
import { parseArgs } from 'util';
import { loadTokenizer, tokenizerFactory } from '../../model/tokenizer';
import { parseExclusion } from '../../retrieval/io/corpus';
import { buildDatastore, BuildProgress, type BuildStats } from '../../retrieval/io/build';
import { saveDatastore } from '../../retrieval/io/datastore-file';
import { configVocabSize, tokenizerHash } from '../../retrieval/io/tokenizer-hash';

const MAX_FILE_BYTES = 4 << 20; // tokenizers.js peaked at 1.5 GB on one 4 MB file; a larger one ran the heap out of memory
const MAX_THREADS = 32; // --threads 1000 reached 8.9 GB (~9 MB of tokenizer per thread)

const HELP = `usage: fastcoder index --tokenizer <dir> --out <file> [options] <paths...>

Build a retrieval datastore (token suffix array) from directories, files or .tar/.tar.gz archives.

options:
  --tokenizer <dir>       directory with tokenizer.json (and config.json for the vocab size)
  --out <file>            index file to write
  --ext <.py>             file extension to keep (repeatable; default .py; '' keeps every file)
  --exclude <p:a-b>       drop lines a..b (1-based, inclusive) of the file whose path ends with p (repeatable)
  --vocab-size <n>        the model's vocab size (default: vocab_size of <tokenizer>/config.json)
  --max-file-bytes <n>    skip larger files (default 1048576, at most ${MAX_FILE_BYTES}: the tokenizer needs ~350 bytes of
                          memory per byte of one file)
  --threads <n>           tokenizer worker threads (default: CPU count, at most 8; 1 = tokenize in this thread; at most
                          ${MAX_THREADS}: each thread holds its own tokenizer)
  -h, --help              this text`;

/** A positive integer flag at most `max`. Example: positiveInt('threads', '4', 32) → 4; ('threads', '1000', 32) throws. */
function positiveInt(flag: string, v: string, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${flag} '${v}': not a positive integer`);
  if (n > max) throw new Error(`--${flag} '${v}': at most ${max}`);
  return n;
}

/** Example: 'skipped 3 (binary 1, non-UTF-8 0, oversized 2)' */
function skippedLine(s: BuildStats): string {
  return `skipped ${s.skippedBinary + s.skippedNonUtf8 + s.skippedOversized} (binary ${s.skippedBinary}, non-UTF-8 ${s.skippedNonUtf8}, oversized ${s.skippedOversized})`;
}

function progressLine(p: BuildProgress, t0: number): string {
  const s = (performance.now() - t0) / 1000;
  return `\rindexing: ${p.files} files, ${p.tokens.toLocaleString('en-US')} tokens, ${(p.tokens / Math.max(s, 1e-3)).toFixed(0)} tokens/s`;
}

function vocabSizeFor(dir: string, flag: string | undefined): number {
  if (flag !== undefined) {
    const v = Number(flag);
    if (!Number.isInteger(v) || v <= 0) throw new Error(`--vocab-size '${flag}': not a positive integer`);
    return v;
  }
  const v = configVocabSize(dir);
  if (v === null) throw new Error(`${dir}/config.json not found: pass --vocab-size (the model's vocab_size)`);
  return v;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tokenizer: { type: 'string' },
      out: { type: 'string' },
      ext: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      'vocab-size': { type: 'string' },
      'max-file-bytes': { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.tokenizer || !values.out || positionals.length === 0) {
    console.error(`fastcoder index: --tokenizer, --out and at least one path are required\n\n${HELP}`);
    return 2;
  }
  const maxFileBytes = positiveInt('max-file-bytes', values['max-file-bytes'] ?? String(1 << 20), MAX_FILE_BYTES);
  const threads = positiveInt('threads', values.threads ?? String(Math.min(os.availableParallelism(), 8)), MAX_THREADS);
  if (fs.existsSync(values.out) && fs.statSync(values.out).isDirectory()) throw new Error(`--out ${values.out}: is a directory (give the index file to write, e.g. ${values.out}/index.fcds)`);
  const vocabSize = vocabSizeFor(values.tokenizer, values['vocab-size']);
  const tokenizer = loadTokenizer(values.tokenizer);
  const tty = process.stderr.isTTY;
  const t0 = performance.now();
  const { datastore, stats } = await buildDatastore(positionals, {
    tokenizer,
    vocabSize,
    tokenizerHash: tokenizerHash(values.tokenizer),
    extensions: (values.ext ?? ['.py']).filter((e) => e !== ''),
    exclude: (values.exclude ?? []).map(parseExclusion),
    maxFileBytes,
    workers: threads > 1 ? { tokenizer: tokenizerFactory(values.tokenizer), threads } : undefined,
    onProgress: tty ? (p) => process.stderr.write(progressLine(p, t0)) : undefined,
  });
  if (tty) process.stderr.write('\n');
  if (datastore.documents.length === 0) throw new Error(`no documents to index in ${positionals.join(', ')}: ${skippedLine(stats)}; nothing written (check the paths and --ext)`);
  saveDatastore(datastore, values.out);
  const seconds = (performance.now() - t0) / 1000;
  const indexBytes = fs.statSync(values.out).size;
  console.log(
    `${values.out}: ${datastore.documents.length} documents, ${stats.tokens.toLocaleString('en-US')} tokens, ${skippedLine(stats)}, ` +
      `excluded ${stats.excludedLines} lines, ${(stats.bytes / Math.max(stats.tokens, 1)).toFixed(2)} source bytes/token, ` +
      `${(indexBytes / Math.max(stats.tokens, 1)).toFixed(2)} index bytes/token, ${seconds.toFixed(1)} s ` +
      `(tokenize ${stats.tokenizeSeconds.toFixed(1)} s, suffix array ${stats.suffixArraySeconds.toFixed(1)} s)`,
  );
  return 0;
}
