/**
 * `npm run bench:model -- --config <config.json | preset> [--out f.json] [--backend webgpu] [--reps 5]
 *    [--contexts 128,512,2048] [--trees 1,2,4,...,128] [--tree-context 512] [--warmup 20] [--prefill 128] [--generate <model dir>]`
 *
 * Speed of the tfjs Llama with random weights of a given shape:
 * - the memory bandwidth where the weights live, and the one-token forward against the time its weights take to stream
 *   at that bandwidth (the floor for a memory-bound step: what is above it is arithmetic or per-op overhead);
 * - prefill tokens/s; greedy decode ms/token at each context (forward of one token + argmax on the backend + commit, as
 *   the decoder does), with the GPU→CPU reads and the kernels (dispatches) of one such step;
 * - the cost of one verification forward over [root + a random tree] of 1 … 128 tokens on a 512-token cache (its
 *   layers and the root row's argmax, one read), relative to 1 token, which is what speculative decoding pays;
 * - the verify step's argmax: row by row along the accepted path (one read each) against every row at once (one read);
 * - with `--generate <model dir>`: a real generation (prompt lookup, budget 64) with each of those two orders,
 *   interleaved, so that the faster one per backend is measured where it matters;
 * - with `--compare-kv-cache` (wasm): the KV cache written in place against one that makes new tensors at each commit
 *   (model/kv-cache.ts), on a second copy of the model, runs of steps interleaved (`compareKvCache`);
 * - with `--compare-head` (wasm, one thread): the argmax of 1-8 lm_head rows by the kernels of model/wasm-head.ts against
 *   tf.matMul + tf.argMax, interleaved after a forward (`compareHead`);
 * - with `--compare-linear` (wasm, one thread): verify forwards of 1-64 rows with the layers' projections by the kernels of
 *   model/wasm-linear.ts where it serves that row count, against tf.matMul alone, interleaved (`compareLinear`);
 * - with `--per-op-floor`: each verify forward against the same forward of the shape's per-op twin (the same layers and
 *   heads at width 64, `perOpTwin`), interleaved: the part of the step that is paid per kernel call, not per weight or
 *   per row (`perOpFloor`), and the cost curve without it.
 * Prints medians as a table and writes JSON (`--out`).
 *
 * Example:
 *   npm run bench:model -- --config smollm-135m --out bench-model.json
 *   npm run bench:model -- --config deepseek-coder-1.3b --backend webgpu --contexts 512 --reps 3
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import * as tf from '@tensorflow/tfjs-core';
import type { LlamaConfig } from '../model/config';
import type { LlamaModel } from '../model/llama';
import { loadModel, type LoadOptions } from '../model/load';
import { worthKernels } from '../model/wasm-linear';
import { loadTokenizer } from '../model/tokenizer';
import { seededRandom } from '../retrieval/timing';
import { forwardWeightBytes, MODEL_PRESETS, perOpTwin, randomModel } from '../src/bench/random-model';
import { runEntryPoint } from '../src/cli/entry';
import { loadFlags } from '../src/cli/flags';
import { generate } from '../src/decode/generate';
import { verifyInputs, type DraftTree, type VerifyInputs } from '../trie/draft-tree';
import { median } from '../util/stats';

const FILL_CHUNK = 256;
const DECODE_WARMUP = 3; // untimed steps after a prefill/fill, whose large arrays are still being collected
const BANDWIDTH_ELEMENTS = 32 * 2 ** 20; // 128 MB of float32

const HELP = `usage: npm run bench:model -- --config <config.json | ${Object.keys(MODEL_PRESETS).join(' | ')}> [--out f.json]
  [--backend tensorflow|webgpu|wasm|cpu] [--wasm-threads N] [--reps 5] [--contexts 128,512,2048] [--trees 1,2,4,8,16,32,64,128 ('' = none)] [--tree-context 512]
  [--warmup 20] [--prefill 128 (0 = skip)]
  [--generate <model dir> [--prompt-file f.py] [--max-new-tokens 64]] [--compare-kv-cache] [--compare-head] [--compare-linear] [--per-op-floor]`;

const spread = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const token = (i: number, c: LlamaConfig) => (i * 7919 + 13) % c.vocabSize;

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

/**
 * Reads (GPU→CPU downloads: `backend.read` / `readSync`) and kernels run during `f`. A kernel is one dispatch on
 * webgpu (fused ops excepted); on wasm and cpu it is one call into the kernel library, and a "read" there is a view
 * of host memory that kernels themselves take (wasm's concat reads its inputs so), so reads are counted on GPU
 * backends only (null elsewhere).
 */
