/**
 * The identity of the model a datastore is built for: a hash of its tokenizer files and its vocab size, both stored
 * in the index file and checked on load, so an index is never searched with ids from another tokenizer.
 *
 * Example:
 *   tokenizerHash('models/tiny-coder-dsc')   // '3f1c…' (64 hex digits)
 *   configVocabSize('models/tiny-coder-dsc') // 32256 (config.json's vocab_size), or null without config.json
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { readJsonObject } from '../../util/json-file';

/** sha256 over tokenizer.json, then a NUL, then tokenizer_config.json when present (hex). */
export function tokenizerHash(dir: string): string {
  const main = path.join(dir, 'tokenizer.json');
  if (!fs.existsSync(main)) throw new Error(`${main}: file not found`);
  const hash = crypto.createHash('sha256').update(fs.readFileSync(main));
  const config = path.join(dir, 'tokenizer_config.json');
  if (fs.existsSync(config)) hash.update('\0').update(fs.readFileSync(config));
  return hash.digest('hex');
}

/** `vocab_size` of `dir/config.json`, or null when there is no config.json. */
export function configVocabSize(dir: string): number | null {
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(file)) return null;
  const v = readJsonObject(file).vocab_size;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`${file}: vocab_size is missing or not a positive integer`);
  return v;
}
