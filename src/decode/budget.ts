/**
 * The draft budget: a fixed number of nodes per forward (the paper's 64), or `auto`: each step, the prefix of the
 * drafted tree (rank order, so a prefix is a connected subtree) of size n that maximises expected tokens per
 * millisecond, E[accepted + 1 | n] / cost(n + 1), where n = 0 is a plain greedy step.
 *
 * Acceptance estimate of a node (`nodeProbabilities`): its share of its parent's weight in the Trie (for the root's
 * children, of all the root children's weight), times a correction κ learned in this generation, capped at 1, and
 * multiplied along the path. There are three κ (`kappaGroup`), each per source (`learnedAs`: D_r, the cache, prompt
 * lookup or D_c alone, because sources differ far more than the Trie's shares say: on RepoEval with the oracle the
 * best root child was accepted 54 % of the time when D_r drafted it, 15 % when only D_c did) and per evidence
 * (`evidence`, below):
 * - the heaviest root child (node 0 in rank order): is the Trie's favourite right?
 * - the other root children: is a rival right instead? The Trie's shares overrate the rivals more than the favourite:
 *   with every root child verified (fixed budget 64, the oracle), the favourite was accepted at 0.75 / 0.80 / 0.70 ×
 *   its share and the rivals at 0.45 / 0.32 / 0.56 × theirs (RepoEval 48 and HumanEval on tiny-coder-dsc's outputs,
 *   RepoEval 48 on the reference code; 1434 / 4762 / 910 steps). One κ for both mixed the two (README).
 * - deeper nodes: does a right draft go on?
 * Evidence: a node that at least MANY_OCCURRENCES occurrences drafted (its counts over all sources) is 'many', else
 * 'few'. A share says nothing of how often the continuation was seen: the only child of a node seen once has share 1,
 * as has one seen 50 times. With `fastcoder` on tiny-coder-dsc's outputs, the favourite, deeper nodes and rivals were
 * accepted at 0.97 / 0.94 / 0.37 × their share when 'many' and 0.58 / 0.45 / 0.28 × when 'few' (HumanEval 164, D_c;
 * 20,693 trials), 0.80-0.88 / 0.99-1.00 / 0.23-0.72 × and 0.40-0.50 / 0.37-0.53 / 0.19-0.36 × (RepoEval 48, D_r and
 * D_c): one κ per group learned the blend, overrating the few and underrating the many (the 4-row steps it expected to
 * accept 20.4 nodes on the demo tasks accepted 7). `fastcoder-plus` counts each source's share of its matches (each
 * source weighs 1 in all), so its nodes are all 'few'; its favourite was accepted at 0.58-1.15 × its share, deeper
 * nodes at 0.90-1.72 ×, rivals at 0.34-0.67 × (same sets). The priors (PRIOR) are those rates rounded.
 * Each κ is (accepted + prior) / (predicted + prior) over the nodes whose outcome the step revealed (`observe`): every
 * node of the whole drafted tree, verified or trimmed, whose parent lies on the greedy path and whose own token the
 * step's greedy tokens reach. So a step that verified nothing still teaches κ.
 *
 * Rank correction ρ: what `choose` expects of node i is its P times ρ of its rank bucket (`rankBucket`: node 0, nodes
 * 1-2, 3-6, 7-14, ...), capped at 1. The estimate overrates nodes down the rank order, and most in the trees that `choose`
 * makes large, because it makes them large where the estimate is high: replaying tiny-coder-dsc's outputs with its
 * profile (`fastcoder`; the demo tasks, HumanEval 164, RepoEval 48), the 7-node trees it verified had P 0.26-0.35 at
 * ranks 3-6 and accepted 0-0.11 there, and the 4-row batch reads it chose expected 1.21-1.38 accepted nodes in the
 * batch where 0.70-1.16 were. ρ is, per bucket, the accepted over the predicted P of the nodes that steps verified, with
 * a prior of 1 that weighs RANK_PRIOR predictions: verified nodes only, because what must be calibrated is the estimate
 * where it decided. Unlike κ it outlives a generation: the generations of one drafter on one profile share it
 * (`openBudget`), and a bucket's evidence fades beyond RANK_MEMORY predictions. The same replays: `fastcoder` 1.063 /
 * 1.215 / 1.103x → 1.069 / 1.223 / 1.125x, `fastcoder-plus` 1.242 / 1.412 / 1.227x → 1.239 / 1.424 / 1.270x; at
 * SmolLM-135M's cost (RepoEval 8 / 48) 2.067 / 1.626x → 2.089 / 1.625x and 2.179 / 1.852x → 2.219 / 1.866x (README).
 *
 * Reading the rows: with n chosen, the first b rows (the root and nodes 0..b-2) may have their argmaxes read at once and
 * the accepted nodes beyond them one at a time (`acceptOnModel`); `choose` takes the (n, b) of best expected tokens per
 * ms, the expected row reads being Σ P over the nodes beyond the batch. On one core tiny-coder-dsc (the wasm kernels of
 * model/wasm-head.ts) reads the root's and node 0's rows together for ~0.05 ms more than the root's alone, and each row
 * alone for ~0.8 ms, so every tree of a node or more reads at least those two rows at once.
 *
 * Cost: the cost model (`cost-model.ts`) of the forward at the step's cache length plus the rows read as chosen,
 * times the machine's load learned online (the median of recent verify times over predicted: the machine busier than
 * at calibration), times a correction per size class learned from the steps of that size (`learnScale`: the median of their
 * ratios over the load). The profile's error differs by size: a 1-row forward (mostly reading the weights) and a
 * larger one (more arithmetic) drift apart between calibrations, and `auto`'s choice between a greedy step and 3 nodes
 * turns on a few per cent (at SmolLM-135M's cost, 8 RepoEval tasks, oracle, with the profile's 1-row cost cut by 15 %,
 * one scale for all sizes took 376 greedy steps of 514 and 11 % more time than budget 3; README). Under two wasm threads
 * the calibration put 2-row forwards 28 % below 4-row ones where steps took 8 % less: `auto`'s 2-row steps ran at 1.38x
 * their prediction, its 4-row ones at 1.18x, ar's 1-row steps at 1.14x; with one load and a 1-row correction `auto`
 * chose small trees and fell 7 % below budget 3 (README). A size not learned costs what the cheapest learned size's
 * correction says, so it is tried and learned; replayed on that machine's measured costs (24 RepoEval tasks), `auto`
 * went from 1.134 / 1.261x to 1.239 / 1.400x (`fastcoder` / `fastcoder-plus`; budget 3: 1.237 / 1.378x; choosing by the
 * true costs: 1.276 / 1.425x). The scales outlive a generation: `openBudget` shares them among the generations on one
 * profile object, each sample forgotten SAMPLE_AGE steps later (`forgetSamples`). (An earlier scale per size, the sizes
 * not chosen left at the profile's cost, gave them a wrong curve. One scale per class, greedy or tree, without a shared
 * load left the trees' scale where noise had left it through a run of greedy steps: on the demo tasks `auto` took 61-64
 * forwards for 64 tokens against 43-50 with one scale. An additive offset flattened the curve on a
 * busy machine, where every forward slows by a factor: on HumanEval with tiny-coder-dsc auto verified 3.53 / 4.39 nodes
 * per forward with it (fastcoder / fastcoder-plus, 1.02x / 1.11x of ar) and 2.64 / 3.36 with the scale (1.05x /
 * 1.15x).) Plus the step's overhead outside the verify (retrieval, Trie, feedback), measured as the time between
 * `observe` and the next `choose`: the median of the last OVERHEAD_STEPS such gaps, not a running mean. On the demo tasks
 * a few gaps per generation take 2.5-6 ms instead of 0.2-0.4 (a garbage collection, another process); in a running
 * mean one of them early in a generation held the overhead near a forward's cost for several steps, every drafted step's
 * margin (below) went negative, and the skip windows doubled up to 32: the generation took greedy steps throughout.
 *
 * Not drafting at all: each drafted step's margin is what its best n is expected to save against plain greedy steps,
 * expected tokens × a plain greedy step's ms (measured without retrieval) − the step's expected ms, overhead included.
 * When the running mean of the margins is below −SKIP_LOSS × the overhead (drafted steps have lately lost more than half
 * of what drafting itself costs), the next steps skip retrieval and the Trie altogether (`drafting()` false: plain greedy
 * steps), 1, 2, 4, ... up to MAX_SKIP steps in a row while that lasts, then drafting is tried again. A mean, not the last
 * step alone: a tree's worth varies from step to step, and skipping after every poor tree also skipped the good ones
 * that followed (virtual-time replays with drafting at 0.12 ms a step: fastcoder 1.117 → 1.122x on HumanEval, 1.060 →
 * 1.064x on RepoEval with tiny-coder-dsc, 1.398 → 1.461x at SmolLM-135M's cost; README). Below −overhead / 2, not below
 * 0: a step that chose n = 0 has margin −overhead, a good tree a few tenths of a ms, so on the demo tasks runs of empty
 * trees pulled the mean just below 0 (−0.02 to −0.10 ms), each such step doubled the skip window, and some generations
 * took greedy steps nearly throughout (4 of 180 in three runs; none with this threshold; README). A profile whose forward costs nothing (the oracle's
 * default) never skips: there is nothing to save.
 *
 * Example (a flat 10 ms forward, one chain of 3 drafts of one count each, κ at its 'few' priors 0.6 / 0.6):
 *   P = [0.6, 0.36, 0.216] → E[tokens] for n = 0..3: 1, 1.6, 1.96, 2.176 → n = 3 (on a flat curve more is always better)
 */
