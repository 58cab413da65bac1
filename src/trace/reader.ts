/**
 * Reading a trace JSONL (`TraceHeader`, then `StepTrace` lines, then `TraceSummary`; see `src/trace/types.ts`), checked
 * line by line so that a truncated or foreign file gets an error naming the file and the line.
 */
import * as fs from 'fs';
import type { StepTrace, TraceHeader, TraceSummary } from './types';

export interface Trace {
  header: TraceHeader;
  steps: StepTrace[];
  summary: TraceSummary | null; // null when the generation was interrupted before its summary line
}

/**
 * Parse trace JSONL text; `file` only names the source in errors.
 *
 * Example: parseTrace('{"kind":"header",...}\n{"kind":"step",...}\n{"kind":"summary",...}\n', 't.jsonl').steps.length // 1
 */
export function parseTrace(text: string, file: string): Trace {
  const lines = text.split('\n').map((l, i) => ({ l, n: i + 1 })).filter(({ l }) => l.trim() !== '');
  if (!lines.length) throw new Error(`${file}: empty trace`);
  const objs = lines.map(({ l, n }) => {
    try {
      return { o: JSON.parse(l) as { kind?: unknown }, n };
    } catch (e) {
      throw new Error(`${file}:${n}: not valid JSON (${(e as Error).message})`);
    }
  });
  if (objs[0].o?.kind !== 'header') throw new Error(`${file}:${objs[0].n}: the first line must be the trace header ("kind":"header")`);
  const trace: Trace = { header: objs[0].o as TraceHeader, steps: [], summary: null };
  for (const { o, n } of objs.slice(1)) {
    if (trace.summary) throw new Error(`${file}:${n}: line after the summary`);
    if (o?.kind === 'step') {
      const s = o as StepTrace;
      if (!Array.isArray(s.accepted) || !s.draft || !s.timing) throw new Error(`${file}:${n}: step line lacks accepted/draft/timing`);
      trace.steps.push(s);
    } else if (o?.kind === 'summary') trace.summary = o as TraceSummary;
    else throw new Error(`${file}:${n}: unknown line kind ${JSON.stringify(o?.kind)}`);
  }
  return trace;
}

/** Read and parse a trace file. */
export function readTrace(file: string): Trace {
  if (!fs.existsSync(file)) throw new Error(`${file}: file not found`);
  return parseTrace(fs.readFileSync(file, 'utf8'), file);
}
