/**
 * The text files a datastore is built from: directory trees, single files and `.tar` / `.tar.gz` archives, filtered
 * by extension, with binary, non-UTF-8 and oversized files skipped (counted, never fatal) and excluded line spans cut
 * out (so a benchmark's ground truth never lands in D_r).
 *
 * Example:
 *   const stats = newCorpusStats();
 *   for await (const doc of readCorpus(['repo/'], { extensions: ['.py'], exclude: [parseExclusion('a/b.py:10-20')] }, stats)) {
 *     doc.path   // 'a/b.py' (relative to repo/), doc.text without lines 10..20
 *   }
 */
import * as fs from 'fs';
import * as path from 'path';
import { readTarEntries } from './tar';

/** Lines [startLine, endLine] (1-based, inclusive) of the file whose path ends with `path`. */
export interface Exclusion {
  path: string;
  startLine: number;
  endLine: number;
}

export interface CorpusOptions {
  extensions: string[]; // e.g. ['.py']; an empty list keeps every file
  exclude: Exclusion[];
  maxFileBytes: number; // larger files are skipped as oversized
}

/** What was read and what was skipped, for the summary line. */
export interface CorpusStats {
  files: number; // documents yielded
  bytes: number; // their bytes (after exclusions)
  skippedBinary: number;
  skippedNonUtf8: number;
  skippedOversized: number;
  excludedLines: number; // lines removed by exclusions
}

/** One document: its path (relative to the directory given, or inside the archive) and its text. */
export interface CorpusDocument {
  path: string;
  text: string;
}

export const DEFAULT_CORPUS_OPTIONS: CorpusOptions = { extensions: ['.py'], exclude: [], maxFileBytes: 1 << 20 };

/** Zeroed stats. Example: newCorpusStats().files → 0. */
export function newCorpusStats(): CorpusStats {
  return { files: 0, bytes: 0, skippedBinary: 0, skippedNonUtf8: 0, skippedOversized: 0, excludedLines: 0 };
}

/**
 * Parse `path:startLine-endLine`. Example: parseExclusion('pkg/mod.py:12-30') → { path: 'pkg/mod.py', startLine: 12, endLine: 30 }.
 */
export function parseExclusion(spec: string): Exclusion {
  const m = /^(.+):(\d+)-(\d+)$/.exec(spec);
  if (!m) throw new Error(`--exclude '${spec}': expected path:startLine-endLine (e.g. pkg/mod.py:12-30)`);
  const startLine = Number(m[2]);
  const endLine = Number(m[3]);
  if (startLine < 1 || endLine < startLine) throw new Error(`--exclude '${spec}': need 1 <= startLine <= endLine`);
  return { path: m[1], startLine, endLine };
}

/** Does exclusion path `x` name document `p`? Same path, or `p` ends with '/' + x. Example: ('r/a/b.py', 'a/b.py') → true. */
function namesFile(p: string, x: string): boolean {
  const norm = (s: string) => s.split(path.sep).join('/').replace(/^\.\//, '');
  const a = norm(p);
  const b = norm(x);
  return a === b || a.endsWith('/' + b);
}

/**
 * Remove lines [startLine, endLine] (1-based, inclusive, each with its newline). Returns the text and how many lines
 * were removed. Example: cutLines('a\nb\nc\n', 2, 2) → { text: 'a\nc\n', removed: 1 }.
 */
export function cutLines(text: string, startLine: number, endLine: number): { text: string; removed: number } {
  const lines = text.split(/(?<=\n)/);
  const from = Math.min(startLine - 1, lines.length);
  const to = Math.min(endLine, lines.length);
  return { text: lines.slice(0, from).join('') + lines.slice(to).join(''), removed: to - from };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Classify raw bytes: text, or why they are skipped. A NUL byte means binary. */
function decode(data: Buffer, maxFileBytes: number): string | 'binary' | 'nonUtf8' | 'oversized' {
  if (data.length > maxFileBytes) return 'oversized';
  if (data.includes(0)) return 'binary';
  try {
    return utf8.decode(data);
  } catch {
    return 'nonUtf8';
  }
}

function wanted(p: string, options: CorpusOptions): boolean {
  return options.extensions.length === 0 || options.extensions.some((e) => p.endsWith(e));
}

/** Files of a directory tree in sorted (reproducible) order, relative paths; symlinks are not followed. */
function* walk(root: string, rel = ''): Generator<string> {
  const entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) yield* walk(root, r);
    else if (e.isFile()) yield r;
  }
}

