/**
 * `npm run bench:model -- --config <config.json | preset> [--out f.json] [--backend wasm] [--reps 5]`
 *
 * Speed of the tfjs Llama with random weights of a given shape: prefill tokens/s; greedy decode ms/token at contexts
 * 128, 512 and 2048 (forward of one token + logits download + argmax + commit, as the decoder does); and the cost of
 * one forward over 1, 2, 4, ..., 64 tree tokens (a random tree on a 512-token cache) relative to 1 token, which is
 * what speculative decoding's verification pays. Prints medians as a table and writes JSON.
 *
 * Example:
 *   npm run bench:model -- --config smollm-135m --out bench-model.json
 */
import * as fs from 'fs';
import * as os from 'os';
import { parseArgs } from 'util';
import type { LlamaConfig } from '../model/config';
import type { LlamaModel } from '../model/llama';
import { argmaxRow } from '../model/greedy';
import { MODEL_PRESETS, randomModel } from '../src/bench/random-model';

const CONTEXTS = [128, 512, 2048];
const TREE_SIZES = [1, 2, 4, 8, 16, 32, 64];
const TREE_CONTEXT = 512;
const FILL_CHUNK = 256;
const DECODE_WARMUP = 3; // untimed steps after a prefill/fill, whose large arrays are still being collected

const HELP = `usage: npm run bench:model -- --config <config.json | ${Object.keys(MODEL_PRESETS).join(' | ')}> [--out f.json] [--backend tensorflow|webgpu|wasm|cpu] [--reps 5]`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const token = (i: number, c: LlamaConfig) => (i * 7919 + 13) % c.vocabSize;

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

/** Fill the cache up to `length` in chunks. */
async function fillTo(lm: LlamaModel, length: number): Promise<void> {
  while (lm.cacheLength < length) {
    const n = Math.min(FILL_CHUNK, length - lm.cacheLength);
    const L = lm.cacheLength;
    await lm.forward(range(0, n).map((i) => token(L + i, lm.config)), range(L, n));
    lm.commit(range(0, n));
  }
}

/** Greedy decode `reps` timed steps (after DECODE_WARMUP untimed ones) from the current cache; ms per step. Rolled back afterwards. */
async function decode(lm: LlamaModel, reps: number): Promise<number[]> {
  const start = lm.cacheLength;
  let next = token(start, lm.config);
  const ms: number[] = [];
  for (let r = -DECODE_WARMUP; r < reps; r++) {
    const t = await timed(async () => {
      const logits = await lm.forward([next], [lm.cacheLength]);
      next = argmaxRow(logits, 0, lm.vocabSize);
      lm.commit([0]);
    });
    if (r >= 0) ms.push(t);
  }
  lm.rollback(start);
  return ms;
}

/** A random tree of n nodes (node i's parent drawn among 0..i-1) as tokens, positions and ancestor mask. */
function randomTree(n: number, L: number, c: LlamaConfig): { tokens: number[]; positions: number[]; mask: Uint8Array } {
  const parent = range(0, n).map((i) => (i === 0 ? -1 : (i * 2654435761) % i));
  const depth: number[] = [];
  const mask = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    depth.push(i === 0 ? 0 : depth[parent[i]] + 1);
    for (let a = i; a !== -1; a = parent[a]) mask[i * n + a] = 1;
  }
  return { tokens: range(0, n).map((i) => token(L + i + 1, c)), positions: depth.map((d) => L + d), mask };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' }, reps: { type: 'string', default: '5' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || !values.config) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const reps = Number(values.reps);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer, got ${values.reps}`);
  const lm = await randomModel(values.config, { backend: values.backend });
  const c = lm.config;
  console.log(`backend: ${lm.backend}; model: ${values.config}: ${c.numLayers} layers, hidden ${c.hiddenSize}, heads ${c.numHeads}/${c.numKvHeads}, intermediate ${c.intermediateSize}, vocab ${c.vocabSize}`);
  await decode(lm, 20); // warm-up: V8 tiers up the JS side, first kernels, wasm memory growth

  const prefillN = 128;
  const prefillMs: number[] = [];
  for (let r = 0; r < Math.max(3, Math.ceil(reps / 2)); r++) {
    lm.reset();
    prefillMs.push(await timed(() => lm.forward(range(0, prefillN).map((i) => token(i, c)), range(0, prefillN))));
  }
  lm.reset();
  const prefillTokS = (prefillN * 1000) / median(prefillMs);
  console.log(`prefill ${prefillN} tokens: ${median(prefillMs).toFixed(1)} ms median → ${prefillTokS.toFixed(1)} tokens/s`);

  const decodeRows: { context: number; msPerToken: number; samples: number[] }[] = [];
  const tree: { n: number; ms: number; relative: number; samples: number[] }[] = [];
  for (const context of CONTEXTS) {
    await fillTo(lm, context);
    const samples = await decode(lm, context >= 2048 ? Math.max(3, Math.ceil(reps / 2)) : 2 * reps);
    decodeRows.push({ context, msPerToken: median(samples), samples });
    console.log(`decode at context ${context}: ${median(samples).toFixed(1)} ms/token (median of ${samples.length})`);
    if (context !== TREE_CONTEXT) continue;
    // Sizes interleaved within each repetition, so load drifts on a shared machine hit every size alike; each timed
    // forward follows an untimed one of the same shape, so it does not pay for the previous (larger) one's garbage.
    const trees = TREE_SIZES.map((n) => randomTree(n, context, c));
    const treeMs = TREE_SIZES.map(() => [] as number[]);
    for (let r = 0; r < reps; r++) {
      for (const [i, t] of trees.entries()) {
        await lm.forward(t.tokens, t.positions, t.mask);
        treeMs[i].push(await timed(() => lm.forward(t.tokens, t.positions, t.mask)));
      }
    }
    for (const [i, n] of TREE_SIZES.entries()) {
      tree.push({ n, ms: median(treeMs[i]), relative: median(treeMs[i]) / median(treeMs[0]), samples: treeMs[i] });
      console.log(`tree forward ${String(n).padStart(2)} tokens at context ${context}: ${median(treeMs[i]).toFixed(1)} ms (×${tree[i].relative.toFixed(2)})`);
    }
    lm.rollback(context);
  }
  lm.dispose();

  console.log('\n| measure | value |\n| --- | ---: |');
  console.log(`| prefill (${prefillN} tokens) | ${prefillTokS.toFixed(1)} tokens/s |`);
  for (const d of decodeRows) console.log(`| greedy decode, context ${d.context} | ${d.msPerToken.toFixed(1)} ms/token |`);
  for (const t of tree) console.log(`| tree forward, ${t.n} tokens (context ${TREE_CONTEXT}) | ${t.ms.toFixed(1)} ms = ×${t.relative.toFixed(2)} of 1 token |`);
  const loadAverage = os.loadavg().map((x) => Number(x.toFixed(2)));
  console.log(`\nload average at the end (1/5/15 min): ${loadAverage.join(' / ')} on ${os.cpus().length} cores`);
  const result = { model: values.config, config: c, backend: lm.backend, reps, loadAverage, cores: os.cpus().length, prefill: { tokens: prefillN, tokensPerSecond: prefillTokS, samplesMs: prefillMs }, decode: decodeRows, tree: { context: TREE_CONTEXT, rows: tree } };
  if (values.out) {
    fs.writeFileSync(values.out, JSON.stringify(result, null, 2));
    console.log(`\nwrote ${values.out}`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`bench:model: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
