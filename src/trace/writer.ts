/**
 * Writes a generation trace as JSON Lines: one `TraceHeader`, one `StepTrace` per verification step, one `TraceSummary`
 * (types in `src/trace/types.ts`). Pass a writer as `trace` in `generate` options, or use its methods directly.
 * Lines go to a temporary file that `close()` renames into place: two runs tracing to one path never interleave
 * (the last to finish wins, whole), and a failed run (`abort()`) leaves the path as it was.
 *
 * Example:
 *   const trace = new JsonlTraceWriter('out.jsonl');
 *   await generate(model, tok, 'def f(', { mode: 'fastcoder', trace, ... });
 *   trace.close();
 */
import { AtomicFile } from '../../util/atomic-file';
import type { TraceLine } from './types';

/** Anything that receives trace lines in order. */
export interface TraceSink {
  write(line: TraceLine): void;
}

export class JsonlTraceWriter implements TraceSink {
  private readonly out: AtomicFile;
  private closed = false;

  /** Start writing `file` (it appears, or is replaced, at `close()`). */
  constructor(readonly file: string) {
    try {
      this.out = new AtomicFile(file);
    } catch (e) {
      throw new Error(`${file}: cannot write the trace (${(e as Error).message.replace(`${file}: `, '')})`);
    }
  }

  /** Append one line. Example: write({ kind: 'header', mode: 'ar', ... }) → `{"kind":"header",...}\n` */
  write(line: TraceLine): void {
    if (this.closed) throw new Error(`${this.file}: trace writer already closed`);
    this.out.write(JSON.stringify(line) + '\n');
  }

  /** Finish: the trace appears at `file`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.out.commit();
  }

  /** Drop the trace (a failed run): `file` is left as it was. */
  abort(): void {
    this.closed = true;
    this.out.abort();
  }
}