/** Raw files of one source (directory, archive or single file), unfiltered. Size is checked before reading. */
async function* rawFiles(source: string, maxFileBytes: number): AsyncGenerator<{ path: string; data: Buffer | null }> {
  if (!fs.existsSync(source)) throw new Error(`${source}: no such file or directory`);
  if (fs.statSync(source).isDirectory()) {
    for (const rel of walk(source)) {
      const size = fs.statSync(path.join(source, rel)).size;
      yield { path: rel, data: size > maxFileBytes ? null : fs.readFileSync(path.join(source, rel)) };
    }
  } else if (/\.(tar|tar\.gz|tgz)$/i.test(source)) {
    yield* readTarEntries(source, { maxEntryBytes: maxFileBytes });
  } else {
    yield { path: path.basename(source), data: fs.statSync(source).size > maxFileBytes ? null : fs.readFileSync(source) };
  }
}

/**
 * The documents of `sources`, in order. Skips are counted in `stats`. Throws if an exclusion names no file that was
 * read (a typo there would silently leak the ground truth into the datastore).
 */
export async function* readCorpus(sources: string[], options: CorpusOptions, stats: CorpusStats): AsyncGenerator<CorpusDocument> {
  const used = new Set<Exclusion>();
  for (const source of sources) {
    for await (const f of rawFiles(source, options.maxFileBytes)) {
      if (!wanted(f.path, options)) continue;
      const text = f.data === null ? 'oversized' : decode(f.data, options.maxFileBytes);
      if (text === 'oversized') stats.skippedOversized++;
      else if (text === 'binary') stats.skippedBinary++;
      else if (text === 'nonUtf8') stats.skippedNonUtf8++;
      else yield applyExclusions({ path: f.path, text }, options.exclude, used, stats);
    }
  }
  const unused = options.exclude.filter((x) => !used.has(x));
  if (unused.length) throw new Error(`exclusion ${unused.map((x) => `'${x.path}:${x.startLine}-${x.endLine}'`).join(', ')} matched no file read`);
}

function applyExclusions(doc: CorpusDocument, exclude: Exclusion[], used: Set<Exclusion>, stats: CorpusStats): CorpusDocument {
  let text = doc.text;
  const mine = exclude.filter((x) => namesFile(doc.path, x.path));
  const lineCount = text.split(/(?<=\n)/).length;
  for (const x of mine) {
    // a range past the end would exclude nothing: a wrong line number must not leave the target in D_r unnoticed
    if (x.startLine > lineCount) throw new Error(`exclusion '${x.path}:${x.startLine}-${x.endLine}': ${doc.path} has only ${lineCount} lines`);
    used.add(x);
  }
  // Cut the merged spans from the bottom up so earlier line numbers stay valid.
  for (const [start, end] of mergeSpans(mine).reverse()) {
    const cut = cutLines(text, start, end);
    text = cut.text;
    stats.excludedLines += cut.removed;
  }
  stats.files++;
  stats.bytes += Buffer.byteLength(text);
  return { path: doc.path, text };
}

/**
 * The union of line spans as disjoint spans in file order (overlapping or touching spans merged), so that cutting one
 * never shifts the lines another names. Example: 5-10, 8-12, 13-13, 20-21 → [[5, 13], [20, 21]].
 */
export function mergeSpans(spans: { startLine: number; endLine: number }[]): [number, number][] {
  const sorted = [...spans].sort((a, b) => a.startLine - b.startLine);
  const out: [number, number][] = [];
  for (const { startLine, endLine } of sorted) {
    const last = out[out.length - 1];
    if (last && startLine <= last[1] + 1) last[1] = Math.max(last[1], endLine);
    else out.push([startLine, endLine]);
  }
  return out;
}
