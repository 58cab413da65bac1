/**
 * Writes a generation trace as JSON Lines: one `TraceHeader`, one `StepTrace` per verification step, one `TraceSummary`
 * (types in `src/trace/types.ts`). Pass a writer as `trace` in `generate` options, or use its methods directly.
 *
 * Example:
 *   const trace = new JsonlTraceWriter('out.jsonl');
 *   await generate(model, tok, 'def f(', { mode: 'fastcoder', trace, ... });
 *   trace.close();
 */
import * as fs from 'fs';
import type { TraceLine } from './types';

/** Anything that receives trace lines in order. */
export interface TraceSink {
  write(line: TraceLine): void;
}

export class JsonlTraceWriter implements TraceSink {
  private fd: number | null;

  /** Create (or truncate) `file`. */
  constructor(readonly file: string) {
    try {
      this.fd = fs.openSync(file, 'w');
    } catch (e) {
      throw new Error(`${file}: cannot write the trace (${(e as Error).message})`);
    }
  }

  /** Append one line. Example: write({ kind: 'header', mode: 'ar', ... }) → `{"kind":"header",...}\n` */
  write(line: TraceLine): void {
    if (this.fd === null) throw new Error(`${this.file}: trace writer already closed`);
    fs.writeSync(this.fd, JSON.stringify(line) + '\n');
  }

  /** Flush and close the file. */
  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
