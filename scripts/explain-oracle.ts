/**
 * `npx tsx scripts/explain-oracle.ts --dataset repoeval|humaneval --data <path> --tokenizer <dir> --common-index <fcds>
 *    --reference <reference.json> --mode rest|w/o-timing|fastcoder|+cache0 (--tasks a,b,... | --differ <results.json> | --all)
 *    [--variants path,insertion,...] [--flips path,sep-high [--pairs]] [--out <json>]`
 *
 * Explains task by task why an oracle run differs from the independent implementation in `../shared/reference/oracle`.
 * For each task it
 *   1. replays our generation (`generate` with the oracle target and `onStep`, the datastores built as `bench` builds them)
 *      and records the accepted draft length of every step;
 *   2. runs a small naive simulator of the reference's stated rules (its README): longest suffix 16..2 per source, the
 *      first k = 5000 occurrences, continuations of <= 10 tokens cut at a file end, every prefix counted in a dict
 *      (insertion order, D_r before D_c), the top 64 prefixes by (count desc, depth asc), the cache as our retriever keeps
 *      it; once with our rules (`path`: ties by token path ascending, which must reproduce step 1 exactly: the check that
 *      the simulator is faithful), then under each alternative rule (`variants`);
 *   3. reports, per variant, the task's [tokens, steps], whether it equals the reference's, and the first step where
 *      the variant's accepted length differs from ours (with the counts straddling the 64-node cut at that step);
 *   4. with `--flips base,...`: from each base variant, every step whose cut falls inside a tie, resolved for (`best`)
 *      or against (`worst`) the target's path at that one step only; lists the steps where that alone gives the
 *      reference's [tokens, steps] (`best@12(3→4)`: step 12 accepts 4 draft tokens instead of 3);
 *   5. with `--pairs` as well: two ties resolved otherwise, the second at a later step of the trajectory the first flip
 *      leads to (a step index there, which need not be a step of ours), where neither alone reproduces the reference
 *      (`worst@0(4→3)+best@2(3→4)`); costs a simulation per pair of tie steps.
 *
 * Variants (a name picks one alternative, the rest stay as ours):
 *   path        ties by token path ascending (ours)             path-desc   ... descending
 *   insertion   ties in dict insertion order (a Python stable sort over a dict of prefixes)
 *   reverse     ties in reverse insertion order (e.g. a stable ascending sort read backwards)
 *   best, worst ties resolved for / against the target's path at every step (per-step bounds over every tie order)
 *   path-str, path-le  ties by token path, tokens compared as decimal strings / as little-endian int32 bytes
 *   decoded     ties by the prefix's decoded text (Python string order: a deeper indent before a shallower one, '\n' first)
 *   insertion-bycount  insertion order, each source's distinct continuations inserted most frequent first
 *   merged-bycount     insertion order, D_r's and D_c's continuations counted together, most frequent first
 *   trie        ties in trie traversal order (children in insertion order; BFS = DFS among equal depths)
 *   insertion-cf  insertion order with D_c inserted before D_r
 *   insertion-old insertion order, cache continuations oldest occurrence first (ours: most recent first)
 *   sep-high    the k-cap takes the first k occurrences of a suffix array where the file separator sorts last
 *   text        the k-cap takes the first k occurrences in stream (text) order
 *   insertion+sep-high, insertion+text  both
 *   skip-first  the line-start coin before the cache (a skip skips the cache search too); ours: cache first
 *   piece-bare  cache pieces of 20 generated tokens without the 16 tokens before them (with insertion ties)
 *
 * Example:
 *   npx tsx scripts/explain-oracle.ts --dataset repoeval --data ../shared/data/repoeval --tokenizer models/tiny-coder-dsc \
 *     --common-index .cache/dc-cpython-3.11.7.fcds --reference ../shared/reference/oracle/repoeval-eos.json \
 *     --mode rest --differ out/re.json
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { loadTokenizer } from '../model/tokenizer';
import { loadDatastore } from '../retrieval/io/datastore-file';
import { configVocabSize, tokenizerHash } from '../retrieval/io/tokenizer-hash';
import { findMatch, SEPARATOR } from '../retrieval/suffix-array';
import { generationSeed, isLineStart, seededRandom } from '../retrieval/timing';
import { loadTasks, type BenchTask } from '../src/bench/datasets';
import { parseModes } from '../src/bench/modes';
import { repoIndexes, type TokenizerIdentity } from '../src/bench/repo-datastores';
import type { BenchResults } from '../src/bench/results';
import { promptIds } from '../src/bench/run';
import { runEntryPoint } from '../src/cli/entry';
import { generate } from '../src/decode/generate';
import { createOracle } from '../src/decode/oracle';
import { writeFileAtomic } from '../util/atomic-file';
import { readJsonFile } from '../util/json-file';
import { compare } from './compare-oracle';

// ---------------------------------------------------------------------------------------------------------------
// The draft: a dict of prefix → count in insertion order, ranked by (count desc, depth asc, tie rule)
// ---------------------------------------------------------------------------------------------------------------

/** How equal (count, depth) prefixes are ordered: token path asc/desc, decoded text, first insertion, or trie traversal order. */
export type TieRule = 'path' | 'path-desc' | 'path-str' | 'path-le' | 'decoded' | 'insertion' | 'reverse' | 'trie' | 'best' | 'worst';

