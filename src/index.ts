/**
 * fastcoder's public API: the model, retrieval, the weighted Trie, decoding, tracing and the benchmark harness.
 *
 * Example (plain greedy vs FastCoder on the bundled model; outputs are token-identical):
 *   import { loadModel, loadTokenizer, buildDatastore, tokenizerHash, generate } from 'fastcoder';
 *   const model = await loadModel('models/tiny-coder-dsc');
 *   const tokenizer = loadTokenizer('models/tiny-coder-dsc');
 *   const id = { tokenizer, vocabSize: model.vocabSize, tokenizerHash: tokenizerHash('models/tiny-coder-dsc') };
 *   const { datastore: common } = await buildDatastore(['examples/common-python-mini'], id);
 *   const ar = await generate(model, tokenizer, 'import os\n', { mode: 'ar', maxNewTokens: 64 });
 *   const fc = await generate(model, tokenizer, 'import os\n', { mode: 'fastcoder', repo: false, commonIndex: common, maxNewTokens: 64 });
 *   fc.tokens  // === ar.tokens;  fc.metrics.acceptance = tokens per forward
 */

// model: the HF-exact Llama on TensorFlow.js
export type { CausalLM } from '../model/causal-lm';
export { loadModel, type LoadOptions } from '../model/load';
export { LlamaModel } from '../model/llama';
export { loadConfig, parseConfig, type LlamaConfig } from '../model/config';
export { loadTokenizer, type Tokenizer } from '../model/tokenizer';
export { selectBackend, BACKEND_NAMES, type BackendName, type ChosenBackend } from '../model/backend';
export { openSafetensors, type SafetensorsFile, type TensorInfo } from '../model/safetensors';
export { openCheckpoint, type Checkpoint } from '../model/checkpoint';
export { loadHfFixture, runHfChecks, formatCheck, compareArrays, type HfFixture, type CheckResult } from '../model/hf-fixture';
export { ropeCosSin } from '../model/rope';
export { argmaxRow, acceptGreedy, type Acceptance } from '../model/greedy';

// retrieval: suffix arrays, datastores, the cache, Algorithm 1
export type { DraftSource, Continuation, SourceResult, RetrievalDecision, RetrievalResult, StepFeedback, Retriever } from '../retrieval/types';
export { buildSuffixArray, searchSuffixArray, SEPARATOR, type SearchOptions, type SuffixMatch } from '../retrieval/suffix-array';
export { Datastore, datastoreFromDocuments } from '../retrieval/datastore';
export { buildDatastore, type BuildOptions, type BuildStats } from '../retrieval/io/build';
export { saveDatastore, loadDatastore } from '../retrieval/io/datastore-file';
export { readCorpus, parseExclusion, type Exclusion, type CorpusOptions } from '../retrieval/io/corpus';
export { readTarEntries, type TarEntry } from '../retrieval/io/tar';
export { tokenizerHash, configVocabSize } from '../retrieval/io/tokenizer-hash';
export { SequenceCache, type CacheLimits } from '../retrieval/cache';
export { isLineStart, seededRandom } from '../retrieval/timing';
export { FastRetriever, DEFAULT_RETRIEVER_OPTIONS, REST_RETRIEVER_OPTIONS, newSequenceCache, type RetrieverOptions } from '../retrieval/retriever';

// trie: weighted Trie and the draft tree's flat arrays
export { WeightedTrie, type TrieSource, type TrieWeights } from '../trie/weighted-trie';
export { ancestorMask, positionIds, leafPaths, verifyInputs, emptyTree, type DraftTree, type VerifyInputs } from '../trie/draft-tree';

// decoding, tracing, metrics
export { generate, ABLATIONS, MODES, type GenerationResult, type GenerateOptions, type Mode, type AblationRow } from './decode/generate';
export { createOracle, type OracleLM, type OracleOptions } from './decode/oracle';
export { BudgetChooser, freshRanks, freshScales, openBudget, parseBudget, trimTree, type Budget, type BudgetChoice, type MachineScales, type RankCorrection, type StepBudget } from './decode/budget';
export { calibrate, loadOrCalibrate, flatProfile, forwardMs, stepMs, modelShape, profileKey, readProfile, writeProfile, type CostProfile, type ProfileKey } from './decode/cost-model';
export { JsonlTraceWriter, type TraceSink } from './trace/writer';
export { speedup, firstDivergence } from './decode/metrics';
export type { TraceLine, TraceHeader, StepTrace, TraceSummary, GenerationMetrics, TokenSource, AcceptedToken, DraftTrace, SourceTrace, StepTiming } from './trace/types';

// benchmarks and reports
export { runBench, sessionCaches, promptIds, type RunOptions, type Target } from './bench/run';
export { warmUp, WARM_UP_TOKENS } from './bench/warm-up';
export { clairvoyantBudget, clairvoyantChoice, greedyPath, type ClairvoyantChoice } from './bench/clairvoyant-budget';
export { loadHumanEval, loadRepoEval, loadTasks, type BenchTask } from './bench/datasets';
export { readRepos, repoDatastore, excludeLines, type RepoFiles, type TokenizerIdentity } from './bench/repo-datastores';
export { quantile, median, mean } from '../util/stats';
export { readResults, writeResults, type BenchResults, type ModeAggregate, type TaskResult } from './bench/results';
export { markdownSummary, tableI, tableII, tableIV } from './bench/tables';
export { readTrace, parseTrace, type Trace } from './trace/reader';
export { tracePage } from './trace/page';
export { resultsPage } from './bench/results-page';
