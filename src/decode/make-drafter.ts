/**
 * The drafter of a mode: `ar` none, `pld` prompt lookup, `rest` / `fastcoder` a retriever (the one given, or one built
 * from the datastores and the component switches).
 */
import type { Tokenizer } from '../../model/tokenizer';
import { type Drafter, noDrafter, promptLookupDrafter, retrievalDrafter } from './drafter';
import type { ResolvedOptions } from './options';

/** Example: openDrafter(resolveOptions({ mode: 'pld' }, DEFAULT_PROMPT_LOOKUP), tok) → a prompt-lookup drafter */
export async function openDrafter(opts: ResolvedOptions, tokenizer: Tokenizer): Promise<Drafter> {
  const weights = { alpha: opts.alpha, beta: opts.beta, gamma: opts.gamma };
  switch (opts.mode) {
    case 'ar':
      return noDrafter();
    case 'pld':
      return promptLookupDrafter(opts.promptLookup);
    case 'rest':
    case 'fastcoder':
      if (opts.retriever) return retrievalDrafter(opts.retriever, weights, false);
      void tokenizer;
      throw new Error(`generate: mode '${opts.mode}' needs a retriever`);
  }
}