import type { CausalLM } from '../../model/causal-lm';
import { rowsReadAlone } from '../../model/greedy';
import type { DraftTree } from '../../trie/draft-tree';
import { batchMs, calibrate, type CostProfile, maxBatch, profileKey, stepMs } from './cost-model';
import { type Draft, type Drafter, noDrafter } from './drafter';
import { MAX_BUDGET } from './options';
import { median } from '../../util/stats';

/** A fixed number of draft nodes per forward, or chosen per step from the cost model. */
export type Budget = number | 'auto';

export const AUTO_MAX_NODES = 64; // the largest tree `auto` considers (the paper's budget)
const MIN_DRAFT = 8; // the smallest tree `auto` drafts (its `draftSize`)
/** Which κ a node learns with: the heaviest root child, another root child, or a deeper node. */
type KappaGroup = 'best' | 'rivals' | 'deeper';
/** How many occurrences drafted a node: at least MANY_OCCURRENCES, or fewer. */
type Evidence = 'few' | 'many';
const MANY_OCCURRENCES = 8;
const PRIOR: Record<KappaGroup, Record<Evidence, number>> = { best: { few: 0.6, many: 1 }, rivals: { few: 0.4, many: 0.5 }, deeper: { few: 0.6, many: 1 } }; // κ before evidence
const PRIOR_TRIALS = 2; // the prior weighs as much as this many predicted acceptances
export const LEARNED_AS = ['repo', 'cache', 'lookup', 'common'] as const; // a node's κ is that of the first source that drafted it
const MAX_SKIP = 32; // the most steps in a row drafting is skipped before it is tried again
const SKIP_LOSS = 0.5; // drafting is skipped when drafted steps lose more than this share of the step overhead (mean margin)
const MIN_STEP_MS = 1e-6; // a zero-cost profile (the oracle's default) still ranks by expected tokens
const SMOOTHING = 0.2; // weight of the newest step in the running mean of the margin
const LOAD_STEPS = 9; // the load is the median of the last this many steps' ratios over their corrections
const OVERHEAD_STEPS = 15; // the step overhead is the median of the last this many
const SIZE_SAMPLES = 31; // a size class's correction is the median of its last this many samples (a property of the profile, not of the moment)
export const MIN_SAMPLES = 8; // samples before a class's correction departs from 1
export const SAMPLE_AGE = 512; // samples older than this many measured steps are forgotten: a correction needs fresh evidence (`forgetSamples`)
const SIZE_CLASSES = 8; // forward sizes learned apart: 1, 2, 3, 4 rows, then 5-8, 9-16, 17-32, 33 on (`sizeClass`)
const RANK_BUCKETS = 7; // rank buckets of ρ: node 0, nodes 1-2, 3-6, 7-14, 15-30, 31-62, 63 on (`rankBucket`)
const RANK_PRIOR = 8; // ρ's prior (1) weighs as much as this many predicted acceptances
const RANK_MEMORY = 400; // predicted acceptances a bucket remembers: beyond them older evidence fades (another data set)

