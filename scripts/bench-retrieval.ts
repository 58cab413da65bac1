/**
 * `npm run bench:retrieval -- --tokenizer <dir> --corpus <path> --repo <path> [--tasks <jsonl>] [--out <json>]`
 *
 * Index build (seconds, tokens/s, index bytes/token) for D_c and D_r, then lookup latency (p50/p99, µs) over a stream
 * of real contexts: every prefix of the RepoEval prompts of that repository (`--tasks`, matched by the repository's
 * directory name), or of the repository's own files without `--tasks`. Sources: D_r, D_c and the cache (filled as
 * the decoder would, with 20-token pieces of the walked text), then the full `FastRetriever.retrieve` over D_r + D_c
 * with parallel (worker threads) and sequential search. Prints a table and writes JSON.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { loadTokenizer, Tokenizer, tokenizerFactory } from '../model/tokenizer';
import { SequenceCache } from '../retrieval/cache';
import { Datastore } from '../retrieval/datastore';
import { buildDatastore } from '../retrieval/io/build';
import { loadDatastore, saveDatastore } from '../retrieval/io/datastore-file';
import { DEFAULT_RETRIEVER_OPTIONS, FastRetriever } from '../retrieval/retriever';
import type { SearchOptions } from '../retrieval/suffix-array';
import { configVocabSize, tokenizerHash } from '../retrieval/io/tokenizer-hash';
import { runEntryPoint } from '../src/cli/entry';
import { writeFileAtomic } from '../util/atomic-file';
import { mean, quantile } from '../util/stats';

interface BuildFigures {
  documents: number;
  tokens: number;
  seconds: number; // read + tokenize + suffix array
  tokenizeSeconds: number;
  suffixArraySeconds: number;
  tokensPerSecond: number;
  indexBytesPerToken: number;
  loadSeconds: number; // loading the saved index (with verification)
}

interface Latency {
  name: string;
  calls: number;
  p50us: number;
  p99us: number;
  meanus: number;
  hitRate: number; // calls that returned at least one continuation
}

function summarize(name: string, us: number[], hits: number): Latency {
  return { name, calls: us.length, p50us: quantile(us, 0.5), p99us: quantile(us, 0.99), meanus: mean(us), hitRate: hits / us.length };
}

interface Identity {
  tok: Tokenizer;
  dir: string;
  vocabSize: number;
  hash: string;
  threads: number;
}

async function build(label: string, source: string, id: Identity): Promise<{ ds: Datastore; figures: BuildFigures }> {
  process.stderr.write(`building ${label} from ${source} (${id.threads} tokenizer thread(s)) ...\n`);
  const { vocabSize, hash } = id;
  const t0 = performance.now();
  const workers = id.threads > 1 ? { tokenizer: tokenizerFactory(id.dir), threads: id.threads } : undefined;
  const { datastore, stats } = await buildDatastore([source], { tokenizer: id.tok, vocabSize, tokenizerHash: hash, workers });
  const seconds = (performance.now() - t0) / 1000;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fc-bench-')), `${label}.fcds`);
  saveDatastore(datastore, file);
  const t1 = performance.now();
  const ds = loadDatastore(file, { vocabSize, tokenizerHash: hash });
  const loadSeconds = (performance.now() - t1) / 1000;
  const figures: BuildFigures = {
    documents: ds.documents.length,
    tokens: ds.tokenCount,
    seconds,
    tokenizeSeconds: stats.tokenizeSeconds,
    suffixArraySeconds: stats.suffixArraySeconds,
    tokensPerSecond: ds.tokenCount / seconds,
    indexBytesPerToken: fs.statSync(file).size / ds.tokenCount,
    loadSeconds,
  };
  fs.rmSync(path.dirname(file), { recursive: true });
  return { ds, figures };
}

/** Token streams whose every prefix is a lookup context. */
function contextStreams(tasks: string | undefined, repo: string, dr: Datastore, tok: Tokenizer): Int32Array[] {
  if (!tasks) return dr.documents.map((d) => dr.tokens.slice(d.start, d.start + d.length));
  const name = path.basename(path.resolve(repo));
  const prompts = fs
    .readFileSync(tasks, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { prompt: string; metadata: { fpath_tuple: string[] } })
    .filter((t) => t.metadata.fpath_tuple[0] === name);
  if (!prompts.length) throw new Error(`${tasks}: no task whose fpath_tuple[0] is '${name}' (the --repo directory name)`);
  return prompts.map((t) => Int32Array.from(tok.encode(t.prompt)));
}

function* contexts(streams: Int32Array[], limit: number): Generator<Int32Array> {
  let n = 0;
  for (const s of streams) {
    for (let end = 1; end <= s.length; end++) {
      if (n++ >= limit) return;
      yield s.subarray(0, end);
    }
  }
}

function timeSync(fn: () => boolean, us: number[]): number {
  const t0 = process.hrtime.bigint();
  const hit = fn();
  us.push(Number(process.hrtime.bigint() - t0) / 1000);
  return hit ? 1 : 0;
}

