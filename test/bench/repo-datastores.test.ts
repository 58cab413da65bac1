import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadRepoEval } from '../../src/bench/datasets';
import { excludeLines, readRepos, repoDatastore, repoPath, TokenizerIdentity } from '../../src/bench/repo-datastores';
import { Datastore } from '../../retrieval/datastore';
import { buildDatastore } from '../../retrieval/io/build';
import { loadTokenizer } from '../../model/tokenizer';
import { tokenizerHash } from '../../retrieval/io/tokenizer-hash';

const EXAMPLE = path.join(__dirname, '../../examples/repoeval-redframes');
const REPOS = path.join(EXAMPLE, 'repos');
const TOK = path.join(__dirname, '../fixtures/tokenizers/deepseek-coder');
const REPO = 'maxhumber_redframes';

const byPath = (ds: Datastore) => new Map(ds.documents.map((d) => [d.path.slice(d.path.indexOf('redframes/')), Array.from(ds.tokens.subarray(d.start, d.start + d.length))]));

describe('repoPath', () => {
  it.each([
    ['function_level/maxhumber_redframes/redframes/core.py', 'redframes/core.py'],
    ['maxhumber_redframes/setup.py', 'setup.py'],
    ['function_level/CarperAI_trlx/trlx/a.py', null],
  ])('%s → %s', (p, want) => expect(repoPath(p, REPO)).toBe(want));
});

describe('per-task D_r', () => {
  const tokenizer = loadTokenizer(TOK);
  const id: TokenizerIdentity = { tokenizer, vocabSize: 32256, tokenizerHash: tokenizerHash(TOK) };
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-dr-'));
  const task = loadRepoEval(EXAMPLE)[0]; // redframes/verbs/mutate.py, 5 target lines

  it('equals the retrieval module building the repository with the same exclusion', async () => {
    const files = (await readRepos(REPOS, [REPO])).get(REPO)!;
    const full = repoDatastore(REPO, files, cacheDir, id);
    expect(fs.readdirSync(cacheDir)).toEqual([expect.stringMatching(new RegExp(`^${REPO}\\.${id.tokenizerHash.slice(0, 12)}\\.[0-9a-f]{12}\\.fcds$`))]);
    const mine = excludeLines(full, files, task.exclusion!, id);
    const x = task.exclusion!;
    const { datastore: ref } = await buildDatastore([path.join(REPOS, REPO)], {
      tokenizer, vocabSize: id.vocabSize, tokenizerHash: id.tokenizerHash, exclude: [{ path: x.file, startLine: x.startLine, endLine: x.endLine }],
    });
    expect(byPath(mine)).toEqual(byPath(ref));
    // the target body is findable in the full repository and gone from the task's D_r
    const body = Int32Array.from(tokenizer.encode(task.reference).slice(0, 16));
    const opts = { nMax: 16, nMin: 1, k: 100, span: 1 };
    expect(full.search(body, opts).matchLength).toBe(16);
    expect(mine.search(body, opts).matchLength).toBeLessThan(16);
  });

  it('reuses the on-disk cache; another tokenizer or an edited file gets its own index', async () => {
    const files = (await readRepos(REPOS, [REPO])).get(REPO)!;
    const cached = path.join(cacheDir, fs.readdirSync(cacheDir)[0]);
    const stamp = fs.statSync(cached).mtimeMs;
    repoDatastore(REPO, files, cacheDir, id);
    expect(fs.statSync(cached).mtimeMs).toBe(stamp);
    repoDatastore(REPO, files, cacheDir, { ...id, tokenizerHash: 'f'.repeat(64) });
    expect(fs.readdirSync(cacheDir)).toHaveLength(2);
    const edited = new Map(files).set('redframes/stat.py', files.get('redframes/stat.py') + '\nEDITED = 1\n');
    const ds = repoDatastore(REPO, edited, cacheDir, id);
    expect(fs.readdirSync(cacheDir)).toHaveLength(3);
    const doc = ds.documents.find((d) => d.path === 'redframes/stat.py')!;
    expect(tokenizer.decode(ds.tokens.subarray(doc.start, doc.start + doc.length))).toContain('EDITED = 1'); // not the stale index
  });

  it('names an exclusion of a file the repository does not have', async () => {
    const files = (await readRepos(REPOS, [REPO])).get(REPO)!;
    const full = repoDatastore(REPO, files, cacheDir, id);
    expect(() => excludeLines(full, files, { file: 'nope.py', startLine: 1, endLine: 2 }, id)).toThrow("exclusion 'nope.py:1-2': no such file");
  });
});
