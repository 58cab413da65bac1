/**
 * `fastcoder generate`: decode one prompt with a mode, stream the text, then print L, F, L/F and ms/token
 * (`--json`: one JSON object `{ tokens, text, metrics }` instead). `--trace f` writes the per-step JSONL trace;
 * `--compare-ar` also runs `ar` on the same prompt and reports the speedup and whether the tokens are identical (after
 * an untimed warm-up of both, so that neither pays the process's start-up costs).
 *
 * Example:
 *   fastcoder generate --model models/tiny-coder-dsc --prompt 'def fib(n):' --mode pld --max-new-tokens 64
 */
import * as fs from 'fs';
import { parseArgs } from 'util';
import { loadModel } from '../../model/load';
import { loadTokenizer, type Tokenizer } from '../../model/tokenizer';
import { loadDatastore } from '../../retrieval/io/datastore-file';
import { tokenizerHash } from '../../retrieval/io/tokenizer-hash';
import { ABLATIONS, generate, MODES, type GenerateOptions, type GenerationResult, type Mode } from '../decode/generate';
import { parseBudget } from '../decode/budget';
import { loadOrCalibrate, modelKey } from '../decode/cost-model';
import { firstDivergence, speedup } from '../decode/metrics';
import { JsonlTraceWriter } from '../trace/writer';
import { promptIds } from '../bench/run';
import { warmUp } from '../bench/warm-up';
import { draftsFromRepo, MAX_BUDGET } from '../decode/options';
import { loadFlags, WASM_THREADS_HELP } from './flags';

const HELP = `usage: fastcoder generate --model <dir> [--tokenizer <dir>] (--prompt <text> | --prompt-file <f>)
         [--repo-index <f>] [--common-index <f>] --mode ar|pld|rest|fastcoder|fastcoder-plus [--max-new-tokens N] [--trace f] [--json]

  --model <dir>           HF Llama checkpoint (config.json + safetensors)
  --tokenizer <dir>       tokenizer.json directory (default: --model)
  --prompt <text>         the prompt; or --prompt-file <f>
  --mode <m>              ar | pld | rest | fastcoder | fastcoder-plus (default fastcoder)
  --ablation <row>        a Table II row instead of --mode: ${ABLATIONS.map((r) => `'${r.name}'`).join(', ')}
  --repo-index <f>        D_r datastore (fastcoder)
  --common-index <f>      D_c datastore (rest, fastcoder)
  --no-repo, --no-cache, --no-timing   switch a FastCoder component off
  --parallel              search D_r and D_c in worker threads (default: in this thread, measured faster)
  --max-new-tokens N      default 128; generation also stops at the model's last position (max_position_embeddings)
  --max-prompt-tokens N   keep the last N prompt tokens (BOS kept); a prompt longer than the model's positions is refused
  --stop <s>              stop string (repeatable; \\n is a newline)
  --eos-ids a,b           EOS ids (default: the model's config.json)
  --budget N|auto         draft tokens per forward: auto (default: per step, from this machine's cost model and the
                          drafts' expected acceptance; 0 = a plain greedy step) or a fixed N (the paper's 64; at
                          most ${MAX_BUDGET})
  --cost-profile <f>      budget auto: the measured verify cost, loaded if it exists (refused if measured on another
                          backend, model shape or CPU), else calibrated and saved (default: .cache/cost-profiles)
  --alpha/--beta/--gamma  Trie weights of D_r / D_c / cache counts (default 1)
  --seed N                retrieval-timing coin seed (default 0)
  --backend <b>           tensorflow | webgpu | wasm | cpu (default: best available)
${WASM_THREADS_HELP}
  --trace <f>             write the per-step trace as JSON Lines
  --compare-ar            also run ar: speedup and token identity
  --json                  print one JSON object: { tokens, text, metrics }`;

