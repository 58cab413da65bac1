/**
 * An oracle target: a scripted `CausalLM` whose greedy choice after (prompt + reference[0..i)) is reference[i], and EOS
 * after the reference ends, with a configurable cost per forward. It measures the whole pipeline without an LLM: drafts
 * are accepted exactly when they match real code (teacher forcing), e.g. a benchmark's ground truth.
 *
 * Each logits row is one-hot (1 at the predicted token, 0 elsewhere). A row whose context (committed tokens + its
 * ancestors in the tree mask) leaves the script predicts EOS; greedy verification never accepts such a row's token, so
 * it cannot matter. The oracle also checks the decoder: position ids must equal cache length + depth, and `commit` must
 * keep a chain. The returned logits array is reused by the next `forward` or `logits` call (copy it to keep it).
 *
 * The cost of a forward is either simulated (`costMs`, `costPerTokenMs`) or real: with `costModel`, every forward,
 * logits request, commit, rollback and reset is mirrored on that model (e.g. a random-weight Llama of a given shape)
 * and its outputs are discarded, so the wall time is that of a real model verifying the same trees on the same cache,
 * while acceptance follows the reference.
 *
 * Example:
 *   const lm = createOracle([7, 8, 9], { vocabSize: 32256, prompt: [1, 5], eosId: 2, costMs: 20 });
 *   const r = await generate(lm, tok, [1, 5], { mode: 'pld', eosIds: [2] });   // r.tokens → [7, 8, 9, 2]
 */
import type { CausalLM } from '../../model/causal-lm';

export interface OracleOptions {
  vocabSize: number; // length of a logits row
  prompt: ArrayLike<number>; // the prompt token ids the decoder will be given (BOS included if it adds one)
  eosId: number; // predicted once the reference is exhausted
  costMs?: number; // simulated time of one forward (default 0)
  costPerTokenMs?: number; // plus this per input token (default 0)
  costModel?: CausalLM; // a model run in lockstep for its time only (its vocabulary must cover the script's ids; not disposed here)
}

export interface OracleLM extends CausalLM {
  readonly forwards: number; // forwards run so far
}

/** A scripted target model following `reference` after `opts.prompt`. */
export function createOracle(reference: ArrayLike<number>, opts: OracleOptions): OracleLM {
  const { vocabSize, eosId } = opts;
  const script = [...Array.from(opts.prompt), ...Array.from(reference), eosId];
  for (let i = 0; i < script.length; i++) {
    if (!Number.isInteger(script[i]) || script[i] < 0 || script[i] >= vocabSize) throw new Error(`oracle: token ${script[i]} at script index ${i} is not in 0..${vocabSize - 1}`);
  }
  if (opts.costModel && opts.costModel.vocabSize < vocabSize) {
    throw new Error(`oracle: the cost model's vocabulary (${opts.costModel.vocabSize}) is smaller than the oracle's (${vocabSize})`);
  }
  return new Oracle(script, vocabSize, eosId, opts.costMs ?? 0, opts.costPerTokenMs ?? 0, opts.costModel);
}

class Oracle implements OracleLM {
  private committed: number[] = [];
  private committedOnScript = true; // every committed token equals the script at its position
  private pending: { tokens: number[]; positions: number[]; predicted: number[] } | null = null; // the last forward
  private buffer = new Float32Array(0); // logits rows, reused between calls
  private hot: number[] = []; // indices of `logits` set to 1 by the last forward
  private disposed = false;
  forwards = 0;

  constructor(
    private readonly script: number[], // prompt + reference + [eos]
    readonly vocabSize: number,
    private readonly eosId: number,
    private readonly costMs: number,
    private readonly costPerTokenMs: number,
    private readonly costModel?: CausalLM,
  ) {}

  get eosIds(): readonly number[] {
    return [this.eosId];
  }

  get cacheLength(): number {
    return this.committed.length;
  }

  async forward(tokens: ArrayLike<number>, positions: ArrayLike<number>, treeMask?: Uint8Array): Promise<Float32Array> {
    await this.forwardHidden(tokens, positions, treeMask);
    return this.logits(Array.from({ length: tokens.length }, (_, i) => i));
  }