export interface PrefixEntry {
  tokens: number[]; // the prefix (a path from the root)
  count: number;
  order: number; // when it was first inserted (0, 1, ...)
  childPath: number[]; // its index among its parent's children (in insertion order), along the path
  sources: number; // bit mask of the sources that counted it (1 D_r, 2 D_c, 4 cache)
}

/**
 * Every prefix of every inserted continuation with its summed count, in first-insertion order.
 * Example: add([5, 6], 2); add([5, 7], 1) → entries [5]×3, [5 6]×2, [5 7]×1 (childPath [0], [0 0], [0 1]).
 */
export class PrefixCounter {
  readonly entries = new Map<string, PrefixEntry>();
  private readonly children = new Map<string, number>(); // parent key → children so far

  add(continuation: ArrayLike<number>, count: number, source = 0): void {
    let key = '';
    let parentPath: number[] = []; // the parent's childPath
    for (let i = 0; i < continuation.length; i++) {
      const parentKey = key;
      key = i === 0 ? String(continuation[0]) : `${key},${continuation[i]}`;
      let e = this.entries.get(key);
      if (!e) {
        const nth = this.children.get(parentKey) ?? 0;
        this.children.set(parentKey, nth + 1);
        e = { tokens: Array.from(continuation).slice(0, i + 1) as number[], count: 0, order: this.entries.size, childPath: [...parentPath, nth], sources: 0 };
        this.entries.set(key, e);
      }
      e.count += count;
      e.sources |= source;
      parentPath = e.childPath;
    }
  }
}

/** Token order of `path-str` (decimal strings, a prefix first) and `path-le` (little-endian bytes of an int32). */
function strCompare(x: number, y: number): number {
  const a = String(x);
  const b = String(y);
  return a < b ? -1 : a > b ? 1 : 0;
}
function leCompare(x: number, y: number): number {
  for (let s = 0; s < 32; s += 8) if (((x >>> s) & 0xff) !== ((y >>> s) & 0xff)) return ((x >>> s) & 0xff) - ((y >>> s) & 0xff);
  return 0;
}

function lexCompareBy(a: number[], b: number[], cmp: (x: number, y: number) => number): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return cmp(a[i], b[i]);
  return a.length - b.length;
}

/** Strings in code-point order (Python's), not UTF-16 code units. Example: ('\uffff', '\u{10000}') → negative. */
function codePointCompare(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  return lexCompare(x, y);
}

function lexCompare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * The comparator of a tie rule: count desc, depth asc, then the rule. `best` / `worst` (per-step bounds over tie orders):
 * the prefixes of the target (`onTarget`, keys 'a,b,...') first / last, then token path ascending. `decoded`: the
 * prefixes' texts (`tokenTexts`, each token decoded alone, concatenated) in code-point order, as Python sorts strings.
 */
export function rankComparator(ties: TieRule, onTarget?: Set<string>, tokenTexts?: string[]): (a: PrefixEntry, b: PrefixEntry) => number {
  const texts = new Map<PrefixEntry, string>();
  const text = (e: PrefixEntry) => {
    let t = texts.get(e);
    if (t === undefined) texts.set(e, (t = e.tokens.map((x) => tokenTexts![x]).join('')));
    return t;
  };
  return (a, b) => {
    if (a.count !== b.count) return b.count - a.count;
    if (a.tokens.length !== b.tokens.length) return a.tokens.length - b.tokens.length;
    if ((ties === 'best' || ties === 'worst') && onTarget) {
      const x = Number(onTarget.has(a.tokens.join(',')));
      const y = Number(onTarget.has(b.tokens.join(',')));
      if (x !== y) return ties === 'best' ? y - x : x - y;
      return lexCompare(a.tokens, b.tokens);
    }
    if (ties === 'path') return lexCompare(a.tokens, b.tokens);
    if (ties === 'path-desc') return lexCompare(b.tokens, a.tokens);
    if (ties === 'path-str') return lexCompareBy(a.tokens, b.tokens, strCompare);
    if (ties === 'path-le') return lexCompareBy(a.tokens, b.tokens, leCompare);
    if (ties === 'decoded') return codePointCompare(text(a), text(b));
    if (ties === 'trie') return lexCompare(a.childPath, b.childPath);
    if (ties === 'reverse') return b.order - a.order;
    return a.order - b.order;
  };
}

