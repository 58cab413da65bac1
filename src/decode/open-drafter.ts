/**
 * The drafter of a mode: `ar` none, `pld` prompt lookup, `rest` / `fastcoder` a retriever (the one given, or a
 * `FastRetriever` built from the datastores and the component switches, closed when the generation ends).
 */
import type { Tokenizer } from '../../model/tokenizer';
import { FastRetriever, REST_RETRIEVER_OPTIONS, type RetrieverOptions } from '../../retrieval/retriever';
import { type Drafter, noDrafter, promptLookupDrafter, retrievalDrafter } from './drafter';
import type { ResolvedOptions } from './options';

/** Example: openDrafter(resolveOptions({ mode: 'pld' }, DEFAULT_PROMPT_LOOKUP), tok) → a prompt-lookup drafter */
export function openDrafter(opts: ResolvedOptions, tokenizer: Tokenizer): Drafter {
  const weights = { alpha: opts.alpha, beta: opts.beta, gamma: opts.gamma };
  if (opts.mode === 'ar') return noDrafter();
  if (opts.mode === 'pld') return promptLookupDrafter(opts.promptLookup);
  if (opts.retriever) return retrievalDrafter(opts.retriever, weights, false);
  const retriever = new FastRetriever(retrieverOptions(opts, tokenizer));
  return retrievalDrafter(retriever, weights, true, () => retriever.ready());
}

/**
 * `rest`: D_c only, no cache, no timing, no missing table. `fastcoder`: D_r (unless `repo` is off) and D_c, with the
 * cache, retrieval timing (line-start coin and missing table) and parallel search as switched; with `sessionCache`,
 * that cache (session scope: kept across generations) instead of a fresh one.
 *
 * Example: retrieverOptions({ mode: 'fastcoder', timing: false, ... }) → { timing: false, missingTable: false, ... }
 */
export function retrieverOptions(opts: ResolvedOptions, tokenizer: Tokenizer): Partial<RetrieverOptions> {
  const { mode, repoIndex, commonIndex } = opts;
  if (!commonIndex) throw new Error(`generate: mode '${mode}' needs commonIndex (the common-code datastore D_c), or a ready retriever`);
  const common = { seed: opts.seed, tokenTexts: tokenizer.tokenTexts() };
  if (mode === 'rest') return { ...common, ...REST_RETRIEVER_OPTIONS, ...opts.retrieval, common: commonIndex };
  if (opts.repo && !repoIndex) throw new Error("generate: mode 'fastcoder' needs repoIndex (the repository datastore D_r), or repo: false");
  const switches = { cache: opts.cache, timing: opts.timing, missingTable: opts.timing, parallel: opts.parallel };
  const scope = opts.sessionCache ? { cacheScope: 'session' as const, sharedCache: opts.sessionCache } : {};
  return { ...common, ...switches, ...scope, ...opts.retrieval, repo: opts.repo ? repoIndex : undefined, common: commonIndex };
}
