/** Hand-made traces for the page tests: each step lists its accepted tokens as [text, source] pairs. */
import type { StepTrace, TokenSource, TraceHeader, TraceSummary } from '../../src/trace/types';
import type { Trace } from '../../src/trace/reader';

export function step(i: number, tokenInLine: number, accepted: [string, TokenSource][], matchLength = 2): StepTrace {
  return {
    kind: 'step', step: i, contextLength: 10 + i, tokenInLine,
    retrieval: {
      decision: { cacheActive: false, cacheHit: false, lineStart: tokenInLine === 0, coin: tokenInLine === 0 ? 0.7 : null, skipped: false, missingTableHit: false, parallel: false, ms: 0.1 },
      sources: [{ source: 'repo', matchLength, matchCount: 1, candidates: 1, ms: 0.05 }],
    },
    draft: { tokens: [1, 2, 3], parents: [-1, 0, 1], depths: [0, 1, 2], weights: [1, 1, 1], counts: { repo: [1, 1, 1], common: [0, 0, 0], cache: [0, 0, 0] } },
    accepted: accepted.map(([text, source], j) => ({
      token: 100 + j, text, source, sources: source === 'model' ? [] : [source], node: source === 'model' ? -1 : j,
    })),
    batch: 1,
    timing: { retrieveMs: 0.1, trieMs: 0.01, forwardMs: 2, commitMs: 0.1, otherMs: 0.05 },
  };
}

export function makeTrace(steps: StepTrace[], promptText = 'def f(x):\n'): Trace {
  const header: TraceHeader = { kind: 'header', mode: 'fastcoder', options: {}, promptTokens: [1, 2, 3], promptText };
  const generated = steps.reduce((n, s) => n + s.accepted.length, 0);
  const summary: TraceSummary = {
    kind: 'summary', tokens: [], text: steps.flatMap((s) => s.accepted.map((a) => a.text)).join(''), stopReason: 'max-new-tokens',
    metrics: {
      generated, forwards: steps.length, acceptance: generated / steps.length, wallMs: 10, prefillMs: 1, msPerToken: 9 / generated,
      time: { retrieveMs: 0, trieMs: 0, forwardMs: 0, commitMs: 0, otherMs: 0 }, retrievals: steps.length, cacheHits: 0, skippedByTiming: 0, missingTableHits: 0,
    },
  };
  return { header, steps, summary };
}

export const toJsonl = (t: Trace): string => [t.header, ...t.steps, ...(t.summary ? [t.summary] : [])].map((o) => JSON.stringify(o)).join('\n') + '\n';