/**
 * The top `budget` prefixes under `ties`, and whether the cut fell inside a tie (the last taken and the first left out
 * have equal count and depth, so another tie order keeps another prefix).
 * Example: [5]×3, [5 6]×1, [5 7]×1, budget 2: path → [5], [5 6], tieAtCut true; insertion → the same here.
 */
export function selectDraft(counter: PrefixCounter, budget: number, ties: TieRule, onTarget?: Set<string>, tokenTexts?: string[]): { selected: PrefixEntry[]; tieAtCut: boolean } {
  const all = [...counter.entries.values()].sort(rankComparator(ties, onTarget, tokenTexts));
  const selected = all.slice(0, budget);
  const last = selected[selected.length - 1];
  const next = all[budget];
  return { selected, tieAtCut: !!last && !!next && last.count === next.count && last.tokens.length === next.tokens.length };
}

/** Longest accepted path: the most tokens of `target` from `pos` that form a selected prefix (at most `max`). */
export function acceptedLength(selected: PrefixEntry[], target: ArrayLike<number>, pos: number, max: number): number {
  const keys = new Set(selected.map((e) => e.tokens.join(',')));
  let a = 0;
  let key = '';
  while (a < max && pos + a < target.length) {
    key = a === 0 ? String(target[pos]) : `${key},${target[pos + a]}`;
    if (!keys.has(key)) break;
    a++;
  }
  return a;
}

// ---------------------------------------------------------------------------------------------------------------
// Retrieval, written out from the reference's rules (the suffix array itself is ours)
// ---------------------------------------------------------------------------------------------------------------

/** Which k occurrences the cap keeps: suffix-array order (separator lowest, ours), separator highest, or text order. */
export type OccurrenceOrder = 'sa' | 'sep-high' | 'text';

/**
 * Compare the suffixes at a and b with the separator sorting after every token (what follows a separator still
 * counts, as in one suffix array over the stream).
 */
function compareSepHigh(tokens: Int32Array, a: number, b: number): number {
  const n = tokens.length;
  while (a < n && b < n) {
    const x = tokens[a] === SEPARATOR ? Infinity : tokens[a];
    const y = tokens[b] === SEPARATOR ? Infinity : tokens[b];
    if (x !== y) return x < y ? -1 : 1;
    a++;
    b++;
  }
  return a < n ? 1 : b < n ? -1 : 0;
}

/**
 * The occurrences tokens[sa[lo..hi)] of a match of `length` tokens (start positions) in `order`: suffix-array order
 * (our separator sorts first), the order of a suffix array whose separator sorts last, or stream order.
 * Example: stream [1 2 -1 1 2 3 -1], the SA range of [1 2]: 'sa' → [0, 3], 'sep-high' → [3, 0].
 */
export function occurrenceOrder(tokens: Int32Array, sa: Int32Array, lo: number, hi: number, length: number, order: OccurrenceOrder): number[] {
  const all = Array.from(sa.subarray(lo, hi));
  if (order === 'text') all.sort((a, b) => a - b);
  else if (order !== 'sa') all.sort((a, b) => compareSepHigh(tokens, a + length, b + length) || a - b);
  return all;
}

/**
 * Continuations (<= span tokens, cut at the separator, empty ones dropped) of the first k occurrences of
 * tokens[sa[lo..hi)] (each a match of `length` tokens) in `order`. Example: stream [1 2 3 -1 1 2 4 -1], the SA range of
 * [1 2], k 1, 'text' → [[3]] (the first occurrence in the stream).
 */
export function occurrenceContinuations(tokens: Int32Array, sa: Int32Array, lo: number, hi: number, length: number, k: number, span: number, order: OccurrenceOrder): Int32Array[] {
  // the order only matters when the cap cuts
  let starts: number[];
  if (order === 'sa' || hi - lo <= k) starts = Array.from(sa.subarray(lo, Math.min(hi, lo + k)));
  else if (order === 'text') starts = occurrenceOrder(tokens, sa, lo, hi, length, order).slice(0, k);
  else {
    starts = [];
    sepHighPrefix(tokens, sa, lo, hi, length, length + span, k, starts);
  }
  const out: Int32Array[] = [];
  for (const s of starts) {
    const from = s + length;
    let len = 0;
    while (len < span && from + len < tokens.length && tokens[from + len] !== SEPARATOR) len++;
    if (len > 0) out.push(tokens.slice(from, from + len));
  }
  return out;
}

/**
 * The first `need` occurrences of sa[lo..hi) (all sharing their first `d` tokens) in separator-last order, read only as
 * deep as the continuations go (`maxD`): occurrences equal up to there, or up to a separator, have equal continuations,
 * so their order among themselves does not change the counts. Within the range the SA is sorted by the token at offset
 * d with the separator first; that group moves last.
 */
