/**
 * The model's tokenizer: `@huggingface/tokenizers` (tokenizers.js) over `tokenizer.json` + `tokenizer_config.json`.
 * Pure JS, no TensorFlow.js: retrieval indexing uses it too.
 *
 * Special tokens follow HF `LlamaTokenizerFast` (every model here is Llama-family): with `addSpecialTokens`, BOS is
 * prepended when `add_bos_token` (default true) and EOS appended when `add_eos_token` (default false), whatever
 * tokenizer.json's own post-processor says (DeepSeek-Coder's is plain ByteLevel and would add nothing; HF rebuilds it
 * from these flags). When the directory also has a model `config.json`, its `bos_token_id` / `eos_token_id` are
 * the ids generation uses and take precedence (tiny-coder-dsc: BOS 32013, EOS 32014, although its tokenizer files
 * are DeepSeek-Coder-instruct's with EOS `<|EOT|>`).
 *
 * One known difference from the HF Rust tokenizer (see test/model/tokenizer.test.ts): DeepSeek-Coder's pre-tokenizer
 * `Digits(individual_digits=true)` splits characters that Rust's `char::is_numeric` accepts (e.g. `½`, Unicode
 * category No) as digits; tokenizers.js uses `\p{Nd}` only. `encode` re-applies the HF rule (see `splitNumericChars`).
 *
 * Example:
 *   const tok = loadTokenizer('test/fixtures/tokenizers/deepseek-coder');
 *   tok.encode('def f():')                              // [1551, 267, 10942] (no BOS)
 *   tok.encode('x', { addSpecialTokens: true })[0]      // 32013 (BOS)
 *   tok.decode(tok.encode('x = 1'))                     // 'x = 1'
 */
import * as fs from 'fs';
import * as path from 'path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { readJsonObject as readJson } from '../util/json-file';

export interface Tokenizer {
  readonly dir: string; // directory the files were read from
  readonly bosId: number | null; // beginning-of-sequence id (config.json bos_token_id, else tokenizer_config.json bos_token)
  readonly eosIds: number[]; // end-of-sequence ids (config.json eos_token_id, else tokenizer_config.json eos_token)
  readonly vocabSize: number; // base vocab + added tokens (may be smaller than the model's vocab_size)
  /** Token ids of `text`; special tokens (BOS, see above) only when `addSpecialTokens` is true. */
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  /** Text of `ids` (special tokens skipped unless `skipSpecialTokens` is false). */
  decode(ids: ArrayLike<number>, opts?: { skipSpecialTokens?: boolean }): string;
  /** Decoded text of every id alone, indexed by id (`''` for ids the tokenizer does not know). */
  tokenTexts(): string[];
}

function tokenContent(t: unknown): string | null {
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && typeof (t as { content?: unknown }).content === 'string') return (t as { content: string }).content;
  return null;
}

/** Token ids in a config.json `bos_token_id` / `eos_token_id` field (a number or a list). Example: `[2, 7]` → [2, 7]. */
function configIds(v: unknown): number[] | null {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? null : [v];
  return list && list.every((x) => Number.isInteger(x)) ? (list as number[]) : null;
}

/** Does the tokenizer.json pre-tokenizer contain `Digits(individual_digits=true)` (DeepSeek-Coder does)? */
function splitsDigits(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  const n = node as { type?: unknown; individual_digits?: unknown; pretokenizers?: unknown[] };
  if (n.type === 'Digits') return n.individual_digits === true;
  return Array.isArray(n.pretokenizers) && n.pretokenizers.some(splitsDigits);
}

/**
 * Split `text` around characters that Rust's `char::is_numeric` calls numeric but `\p{Nd}` does not (No, Nl: `½`, `Ⅻ`),
 * so each is tokenized alone, as HF's `Digits(individual_digits=true)` does.
 * Example: `splitNumericChars('4 ½ months')` → ['4 ', '½', ' months'].
 */
export function splitNumericChars(text: string): string[] {
  return text.split(/([\p{No}\p{Nl}])/u).filter((s) => s !== '');
}

/** Load `dir/tokenizer.json` and `dir/tokenizer_config.json` (optional), plus `dir/config.json` ids if present. */
export function loadTokenizer(dir: string): Tokenizer {
  const tokenizerJson = readJson(path.join(dir, 'tokenizer.json'));
  const configFile = path.join(dir, 'tokenizer_config.json');
  const config = fs.existsSync(configFile) ? readJson(configFile) : {};
  const modelConfigFile = path.join(dir, 'config.json');
  const modelConfig = fs.existsSync(modelConfigFile) ? readJson(modelConfigFile) : {};
  const hf = new HfTokenizer(tokenizerJson, config);
  const idOf = (t: unknown): number | null => {
    const s = tokenContent(t);
    return s === null ? null : (hf.token_to_id(s) ?? null);
  };
  const bosId = configIds(modelConfig.bos_token_id)?.[0] ?? idOf(config.bos_token);
  const eosFromTokenizer = idOf(config.eos_token);
  const eosIds = configIds(modelConfig.eos_token_id) ?? (eosFromTokenizer === null ? [] : [eosFromTokenizer]);
  const addBos = config.add_bos_token !== false && bosId !== null;
  const addEos = config.add_eos_token === true && eosIds.length > 0;
  const numericFix = splitsDigits(tokenizerJson.pre_tokenizer);
  const encodePlain = (text: string): number[] => {
    const pieces = numericFix ? splitNumericChars(text) : [text];
    return pieces.flatMap((p) => hf.encode(p, { add_special_tokens: false }).ids);
  };
  let texts: string[] | null = null;
  return {
    dir,
    bosId,
    eosIds,
    vocabSize: hf.get_vocab(true).size,
    encode(text, opts = {}) {
      const ids = encodePlain(text);
      if (!opts.addSpecialTokens) return ids;
      return [...(addBos ? [bosId!] : []), ...ids, ...(addEos ? [eosIds[0]] : [])];
    },
    // tokenizers.js refuses an empty id list ('token_ids must be a non-empty array'); no ids decode to no text
    decode: (ids, opts = {}) => (ids.length === 0 ? '' : hf.decode(Array.from(ids), { skip_special_tokens: opts.skipSpecialTokens ?? true })),
    tokenTexts() {
      if (!texts) {
        texts = [];
        for (const [, id] of hf.get_vocab(true)) texts[id] = hf.decode([id], { skip_special_tokens: false });
        for (let i = 0; i < texts.length; i++) texts[i] ??= '';
      }
      return texts;
    },
  };
}

/**
 * How a worker thread makes this tokenizer (`retrieval/io/tokenize-pool.ts`'s `TokenizerFactory`): it requires this
 * module and calls `loadTokenizer(dir)`. Example: tokenizerFactory('m').factory → 'loadTokenizer'.
 */
export function tokenizerFactory(dir: string): { module: string; factory: string; args: unknown[] } {
  return { module: require.resolve('./tokenizer'), factory: 'loadTokenizer', args: [path.resolve(dir)] };
}