const OPTIONS = {
  model: { type: 'string' },
  tokenizer: { type: 'string' },
  prompt: { type: 'string' },
  'prompt-file': { type: 'string' },
  mode: { type: 'string' },
  ablation: { type: 'string' },
  'repo-index': { type: 'string' },
  'common-index': { type: 'string' },
  'no-repo': { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  'no-timing': { type: 'boolean' },
  parallel: { type: 'boolean' },
  'max-new-tokens': { type: 'string' },
  'max-prompt-tokens': { type: 'string' },
  stop: { type: 'string', multiple: true },
  'eos-ids': { type: 'string' },
  budget: { type: 'string' },
  'cost-profile': { type: 'string' },
  alpha: { type: 'string' },
  beta: { type: 'string' },
  gamma: { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  'wasm-threads': { type: 'string' },
  trace: { type: 'string' },
  'compare-ar': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** A numeric option, or undefined when absent. Example: num({ budget: '16' }, 'budget') → 16 */
function num(values: Values, name: 'max-new-tokens' | 'max-prompt-tokens' | 'alpha' | 'beta' | 'gamma' | 'seed'): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`generate: --${name} must be a number, got '${v}'`);
  return n;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function readPrompt(values: Values): string {
  if ((values.prompt === undefined) === (values['prompt-file'] === undefined)) throw new Error('generate: give exactly one of --prompt and --prompt-file');
  if (values.prompt !== undefined) return values.prompt;
  const file = values['prompt-file']!;
  if (!fs.existsSync(file)) throw new Error(`${file}: prompt file not found`);
  if (fs.statSync(file).isDirectory()) throw new Error(`${file}: is a directory, expected a prompt file`);
  try {
    return utf8.decode(fs.readFileSync(file));
  } catch {
    throw new Error(`${file}: not UTF-8 text (decoding it would replace bytes and change the prompt)`);
  }
}

/** The prompt's token ids, cut to the last --max-prompt-tokens (BOS kept), with a note on stderr when cut. */
function promptTokens(tokenizer: Tokenizer, prompt: string, max: number | undefined): number[] {
  const ids = promptIds(tokenizer, prompt, max);
  if (max === undefined || ids.length < max) return ids;
  const all = tokenizer.encode(prompt, { addSpecialTokens: true }).length;
  if (ids.length < all) console.error(`generate: prompt cut to its last ${ids.length} of ${all} tokens (--max-prompt-tokens)`);
  return ids;
}

/** Mode and component switches from --mode / --ablation / --no-*. */
function modeOptions(values: Values): Pick<GenerateOptions, 'mode' | 'label' | 'repo' | 'cache' | 'timing' | 'parallel'> {
  if (values.ablation !== undefined) {
    if (values.mode !== undefined) throw new Error('generate: give --mode or --ablation, not both');
    const row = ABLATIONS.find((r) => r.name === values.ablation);
    if (!row) throw new Error(`generate: unknown ablation '${values.ablation}' (expected ${ABLATIONS.map((r) => `'${r.name}'`).join(', ')})`);
    return { ...row.options, label: row.name };
  }
  const mode = (values.mode ?? 'fastcoder') as Mode;
  if (!MODES.includes(mode)) throw new Error(`generate: unknown mode '${mode}' (expected ${MODES.join(', ')})`);
  const off = (k: 'no-repo' | 'no-cache' | 'no-timing') => (values[k] ? false : undefined);
  return { mode, repo: off('no-repo'), cache: off('no-cache'), timing: off('no-timing'), parallel: values.parallel ? true : undefined };
}

function eosIds(values: Values): number[] | undefined {
  const v = values['eos-ids'];
  if (v === undefined) return undefined;
  const ids = v.split(',').map(Number);
  if (ids.some((x) => !Number.isInteger(x) || x < 0)) throw new Error(`generate: --eos-ids must be comma-separated token ids, got '${v}'`);
  return ids;
}

/** Prints the newly decoded text after each step (decoding the whole output keeps multi-byte characters whole). */
function streamer(tokenizer: Tokenizer): (tokens: number[]) => void {
  let printed = '';
  return (tokens) => {
    const text = tokenizer.decode(tokens);
    if (text.startsWith(printed)) process.stdout.write(text.slice(printed.length));
    printed = text;
  };
}

function summary(r: GenerationResult): string {
  const m = r.metrics;
  return `L=${m.generated} F=${m.forwards} L/F=${m.acceptance.toFixed(2)} ms/token=${m.msPerToken.toFixed(2)} (stop: ${r.stopReason})`;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.model) throw new Error('generate: --model <dir> is required (see --help)');
  const text = readPrompt(values);
  const modes = modeOptions(values);
  if (modes.mode !== 'ar' && modes.mode !== 'pld' && !values['common-index']) {
    throw new Error(`generate: --mode ${modes.mode} needs --common-index <f> (the common-code datastore D_c; build one with 'fastcoder index')`);
  }
  if (draftsFromRepo(modes) && !values['repo-index']) {
    throw new Error(`generate: --mode ${modes.mode} needs --repo-index <f> (the repository datastore D_r; build one with 'fastcoder index'), or --no-repo to draft without one`);
  }
  const maxPromptTokens = num(values, 'max-prompt-tokens');
  if (maxPromptTokens !== undefined && !(Number.isInteger(maxPromptTokens) && maxPromptTokens > 0)) throw new Error(`generate: --max-prompt-tokens must be a positive integer, got '${values['max-prompt-tokens']}'`);
  const plain: GenerateOptions = {
    ...modes,
    maxNewTokens: num(values, 'max-new-tokens'),
    stop: values.stop?.map((s) => s.replace(/\\n/g, '\n')),
    eosIds: eosIds(values),
    budget: parseBudget(values.budget ?? 'auto'),
    alpha: num(values, 'alpha'),
    beta: num(values, 'beta'),
    gamma: num(values, 'gamma'),
    seed: num(values, 'seed'),
  };
  const tokenizerDir = values.tokenizer ?? values.model;
  const tokenizer = loadTokenizer(tokenizerDir);
  const prompt = promptTokens(tokenizer, text, maxPromptTokens);
  const model = await loadModel(values.model, loadFlags(values));
  console.error(`backend: ${model.backend} (${model.backendDetail})`); // stderr: stdout carries only the text (or the JSON object)
  let trace: JsonlTraceWriter | undefined;
  try {
    const expect = { vocabSize: model.vocabSize, tokenizerHash: tokenizerHash(tokenizerDir) };
    const stream = values.json ? null : streamer(tokenizer);
    const generated: number[] = [];
    trace = values.trace ? new JsonlTraceWriter(values.trace) : undefined;
    const costProfile = plain.budget === 'auto' && modes.mode !== 'ar' ? await loadOrCalibrate(model, modelKey(model), { file: values['cost-profile'], log: (m) => console.error(m) }) : undefined;
    const options: GenerateOptions = {
      ...plain,
      costProfile,
      repoIndex: values['repo-index'] ? loadDatastore(values['repo-index'], expect) : undefined,
      commonIndex: values['common-index'] ? loadDatastore(values['common-index'], expect) : undefined,
      trace: trace && { write: (line) => trace!.write(line.kind === 'header' ? { ...line, model: values.model } : line) }, // the header names the model
      onStep: stream
        ? (s) => {
            generated.push(...s.accepted.map((a) => a.token));
            stream(generated);
          }
        : undefined,
    };
    const arOptions: GenerateOptions = { mode: 'ar', maxNewTokens: options.maxNewTokens, stop: options.stop, eosIds: options.eosIds };
    if (values['compare-ar']) await warmUp(model, tokenizer, prompt, [arOptions, { ...options, trace: undefined }]);
    const result = await generate(model, tokenizer, prompt, options);
    trace?.close();
    if (!values.json) console.log(`\n${summary(result)}`);
    let identical = true;
    if (values['compare-ar']) {
      const ar = await generate(model, tokenizer, prompt, arOptions);
      result.metrics.speedup = speedup(result.metrics, ar.metrics);
      const at = firstDivergence(result.tokens, ar.tokens);
      identical = at < 0;
      if (!identical) console.error(`generate: NOT LOSSLESS: tokens differ from ar at index ${at} (${result.tokens[at]} vs ${ar.tokens[at]})`);
      if (!values.json) console.log(`ar: ${summary(ar)}\nspeedup ${result.metrics.speedup.toFixed(2)}x, identical to ar: ${identical}`);
    }
    if (values.json) console.log(JSON.stringify({ tokens: result.tokens, text: result.text, metrics: { ...result.metrics, stopReason: result.stopReason } }));
    return identical ? 0 : 1;
  } finally {
    trace?.abort(); // after close(): nothing; after a failure: the trace file is left as it was
    model.dispose();
  }
}