/**
 * Parse a budget word. Example: parseBudget('auto') → 'auto'; parseBudget('7') → 7; parseBudget('x') throws
 */
export function parseBudget(s: string, what = '--budget'): Budget {
  if (s === 'auto') return 'auto';
  const n = Number(s);
  if (s.trim() === '' || !Number.isInteger(n) || n < 0) throw new Error(`${what}: expected a non-negative integer or 'auto', got '${s}'`);
  if (n > MAX_BUDGET) throw new Error(`${what}: at most ${MAX_BUDGET} (one forward verifies budget + 1 rows; the paper uses 64), got ${n}`);
  return n;
}

/** The first `n` nodes of a tree in rank order (a connected subtree). Example: trimTree({tokens [5, 6, 7], ...}, 2).tokens → [5, 6] */
export function trimTree(tree: DraftTree, n: number): DraftTree {
  if (n >= tree.tokens.length) return tree;
  const c = tree.counts;
  return {
    tokens: tree.tokens.slice(0, n), parents: tree.parents.slice(0, n), depths: tree.depths.slice(0, n), weights: tree.weights.slice(0, n),
    counts: { repo: c.repo.slice(0, n), common: c.common.slice(0, n), cache: c.cache.slice(0, n), lookup: c.lookup.slice(0, n) },
  };
}