async function countOps(f: () => Promise<unknown>, onDevice: boolean): Promise<{ reads: number | null; kernels: number }> {
  const backend = tf.backend() as unknown as Record<string, (...a: unknown[]) => unknown>;
  const original = { read: backend.read, readSync: backend.readSync };
  let reads = 0;
  for (const name of ['read', 'readSync'] as const) {
    backend[name] = function (this: unknown, ...args: unknown[]) {
      reads++;
      return original[name].apply(this, args);
    };
  }
  try {
    await f();
  } finally {
    Object.assign(backend, original);
  }
  const info = await tf.profile(async () => {
    await f(); // counted apart: the profiler itself reads kernel outputs
    return [];
  });
  return { reads: onDevice ? reads : null, kernels: info.kernels.length };
}

/**
 * Memory bandwidth where the weights live (median of 5 after a warm-up, bytes read + written over 128 MB): on a GPU
 * backend, `x + x` on the device; on a CPU backend, a memcpy (TypedArray.set): tfjs-wasm's elementwise kernels are
 * scalar loops far below the memory's rate, while its matMuls (XNNPACK) approach it.
 * Example: this machine, one core: ~10 GB/s memcpy.
 */
async function bandwidth(onDevice: boolean): Promise<{ gbPerS: number; method: string; samplesMs: number[] }> {
  const samplesMs: number[] = [];
  if (onDevice) {
    const x = tf.fill([BANDWIDTH_ELEMENTS], 1.5);
    for (let r = -1; r < 5; r++) {
      const ms = await timed(async () => {
        const y = tf.add(x, x);
        const one = tf.slice(y, [BANDWIDTH_ELEMENTS - 1], [1]);
        await one.data(); // waits for the add on an asynchronous (GPU) backend
        tf.dispose([y, one]);
      });
      if (r >= 0) samplesMs.push(ms);
    }
    x.dispose();
    return { gbPerS: (3 * 4 * BANDWIDTH_ELEMENTS) / 1e6 / median(samplesMs), method: 'x + x on the device', samplesMs };
  }
  const a = new Float32Array(BANDWIDTH_ELEMENTS).fill(1.5);
  const b = new Float32Array(BANDWIDTH_ELEMENTS);
  for (let r = -1; r < 5; r++) {
    const ms = await timed(async () => b.set(a));
    if (r >= 0) samplesMs.push(ms);
  }
  return { gbPerS: (2 * 4 * BANDWIDTH_ELEMENTS) / 1e6 / median(samplesMs), method: 'memcpy in host memory', samplesMs };
}

/** Fill the cache up to `length` in chunks. */
async function fillTo(lm: LlamaModel, length: number): Promise<void> {
  while (lm.cacheLength < length) {
    const n = Math.min(FILL_CHUNK, length - lm.cacheLength);
    const L = lm.cacheLength;
    await lm.forwardHidden(range(0, n).map((i) => token(L + i, lm.config)), range(L, n));
    lm.commit(range(0, n));
  }
}

/** One greedy step as the decoder takes it: forward of the root, argmax on the backend (one read), commit. */
async function decodeStep(lm: LlamaModel, root: number): Promise<number> {
  await lm.forwardHidden([root], [lm.cacheLength]);
  const [next] = await lm.argmax([0]);
  lm.commit([0]);
  return next;
}

/** Greedy decode `reps` timed steps (after DECODE_WARMUP untimed ones) from the current cache; ms per step. Rolled back afterwards. */
async function decode(lm: LlamaModel, reps: number): Promise<number[]> {
  const start = lm.cacheLength;
  let next = token(start, lm.config);
  const ms: number[] = [];
  for (let r = -DECODE_WARMUP; r < reps; r++) {
    const t = await timed(async () => {
      next = await decodeStep(lm, next);
    });
    if (r >= 0) ms.push(t);
  }
  lm.rollback(start);
  return ms;
}

