/**
 * A small hand-made results set for the page tests: 2 tasks in 2 repositories (long names, as RepoEval's), 5 modes, an
 * oracle whose forward was timed (20 ms), so that speedups mean something.
 */
import { BenchResults, TaskResult, withAggregates } from '../../src/bench/results';

function row(task: string, repo: string, mode: string, L: number, F: number, ms: number, identicalToAr = true): TaskResult {
  return {
    task, repo, mode, generated: L, forwards: F, acceptance: L / F, msPerToken: ms, wallMs: L * ms, prefillMs: 1,
    time: { retrieveMs: 1, trieMs: 1, forwardMs: 6, commitMs: 1, otherMs: 1 }, retrievals: F, cacheHits: 1, skippedByTiming: 1,
    missingTableHits: 0, stopReason: 'max-new-tokens', identicalToAr, text: 'x = 1', tokens: [87, 403, 207, 16],
  };
}

export function sampleResults(): BenchResults {
  const modes = ['ar', 'pld', 'rest', 'fastcoder', 'fastcoder-no-cache'];
  const rows = modes.flatMap((m, k) => [
    row('0', 'amazon-science_patchcore-inspection', m, 12, m === 'ar' ? 12 : 12 - 2 * k, m === 'ar' ? 20 : 5 + k, m !== 'pld'),
    row('1', 'lucidrains_imagen-pytorch', m, 8, m === 'ar' ? 8 : 8 - k, m === 'ar' ? 20 : 5 + k),
  ]);
  return withAggregates(
    { dataset: 'repoeval', data: 'd', tokenizer: 't', model: null, oracle: true, oracleCost: '20 ms', commonIndex: 'c.idx', maxNewTokens: 64, seed: 0, modes, cacheScope: 'generation', budget: 64 },
    rows,
  );
}