/** Each node's weight over its parent's (over the root children's total for depth 0). Example: weights [3, 1, 2], parents [-1, -1, 0] → [0.75, 0.25, 0.667] */
export function weightRatios(tree: DraftTree): number[] {
  const rootTotal = tree.parents.reduce((s, p, i) => (p < 0 ? s + tree.weights[i] : s), 0);
  return tree.weights.map((w, i) => {
    const parent = tree.parents[i] < 0 ? rootTotal : tree.weights[tree.parents[i]];
    return parent > 0 ? Math.min(1, w / parent) : 0;
  });
}

/**
 * Index in LEARNED_AS of the source whose κ node `i` uses: D_r if it drafted the node, else the cache, else prompt
 * lookup, else D_c. Example: counts { repo [0, 2], cache [1, 0], lookup [0, 0], common [4, 4] } → node 0: 1, node 1: 0
 */
export function learnedAs(tree: DraftTree, i: number): number {
  const k = LEARNED_AS.findIndex((source) => tree.counts[source][i] > 0);
  return k < 0 ? LEARNED_AS.length - 1 : k;
}

/**
 * The κ group of node i: the heaviest root child (node 0: rank order puts it first), another root child, or a deeper
 * node. Example: parents [-1, 0, -1] → node 0: 'best', node 1: 'deeper', node 2: 'rivals'
 */
export function kappaGroup(tree: DraftTree, i: number): KappaGroup {
  if (tree.parents[i] >= 0) return 'deeper';
  return i === 0 ? 'best' : 'rivals';
}

/**
 * 'many' when the node's counts over all sources reach MANY_OCCURRENCES. Example: counts { repo [5, 1], common [4, 0],
 * cache [0, 2], lookup [0, 0] } → node 0: 'many' (9), node 1: 'few' (3)
 */
export function evidence(tree: DraftTree, i: number): Evidence {
  const c = tree.counts;
  return c.repo[i] + c.common[i] + c.cache[i] + c.lookup[i] >= MANY_OCCURRENCES ? 'many' : 'few';
}

/** A step's choice: nodes verified, how their rows are read, and what the model expected of them. */
export interface BudgetChoice {
  nodes: number; // n, the prefix verified (0 = a plain greedy step)
  batch: number; // rows whose argmaxes are read at once (the root and the first batch - 1 nodes; 1: the accepted path row by row)
  expectedTokens: number; // E[accepted + 1 | n]
  expectedMs: number; // predicted cost of the step, overhead included
  expected: number[]; // each verified node's expected acceptance, ρ·P (`rankCorrected`), in draft order: what the trace shows
}

/** The last `k` of `list` and `sample`. Example: recent([1, 2, 3], 4, 3) → [2, 3, 4] */
function recent<T>(list: readonly T[], sample: T, k: number): T[] {
  return [...list.slice(Math.max(0, list.length + 1 - k)), sample];
}

/** The running mean after `sample` (the sample itself when `first`). Example: runningMean(10, 20, false) → 12 */
function runningMean(mean: number, sample: number, first: boolean): number {
  return first ? sample : mean + SMOOTHING * (sample - mean);
}

/** What this machine's verify steps took against a profile's predictions, shared by the generations on one profile. */
export interface MachineScales {
  load: number; // measured over predicted ms: the median of `loads` (1 before any step), the machine busier than at calibration
  loads: number[]; // the last LOAD_STEPS steps' measured / predicted over their size's correction (steps of learned sizes only, once one is)
  sizes: number[]; // per size class (`sizeClass`), log: the median of its `samples` once there are MIN_SAMPLES, else NaN (not learned)
  samples: { log: number; step: number }[][]; // per size class, its last SIZE_SAMPLES samples: log of a step's measured/predicted over the load before it, and that step's number (`seen`)
  seen: number; // steps measured
}
/** Scales before any step is measured. Example: freshScales() → { load: 1, loads: [], sizes: [NaN × 8], samples: [[] × 8], seen: 0 } */
export const freshScales = (): MachineScales => ({ load: 1, loads: [], sizes: new Array(SIZE_CLASSES).fill(NaN), samples: Array.from({ length: SIZE_CLASSES }, () => []), seen: 0 });

/** The size class of a forward over `rows`: one per row count up to 4, then one per doubling. Example: rows 1, 4, 5, 8, 9, 33, 65 → 0, 3, 4, 4, 5, 7, 7 */
export function sizeClass(rows: number): number {
  return rows <= 4 ? rows - 1 : Math.min(SIZE_CLASSES - 1, 2 + (31 - Math.clz32(rows - 1)));
}