/** A random draft tree of n nodes (node i's parent drawn among the root and nodes 0..i-1), seeded by n. */
function randomTree(n: number, c: LlamaConfig): DraftTree {
  const rand = seededRandom(n);
  const parents: number[] = [];
  const depths: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = Math.floor(rand() * (i + 1)) - 1;
    parents.push(p);
    depths.push(p < 0 ? 0 : depths[p] + 1);
  }
  return { tokens: range(0, n).map((i) => token(7 * n + i, c)), parents, depths, weights: [], counts: { repo: [], common: [], cache: [], lookup: [] } };
}

/**
 * One verify forward over `t` and the root row's argmax (a GPU runs the queued forward when something is read: one id),
 * timed after an untimed run of the same shape, so that it does not pay for the previous (larger) one's garbage.
 */
async function timedVerify(lm: LlamaModel, t: VerifyInputs): Promise<number> {
  const forward = async () => {
    await lm.forwardHidden(t.tokens, t.positions, t.mask);
    await lm.argmax([0]);
  };
  await forward();
  return timed(forward);
}

interface TreeRow {
  tokens: number; // root + draft nodes in the forward
  ms: number; // median time of the forward's layers + the root row's argmax (one read: what the smallest step pays)
  relative: number; // ms / the 1-token forward's ms
  argmaxRowMs: number; // median time of argmax([one row]) after that forward (one read)
  argmaxAllMs: number; // median time of argmax(every row) (one read)
  samples: number[];
}

/**
 * Verification forwards over [root + random tree] for each size, interleaved within each repetition (load drifts on a
 * shared machine hit every size alike), each timed after an untimed one (`timedVerify`). After each, the two argmax
 * orders are timed on the same hidden states.
 */
async function treeCosts(lm: LlamaModel, sizes: number[], reps: number): Promise<TreeRow[]> {
  const c = lm.config;
  const L = lm.cacheLength;
  const inputs = sizes.map((n) => verifyInputs(token(L, c), L, randomTree(n - 1, c)));
  const fwd = sizes.map(() => [] as number[]);
  const one = sizes.map(() => [] as number[]);
  const all = sizes.map(() => [] as number[]);
  for (let r = 0; r < reps; r++) {
    for (const [i, t] of inputs.entries()) {
      fwd[i].push(await timedVerify(lm, t));
      one[i].push(await timed(() => lm.argmax([sizes[i] - 1])));
      all[i].push(await timed(() => lm.argmax(range(0, sizes[i]))));
    }
  }
  return sizes.map((n, i) => ({ tokens: n, ms: median(fwd[i]), relative: median(fwd[i]) / median(fwd[0]), argmaxRowMs: median(one[i]), argmaxAllMs: median(all[i]), samples: fwd[i] }));
}

interface FloorRow {
  tokens: number; // root + draft nodes in the forward
  ms: number; // median time of the model's forward + the root row's argmax
  floorMs: number; // the same on the per-op twin: what the forward pays per kernel call
  share: number; // floorMs / ms
  relativeWithoutFloor: number; // (ms - floorMs) / that of 1 token: the cost curve if kernel calls cost nothing
}

/**
 * The per-op floor at the current cache length: verify forwards over [root + random tree] on `lm` and on `twin` (its
 * per-op twin, filled to the same length), both models and every size interleaved within each repetition
 * (`timedVerify`). Example (SmolLM-135M's shape, one core, cache 128): 1 / 4 tokens 40.5 / 72.5 ms, 17.8 / 22.1 of them
 * on the twin, so without the floor 4 tokens cost ×2.22 of 1, not ×1.79.
 */
async function perOpFloor(lm: LlamaModel, twin: LlamaModel, sizes: number[], reps: number): Promise<FloorRow[]> {
  const models = [lm, twin];
  const inputs = models.map((m) => sizes.map((n) => verifyInputs(token(m.cacheLength, m.config), m.cacheLength, randomTree(n - 1, m.config))));
  const ms = models.map(() => sizes.map(() => [] as number[]));
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < sizes.length; i++) {
      for (const [k, m] of models.entries()) ms[k][i].push(await timedVerify(m, inputs[k][i]));
    }
  }
  const [full, floor] = ms.map((bySize) => bySize.map(median));
  return sizes.map((n, i) => ({ tokens: n, ms: full[i], floorMs: floor[i], share: floor[i] / full[i], relativeWithoutFloor: (full[i] - floor[i]) / (full[0] - floor[0]) }));
}

