/**
 * The context- and LLM-preference-aware cache (paper IV-B): short token sequences (context + accepted draft, and the
 * model's own output in pieces), searched by longest-suffix match like the datastores. Insertion is incremental: an
 * index from each n-gram (n = min(nMin, 2)) to the positions where it ends; a search looks up the context's last
 * n-gram and extends every hit backwards. Only n-grams with at least one token after them are indexed, so the longest
 * match always has a continuation (a piece ending exactly where the context ends cannot hide a shorter match that
 * continues). Bounded: the oldest sequences are evicted (and unindexed) first.
 *
 * Example (nMin 2):
 *   const cache = new SequenceCache({ nMin: 2, maxSequences: 1000, maxTokens: 65536 });
 *   cache.insert(Int32Array.from([1, 2, 3, 4]));
 *   cache.match(Int32Array.from([9, 2, 3]), { nMax: 16, nMin: 2, k: 5000, span: 10 })
 *     // → { matchLength: 2, matchCount: 1, tree } (tree: the continuation [4], count 1)
 *   cache.search(...)   // the same, listed: { matchLength: 2, matchCount: 1, continuations: [{ tokens: [4], count: 1 }] }
 */
import { ListTree, listMatch } from './continuations';
import type { SearchOptions, SuffixMatch } from './suffix-array';
import type { TreeMatch } from './types';

export interface CacheLimits {
  nMin: number; // shortest match the cache will be asked for (fixes the index n-gram length)
  maxSequences: number; // oldest sequences are evicted beyond this
  maxTokens: number; // ... or beyond this many tokens in total
}

const MAX_SEQUENCE = 0xffff; // positions are packed as id * 2^16 + offset
const KEY_BASE = 2 ** 21; // token ids < 2^21 (vocab sizes are far below)

export class SequenceCache {
  private readonly sequences = new Map<number, Int32Array>(); // id → tokens, in insertion order (oldest first)
  private readonly index = new Map<number, number[]>(); // n-gram key → packed (id, end offset), oldest first
  private readonly gram: number; // n-gram length of the index keys: 1 or 2
  private nextId = 0;
  private tokenTotal = 0;

  constructor(private readonly limits: CacheLimits) {
    if (limits.nMin < 1) throw new Error(`cache: nMin must be >= 1 (got ${limits.nMin})`);
    this.gram = Math.min(limits.nMin, 2);
  }

  /** Sequences held. */
  get size(): number {
    return this.sequences.size;
  }

  /** Tokens held. */
  get tokens(): number {
    return this.tokenTotal;
  }

  /** Forget everything. */
  clear(): void {
    this.sequences.clear();
    this.index.clear();
    this.tokenTotal = 0;
  }

  /** Key of the n-gram ending just before `end`. Example (gram 2): [7, 8] → 7·2^21 + 8. */
  private key(s: ArrayLike<number>, end: number): number {
    return this.gram === 1 ? s[end - 1] : s[end - 2] * KEY_BASE + s[end - 1];
  }

  /** Add a sequence (its last 65535 tokens if longer); evict the oldest ones beyond the limits. Token ids must be in [0, 2^21). */
  insert(sequence: ArrayLike<number>): void {
    const seq = Int32Array.from(sequence.length > MAX_SEQUENCE ? Array.prototype.slice.call(sequence, -MAX_SEQUENCE) : sequence);
    const bad = seq.findIndex((t, i) => t < 0 || t >= KEY_BASE || t !== sequence[sequence.length - seq.length + i]);
    if (bad >= 0) throw new Error(`cache: token ${sequence[sequence.length - seq.length + bad]} at index ${bad} is not a token id in [0, ${KEY_BASE})`);
    const id = this.nextId++;
    this.sequences.set(id, seq);
    this.tokenTotal += seq.length;
    for (let end = this.gram; end < seq.length; end++) {
      const k = this.key(seq, end);
      const list = this.index.get(k);
      if (list) list.push(id * 65536 + end);
      else this.index.set(k, [id * 65536 + end]);
    }
    while (this.sequences.size > this.limits.maxSequences || (this.tokenTotal > this.limits.maxTokens && this.sequences.size > 1)) this.evictOldest();
  }

  /**
   * Drop the oldest sequence; its index entries are at the front of their lists. A key the sequence holds twice is
   * cleared at its first visit (all of the sequence's entries go at once), so later visits find it done or gone.
   */
  private evictOldest(): void {
    const [id, seq] = this.sequences.entries().next().value as [number, Int32Array];
    this.sequences.delete(id);
    this.tokenTotal -= seq.length;
    for (let end = this.gram; end < seq.length; end++) {
      const k = this.key(seq, end);
      const list = this.index.get(k);
      if (!list) continue;
      let n = 0;
      while (n < list.length && Math.floor(list[n] / 65536) === id) n++;
      if (n === list.length) this.index.delete(k);
      else list.splice(0, n);
    }
  }

  /**
   * Longest suffix of `context` (length in [nMin, nMax]) found in a cached sequence with a token after it; the
   * continuations (up to `span` tokens, within the sequence) of its k most recent occurrences, as a tree over views of
   * the cached sequences (a sequence is never modified, so the views stay valid after eviction).
   */
  match(context: Int32Array, opts: SearchOptions): TreeMatch {
    const c = context.length;
    const nMin = Math.max(opts.nMin, this.gram);
    const none: TreeMatch = { matchLength: 0, matchCount: 0, tree: new ListTree([]) };
    if (c < nMin) return none;
    const list = this.index.get(this.key(context, c));
    if (!list) return none;
    let best = 0;
    let hits: number[] = [];
    for (let i = list.length - 1; i >= 0; i--) {
      const id = Math.floor(list[i] / 65536);
      const end = list[i] % 65536;
      const len = backwardMatch(context, this.sequences.get(id)!, end, opts.nMax);
      if (len > best) {
        best = len;
        hits = [];
      }
      if (len === best) hits.push(list[i]);
    }
    if (best < nMin) return none;
    const items = hits.slice(0, opts.k).map((h) => {
      const seq = this.sequences.get(Math.floor(h / 65536))!;
      const end = h % 65536;
      return { tokens: seq.subarray(end, Math.min(seq.length, end + opts.span)), count: 1 }; // never empty: only ends before the last token are indexed
    });
    return { matchLength: best, matchCount: hits.length, tree: new ListTree(items) };
  }

  /** `match` with the distinct continuations listed (in token order; for inspection). */
  search(context: Int32Array, opts: SearchOptions): SuffixMatch {
    return listMatch(this.match(context, opts));
  }
}

/**
 * How many tokens before `end` in `seq` equal the end of `context` (at most nMax).
 * Example: backwardMatch([9, 2, 3], [1, 2, 3, 4], 3, 16) → 2.
 */
export function backwardMatch(context: ArrayLike<number>, seq: ArrayLike<number>, end: number, nMax: number): number {
  const max = Math.min(nMax, end, context.length);
  let len = 0;
  while (len < max && seq[end - 1 - len] === context[context.length - 1 - len]) len++;
  return len;
}