/**
 * Forget the size samples measured more than SAMPLE_AGE steps ago and set each class's correction to the median of
 * those left (NaN, not learned, below MIN_SAMPLES). A class learns only when `auto` chooses it, so a correction that
 * makes it look dear would otherwise outlive its evidence: in two of nine demo runs a 1-row correction fell to 0.80,
 * `auto` then took no tree steps, nothing could move it, and drafting stopped for whole tasks (README, "The two locked
 * runs"). Forgotten, a class costs what the cheapest learned one says (`sizeCorrection`), so it is tried again.
 * Example: SAMPLE_AGE 512, seen 600; class 1 has 8 samples of steps 10-17 and 4 of steps 590-593 → 4 left: NaN
 */
function forgetSamples(s: MachineScales): void {
  s.samples = s.samples.map((xs) => xs.filter((x) => x.step > s.seen - SAMPLE_AGE));
  s.sizes = s.samples.map((xs) => (xs.length >= MIN_SAMPLES ? median(xs.map((x) => x.log)) : NaN));
}
const machineScales = new WeakMap<CostProfile, MachineScales>(); // per profile object: learned across generations

/**
 * ρ, the rank correction: per rank bucket, the accepted over the predicted (P) of the nodes that steps verified, with a
 * prior of 1. Shared by the generations of one drafter on one profile (`openBudget`).
 */
export interface RankCorrection {
  accepted: number[]; // per bucket: verified nodes accepted, plus the prior (faded beyond RANK_MEMORY)
  predicted: number[]; // per bucket: their P summed, plus the prior
}
/** ρ = 1 in every bucket. Example: freshRanks().accepted → [8, 8, 8, 8, 8, 8, 8] */
export const freshRanks = (): RankCorrection => ({ accepted: new Array(RANK_BUCKETS).fill(RANK_PRIOR), predicted: new Array(RANK_BUCKETS).fill(RANK_PRIOR) });
const rankCorrections = new WeakMap<CostProfile, Map<string, RankCorrection>>(); // per profile object and drafter

/** The ρ bucket of the node at rank i: ⌊log2(i + 1)⌋, at most RANK_BUCKETS - 1. Example: ranks 0, 1, 2, 3, 6, 7 → 0, 1, 1, 2, 2, 3 */
export function rankBucket(i: number): number {
  return Math.min(RANK_BUCKETS - 1, 31 - Math.clz32(i + 1));
}

/** One κ: accepted over predicted, with a prior. */
class Correction {
  constructor(private accepted: number, private trials: number) {}
  get value(): number {
    return this.accepted / this.trials;
  }
  add(predicted: number, accepted: boolean): void {
    this.trials += predicted;
    this.accepted += accepted ? 1 : 0;
  }
}

/**
 * The `auto` chooser of one generation (a fresh one per generation: κ and the overhead are learned within it; the
 * machine's scales and ρ are passed in, shared with earlier generations by `openBudget`).
 *
 * Example: const c = new BudgetChooser(profile, () => model.cacheLength); const n = c.choose(tree).nodes;
 *          ...verify trimTree(tree, n)...; c.observe(tree, acc.tokens)
 */
export class BudgetChooser {
  private readonly kappa = { best: this.corrections('best'), rivals: this.corrections('rivals'), deeper: this.corrections('deeper') }; // κ per group, then per source (LEARNED_AS order) and evidence
  private gaps: number[] = []; // the last OVERHEAD_STEPS times from an observe to the next choose (the overhead: their median)
  private observed = 0; // steps observed
  private lastObserve = 0; // clock at the last observe
  private verifying: { nodes: number; batch: number; since: number; context: number; p: readonly number[] } | null = null; // the choice being verified, at that cache length, and its nodes' P
  private skip = 0; // steps that skipped drafting since the last drafted one
  private skipRun = 0; // steps to skip this time (0: draft)
  private margin = 0; // running mean of the drafted steps' margins (ms saved against plain greedy steps)
  private chosen = 0; // steps that drafted and chose
  private size = AUTO_MAX_NODES; // nodes to draft next (`draftSize`)

  /**
   * `contextLength`: the cache length the next step's forward runs on (its cost depends on it). `scales`: the verify-time
   * scales to learn into, shared with the earlier generations on this profile (`openBudget`), or fresh ones.
   */
  constructor(
    private readonly profile: CostProfile,
    private readonly contextLength: () => number,
    private readonly clock: () => number = () => performance.now(),
    private readonly scales: MachineScales = freshScales(),
    private readonly ranks: RankCorrection = freshRanks(),
  ) {}

  /** P(node accepted) for every node: corrected weight ratios multiplied along the path. */
  nodeProbabilities(tree: DraftTree): number[] {
    const ratios = weightRatios(tree);
    const p: number[] = [];
    for (let i = 0; i < ratios.length; i++) {
      const parent = tree.parents[i];
      const q = Math.min(1, ratios[i] * this.correction(tree, i).value);
      p.push(q * (parent < 0 ? 1 : p[parent]));
    }
    return p;
  }