interface KvCacheRow {
  context: number;
  greedyMs: { inPlace: number; newTensors: number }; // median ms of a greedy step (forward, argmax, commit)
  treeMs: { inPlace: number; newTensors: number }; // median ms of a 4-row tree step keeping 1 or 2 rows
  rounds: number;
}

/**
 * The KV cache written in place (`lm`) against new tensors at each commit (`other`, the same shape) from `context`:
 * `rounds` rounds, each timing KV_RUN greedy steps in a row, then KV_RUN 4-row tree steps (root + a chain of 3; each keeps
 * the root, or the root and the first node, in turn), on one model then the other, rolled back after each run. Runs of
 * steps, not single steps: the cost of new tensors is mostly in merging the blocks that steps add. ms per step: medians.
 */
async function compareKvCache(lm: LlamaModel, other: LlamaModel, context: number, rounds: number): Promise<KvCacheRow> {
  const c = lm.config;
  const samples = { greedy: [[], []] as number[][], tree: [[], []] as number[][] };
  const treeStep = async (m: LlamaModel, i: number) => {
    const L = m.cacheLength;
    const t = verifyInputs(token(L, c), L, { ...randomTree(3, c), parents: [-1, 0, 1], depths: [0, 1, 2] });
    await m.forwardHidden(t.tokens, t.positions, t.mask);
    await m.argmax([0]);
    m.commit(i % 2 === 0 ? [0] : [0, 1]);
  };
  const run = async (m: LlamaModel, step: (m: LlamaModel, i: number) => Promise<unknown>) => {
    const ms = await timed(async () => {
      for (let i = 0; i < KV_RUN; i++) await step(m, i);
    });
    m.rollback(context);
    return ms / KV_RUN;
  };
  for (const m of [lm, other]) await fillTo(m, context);
  for (let r = -1; r < rounds; r++) {
    for (const [i, m] of [lm, other].entries()) {
      const greedy = await run(m, (m, i) => decodeStep(m, token(context + i, c)));
      const tree = await run(m, treeStep);
      if (r >= 0) samples.greedy[i].push(greedy), samples.tree[i].push(tree); // round -1: warm-up
    }
  }
  const pair = (s: number[][]) => ({ inPlace: median(s[0]), newTensors: median(s[1]) });
  return { context, greedyMs: pair(samples.greedy), treeMs: pair(samples.tree), rounds };
}
const KV_RUN = 16; // steps in a row per timed run of `compareKvCache`

interface HeadRow {
  rows: number; // lm_head rows whose argmaxes one call reads
  panelsMs: number; // median ms with the kernels of model/wasm-head.ts
  tfjsMs: number; // median ms with tf.matMul + tf.argMax
}

/**
 * The argmax of the first r rows of a forward over 8 tokens at `context`, for each r of HEAD_ROWS, by the kernels and by
 * tfjs in turn (`lm.headKernel`), `reps` rounds after an untimed one; each call's ids must agree. Leaves the kernels on.
 */
async function compareHead(lm: LlamaModel, context: number, reps: number): Promise<HeadRow[]> {
  const c = lm.config;
  const t = verifyInputs(token(context, c), context, randomTree(7, c));
  await lm.forwardHidden(t.tokens, t.positions, t.mask);
  const ms = HEAD_ROWS.map(() => ({ panels: [] as number[], tfjs: [] as number[] }));
  for (let r = -1; r < reps; r++) {
    for (const [i, rows] of HEAD_ROWS.entries()) {
      const ids: string[] = [];
      for (const kernel of ['panels', 'tfjs'] as const) {
        lm.headKernel = kernel;
        const took = await timed(async () => ids.push((await lm.argmax(range(0, rows))).join()));
        if (r >= 0) ms[i][kernel].push(took);
      }
      if (ids[0] !== ids[1]) throw new Error(`--compare-head: the kernels' argmaxes of ${rows} rows differ from tfjs's (${ids[0]} against ${ids[1]})`);
    }
  }
  lm.headKernel = 'panels';
  lm.rollback(context);
  return HEAD_ROWS.map((rows, i) => ({ rows, panelsMs: median(ms[i].panels), tfjsMs: median(ms[i].tfjs) }));
}
const HEAD_ROWS = [1, 2, 3, 4, 5, 8]; // rows read at once by `compareHead`