async function lookups(dr: Datastore, dc: Datastore, streams: Int32Array[], limit: number): Promise<Latency[]> {
  const opts: SearchOptions = { nMax: 16, nMin: 2, k: 5000, span: 10 };
  const us: Record<string, number[]> = { 'D_r search': [], 'D_c search': [], 'cache search': [] };
  const hits: Record<string, number> = { 'D_r search': 0, 'D_c search': 0, 'cache search': 0 };
  const cache = new SequenceCache({ nMin: 2, maxSequences: DEFAULT_RETRIEVER_OPTIONS.cacheMaxSequences, maxTokens: DEFAULT_RETRIEVER_OPTIONS.cacheMaxTokens });
  for (const c of contexts(streams, limit)) {
    hits['D_r search'] += timeSync(() => dr.search(c, opts).continuations.length > 0, us['D_r search']);
    hits['D_c search'] += timeSync(() => dc.search(c, opts).continuations.length > 0, us['D_c search']);
    hits['cache search'] += timeSync(() => cache.search(c, opts).continuations.length > 0, us['cache search']);
    if (c.length % 20 === 0) cache.insert(c.subarray(Math.max(0, c.length - 36)));
  }
  const out = Object.keys(us).map((k) => summarize(k, us[k], hits[k]));
  for (const parallel of [false, true]) {
    const r = new FastRetriever({ repo: dr, common: dc, cache: false, timing: false, missingTable: false, parallel });
    await r.retrieve(streams[0].subarray(0, 1)); // start the workers outside the measurement
    const times: number[] = [];
    let hit = 0;
    for (const c of contexts(streams, limit)) {
      const t0 = process.hrtime.bigint();
      const res = await r.retrieve(c);
      times.push(Number(process.hrtime.bigint() - t0) / 1000);
      if (res.results.some((x) => x.continuations.length > 0)) hit++;
    }
    await r.close();
    out.push(summarize(`retrieve D_r+D_c ${parallel ? 'parallel' : 'sequential'}`, times, hit));
  }
  return out;
}

function printTable(builds: Record<string, BuildFigures>, latencies: Latency[]): void {
  console.log('\nindex build');
  console.log('source  documents     tokens   build s  tokenize s    SA s   tokens/s  bytes/token  load s');
  for (const [k, b] of Object.entries(builds)) {
    console.log(
      `${k.padEnd(6)} ${String(b.documents).padStart(10)} ${String(b.tokens).padStart(10)} ${b.seconds.toFixed(2).padStart(9)} ${b.tokenizeSeconds.toFixed(2).padStart(11)} ` +
        `${b.suffixArraySeconds.toFixed(2).padStart(7)} ${b.tokensPerSecond.toFixed(0).padStart(10)} ${b.indexBytesPerToken.toFixed(2).padStart(12)} ${b.loadSeconds.toFixed(2).padStart(7)}`,
    );
  }
  console.log('\nlookup latency (µs)');
  console.log('what                                  calls     p50     p99    mean  hit rate');
  for (const l of latencies) {
    console.log(`${l.name.padEnd(34)} ${String(l.calls).padStart(8)} ${l.p50us.toFixed(1).padStart(7)} ${l.p99us.toFixed(1).padStart(7)} ${l.meanus.toFixed(1).padStart(7)} ${(100 * l.hitRate).toFixed(1).padStart(8)}%`);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      tokenizer: { type: 'string' },
      corpus: { type: 'string' },
      repo: { type: 'string' },
      tasks: { type: 'string' },
      contexts: { type: 'string', default: '5000' },
      threads: { type: 'string', default: String(Math.min(os.availableParallelism(), 8)) },
      out: { type: 'string', default: 'out/bench-retrieval.json' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.tokenizer || !values.corpus || !values.repo) {
    console.log('usage: npm run bench:retrieval -- --tokenizer <dir> --corpus <path> --repo <dir> [--tasks <RepoEval jsonl>] [--contexts 5000] [--threads N] [--out out/bench-retrieval.json]');
    return values.help ? 0 : 2;
  }
  const tok = loadTokenizer(values.tokenizer);
  const vocabSize = configVocabSize(values.tokenizer) ?? tok.vocabSize;
  const hash = tokenizerHash(values.tokenizer);
  const id: Identity = { tok, dir: values.tokenizer, vocabSize, hash, threads: Number(values.threads) };
  const common = await build('D_c', values.corpus, id);
  const repo = await build('D_r', values.repo, id);
  const streams = contextStreams(values.tasks, values.repo, repo.ds, tok);
  const latencies = await lookups(repo.ds, common.ds, streams, Number(values.contexts));
  const builds = { D_c: common.figures, D_r: repo.figures };
  printTable(builds, latencies);
  console.log(`\nload average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
  const result = { machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg() }, args: values, builds, latencies };
  writeFileAtomic(values.out, JSON.stringify(result, null, 2));
  console.log(`\nwrote ${values.out}`);
  return 0;
}

runEntryPoint('bench:retrieval', () => main(process.argv.slice(2)));