  /** The learned scale of a forward over `rows`: the load, times the size's correction. */
  private scale(rows: number): number {
    return this.scales.load * this.sizeCorrection(rows);
  }

  /**
   * The learned correction of a forward over `rows`: e^(its size class's), or where that class is not learned, e^(the
   * smallest learned one's, at most 0): optimistic, so that a size the load misprices is tried and learned.
   * Example: sizes [ln 0.8, ln 1.1, NaN, ...] → rows 1: 0.8, rows 2: 1.1, rows 3: 0.8
   */
  private sizeCorrection(rows: number): number {
    const c = this.scales.sizes[sizeClass(rows)];
    return Math.exp(Number.isNaN(c) ? Math.min(0, ...this.scales.sizes.filter((x) => !Number.isNaN(x))) : c);
  }

  /** A group's κ per source and evidence, at the group's priors. */
  private corrections(group: KappaGroup): Record<Evidence, Correction>[] {
    const prior = (seen: Evidence) => new Correction(PRIOR_TRIALS * PRIOR[group][seen], PRIOR_TRIALS);
    return LEARNED_AS.map(() => ({ few: prior('few'), many: prior('many') }));
  }

  /** The κ of node i: by group (`kappaGroup`), source (`learnedAs`) and evidence (`evidence`). */
  private correction(tree: DraftTree, i: number): Correction {
    return this.kappa[kappaGroup(tree, i)][learnedAs(tree, i)][evidence(tree, i)];
  }

  /**
   * How many nodes the next step drafts: twice the last choice, at least MIN_DRAFT, at most AUTO_MAX_NODES, and at least
   * half the previous size (so it grows by doubling while choices fill the tree and shrinks gradually), or the previous
   * size when the choice took the whole drafted tree (retrieval found fewer nodes: no evidence that fewer pay). Selecting a
   * 64-node tree costs far more than the few nodes a CPU verifies: fastcoder-plus with tiny-coder-dsc on RepoEval
   * spent 0.57 ms per step drafting 64 nodes against 0.16 ms for 3, with a ~4 ms forward.
   * Example: choices 2, then 3, then 30 (of larger trees) → sizes 64 (first step), 32, 16, 60
   */
  draftSize(): number {
    return this.size;
  }

  /** Whether this step drafts at all (else a plain greedy step: no retrieval, no Trie; call `skipped` instead of `choose`). */
  drafting(): boolean {
    if (this.skip >= this.skipRun) return true;
    this.skip++;
    return false;
  }

  /** A step that did not draft: its verify is timed as a 1-row one. */
  skipped(): void {
    this.verifying = { nodes: 0, batch: 1, since: this.clock(), context: this.contextLength(), p: [] };
  }

  /**
   * The n in 0..min(tree size, limit) and the batch b in 1..min(n + 1, the profile's `maxBatch`) of best expected tokens
   * per ms (ties: the smaller n, then the smaller b), node i expected to be accepted with ρ·P[i] (`rankCorrected`). With
   * b, the nodes 0..b-2 are read in the batch and each other accepted node costs a row read: expected row reads Σ ρ·P[i]
   * over i ≥ b - 1.
   */
  choose(tree: DraftTree, limit = AUTO_MAX_NODES): BudgetChoice {
    if (this.observed > 0) this.gaps = recent(this.gaps, this.clock() - this.lastObserve, OVERHEAD_STEPS);
    const overheadMs = median(this.gaps); // 0 before the first gap
    const p = this.nodeProbabilities(tree);
    const context = this.contextLength();
    let best = { nodes: 0, batch: 1, expectedTokens: 1, expectedMs: this.expectedMs(1, 0, 1, context, overheadMs) };
    const expected: number[] = []; // each node's ρ·P, as far as the loop goes
    const before = [0]; // before[i]: expected accepted nodes among the first i (Σ ρ·P[j], j < i)
    let batch = 1; // the cheapest batch in 1..min(n + 1, maxBatch): one batch's cost against another's does not depend on n
    const batchLimit = maxBatch(this.profile);
    for (let n = 1; n <= Math.min(p.length, limit); n++) {
      expected.push(this.rankCorrected(p, n - 1));
      before.push(before[n - 1] + expected[n - 1]);
      const accepted = before[n];
      if (n + 1 <= batchLimit && batchMs(this.profile, n + 1) < batchMs(this.profile, batch) + this.profile.rowMs * (accepted - before[batch - 1])) batch = n + 1; // the same forward either way
      const ms = this.expectedMs(n + 1, accepted - before[batch - 1], batch, context, overheadMs);
      if ((accepted + 1) * best.expectedMs > best.expectedTokens * ms) best = { nodes: n, batch, expectedTokens: accepted + 1, expectedMs: ms };
    }
    this.verifying = { nodes: best.nodes, batch: best.batch, since: this.clock(), context, p };
    const tookAll = best.nodes === p.length; // the tree ran out before the choice did: no reason to draft fewer
    this.size = Math.min(AUTO_MAX_NODES, Math.max(MIN_DRAFT, 2 * best.nodes, tookAll ? this.size : this.size >> 1));
    const plainMs = this.scale(1) * stepMs(this.profile, 1, 0, context); // a greedy step without retrieval
    this.margin = runningMean(this.margin, best.expectedTokens * plainMs - best.expectedMs, this.chosen++ === 0);
    const pays = plainMs <= 0 || this.margin > -SKIP_LOSS * overheadMs;
    this.skipRun = pays ? 0 : Math.min(MAX_SKIP, Math.max(1, 2 * this.skipRun));
    this.skip = 0;
    return { ...best, expected: expected.slice(0, best.nodes) };
  }