function sepHighPrefix(tokens: Int32Array, sa: Int32Array, lo: number, hi: number, d: number, maxD: number, need: number, out: number[]): void {
  if (d >= maxD) {
    for (let i = lo; i < hi && out.length < need; i++) out.push(sa[i]);
    return;
  }
  let sepEnd = lo;
  while (sepEnd < hi && tokens[sa[sepEnd] + d] === SEPARATOR) sepEnd++;
  for (let i = sepEnd; i < hi && out.length < need; ) {
    const t = tokens[sa[i] + d];
    let j = i + 1;
    while (j < hi && tokens[sa[j] + d] === t) j++;
    sepHighPrefix(tokens, sa, i, j, d + 1, maxD, need, out);
    i = j;
  }
  for (let i = lo; i < sepEnd && out.length < need; i++) out.push(sa[i]);
}

/** Longest suffix of `context` (nMax down to nMin tokens) that occurs (the library's `findMatch`); its continuations. */
export function searchSource(ds: { tokens: Int32Array; sa: Int32Array }, context: Int32Array, order: OccurrenceOrder, nMax = 16, nMin = 2, k = 5000, span = 10): Int32Array[] {
  const m = findMatch(ds.tokens, ds.sa, context, { nMax, nMin, k, span });
  return m.matchLength > 0 ? occurrenceContinuations(ds.tokens, ds.sa, m.lo, m.lo + m.matchCount, m.matchLength, k, span, order) : [];
}

/**
 * The cache as a list of sequences: longest context suffix (2..16) that occurs in a sequence with a token after it;
 * the continuations (<= 10 tokens, within the sequence) of every such occurrence, most recent first (or oldest first).
 * Example: sequences [[1 2 3 4]], context [9 2 3] → [[4]].
 */
export class NaiveCache {
  readonly sequences: number[][] = [];