interface LinearRow {
  rows: number; // rows of the verify forward (root + a chain)
  panelsMs: number; // median ms, the projections by model/wasm-linear.ts where `worthKernels(rows)` (else tf.matMul: a control)
  tfjsMs: number; // median ms, every projection by tf.matMul
}

/**
 * Verify forwards (layers + the root row's argmax) over the root and a chain, for each size of LINEAR_ROWS, with
 * `lm.linearKernel` 'panels' and 'tfjs' in turn (the order swapped every round), `reps` rounds after an untimed one;
 * each pair's root argmax must agree. Sizes the kernels do not serve run tf.matMul both ways: their ratio is the noise.
 * Leaves the kernels on.
 */
async function compareLinear(lm: LlamaModel, reps: number): Promise<LinearRow[]> {
  const c = lm.config;
  const L = lm.cacheLength;
  const chain = (n: number): DraftTree => ({ ...randomTree(n, c), parents: range(-1, n), depths: range(0, n) });
  const inputs = LINEAR_ROWS.map((rows) => verifyInputs(token(L, c), L, chain(rows - 1)));
  const ms = LINEAR_ROWS.map(() => ({ panels: [] as number[], tfjs: [] as number[] }));
  for (let r = -1; r < reps; r++) {
    for (const [i, t] of inputs.entries()) {
      const ids: number[] = [];
      for (const kernel of r % 2 === 0 ? (['panels', 'tfjs'] as const) : (['tfjs', 'panels'] as const)) {
        lm.linearKernel = kernel;
        const took = await timed(async () => {
          await lm.forwardHidden(t.tokens, t.positions, t.mask);
          ids.push((await lm.argmax([0]))[0]);
        });
        lm.rollback(L);
        if (r >= 0) ms[i][kernel].push(took);
      }
      if (ids[0] !== ids[1]) throw new Error(`--compare-linear: the root's argmax after ${LINEAR_ROWS[i]} rows differs between the kernels and tf.matMul (${ids[0]} against ${ids[1]})`);
    }
  }
  lm.linearKernel = 'panels';
  return LINEAR_ROWS.map((rows, i) => ({ rows, panelsMs: median(ms[i].panels), tfjsMs: median(ms[i].tfjs) }));
}
const LINEAR_ROWS = [1, 2, 3, 4, 5, 6, 8, 9, 16, 64]; // forward sizes of `compareLinear`

/** A prompt for `--generate`: the file given, or the first 1,500 characters of a bundled stdlib file. */
function generationPrompt(file: string | undefined): string {
  const f = file ?? path.join(__dirname, '..', 'examples', 'common-python-mini', 'statistics.py');
  if (!fs.existsSync(f)) throw new Error(`${f}: prompt file not found`);
  return fs.readFileSync(f, 'utf8').slice(0, file ? undefined : 1500);
}

/**
 * A real generation with prompt lookup (budget 64), the verify step's argmax asked row by row ('path') and all at
 * once ('all'), interleaved per repetition after an untimed warm-up of each; outputs must be identical.
 */
async function generationOrders(dir: string, load: LoadOptions, promptFile: string | undefined, maxNewTokens: number, reps: number) {
  const lm = await loadModel(dir, load);
  const tok = loadTokenizer(dir);
  const prompt = generationPrompt(promptFile);
  const orders = ['path', 'all'] as const;
  const ms: Record<string, number[]> = { path: [], all: [] };
  let stats = { tokens: 0, forwards: 0 };
  let reference: string | null = null;
  for (let r = -1; r < reps; r++) {
    for (const order of orders) {
      lm.verifyRows = order;
      const res = await generate(lm, tok, prompt, { mode: 'pld', budget: 64, maxNewTokens });
      const ids = res.tokens.join();
      if (reference !== null && ids !== reference) throw new Error(`--generate: verify order '${order}' changed the output`);
      reference = ids;
      stats = { tokens: res.tokens.length, forwards: res.metrics.forwards };
      if (r >= 0) ms[order].push(res.metrics.msPerToken);
    }
  }
  lm.dispose();
  return { model: dir, backend: lm.backend, mode: 'pld', budget: 64, ...stats, msPerToken: { path: median(ms.path), all: median(ms.all) }, samples: ms };
}