  /** A step's expected ms: the scaled cost of its forward and reads (`stepMs`) at `context`, plus the overhead. */
  private expectedMs(rows: number, rowReads: number, batch: number, context: number, overheadMs: number): number {
    return Math.max(MIN_STEP_MS, this.scale(rows) * stepMs(this.profile, rows, rowReads, context, batch) + overheadMs);
  }

  /** Node i's P times ρ of its rank bucket, at most 1: what `choose` expects of it. Example: ρ 0.5 in bucket 2, P [.., .., .., 0.3] → i 3: 0.15 */
  private rankCorrected(p: readonly number[], i: number): number {
    const b = rankBucket(i);
    return Math.min(1, (p[i] * this.ranks.accepted[b]) / this.ranks.predicted[b]);
  }

  /**
   * ρ learns from the verified nodes (`p`: their P when chosen) which of them were accepted (`accepted`: node indices).
   * A bucket's sums fade once its predictions pass RANK_PRIOR + RANK_MEMORY, so that ρ follows a change of data.
   * Example: fresh ρ, p [0.5, 0.4, 0.4], accepted [0] → bucket 0: 9 / 8.5, bucket 1: 8 / 8.8
   */
  private learnRanks(p: readonly number[], accepted: readonly number[]): void {
    const r = this.ranks;
    for (let i = 0; i < p.length; i++) {
      const b = rankBucket(i);
      r.predicted[b] += p[i];
      if (accepted.includes(i)) r.accepted[b] += 1;
      const fade = (RANK_PRIOR + RANK_MEMORY) / r.predicted[b];
      if (fade < 1) [r.accepted[b], r.predicted[b]] = [r.accepted[b] * fade, r.predicted[b] * fade];
    }
  }

  /**
   * Learn from one verify over `rows` that took `ratio` times its prediction. Every step but the first adds a sample to
   * its size class (`sizeClass`): the log of its ratio over the load before it. A class's correction is the median of its
   * last SIZE_SAMPLES samples of the last SAMPLE_AGE steps (`forgetSamples`). The load is the median of the last
   * LOAD_STEPS ratios over their class's correction, of steps whose class is learned (the first step sets it): a size
   * being tried would shift every class's baseline. Medians both, so that the two agree: with a running mean of the
   * load, a spike lifted it above what the medians of the samples said, the next samples fell, and so on. On
   * tiny-coder-dsc's RepoEval tasks the load rose from 1 to 28 in one run while every correction fell, sizes learned
   * earlier looked ever dearer, and `fastcoder` ran at 0.94-1.10x against 1.08-1.13x. So sizes whose cost the profile
   * gets wrong by different factors are told apart, through a run of one size the others follow the load it measures,
   * and a spike moves neither (a running mean of greedy steps' ratios, on the demo tasks, let a busy spell talk `auto`
   * into greedy steps for whole generations: 61-64 forwards for 64 tokens, against 43-50).
   * Example: loads [1 × 9], 8 samples of ln 1.5 at 1 row (its correction ln 1.5); a 1-row step at 3x → a sample ln 3
   *   (the median stays ln 1.5), loads [1 × 8, 2]: the load stays 1
   */
  private learnScale(rows: number, ratio: number): void {
    const s = this.scales;
    const k = sizeClass(rows);
    if (s.seen > 0) s.samples[k] = recent(s.samples[k], { log: Math.log(ratio / s.load), step: s.seen }, SIZE_SAMPLES);
    forgetSamples(s);
    if (s.seen++ === 0 || !Number.isNaN(s.sizes[k])) { // the first step sets the load; a size being tried says nothing of it
      s.loads = recent(s.loads, ratio / this.sizeCorrection(rows), LOAD_STEPS);
      s.load = median(s.loads);
    }
  }

