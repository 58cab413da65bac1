/**
 * Benchmark task loaders: HumanEval (`HumanEval.jsonl.gz`) and RepoEval function level (jsonl + repositories tarball).
 * Every loader returns `BenchTask`s: a prompt, the reference continuation, and for RepoEval the repository and the
 * target lines that D_r must exclude.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

/** Lines of one repository file that a task's D_r must not contain (1-based, inclusive). */
export interface LineExclusion {
  file: string; // path inside the repository, '/'-separated (fpath_tuple without the repository)
  startLine: number; // first excluded line (1-based)
  endLine: number; // last excluded line (1-based, inclusive)
}

export interface BenchTask {
  id: string; // HumanEval `task_id`, or the RepoEval line index as a string ("0", "1", ...)
  prompt: string; // text the model continues
  reference: string; // the ground-truth continuation (the oracle's target)
  repo?: string; // RepoEval: repository directory name in the tarball (fpath_tuple[0])
  exclusion?: LineExclusion; // RepoEval: the target function, from `lineno` to the end of `ground_truth`
}

/**
 * Lines of a `.jsonl` or `.jsonl.gz` file (gzip detected by its magic bytes), parsed, with the file and line number in
 * every error.
 *
 * Example: readJsonl('HumanEval.jsonl.gz').length // 164
 */
export function readJsonl(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) throw new Error(`${file}: file not found`);
  let bytes = fs.readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = zlib.gunzipSync(bytes);
    } catch (e) {
      throw new Error(`${file}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  const rows: Record<string, unknown>[] = [];
  bytes.toString('utf8').split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    if (!row || typeof row !== 'object' || Array.isArray(row)) throw new Error(`${file}:${i + 1}: expected a JSON object`);
    rows.push(row as Record<string, unknown>);
  });
  return rows;
}

function field<T>(row: Record<string, unknown>, key: string, type: 'string' | 'number', where: string): T {
  const v = row[key];
  if (typeof v !== type) throw new Error(`${where}: field '${key}' must be a ${type}, got ${JSON.stringify(v)?.slice(0, 40)}`);
  return v as T;
}

/**
 * HumanEval problems: prompt = `prompt`, reference = `canonical_solution`, id = `task_id`.
 *
 * Example: loadHumanEval('../shared/data/humaneval/HumanEval.jsonl.gz')[0].id // 'HumanEval/0'
 */
export function loadHumanEval(file: string): BenchTask[] {
  return readJsonl(file).map((row, i) => {
    const where = `${file}:${i + 1}`;
    return {
      id: field<string>(row, 'task_id', 'string', where),
      prompt: field<string>(row, 'prompt', 'string', where),
      reference: field<string>(row, 'canonical_solution', 'string', where),
    };
  });
}

/** The one RepoEval `.jsonl` (or `.jsonl.gz`) in `dir`, or `dir` itself when it is a file. */
export function repoEvalJsonl(dir: string): string {
  if (!fs.existsSync(dir)) throw new Error(`${dir}: not found`);
  if (fs.statSync(dir).isFile()) return dir;
  const found = fs.readdirSync(dir).filter((f) => /\.jsonl(\.gz)?$/.test(f));
  if (found.length !== 1) throw new Error(`${dir}: expected exactly one RepoEval .jsonl file, found ${found.length} (${found.join(', ')})`);
  return path.join(dir, found[0]);
}

/**
 * RepoEval function-level tasks. `lineno` is 0-based and the prompt ends at the end of line `lineno - 1` without its
 * newline, so the prompt gets that newline back and the reference is `ground_truth`; the excluded lines are
 * `lineno + 1 .. lineno + (lines of ground_truth)` in 1-based numbering.
 *
 * Example (task 313 of the 355-task copy: `redframes/verbs/mutate.py`, lineno 7, 5 ground-truth lines):
 *   { id: '313', repo: 'maxhumber_redframes', exclusion: { file: 'redframes/verbs/mutate.py', startLine: 8, endLine: 12 } }
 */
export function loadRepoEval(fileOrDir: string): BenchTask[] {
  const file = repoEvalJsonl(fileOrDir);
  return readJsonl(file).map((row, i) => {
    const where = `${file}:${i + 1}`;
    const meta = row.metadata as Record<string, unknown> | undefined;
    if (!meta || typeof meta !== 'object') throw new Error(`${where}: missing 'metadata' object`);
    const fpath = meta.fpath_tuple;
    if (!Array.isArray(fpath) || fpath.length < 2 || !fpath.every((p) => typeof p === 'string')) {
      throw new Error(`${where}: 'metadata.fpath_tuple' must be [repository, ...path] strings`);
    }
    const lineno = field<number>(meta, 'lineno', 'number', `${where} metadata`);
    const groundTruth = field<string>(meta, 'ground_truth', 'string', `${where} metadata`);
    const prompt = field<string>(row, 'prompt', 'string', where);
    const gtLines = groundTruth.replace(/\n$/, '').split('\n').length;
    return {
      id: String(i),
      prompt: prompt.endsWith('\n') ? prompt : prompt + '\n',
      reference: groundTruth,
      repo: fpath[0] as string,
      exclusion: { file: (fpath as string[]).slice(1).join('/'), startLine: lineno + 1, endLine: lineno + gtLines },
    };
  });
}

/** Tasks of `dataset` at `dataPath` (a file or a directory). */
export function loadTasks(dataset: 'humaneval' | 'repoeval', dataPath: string): BenchTask[] {
  if (dataset === 'humaneval') {
    const file = fs.existsSync(dataPath) && fs.statSync(dataPath).isDirectory() ? path.join(dataPath, 'HumanEval.jsonl.gz') : dataPath;
    return loadHumanEval(file);
  }
  return loadRepoEval(dataPath);
}
