/**
 * Ground truth from Hugging Face in the `shared/fixtures/hf-llama` format (see its README): a directory with
 * `cases.json` and raw float32 `.bin` arrays; the model is in the same directory or in `cases.json`'s `model_dir`
 * (relative to it). `runHfChecks` replays every case on a CausalLM and reports the max abs difference per check.
 *
 * Example:
 *   const fx = loadHfFixture('test/fixtures/hf-llama/gqa-tiny');
 *   const lm = await loadModel(fx.modelDir);
 *   for (const r of await runHfChecks(fx, lm)) console.log(formatCheck(r));
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CausalLM } from './causal-lm';
import { acceptGreedy, argmaxRow } from './greedy';
import { loadTokenizer } from './tokenizer';
import { readJsonFile } from '../util/json-file';

/** A `{file, dtype, byte_order, shape}` descriptor of a `.bin` array. */
export interface ArrayDescriptor {
  file: string; // relative to the fixture directory
  dtype: string; // must be 'float32'
  byte_order?: string; // must be 'little' when present
  shape: number[];
}

export interface HfCases {
  prompt: number[];
  prompt_text?: string;
  prompt_logits: ArrayDescriptor;
  greedy: { tokens_use_cache: number[]; step_logits: ArrayDescriptor };
  tree: {
    parents: number[];
    tokens: number[];
    position_ids: number[];
    mask: number[][];
    logits: ArrayDescriptor;
    greedy_verification: { accepted_nodes: number[]; bonus_token: number };
  };
  kv_step: { split: number; chunk1_tokens: number[]; chunk2_tokens: number[]; chunk1_logits: ArrayDescriptor; chunk2_logits: ArrayDescriptor };
  debug?: { hidden_states?: ArrayDescriptor; rope?: ArrayDescriptor };
  model_dir?: string;
  weights?: { sha256?: Record<string, string> };
}

export interface HfFixture {
  dir: string; // the fixture directory (holds cases.json)
  modelDir: string; // where config.json / safetensors (/ tokenizer.json) are
  cases: HfCases;
  /** Read a `.bin` array of this fixture, checked against its descriptor. */
  read(d: ArrayDescriptor): Float32Array;
}

export interface CheckResult {
  name: string; // e.g. 'prompt_logits'
  pass: boolean;
  maxAbsDiff: number; // over all compared values (NaN when nothing numeric was compared)
  detail: string; // llm.c-style first values on failure, or what was compared
}

function readBin(dir: string, d: ArrayDescriptor): Float32Array {
  const file = path.join(dir, d.file);
  if (d.dtype !== 'float32' || (d.byte_order ?? 'little') !== 'little') throw new Error(`${file}: expected little-endian float32, descriptor says ${d.dtype}/${d.byte_order}`);
  if (!fs.existsSync(file)) throw new Error(`${file}: file not found`);
  const bytes = fs.readFileSync(file);
  const count = d.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== count * 4) throw new Error(`${file}: ${bytes.length} bytes, but shape ${JSON.stringify(d.shape)} needs ${count * 4}`);
  const out = new Float32Array(count);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** The value at a dotted path of `obj`, e.g. `field(cases, 'tree.logits')`; undefined when any step is missing. */