  /**
   * Learn from a step: `tree` is the whole drafted tree (before trimming), `tokens` the greedy tokens the step produced
   * (accepted nodes' tokens, then the bonus token): κ from the nodes (`learnKappa`), the scales from the verify's time.
   */
  observe(tree: DraftTree, tokens: readonly number[]): void {
    const now = this.clock();
    const path = this.learnKappa(tree, tokens);
    if (this.verifying) {
      const { nodes, batch, context, p } = this.verifying;
      const accepted = path.slice(0, tokens.length - 1); // the path's first tokens.length - 1 nodes were accepted
      this.learnRanks(p.slice(0, nodes), accepted);
      const predicted = stepMs(this.profile, nodes + 1, rowsReadAlone(accepted, batch), context, batch);
      if (predicted > 0) this.learnScale(nodes + 1, (now - this.verifying.since) / predicted); // a free profile ranks by tokens only
      this.verifying = null;
    }
    this.observed++;
    this.lastObserve = now;
  }

  /**
   * Every node whose parent is on the greedy path and whose depth the tokens reach is a trial of its κ, with its ratio as
   * the prediction. Returns the greedy path through the whole tree (node indices, root to leaf; its first
   * tokens.length - 1 are the accepted nodes, the last may be a trimmed node that the bonus token reached).
   */
  private learnKappa(tree: DraftTree, tokens: readonly number[]): number[] {
    const ratios = weightRatios(tree);
    const path: number[] = [];
    let parent = -1;
    for (let depth = 0; depth < tokens.length; depth++) {
      let next = -1;
      for (let i = 0; i < tree.tokens.length; i++) {
        if (tree.parents[i] !== parent) continue;
        const hit = tree.tokens[i] === tokens[depth];
        this.correction(tree, i).add(ratios[i], hit);
        if (hit) next = i;
      }
      if (next < 0) break;
      path.push(next);
      parent = next;
    }
    return path;
  }
}

/** What the decoding loop asks of a budget: how many nodes to draft, which prefix to verify and how, and what to learn. */
export interface StepBudget {
  draft(drafter: Drafter, context: Int32Array): Promise<Draft>; // the drafted tree: never cut to the tokens left (what those bound is the depth accepted, not the nodes verified)
  trim(tree: DraftTree): { tree: DraftTree; batch?: number; expected?: number[] }; // the prefix to verify, its rows to read at once (`acceptOnModel`; absent: as the model reads), and `auto`'s expected acceptance of each of its nodes
  observe(tree: DraftTree, tokens: readonly number[]): void; // the whole drafted tree and the step's greedy tokens
}

const calibrated = new WeakMap<CausalLM, Promise<CostProfile>>(); // `auto` without a profile: one calibration per model object

/**
 * The budget of one generation: a fixed size (draft that many, verify all), or `auto` with `profile`, else with a
 * profile calibrated once per model object (in memory; the CLI caches profiles on disk, `loadOrCalibrate`). `auto`
 * shares the machine's scales with the earlier generations on `profile`, and ρ with those of the same `drafterName`
 * on it (`generate` passes its mode's label).
 *
 * Example: const b = await openBudget(7, model); (await b.draft(drafter, ctx)).tree.tokens.length <= 7; b.trim(tree).tree === tree
 */
export async function openBudget(budget: Budget, model: CausalLM, profile?: CostProfile, drafterName = ''): Promise<StepBudget> {
  if (budget !== 'auto') return { draft: (drafter, context) => drafter.draft(context, budget), trim: (tree) => ({ tree }), observe() {} };
  if (!profile) {
    if (!calibrated.has(model)) calibrated.set(model, calibrate(model, profileKey('in-memory', 'this model object')));
    profile = await calibrated.get(model)!;
  }
  if (!machineScales.has(profile)) machineScales.set(profile, freshScales());
  const byDrafter = rankCorrections.get(profile) ?? rankCorrections.set(profile, new Map()).get(profile)!;
  if (!byDrafter.has(drafterName)) byDrafter.set(drafterName, freshRanks());
  const chooser = new BudgetChooser(profile, () => model.cacheLength, undefined, machineScales.get(profile), byDrafter.get(drafterName));
  const batches = maxBatch(profile) > 1; // a profile without batch reads: rows read as the model reads them (all at once on a GPU)
  let drafting = true;
  return {
    async draft(drafter, context) {
      drafting = chooser.drafting();
      return drafting ? drafter.draft(context, chooser.draftSize()) : noDrafter().draft(context, 0);
    },
    trim(tree) {
      if (!drafting) return chooser.skipped(), { tree };
      const { nodes, batch, expected } = chooser.choose(tree);
      return { tree: trimTree(tree, nodes), batch: batches ? batch : undefined, expected };
    },
    observe: (tree, tokens) => chooser.observe(tree, tokens),
  };
}
