/**
 * When generation ends, checked after every appended token so that every mode stops on exactly the token where plain
 * greedy decoding stops: an EOS id (kept in the output, as Hugging Face `generate` does), a stop string appearing in
 * the generated text (the token completing it is kept), `maxNewTokens` reached, or the model's last position reached
 * (`maxPositions`: prompt + generated never exceeds the positions the model was trained for).
 */

export type StopReason = 'eos' | 'stop-string' | 'max-new-tokens' | 'max-position';

/** Extra tokens decoded before the newest one when looking for stop strings (covers multi-token characters). */
const STOP_WINDOW_SLACK = 16;

export class StopCondition {
  private readonly generated: number[] = [];
  private readonly eos: Set<number>;
  private readonly window: number;
  private readonly room: number;

  /**
   * Example: const stop = new StopCondition({ eosIds: [2], stop: ['\n\n'], maxNewTokens: 64 }, decode);
   *   stop.push(2) → 'eos'
   */
  constructor(
    private readonly opts: { eosIds: readonly number[]; stop: string[]; maxNewTokens: number; positionRoom?: number }, // positionRoom: new tokens that fit in the model's positions (default unlimited)
    private readonly decode: (ids: number[]) => string,
  ) {
    this.eos = new Set(opts.eosIds);
    this.room = opts.positionRoom ?? Infinity;
    const longest = Math.max(0, ...opts.stop.map((s) => s.length));
    this.window = longest + STOP_WINDOW_SLACK;
  }

  /** Tokens that may still be generated. */
  get remaining(): number {
    return Math.min(this.opts.maxNewTokens, this.room) - this.generated.length;
  }

  /**
   * The reason to stop before any token, or null. Example: { maxNewTokens: 0 } → 'max-new-tokens';
   * { maxNewTokens: 8, positionRoom: 0 } (the prompt fills every position) → 'max-position'.
   */
  atStart(): StopReason | null {
    if (this.opts.maxNewTokens <= 0) return 'max-new-tokens';
    return this.room <= 0 ? 'max-position' : null;
  }

  /** Append one generated token; the reason to stop after it, or null. */
  push(token: number): StopReason | null {
    this.generated.push(token);
    if (this.eos.has(token)) return 'eos';
    if (this.opts.stop.length > 0 && this.completesStopString()) return 'stop-string';
    if (this.generated.length >= this.opts.maxNewTokens) return 'max-new-tokens';
    if (this.generated.length >= this.room) return 'max-position';
    return null;
  }

  /**
   * Append `tokens` one by one until a stop applies. Example (maxNewTokens 2, none yet): pushAll([5, 6, 7]) →
   * { kept: 2, reason: 'max-new-tokens' }; tokens past the stop are not kept.
   */
  pushAll(tokens: readonly number[]): { kept: number; reason: StopReason | null } {
    let reason: StopReason | null = null;
    let kept = 0;
    while (kept < tokens.length && reason === null) reason = this.push(tokens[kept++]);
    return { kept, reason };
  }

  /** A stop string occurs in the decoded tail ending with the newest token (earlier tails never held one: we stopped). */
  private completesStopString(): boolean {
    const n = this.generated.length;
    const tail = this.decode(this.generated.slice(Math.max(0, n - this.window), n));
    return this.opts.stop.some((s) => tail.includes(s));
  }
}
