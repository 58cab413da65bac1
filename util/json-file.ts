/**
 * Read a JSON file or throw an error that names the file and the problem: the one copy of that rule for every
 * config.json, tokenizer.json, index and results file the project reads. No TensorFlow.js, no project imports, so
 * `model/`, `retrieval/` and `src/` can all use it.
 *
 * Example:
 *   readJsonFile('models/tiny-coder-dsc/config.json')   // the parsed value
 *   readJsonFile('missing.json')   // throws "missing.json: file not found"
 *   readJsonObject('list.json')    // throws "list.json: expected a JSON object" when the file holds [1, 2]
 */
import * as fs from 'fs';

/** The parsed contents of `file`. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${file}: file not found`);
    if (code === 'EISDIR') throw new Error(`${file}: is a directory, expected a JSON file`);
    throw new Error(`${file}: cannot read (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** The parsed contents of `file`, which must be a JSON object (not an array, string, number or null). */
export function readJsonObject(file: string): Record<string, unknown> {
  const j = readJsonFile(file);
  if (!j || typeof j !== 'object' || Array.isArray(j)) throw new Error(`${file}: expected a JSON object`);
  return j as Record<string, unknown>;
}