  search(context: ArrayLike<number>, oldestFirst: boolean, nMax = 16, nMin = 2, span = 10): number[][] {
    let best = 0;
    let hits: [number, number][] = [];
    for (let s = 0; s < this.sequences.length; s++) {
      const seq = this.sequences[s];
      for (let end = 1; end < seq.length; end++) {
        let len = 0;
        while (len < nMax && len < end && len < context.length && seq[end - 1 - len] === context[context.length - 1 - len]) len++;
        if (len < nMin || len < best) continue;
        if (len > best) {
          best = len;
          hits = [];
        }
        hits.push([s, end]);
      }
    }
    if (!oldestFirst) hits.reverse();
    return hits.map(([s, end]) => this.sequences[s].slice(end, end + span));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The simulator
// ---------------------------------------------------------------------------------------------------------------

/** A tie at one step resolved by another rule than the run's (`best` / `worst`: for / against the target's path). */
export interface TieFlip {
  step: number;
  ties: TieRule;
}

export interface SimRules {
  ties: TieRule;
  order: OccurrenceOrder;
  commonFirst: boolean; // D_c's continuations inserted before D_r's
  cacheOldestFirst: boolean;
  flip?: TieFlip | TieFlip[]; // use this tie rule at this step only (a tie resolved otherwise there); a list: at each of its steps
  skipFirst?: boolean; // the line-start coin is drawn before the cache search, and a skip skips the cache too (ours: cache first, coin on a miss)
  merged?: boolean; // with byCount: D_r's and D_c's continuations counted together (one Counter, D_r's first), prefixes tagged by source
  byCount: boolean; // each source's distinct continuations inserted most frequent first (a Counter's most_common), not in occurrence order
  pieceContext: boolean; // cache pieces carry the 16 tokens before them (ours)
}

export const OUR_RULES: SimRules = { ties: 'path', order: 'sa', commonFirst: false, cacheOldestFirst: false, pieceContext: true, byCount: false };

/**
 * Distinct continuations with their counts, in first-occurrence order, or most frequent first (stable) with `byCount`.
 * Example: [[1], [2], [2]] → [[1] ×1, [2] ×2]; byCount → [[2] ×2, [1] ×1].
 */
export function groupContinuations(conts: ArrayLike<number>[], byCount: boolean): { tokens: ArrayLike<number>; count: number }[] {
  const groups = new Map<string, { tokens: ArrayLike<number>; count: number }>();
  for (const c of conts) {
    const key = Array.from(c).join(',');
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { tokens: c, count: 1 });
  }
  const out = [...groups.values()];
  return byCount ? out.sort((a, b) => b.count - a.count) : out;
}

export const VARIANTS: Record<string, Partial<SimRules>> = {
  path: {},
  'path-desc': { ties: 'path-desc' },
  insertion: { ties: 'insertion' },
  trie: { ties: 'trie' },
  reverse: { ties: 'reverse' },
  'path-str': { ties: 'path-str' },
  'path-le': { ties: 'path-le' },
  decoded: { ties: 'decoded' },
  'insertion-bycount': { ties: 'insertion', byCount: true },
  'insertion-bycount-cf': { ties: 'insertion', byCount: true, commonFirst: true },
  'merged-bycount': { ties: 'insertion', byCount: true, merged: true },
  best: { ties: 'best' },
  worst: { ties: 'worst' },
  'best+sep-high': { ties: 'best', order: 'sep-high' },
  'best+insertion-old': { ties: 'best', cacheOldestFirst: true },
  'reverse+sep-high': { ties: 'reverse', order: 'sep-high' },
  'path-desc+sep-high': { ties: 'path-desc', order: 'sep-high' },
  'path-desc+text': { ties: 'path-desc', order: 'text' },
  'insertion-cf': { ties: 'insertion', commonFirst: true },
  'insertion-old': { ties: 'insertion', cacheOldestFirst: true },
  'sep-high': { order: 'sep-high' },
  text: { order: 'text' },
  'insertion+sep-high': { ties: 'insertion', order: 'sep-high' },
  'insertion+text': { ties: 'insertion', order: 'text' },
  'piece-bare': { ties: 'insertion', pieceContext: false },
  'insertion-cf+piece-bare': { ties: 'insertion', commonFirst: true, pieceContext: false },
  'skip-first': { skipFirst: true },
  'insertion-cf+sep-high': { ties: 'insertion', commonFirst: true, order: 'sep-high' },
};

export interface SimMode {
  repo?: { tokens: Int32Array; sa: Int32Array }; // D_r (fc modes)
  common: { tokens: Int32Array; sa: Int32Array }; // D_c
  cache: boolean;
  cacheFrom: number; // the cache is searched once it holds this many sequences (50; 0: from the first step)
  coin: ((context: Int32Array) => boolean) | null; // true = skip this step's datastore search (fc's line-start coin)
  isLineStart?: (context: Int32Array) => boolean; // for the statistics only: was a coin drawn
  tokenTexts?: string[]; // each token's text (the `decoded` tie rule)
}

export interface SimStep {
  accepted: number; // accepted draft tokens
  tieAtCut: boolean;
  source: 'cache' | 'datastores' | 'skipped' | 'none';
  cacheSearched: boolean; // the cache held enough sequences to be searched
  lineStart: boolean; // a coin was drawn (fc, fc_cache0)
  noMatch: boolean; // the datastores were searched and neither found a suffix
  acceptedSources: number[]; // source mask of each accepted draft token (1 D_r, 2 D_c, 4 cache)
}

/** The reference's `accepted_by_source` key of a mask. Example: 3 → 'r+c'. */
export function sourceKey(mask: number): string {
  return [mask & 1 ? 'r' : '', mask & 2 ? 'c' : '', mask & 4 ? 'cache' : ''].filter(Boolean).join('+');
}

/**
 * Teacher-forced decoding of `target` (the reference + EOS) after `prompt` under `rules`: returns [tokens, steps] and
 * every step. Example: target [7, 8, 9, eos] with no draft ever → 4 steps of 1 token.
 */
export function simulate(prompt: number[], target: number[], mode: SimMode, rules: SimRules, budget = 64): { tokens: number; steps: SimStep[] } {
  const ctx = [...prompt];
  const cache = new NaiveCache();
  let pieces = 0;
  let pos = 0;
  const steps: SimStep[] = [];
  while (pos < target.length) {
    const context = Int32Array.from(ctx);
    const counter = new PrefixCounter();
    let source: SimStep['source'] = 'none';
    let hit = false;
    let noMatch = false;
    const cacheSearched = mode.cache && cache.sequences.length >= mode.cacheFrom;
    const lineStart = !!mode.coin && mode.isLineStart?.(context) === true;
    const skippedFirst = !!rules.skipFirst && !!mode.coin?.(context);
    if (skippedFirst) source = 'skipped';
    else if (cacheSearched) {
      const found = cache.search(context, rules.cacheOldestFirst);
      for (const g of groupContinuations(found, rules.byCount)) counter.add(g.tokens, g.count, 4);
      hit = found.length > 0;
      if (hit) source = 'cache';
    }
    if (!hit && !skippedFirst) {
      if (!rules.skipFirst && mode.coin?.(context)) source = 'skipped';
      else {
        const r = mode.repo ? searchSource(mode.repo, context, rules.order) : [];
        const c = searchSource(mode.common, context, rules.order);
        const groups: [ArrayLike<number>[], number][] = rules.commonFirst ? [[c, 2], [r, 1]] : [[r, 1], [c, 2]];
        if (rules.merged) {
          const inR = new Set(r.map((x) => Array.from(x).join(',')));
          const inC = new Set(c.map((x) => Array.from(x).join(',')));
          for (const g of groupContinuations(groups.flatMap(([conts]) => conts), rules.byCount)) {
            const key = Array.from(g.tokens).join(',');
            counter.add(g.tokens, g.count, (inR.has(key) ? 1 : 0) | (inC.has(key) ? 2 : 0));
          }
        } else for (const [conts, src] of groups) for (const g of groupContinuations(conts, rules.byCount)) counter.add(g.tokens, g.count, src);
        source = 'datastores';
        noMatch = r.length === 0 && c.length === 0;
      }
    }
    const ties = [rules.flip ?? []].flat().find((f) => f.step === steps.length)?.ties ?? rules.ties;
    let onTarget: Set<string> | undefined;
    if (ties === 'best' || ties === 'worst') {
      onTarget = new Set();
      for (let d = 1; d <= 10 && pos + d <= target.length; d++) onTarget.add(target.slice(pos, pos + d).join(','));
    }
    const { selected, tieAtCut } = selectDraft(counter, budget, ties, onTarget, mode.tokenTexts);
    const a = acceptedLength(selected, target, pos, target.length - pos - 1);
    const n = Math.min(a + 1, target.length - pos);
    const bySource = new Map(selected.map((e) => [e.tokens.join(','), e.sources]));
    const acceptedSources = Array.from({ length: a }, (_, d) => bySource.get(target.slice(pos, pos + d + 1).join(','))!);
    steps.push({ accepted: a, tieAtCut, source, cacheSearched: cacheSearched && !skippedFirst, lineStart: lineStart && (!hit || !!rules.skipFirst), noMatch, acceptedSources });
    const stepStart = ctx.length;
    for (let i = 0; i < n; i++) ctx.push(target[pos + i]);
    pos += n;
    if (mode.cache) {
      const fromDraft = Math.min(a, n);
      if (fromDraft > 0) cache.sequences.push(ctx.slice(Math.max(0, stepStart - 16), stepStart + fromDraft));
      while (prompt.length + (pieces + 1) * 20 <= ctx.length) {
        const start = prompt.length + pieces * 20;
        cache.sequences.push(ctx.slice(rules.pieceContext ? Math.max(0, start - 16) : start, start + 20));
        pieces++;
      }
    }
  }
  return { tokens: pos, steps };
}

/** Our line-start coin as the retriever draws it: one draw per line start that reaches the datastores. */
export function ourCoin(prompt: number[], tokenTexts: string[], seed = 0, p = 0.5): (context: Int32Array) => boolean {
  const random = seededRandom(generationSeed(seed, prompt));
  return (context) => isLineStart(context, tokenTexts) && random() >= p;
}

/** The first step where `b`'s accepted length differs from `a`'s, or -1. Example: ([1, 2], [1, 3]) → 1. */
export function firstDifference(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

/**
 * Add a task's steps to statistics named as the reference's `stats` and `accepted_by_source`.
 * Example: one step that searched the cache and accepted one D_r token → { steps: 1, cache_searched: 1, tasks_cache_ready: 1, r: 1, ... }
 */
export function addStats(stats: Record<string, number>, steps: SimStep[]): void {
  const add = (k: string, n: number) => (stats[k] = (stats[k] ?? 0) + n);
  add('tasks', 1);
  add('steps', steps.length);
  add('no_match', steps.filter((s) => s.noMatch).length);
  add('skip_rule_pos', steps.filter((s) => s.lineStart).length);
  add('skipped', steps.filter((s) => s.source === 'skipped').length);
  add('tasks_cache_ready', steps.some((s) => s.cacheSearched) ? 1 : 0);
  add('cache_searched', steps.filter((s) => s.cacheSearched).length);
  add('cache_hit', steps.filter((s) => s.source === 'cache').length);
  for (const s of steps) for (const m of s.acceptedSources) add(sourceKey(m), 1);
}

// ---------------------------------------------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------------------------------------------

interface Reference {
  task_names: string[];
  drafters: Record<string, { per_task_L_steps: [number, number][] }>;
}

const DRAFTER: Record<string, string> = { rest: 'rest', 'w/o-timing': 'fc_noskip', fastcoder: 'fc', '+cache0': 'fc_cache0' };

async function main(): Promise<number> {
  const { values: v } = parseArgs({
    options: {
      dataset: { type: 'string' }, data: { type: 'string' }, tokenizer: { type: 'string' }, 'common-index': { type: 'string' },
      reference: { type: 'string' }, mode: { type: 'string' }, tasks: { type: 'string' }, differ: { type: 'string' }, all: { type: 'boolean' },
      variants: { type: 'string' }, out: { type: 'string' }, 'no-generate': { type: 'boolean' }, flips: { type: 'string' }, pairs: { type: 'boolean' },
    },
  });
  const mode = v.mode ?? '';
  if ((v.dataset !== 'humaneval' && v.dataset !== 'repoeval') || !v.data || !v.tokenizer || !v['common-index'] || !v.reference || !DRAFTER[mode] || (!v.tasks && !v.differ && !v.all)) {
    console.error('usage: explain-oracle.ts --dataset humaneval|repoeval --data <path> --tokenizer <dir> --common-index <fcds> --reference <json> --mode rest|w/o-timing|fastcoder|+cache0 (--tasks a,b | --differ results.json | --all) [--variants a,b] [--out json]');
    return 2;
  }
  const ref = readJsonFile(v.reference) as Reference;
  const drafter = DRAFTER[mode];
  const refIndex = new Map(ref.task_names.map((n, i) => [n, i]));
  let names: string[];
  if (v.tasks) names = v.tasks.split(',');
  else if (v.differ) names = compare(readJsonFile(v.differ) as BenchResults, ref as never, { [mode]: drafter })[0]?.differ.map((d) => d.task) ?? [];
  else names = [...ref.task_names];
  const variants = (v.variants ?? 'path,insertion,trie,path-desc').split(',');
  for (const name of variants) if (!VARIANTS[name]) throw new Error(`--variants: unknown '${name}' (known: ${Object.keys(VARIANTS).join(', ')})`);
  if (!variants.includes('path')) variants.unshift('path');

  const tokenizer = loadTokenizer(v.tokenizer);
  const texts = tokenizer.tokenTexts();
  const vocabSize = configVocabSize(v.tokenizer) ?? tokenizer.vocabSize;
  const id: TokenizerIdentity = { tokenizer, vocabSize, tokenizerHash: tokenizerHash(v.tokenizer) };
  const common = loadDatastore(v['common-index'], { vocabSize, tokenizerHash: id.tokenizerHash });
  const taskName = (t: BenchTask) => (t.repo ? `${t.repo}/${t.id}` : t.id);
  const byName = new Map(loadTasks(v.dataset, v.data).map((t) => [taskName(t), t]));
  const tasks = names.map((n) => {
    const t = byName.get(n);
    if (!t) throw new Error(`${n}: no such task`);
    return t;
  });
  const repoIndexFor = repoIndexes(path.join(v.data, 'function_level_repos.tar.gz'), tasks, '.cache/dr', id);
  const spec = parseModes(mode).find((m) => m.name === mode)!;
  const eos = tokenizer.eosIds[0];
  const rows: unknown[] = [];
  const tally = new Map<string, number>(variants.map((x) => [x, 0]));
  let faithful = 0;
  const stats = new Map<string, Record<string, number>>(variants.map((x) => [x, {}]));
  for (const task of tasks) {
    const name = taskName(task);
    const repoIndex = mode !== 'rest' ? await repoIndexFor(task) : undefined;
    const ids = promptIds(tokenizer, task.prompt);
    const target = [...tokenizer.encode(task.reference), eos];
    // 1. our generation, step by step
    const ours: number[] = [];
    let oursPair: [number, number] | null = null;
    if (!v['no-generate']) {
      const lm = createOracle(target.slice(0, -1), { vocabSize, prompt: ids, eosId: eos });
      const r = await generate(lm, tokenizer, ids, {
        ...spec.options, maxNewTokens: target.length, eosIds: [eos], budget: 64, seed: 0, commonIndex: common,
        ...(repoIndex ? { repoIndex } : { repo: false }),
        onStep: (s) => ours.push(s.accepted.filter((x) => x.node >= 0).length),
      });
      oursPair = [r.tokens.length, r.metrics.forwards];
    }
    const i = refIndex.get(name);
    const theirs = i === undefined ? null : ref.drafters[drafter].per_task_L_steps[i];
    // 2. the simulator under each rule
    const fc = mode !== 'rest';
    const out: Record<string, unknown> = {};
    let pathSteps: SimStep[] = [];
    const line: string[] = [];
    for (const variant of variants) {
      const rules = { ...OUR_RULES, ...VARIANTS[variant] };
      const sim = simulate(ids, target, {
        repo: repoIndex, common, cache: fc, cacheFrom: mode === '+cache0' ? 0 : 50,
        coin: mode === 'fastcoder' || mode === '+cache0' ? ourCoin(ids, texts) : null,
        isLineStart: (c) => isLineStart(c, texts), tokenTexts: texts,
      }, rules);
      addStats(stats.get(variant)!, sim.steps);
      const acc = sim.steps.map((s) => s.accepted);
      if (variant === 'path') pathSteps = sim.steps;
      const base = oursPair ? ours : pathSteps.map((s) => s.accepted);
      const first = firstDifference(base, acc);
      const pair: [number, number] = [sim.tokens, sim.steps.length];
      const matches = !!theirs && pair[0] === theirs[0] && pair[1] === theirs[1];
      if (matches) tally.set(variant, tally.get(variant)! + 1);
      out[variant] = { pair, matchesReference: matches, firstDifferentStep: first, ...(first >= 0 ? { oursAccepted: base[first], variantAccepted: acc[first], tieAtCutOurs: pathSteps[first]?.tieAtCut ?? null, source: pathSteps[first]?.source ?? null } : {}) };
      line.push(`${variant} [${pair}]${matches ? '=ref' : ''}${first >= 0 ? ` @${first}(${base[first]}→${acc[first]}${pathSteps[first]?.tieAtCut ? ',tie' : ''})` : ''}`);
    }
    // 3. one tie resolved otherwise: every step with a tie at the cut (under each --flips base variant), resolved for
    //    (best) or against (worst) the target's path at that step only; the steps where that reproduces the reference.
    //    With --pairs also two: each flip, then each tie at a later step of the trajectory that flip leads to
    const flips: Record<string, string[]> = {};
    const flipPairs: Record<string, string[]> = {};
    for (const base of v.flips ? v.flips.split(',') : []) {
      if (!theirs) break;
      const baseRules = { ...OUR_RULES, ...VARIANTS[base] };
      const simMode: SimMode = { repo: repoIndex, common, cache: fc, cacheFrom: mode === '+cache0' ? 0 : 50, coin: null, tokenTexts: texts };
      const coin = () => (mode === 'fastcoder' || mode === '+cache0' ? ourCoin(ids, texts) : null);
      const baseSteps = simulate(ids, target, { ...simMode, coin: coin() }, baseRules).steps;
      const hits: string[] = [];
      const pairs: string[] = [];
      for (let st = 0; st < baseSteps.length; st++) {
        if (!baseSteps[st].tieAtCut) continue;
        for (const t of ['best', 'worst'] as const) {
          const flip = { step: st, ties: t };
          const sim = simulate(ids, target, { ...simMode, coin: coin() }, { ...baseRules, flip });
          const one = `${t}@${st}(${baseSteps[st].accepted}→${sim.steps[st].accepted})`;
          if (sim.tokens === theirs[0] && sim.steps.length === theirs[1]) {
            hits.push(one);
            continue;
          }
          if (!v.pairs || sim.steps[st].accepted === baseSteps[st].accepted) continue;
          // a second tie, at a later step of the trajectory the first flip leads to
          for (let st2 = st + 1; st2 < sim.steps.length; st2++) {
            if (!sim.steps[st2].tieAtCut) continue;
            for (const t2 of ['best', 'worst'] as const) {
              const sim2 = simulate(ids, target, { ...simMode, coin: coin() }, { ...baseRules, flip: [flip, { step: st2, ties: t2 }] });
              if (sim2.tokens === theirs[0] && sim2.steps.length === theirs[1] && sim2.steps[st2].accepted !== sim.steps[st2].accepted) pairs.push(`${one}+${t2}@${st2}(${sim.steps[st2].accepted}→${sim2.steps[st2].accepted})`);
            }
          }
        }
      }
      flips[base] = hits;
      if (v.pairs) flipPairs[base] = pairs;
      line.push(`flip(${base}): ${hits.length ? hits.slice(0, 6).join(' ') + (hits.length > 6 ? ` +${hits.length - 6}` : '') : 'none'}`);
      if (v.pairs) line.push(`pairs(${base}): ${pairs.length ? pairs.slice(0, 6).join(' ') + (pairs.length > 6 ? ` +${pairs.length - 6}` : '') : 'none'}`);
    }
    const simFaithful = !oursPair || firstDifference(ours, pathSteps.map((s) => s.accepted)) < 0;
    if (simFaithful) faithful++;
    const coins = pathSteps.filter((s) => s.lineStart).length;
    const skipped = pathSteps.filter((s) => s.source === 'skipped').length;
    rows.push({ task: name, ours: oursPair, reference: theirs, simulatorReproducesOurs: simFaithful, tieSteps: pathSteps.filter((s) => s.tieAtCut).length, steps: pathSteps.length, coins, skipped, variants: out, flips, ...(v.pairs ? { flipPairs } : {}) });
    console.log(`${name}: ours [${oursPair ?? '-'}] ref [${theirs ?? '-'}]${simFaithful ? '' : ' SIMULATOR DIFFERS FROM OURS'} ties@cut ${pathSteps.filter((s) => s.tieAtCut).length}/${pathSteps.length} | ${line.join(' | ')}`);
  }
  console.log(`${mode} (${drafter}): ${tasks.length} tasks; simulator with our rules reproduces ours step by step on ${faithful}`);
  for (const [name, n] of tally) console.log(`  ${name.padEnd(20)} reproduces the reference on ${n}/${tasks.length}; ${JSON.stringify(stats.get(name))}`);
  if (v.out) writeFileAtomic(v.out, JSON.stringify({ mode, drafter, variants, stats: Object.fromEntries(stats), rows }, null, 1));
  return 0;
}

if (require.main === module) runEntryPoint('explain-oracle', main);
