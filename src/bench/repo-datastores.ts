/**
 * D_r for RepoEval: each repository is read and tokenized once, saved on disk (`<cacheDir>/<repo>.<tokenizer hash>.fcds`,
 * checked against the tokenizer on load), and each task gets its repository's datastore with the target function's lines cut
 * out. Only the target file is re-tokenized per task; the suffix array is rebuilt over the cached token streams
 * (SA-IS is linear: milliseconds for a repository), because the retrieval datastore has no in-place deletion.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { readCorpus, newCorpusStats, DEFAULT_CORPUS_OPTIONS, cutLines } from '../../retrieval/io/corpus';
import { Datastore, datastoreFromDocuments, TextTokenizer } from '../../retrieval/datastore';
import { loadDatastore, saveDatastore } from '../../retrieval/io/datastore-file';
import type { BenchTask, LineExclusion } from './datasets';

/** The repository's files: in-repo path ('/'-separated) → text. */
export type RepoFiles = Map<string, string>;

/**
 * The in-repository path of a corpus path, or null if it is not under `repo`: the part after the path component
 * equal to `repo`.
 *
 * Example: repoPath('function_level/maxhumber_redframes/redframes/core.py', 'maxhumber_redframes') // 'redframes/core.py'
 */
export function repoPath(corpusPath: string, repo: string): string | null {
  const parts = corpusPath.split('/');
  const i = parts.indexOf(repo);
  return i < 0 || i === parts.length - 1 ? null : parts.slice(i + 1).join('/');
}

/**
 * The `.py` files of every repository in `repos`, from `source` (the RepoEval tarball, or a directory holding one
 * folder per repository), read in one pass.
 *
 * Example: (await readRepos('examples/repoeval-redframes/repos', ['maxhumber_redframes'])).get('maxhumber_redframes')!.size // 30
 */
export async function readRepos(source: string, repos: string[]): Promise<Map<string, RepoFiles>> {
  const out = new Map(repos.map((r) => [r, new Map<string, string>()]));
  for await (const doc of readCorpus([source], DEFAULT_CORPUS_OPTIONS, newCorpusStats())) {
    for (const repo of repos) {
      const p = repoPath(doc.path, repo);
      if (p !== null) out.get(repo)!.set(p, doc.text);
    }
  }
  for (const [repo, files] of out) if (!files.size) throw new Error(`${source}: no .py files of repository '${repo}'`);
  return out;
}

/** Tokenizer identity checked when a cached datastore is loaded. */
export interface TokenizerIdentity {
  tokenizer: TextTokenizer;
  vocabSize: number;
  tokenizerHash: string;
}

/**
 * The whole repository's datastore (documents in sorted path order), from `<cacheDir>/<repo>.<tokenizer>.<files>.fcds`
 * if present, else built and saved there. The name carries a hash of the tokenizer and one of every file's path and
 * text, so an edited repository or another tokenizer never reuses a stale index.
 *
 * Example: repoDatastore('maxhumber_redframes', files, '.cache/dr', id).documents.length // files.size
 */
export function repoDatastore(repo: string, files: RepoFiles, cacheDir: string, id: TokenizerIdentity): Datastore {
  const paths = [...files.keys()].sort();
  const content = crypto.createHash('sha256');
  for (const p of paths) content.update(`${p}\0${files.get(p)}\0`);
  const file = path.join(cacheDir, `${repo}.${id.tokenizerHash.slice(0, 12)}.${content.digest('hex').slice(0, 12)}.fcds`);
  if (fs.existsSync(file)) return loadDatastore(file, { vocabSize: id.vocabSize, tokenizerHash: id.tokenizerHash });
  const ds = datastoreFromDocuments(paths.map((p) => ({ path: p, tokens: id.tokenizer.encode(files.get(p)!) })), id.vocabSize, id.tokenizerHash);
  fs.mkdirSync(cacheDir, { recursive: true });
  saveDatastore(ds, file);
  return ds;
}

/**
 * The repository datastore without the excluded lines: the target file re-tokenized with those lines cut, every other
 * document's cached tokens reused, the suffix array rebuilt.
 *
 * Example: excludeLines(ds, files, { file: 'redframes/verbs/mutate.py', startLine: 8, endLine: 12 }, id)
 *   // same documents, mutate.py without its 5 target lines
 */
export function excludeLines(ds: Datastore, files: RepoFiles, x: LineExclusion, id: TokenizerIdentity): Datastore {
  const text = files.get(x.file);
  if (text === undefined) throw new Error(`exclusion '${x.file}:${x.startLine}-${x.endLine}': no such file in the repository`);
  const cut = cutLines(text, x.startLine, x.endLine);
  if (cut.removed !== x.endLine - x.startLine + 1) throw new Error(`exclusion '${x.file}:${x.startLine}-${x.endLine}': the file has only ${text.split('\n').length} lines`);
  const docs = ds.documents.map((d) => ({
    path: d.path,
    tokens: d.path === x.file ? id.tokenizer.encode(cut.text) : ds.tokens.subarray(d.start, d.start + d.length),
  }));
  return datastoreFromDocuments(docs, id.vocabSize, id.tokenizerHash);
}

/**
 * D_r per task: the repository's datastore (read from `reposSource` at the first call, cached in `cacheDir`) with the
 * task's target lines excluded; undefined for a task without a repository (HumanEval).
 *
 * Example: const repoIndexFor = repoIndexes('../shared/data/repoeval/function_level_repos.tar.gz', tasks, '.cache/dr', id);
 *          await repoIndexFor(tasks[0]) // D_r of the first task
 */
export function repoIndexes(reposSource: string, tasks: BenchTask[], cacheDir: string, id: TokenizerIdentity): (task: BenchTask) => Promise<Datastore | undefined> {
  let files: Map<string, RepoFiles> | null = null;
  const full = new Map<string, Datastore>();
  return async (task) => {
    if (!task.repo || !task.exclusion) return undefined;
    files ??= await readRepos(reposSource, [...new Set(tasks.map((t) => t.repo!))]);
    const repoFiles = files.get(task.repo)!;
    if (!full.has(task.repo)) full.set(task.repo, repoDatastore(task.repo, repoFiles, cacheDir, id));
    return excludeLines(full.get(task.repo)!, repoFiles, task.exclusion, id);
  };
}