/** A comma-separated list of positive integers ('' = none). Example: list('trees', '1,4') → [1, 4] */
function list(name: string, value: string): number[] {
  if (value === '') return [];
  const xs = value.split(',').map(Number);
  if (xs.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`--${name}: expected positive integers separated by commas, got '${value}'`);
  return xs;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' }, 'wasm-threads': { type: 'string' }, reps: { type: 'string', default: '5' },
      contexts: { type: 'string', default: '128,512,2048' }, 'tree-context': { type: 'string', default: '512' }, trees: { type: 'string', default: '1,2,4,8,16,32,64,128' },
      warmup: { type: 'string', default: '20' }, prefill: { type: 'string', default: '128' }, generate: { type: 'string' }, 'prompt-file': { type: 'string' }, 'max-new-tokens': { type: 'string', default: '64' }, 'compare-kv-cache': { type: 'boolean' }, 'compare-head': { type: 'boolean' }, 'compare-linear': { type: 'boolean' }, 'per-op-floor': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.config) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const count = (name: 'reps' | 'warmup' | 'prefill', min: number) => {
    const x = Number(values[name]);
    if (!Number.isInteger(x) || x < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${values[name]}`);
    return x;
  };
  const reps = count('reps', 1);
  const warmup = count('warmup', 0);
  const prefillN = count('prefill', 0);
  const contexts = list('contexts', values.contexts!);
  const treeSizes = list('trees', values.trees!);
  const [treeContext] = list('tree-context', values['tree-context']!);
  const load = loadFlags(values);
  const lm = await randomModel(values.config, load);
  if (values['compare-kv-cache'] && !lm.kvCacheInPlace) throw new Error(`--compare-kv-cache: the KV cache is not written in place on ${lm.backendDetail} (only on wasm)`);
  if (values['compare-head'] && lm.headKernel !== 'panels') throw new Error(`--compare-head: the lm_head kernels do not run on ${lm.backendDetail} (wasm on one thread only)`);
  if (values['compare-linear'] && lm.linearKernel !== 'panels') throw new Error(`--compare-linear: the projections' kernels do not run on ${lm.backendDetail} (wasm on one thread only)`);
  const c = lm.config;
  console.log(`backend: ${lm.backend} (${lm.backendDetail}); model: ${values.config}: ${c.numLayers} layers, hidden ${c.hiddenSize}, heads ${c.numHeads}/${c.numKvHeads}, intermediate ${c.intermediateSize}, vocab ${c.vocabSize}`);
  // warm-up: V8 tiers up the JS side, first kernels (shader compilation), wasm memory growth
  const warmupMs: number[] = [];
  for (let i = 0, next = token(0, c); i < warmup; i++) warmupMs.push(await timed(async () => (next = await decodeStep(lm, next))));
  lm.reset();
  if (warmup > 0) console.log(`warm-up: ${warmup} one-token forward(s), first ${warmupMs[0].toFixed(0)} ms, last ${warmupMs[warmup - 1].toFixed(0)} ms`);

  const onDevice = lm.backend === 'webgpu' || lm.backendDetail.includes('tfjs-node-gpu'); // weights in GPU memory
  const bw = await bandwidth(onDevice);
  const weightBytes = forwardWeightBytes(c);
  const streamMs = weightBytes / 1e6 / bw.gbPerS;
  console.log(`memory bandwidth: ${bw.gbPerS.toFixed(1)} GB/s (${bw.method}, 128 MB); a one-token forward reads ${(weightBytes / 1e6).toFixed(0)} MB of weights = ${streamMs.toFixed(1)} ms at that rate`);

  const prefillMs: number[] = [];
  for (let r = 0; prefillN > 0 && r < Math.max(3, Math.ceil(reps / 2)); r++) {
    lm.reset();
    prefillMs.push(await timed(() => lm.forwardHidden(range(0, prefillN).map((i) => token(i, c)), range(0, prefillN)).then(() => lm.argmax([prefillN - 1]))));
  }
  lm.reset();
  const prefillTokS = prefillN > 0 ? (prefillN * 1000) / median(prefillMs) : NaN;
  if (prefillN > 0) console.log(`prefill ${prefillN} tokens: ${median(prefillMs).toFixed(1)} ms median → ${prefillTokS.toFixed(1)} tokens/s`);

  const decodeRows: { context: number; msPerToken: number; overStream: number; samples: number[] }[] = [];
  let tree: TreeRow[] = [];
  let stepOps: { reads: number | null; kernels: number } | null = null;
  for (const context of [...new Set([...contexts, ...(treeSizes.length > 0 ? [treeContext] : [])])].sort((a, b) => a - b)) {
    await fillTo(lm, context);
    if (contexts.includes(context)) {
      const samples = await decode(lm, context >= 2048 ? Math.max(3, Math.ceil(reps / 2)) : 2 * reps);
      decodeRows.push({ context, msPerToken: median(samples), overStream: median(samples) / streamMs, samples });
      console.log(`decode at context ${context}: ${median(samples).toFixed(1)} ms/token (median of ${samples.length}, ${spread(samples)}) = ×${(median(samples) / streamMs).toFixed(2)} the weight-streaming time`);
    }
    if (context !== treeContext) continue;
    stepOps = await countOps(async () => {
      await decodeStep(lm, token(context, c));
      lm.rollback(context);
    }, onDevice);
    console.log(`one decode step: ${stepOps.reads ?? 'n/a (host memory)'} read(s), ${stepOps.kernels} kernels (dispatches on webgpu)`);
    tree = await treeCosts(lm, treeSizes, reps);
    for (const t of tree) {
      console.log(`verify forward ${String(t.tokens).padStart(3)} tokens at context ${context}: ${t.ms.toFixed(1)} ms (×${t.relative.toFixed(2)}); argmax 1 row ${t.argmaxRowMs.toFixed(2)} ms, all ${t.tokens} rows ${t.argmaxAllMs.toFixed(2)} ms`);
    }
    lm.rollback(context);
  }
  const kvCache: KvCacheRow[] = [];
  if (values['compare-kv-cache']) {
    const other = await randomModel(values.config, { ...load, kvCache: 'new-tensors' });
    for (const context of contexts) {
      kvCache.push(await compareKvCache(lm, other, context, 2 * reps));
      const k = kvCache[kvCache.length - 1];
      console.log(`KV cache at context ${context}: greedy step ${k.greedyMs.inPlace.toFixed(2)} ms in place, ${k.greedyMs.newTensors.toFixed(2)} ms new tensors; 4-row tree step ${k.treeMs.inPlace.toFixed(2)} / ${k.treeMs.newTensors.toFixed(2)} ms`);
    }
    other.dispose();
  }
  let floor: FloorRow[] = [];
  if (values['per-op-floor']) {
    const twin = await randomModel(perOpTwin(c), load);
    await fillTo(lm, treeContext);
    await fillTo(twin, treeContext);
    floor = await perOpFloor(lm, twin, treeSizes.length > 0 ? treeSizes : [1], reps);
    for (const f of floor) console.log(`per-op floor, verify forward ${String(f.tokens).padStart(3)} tokens at context ${treeContext}: ${f.floorMs.toFixed(1)} ms of ${f.ms.toFixed(1)} on the twin (${(100 * f.share).toFixed(0)} %); without it ×${f.relativeWithoutFloor.toFixed(2)} of 1 token`);
    twin.dispose();
  }
  let head: HeadRow[] = [];
  if (values['compare-head']) {
    await fillTo(lm, treeContext);
    head = await compareHead(lm, treeContext, 4 * reps);
    for (const h of head) console.log(`lm_head argmax of ${h.rows} row(s) at once: ${h.panelsMs.toFixed(2)} ms with the wasm kernels, ${h.tfjsMs.toFixed(2)} ms with tf.matMul + tf.argMax`);
  }
  let linear: LinearRow[] = [];
  if (values['compare-linear']) {
    await fillTo(lm, treeContext);
    linear = await compareLinear(lm, 4 * reps);
    for (const l of linear) console.log(`verify forward of ${l.rows} row(s), projections ${worthKernels(l.rows) ? 'by the wasm kernels' : 'by tf.matMul either way'}: ${l.panelsMs.toFixed(2)} ms, ${l.tfjsMs.toFixed(2)} ms with tf.matMul alone`);
  }
  lm.dispose();
  const gen = values.generate ? await generationOrders(values.generate, load, values['prompt-file'], Number(values['max-new-tokens']), reps) : null;

  console.log('\n| measure | value |\n| --- | ---: |');
  console.log(`| memory bandwidth (${bw.method}) | ${bw.gbPerS.toFixed(1)} GB/s |`);
  console.log(`| weights read per token | ${(weightBytes / 1e6).toFixed(0)} MB = ${streamMs.toFixed(1)} ms at that bandwidth |`);
  if (prefillN > 0) console.log(`| prefill (${prefillN} tokens) | ${prefillTokS.toFixed(1)} tokens/s |`);
  for (const d of decodeRows) console.log(`| greedy decode, context ${d.context} | ${d.msPerToken.toFixed(1)} ms/token = ×${d.overStream.toFixed(2)} weight streaming |`);
  if (stepOps) console.log(`| one decode step (context ${treeContext}) | ${stepOps.reads ?? 'n/a (host memory)'} read(s), ${stepOps.kernels} kernels |`);
  for (const t of tree) console.log(`| verify forward, ${t.tokens} tokens (context ${treeContext}) | ${t.ms.toFixed(1)} ms = ×${t.relative.toFixed(2)} of 1 token; argmax 1 row ${t.argmaxRowMs.toFixed(2)} ms, all rows ${t.argmaxAllMs.toFixed(2)} ms |`);
  for (const k of kvCache) console.log(`| KV cache in place / new tensors, context ${k.context} | greedy step ${k.greedyMs.inPlace.toFixed(2)} / ${k.greedyMs.newTensors.toFixed(2)} ms (×${(k.greedyMs.inPlace / k.greedyMs.newTensors).toFixed(3)}), 4-row tree step ${k.treeMs.inPlace.toFixed(2)} / ${k.treeMs.newTensors.toFixed(2)} ms (×${(k.treeMs.inPlace / k.treeMs.newTensors).toFixed(3)}) |`);
  for (const l of linear) console.log(`| verify forward of ${l.rows} row(s)${worthKernels(l.rows) ? ', projections by the wasm kernels' : ''} | ${l.panelsMs.toFixed(2)} ms, ${l.tfjsMs.toFixed(2)} ms tf.matMul alone (×${(l.panelsMs / l.tfjsMs).toFixed(3)}) |`);
  for (const f of floor) console.log(`| per-op floor, verify forward of ${f.tokens} token(s) (context ${treeContext}) | ${f.floorMs.toFixed(1)} of ${f.ms.toFixed(1)} ms on the per-op twin (${(100 * f.share).toFixed(0)} %); without it ×${f.relativeWithoutFloor.toFixed(2)} of 1 token |`);
  for (const h of head) console.log(`| lm_head argmax of ${h.rows} row(s) at once | ${h.panelsMs.toFixed(2)} ms wasm kernels, ${h.tfjsMs.toFixed(2)} ms tf.matMul + tf.argMax (×${(h.tfjsMs / h.panelsMs).toFixed(2)}) |`);
  if (gen) {
    const faster = gen.msPerToken.path <= gen.msPerToken.all ? 'path' : 'all';
    console.log(`| generation (${gen.model}, pld, budget 64, ${gen.tokens} tokens, ${gen.forwards} forwards) | row by row ${gen.msPerToken.path.toFixed(2)} ms/token, all rows ${gen.msPerToken.all.toFixed(2)} ms/token: '${faster}' faster (×${(Math.max(gen.msPerToken.path, gen.msPerToken.all) / Math.min(gen.msPerToken.path, gen.msPerToken.all)).toFixed(2)}) |`);
  }
  const loadAverage = os.loadavg().map((x) => Number(x.toFixed(2)));
  console.log(`\nload average at the end (1/5/15 min): ${loadAverage.join(' / ')} on ${os.cpus().length} cores`);
  const result = {
    model: values.config, config: c, backend: lm.backend, backendDetail: lm.backendDetail, reps, loadAverage, cores: os.cpus().length,
    bandwidth: { ...bw, forwardWeightBytes: weightBytes, streamMs },
    prefill: { tokens: prefillN, tokensPerSecond: prefillTokS, samplesMs: prefillMs }, decode: decodeRows, decodeStep: stepOps && { context: treeContext, ...stepOps },
    tree: { context: treeContext, rows: tree }, kvCache, head, linear, generation: gen,
    perOpFloor: floor.length > 0 ? { twin: perOpTwin(c), context: treeContext, rows: floor } : null,
  };
  if (values.out) {
    fs.writeFileSync(values.out, JSON.stringify(result, null, 2));
    console.log(`\nwrote ${values.out}`);
  }
  return 0;
}

runEntryPoint('bench:model', () => main(process.argv.slice(2)));