  async forwardHidden(tokens: ArrayLike<number>, positions: ArrayLike<number>, treeMask?: Uint8Array): Promise<void> {
    this.check();
    const n = tokens.length;
    if (n === 0 || positions.length !== n) throw new Error(`oracle: ${n} tokens but ${positions.length} positions`);
    if (treeMask && treeMask.length !== n * n) throw new Error(`oracle: tree mask has ${treeMask.length} entries, expected ${n * n}`);
    const predicted = Array.from({ length: n }, (_, i) => this.predictRow(tokens, positions, treeMask, i));
    this.pending = { tokens: Array.from(tokens), positions: Array.from(positions), predicted };
    this.forwards++;
    const cost = this.costMs + this.costPerTokenMs * n;
    if (cost > 0) await new Promise((resolve) => setTimeout(resolve, cost));
    await this.costModel?.forwardHidden(tokens, positions, treeMask);
  }

  async logits(rows: ArrayLike<number>): Promise<Float32Array> {
    this.check();
    const predicted = this.pending?.predicted;
    if (!predicted) throw new Error('oracle: logits without a forward');
    const out = this.rowBuffer(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (!(Number.isInteger(r) && r >= 0 && r < predicted.length)) throw new Error(`oracle: logits row ${r} outside the last forward's ${predicted.length} tokens`);
      out[i * this.vocabSize + predicted[r]] = 1;
      this.hot.push(i * this.vocabSize + predicted[r]);
    }
    await this.costModel?.logits(rows);
    return out;
  }

  async argmax(rows: ArrayLike<number>): Promise<Int32Array> {
    this.check();
    const predicted = this.pending?.predicted;
    if (!predicted) throw new Error('oracle: argmax without a forward');
    const out = Int32Array.from(rows, (r) => {
      if (!(Number.isInteger(r) && r >= 0 && r < predicted.length)) throw new Error(`oracle: argmax row ${r} outside the last forward's ${predicted.length} tokens`);
      return predicted[r];
    });
    await this.costModel?.argmax(rows);
    return out;
  }

  /** As the cost model verifies (its backend decides), else one row at a time. */
  get verifyRows(): 'path' | 'all' {
    return this.costModel?.verifyRows ?? 'path';
  }

  /** The script token after row i's context, or EOS off the script. Throws on a position that is not cache + depth. */
  private predictRow(tokens: ArrayLike<number>, positions: ArrayLike<number>, mask: Uint8Array | undefined, i: number): number {
    const n = tokens.length;
    let onScript = this.committedOnScript;
    let at = this.committed.length; // script index of the next context token
    for (let j = 0; j <= i; j++) {
      if (mask ? mask[i * n + j] === 0 : false) continue;
      if (tokens[j] !== this.script[at]) onScript = false;
      at++;
    }
    if (positions[i] !== at - 1) throw new Error(`oracle: row ${i} sits at position ${positions[i]} but its context has ${at} tokens (cache ${this.committed.length} + ${at - this.committed.length} visible)`);
    return onScript && at < this.script.length ? this.script[at] : this.eosId;
  }

  /** A zeroed [n × vocab] buffer, reusing the previous one. */
  private rowBuffer(n: number): Float32Array {
    if (this.buffer.length < n * this.vocabSize) this.buffer = new Float32Array(n * this.vocabSize);
    else for (const k of this.hot) this.buffer[k] = 0;
    this.hot = [];
    return this.buffer.subarray(0, n * this.vocabSize);
  }

  commit(keep: ArrayLike<number>): void {
    this.check();
    const pending = this.pending;
    if (!pending) throw new Error('oracle: commit without a forward');
    for (let i = 0; i < keep.length; i++) {
      const k = keep[i];
      if (!(k >= 0 && k < pending.tokens.length)) throw new Error(`oracle: commit index ${k} outside the last forward's ${pending.tokens.length} tokens`);
      if (pending.positions[k] !== this.committed.length) throw new Error(`oracle: committing a token at position ${pending.positions[k]} onto a cache of ${this.committed.length}`);
      if (pending.tokens[k] !== this.script[this.committed.length]) this.committedOnScript = false;
      this.committed.push(pending.tokens[k]);
    }
    this.costModel?.commit(keep);
    this.pending = null;
  }

  rollback(length: number): void {
    this.check();
    if (!(Number.isInteger(length) && length >= 0 && length <= this.committed.length)) throw new Error(`oracle: cannot roll back to ${length} (cache holds ${this.committed.length})`);
    this.committed.length = length;
    this.committedOnScript = this.committed.every((t, i) => t === this.script[i]);
    this.costModel?.rollback(length);
    this.pending = null;
  }

  reset(): void {
    this.rollback(0);
  }

  dispose(): void {
    this.disposed = true;
  }

  private check(): void {
    if (this.disposed) throw new Error('oracle: used after dispose()');
  }
}