function field(obj: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

const isIndex = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * Check the parts of cases.json the checks read, so that a malformed file is an error naming the file and the field
 * rather than a TypeError from inside a check.
 * Example: `tree.logits` without `shape` → "x/cases.json: tree.logits must be an array descriptor {file, dtype, shape}".
 */
function checkCases(cases: unknown, file: string): HfCases {
  if (!cases || typeof cases !== 'object' || Array.isArray(cases)) throw new Error(`${file}: expected a JSON object`);
  const fail = (key: string, what: string) => new Error(`${file}: ${key} must be ${what}`);
  for (const key of ['prompt', 'greedy.tokens_use_cache', 'tree.parents', 'tree.tokens', 'tree.position_ids', 'tree.greedy_verification.accepted_nodes', 'kv_step.chunk1_tokens', 'kv_step.chunk2_tokens']) {
    const v = field(cases, key);
    if (!Array.isArray(v) || !v.every(key === 'tree.parents' ? (p) => p === -1 || isIndex(p) : isIndex)) throw fail(key, 'a list of non-negative integers');
  }
  for (const key of ['kv_step.split', 'tree.greedy_verification.bonus_token']) if (!isIndex(field(cases, key))) throw fail(key, 'a non-negative integer');
  const optional = ['debug.hidden_states', 'debug.rope'];
  for (const key of ['prompt_logits', 'greedy.step_logits', 'tree.logits', 'kv_step.chunk1_logits', 'kv_step.chunk2_logits', ...optional]) {
    const d = field(cases, key) as Partial<ArrayDescriptor> | undefined;
    if (d === undefined && optional.includes(key)) continue;
    if (!d || typeof d !== 'object' || typeof d.file !== 'string' || typeof d.dtype !== 'string' || !Array.isArray(d.shape) || !d.shape.every(isIndex)) {
      throw fail(key, 'an array descriptor {file, dtype, shape}');
    }
  }
  const n = (field(cases, 'tree.tokens') as number[]).length;
  const mask = field(cases, 'tree.mask');
  if (!Array.isArray(mask) || mask.length !== n || !mask.every((row) => Array.isArray(row) && row.length === n && row.every((x) => x === 0 || x === 1))) {
    throw fail('tree.mask', `${n} rows of ${n} zeros and ones`);
  }
  if ((field(cases, 'tree.parents') as number[]).length !== n || (field(cases, 'tree.position_ids') as number[]).length !== n) {
    throw fail('tree.parents and tree.position_ids', `as long as tree.tokens (${n})`);
  }
  const modelDir = field(cases, 'model_dir');
  if (modelDir !== undefined && typeof modelDir !== 'string') throw fail('model_dir', 'a path');
  return cases as HfCases;
}

/** Read `dir/cases.json` and locate the model (the fixture dir, or `model_dir` relative to it). */
export function loadHfFixture(dir: string): HfFixture {
  const file = path.join(dir, 'cases.json');
  if (!fs.existsSync(file)) throw new Error(`${file}: file not found (not an hf-llama fixture directory)`);
  const cases = checkCases(readJsonFile(file), file);
  const modelDir = cases.model_dir ? path.resolve(dir, cases.model_dir) : dir;
  if (!fs.existsSync(path.join(modelDir, 'config.json'))) throw new Error(`${file}: no config.json in the model directory ${modelDir}`);
  return { dir, modelDir, cases, read: (d) => readBin(dir, d) };
}

/**
 * Compare `got` with `want` elementwise; on failure the detail shows the first values like llm.c's check_tensor.
 * Example: `compareArrays('x', [1, 2], [1, 2.5], 1e-4)` → { pass: false, maxAbsDiff: 0.5, detail: 'x[1] got 2 want 2.5 ...' }.
 */
export function compareArrays(name: string, got: ArrayLike<number>, want: ArrayLike<number>, atol: number): CheckResult {
  if (got.length !== want.length) return { name, pass: false, maxAbsDiff: NaN, detail: `length ${got.length}, expected ${want.length}` };
  let maxAbsDiff = 0;
  const shown: string[] = [];
  for (let i = 0; i < got.length; i++) {
    const diff = Math.abs(got[i] - want[i]);
    if (!(diff <= maxAbsDiff)) maxAbsDiff = Number.isNaN(diff) ? Infinity : diff;
    if (i < 5 || (!(diff <= atol) && shown.length < 10)) shown.push(`${name}[${i}] got ${got[i]} want ${want[i]}${diff <= atol ? '' : ' MISMATCH'}`);
  }
  const pass = maxAbsDiff <= atol;
  return { name, pass, maxAbsDiff, detail: pass ? `${got.length} values` : shown.join('\n') };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

async function prefill(lm: CausalLM, tokens: number[]): Promise<Float32Array> {
  lm.reset();
  const logits = await lm.forward(tokens, range(0, tokens.length));
  lm.commit(range(0, tokens.length));
  return logits;
}

/** The tree case: prompt in the cache, then all nodes in one forward with the tree mask and position ids. */
async function treeChecks(fx: HfFixture, lm: CausalLM, atol: number): Promise<CheckResult[]> {
  const t = fx.cases.tree;
  const gv = t.greedy_verification;
  const V = lm.vocabSize;
  const promptRow = argmaxRow(await prefill(lm, fx.cases.prompt), fx.cases.prompt.length - 1, V);
  const logits = await lm.forward(t.tokens, t.position_ids, Uint8Array.from(t.mask.flat()));
  // greedy verification re-derived from our logits; the root's row is the prompt's last row, node i's row is row i
  const acc = await acceptGreedy(t.tokens, t.parents, (row) => (row === 0 ? promptRow : argmaxRow(logits, row - 1, V)));
  const accepted = acc.nodes;
  const bonus = acc.tokens[acc.tokens.length - 1];
  const ok = accepted.join() === gv.accepted_nodes.join() && bonus === gv.bonus_token;
  // logits(rows) after forwardHidden: the rows read by greedy verification, in a scrambled order, equal HF's rows
  await lm.forwardHidden(t.tokens, t.position_ids, Uint8Array.from(t.mask.flat()));
  const rows = [t.tokens.length - 1, ...gv.accepted_nodes, 0];
  const want = fx.read(t.logits);
  const picked = new Float32Array(rows.length * V);
  rows.forEach((r, i) => picked.set(want.subarray(r * V, (r + 1) * V), i * V));
  // argmax(rows) on the model: the greedy tokens of those rows, read as ids only, equal the argmax of HF's rows
  const argmaxWant = rows.map((_, i) => argmaxRow(picked, i, V));
  const argmaxGot = Array.from(await lm.argmax(rows));
  const argmaxOk = argmaxGot.join() === argmaxWant.join();
  return [
    compareArrays('tree_logits', logits, want, atol),
    compareArrays('tree_logits_rows', await lm.logits(rows), picked, atol),
    { name: 'tree_argmax_rows', pass: argmaxOk, maxAbsDiff: NaN, detail: `rows [${rows}]: argmax [${argmaxGot}]${argmaxOk ? '' : `, HF's rows give [${argmaxWant}]`}` },
    { name: 'tree_greedy_verification', pass: ok, maxAbsDiff: NaN, detail: `accepted [${accepted}] bonus ${bonus}; expected [${gv.accepted_nodes}] bonus ${gv.bonus_token}` },
  ];
}

async function chunkedChecks(fx: HfFixture, lm: CausalLM, atol: number): Promise<CheckResult[]> {
  const k = fx.cases.kv_step;
  const c1 = await prefill(lm, k.chunk1_tokens);
  const c2 = await lm.forward(k.chunk2_tokens, range(k.split, k.chunk2_tokens.length));
  return [compareArrays('kv_chunk1_logits', c1, fx.read(k.chunk1_logits), atol), compareArrays('kv_chunk2_logits', c2, fx.read(k.chunk2_logits), atol)];
}

/** Greedy decoding with the cache, one token per step: tokens must be identical, step logits within atol. */
async function greedyChecks(fx: HfFixture, lm: CausalLM, atol: number): Promise<CheckResult[]> {
  const want = fx.cases.greedy.tokens_use_cache;
  const V = lm.vocabSize;
  const prompt = fx.cases.prompt;
  let row = await prefill(lm, prompt);
  let rowIndex = prompt.length - 1;
  const steps = new Float32Array(want.length * V);
  const got: number[] = [];
  for (let i = 0; i < want.length; i++) {
    steps.set(row.subarray(rowIndex * V, (rowIndex + 1) * V), i * V);
    got.push(argmaxRow(row, rowIndex, V));
    if (i + 1 === want.length) break;
    row = await lm.forward([got[i]], [lm.cacheLength]);
    lm.commit([0]);
    rowIndex = 0;
  }
  const same = got.join() === want.join();
  return [
    compareArrays('greedy_step_logits', steps, fx.read(fx.cases.greedy.step_logits), atol),
    { name: 'greedy_tokens', pass: same, maxAbsDiff: NaN, detail: same ? `${want.length} tokens identical` : `got [${got}]\nwant [${want}]` },
  ];
}

/** A CausalLM that can also return its per-layer hidden states, HF `output_hidden_states` style (LlamaModel does). */
export interface HiddenStatesLM extends CausalLM {
  hiddenStates(tokens: ArrayLike<number>, positions: ArrayLike<number>, treeMask?: Uint8Array): Promise<Float32Array[]>;
}

/**
 * HF's `output_hidden_states` of the prompt pass (`[layers + 1, n, hidden]`: embeddings, each layer's output, the last
 * one after the final RMSNorm) against `lm.hiddenStates`, layer by layer; the detail names the first layer that fails.
 * Example (llama-tiny): PASS hidden_states  max|diff| 1.91e-6  (3 × 24 × 64 values; per layer 0.0e+0, 1.5e-6, 1.9e-6)
 */
export async function checkHiddenStates(fx: HfFixture, lm: HiddenStatesLM, d: ArrayDescriptor, atol: number): Promise<CheckResult> {
  const name = 'hidden_states';
  const prompt = fx.cases.prompt;
  lm.reset();
  const got = await lm.hiddenStates(prompt, range(0, prompt.length));
  lm.reset();
  const want = fx.read(d);
  const size = got[0].length; // n × hidden
  if (d.shape.length !== 3 || d.shape[0] !== got.length || d.shape[1] * d.shape[2] !== size || d.shape[1] !== prompt.length) {
    return { name, pass: false, maxAbsDiff: NaN, detail: `${d.file} has shape ${JSON.stringify(d.shape)}, the model gives [${got.length}, ${prompt.length}, ${size / prompt.length}]` };
  }
  const layers = got.map((g, l) => compareArrays(`${name}[${l}]`, g, want.subarray(l * size, (l + 1) * size), atol));
  const failed = layers.find((r) => !r.pass);
  const maxAbsDiff = layers.reduce((m, r) => Math.max(m, r.maxAbsDiff), 0);
  const perLayer = layers.map((r) => r.maxAbsDiff.toExponential(1)).join(', ');
  return { name, pass: !failed, maxAbsDiff, detail: failed ? failed.detail : `${d.shape.join(' × ')} values; per layer ${perLayer}` };
}

/**
 * Run every check of the fixture on `lm` (which must be the fixture's model): prompt logits, hidden states (when the
 * fixture has `debug.hidden_states` and `lm` has `hiddenStates`), tree, chunked prefill, greedy. The cache is reset
 * afterwards.
 */
export async function runHfChecks(fx: HfFixture, lm: CausalLM | HiddenStatesLM, atol = 1e-4): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const prompt = fx.cases.prompt;
  results.push(compareArrays('prompt_logits', await prefill(lm, prompt), fx.read(fx.cases.prompt_logits), atol));
  const hidden = fx.cases.debug?.hidden_states;
  if (hidden && 'hiddenStates' in lm) results.push(await checkHiddenStates(fx, lm, hidden, atol));
  results.push(...(await treeChecks(fx, lm, atol)));
  results.push(...(await chunkedChecks(fx, lm, atol)));
  results.push(...(await greedyChecks(fx, lm, atol)));
  lm.reset();
  return results;
}

/**
 * `weights.sha256` (file → hex digest, relative to the model dir), when cases.json pins the model files.
 * Example: tinystories-656k → three results named 'sha256 config.json', 'sha256 model.safetensors', 'sha256 tokenizer.json'.
 */
export function checkWeightHashes(fx: HfFixture): CheckResult[] {
  return Object.entries(fx.cases.weights?.sha256 ?? {}).map(([file, want]) => {
    const full = path.join(fx.modelDir, file);
    const got = fs.existsSync(full) ? crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex') : 'missing';
    return { name: `sha256 ${file}`, pass: got === want, maxAbsDiff: NaN, detail: got === want ? 'matches cases.json' : `${full}: got ${got}, cases.json pins ${want}` };
  });
}

/**
 * `prompt_text` through the model dir's tokenizer (BOS included) must give `prompt`; no check when either is absent.
 * Example: tinystories-656k: 'Once upon a time, there was a little' → [1, 80, 147, 201, 282, 215, 286, 64, 207, 161].
 */
export function checkPromptTokenization(fx: HfFixture): CheckResult[] {
  if (fx.cases.prompt_text === undefined || !fs.existsSync(path.join(fx.modelDir, 'tokenizer.json'))) return [];
  const got = loadTokenizer(fx.modelDir).encode(fx.cases.prompt_text, { addSpecialTokens: true });
  const pass = got.join() === fx.cases.prompt.join();
  return [{ name: 'prompt_tokenization', pass, maxAbsDiff: NaN, detail: pass ? `${got.length} ids identical` : `got [${got}]\nwant [${fx.cases.prompt}]` }];
}

/** One line: `PASS prompt_logits  max|diff| 2.1e-6  (12288 values)`, with the failure detail indented below. */
export function formatCheck(r: CheckResult): string {
  const diff = Number.isNaN(r.maxAbsDiff) ? '' : `max|diff| ${r.maxAbsDiff.toExponential(2)}`;
  const head = `${r.pass ? 'PASS' : 'FAIL'} ${r.name.padEnd(26)} ${diff.padEnd(20)}`;
  return r.pass ? `${head} (${r.detail})` : `${head}\n  ${r.detail.split('\n').join('\n  ')}`;
}

/**
 * All checks of one run as a table, llm.c style (`OK (LOGITS), max_diff = …`), printed by the tests whether they pass
 * or not. Example:
 *   gqa-tiny on wasm: 10/10 OK
 *   OK   prompt_logits               max_diff = 1.43e-6
 *   OK   tree_greedy_verification    accepted [0,1] bonus 7; expected [0,1] bonus 7
 */
export function formatCheckTable(title: string, results: CheckResult[]): string {
  const ok = results.filter((r) => r.pass).length;
  const lines = results.map((r) => `${r.pass ? 'OK  ' : 'FAIL'} ${r.name.padEnd(27)} ${Number.isNaN(r.maxAbsDiff) ? r.detail.split('\n')[0] : `max_diff = ${r.maxAbsDiff.toExponential(2)}`}`);
  return [`${title}: ${ok}/${results.length} OK`, ...lines].join('\n');
}
