/**
 * The model's tokenizer: `@huggingface/tokenizers` (tokenizers.js) over `tokenizer.json` + `tokenizer_config.json`.
 * Pure JS, no TensorFlow.js: retrieval indexing uses it too.
 *
 * Example:
 *   const tok = loadTokenizer('models/tiny-coder-dsc');
 *   tok.encode('def f():')            // [..ids..] without BOS
 *   tok.decode(tok.encode('x = 1'))   // 'x = 1'
 */
import * as fs from 'fs';
import * as path from 'path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';

export interface Tokenizer {
  readonly dir: string; // directory the files were read from
  readonly bosId: number | null; // beginning-of-sequence id from tokenizer_config.json, if any
  readonly eosIds: number[]; // end-of-sequence ids
  readonly vocabSize: number; // base vocab + added tokens (may be smaller than the model's vocab_size)
  /** Token ids of `text`; special tokens (BOS) only when `addSpecialTokens` is true. */
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  /** Text of `ids` (special tokens skipped unless `skipSpecialTokens` is false). */
  decode(ids: ArrayLike<number>, opts?: { skipSpecialTokens?: boolean }): string;
  /** Decoded text of every id alone, indexed by id (`''` for ids the tokenizer does not know). */
  tokenTexts(): string[];
}

function readJson(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) throw new Error(`${file}: file not found`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

function tokenContent(t: unknown): string | null {
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && typeof (t as { content?: unknown }).content === 'string') return (t as { content: string }).content;
  return null;
}

/** Load `dir/tokenizer.json` and `dir/tokenizer_config.json` (the latter optional). */
export function loadTokenizer(dir: string): Tokenizer {
  const tokenizerJson = readJson(path.join(dir, 'tokenizer.json'));
  const configFile = path.join(dir, 'tokenizer_config.json');
  const config = fs.existsSync(configFile) ? readJson(configFile) : {};
  const hf = new HfTokenizer(tokenizerJson, config);
  const idOf = (t: unknown): number | null => {
    const s = tokenContent(t);
    return s === null ? null : (hf.token_to_id(s) ?? null);
  };
  const bosId = idOf(config.bos_token);
  const eos = idOf(config.eos_token);
  const vocabSize = hf.get_vocab(true).size;
  let texts: string[] | null = null;
  return {
    dir,
    bosId,
    eosIds: eos === null ? [] : [eos],
    vocabSize,
    encode: (text, opts = {}) => hf.encode(text, { add_special_tokens: opts.addSpecialTokens ?? false }).ids,
    decode: (ids, opts = {}) => hf.decode(Array.from(ids), { skip_special_tokens: opts.skipSpecialTokens ?? true }),
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
