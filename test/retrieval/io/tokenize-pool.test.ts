import * as path from 'path';
import { buildDatastore } from '../../../retrieval/io/build';
import { TokenizePool } from '../../../retrieval/io/tokenize-pool';
import { hashTokenizer } from '../hash-tokenizer';

const repo = path.join(__dirname, '../../fixtures/retrieval/repo');
const factory = (args: unknown[]) => ({ module: require.resolve('../hash-tokenizer'), factory: 'hashTokenizer', args });
const HASH = 'ef'.repeat(32);

describe('TokenizePool (worker threads, under jest)', () => {
  test('encodes like the tokenizer in this thread, in request order', async () => {
    const pool = new TokenizePool(factory([1000]), 2);
    try {
      const texts = ['def f(x):\n    return x\n', '', 'a b c', 'x'.repeat(10000) + ' y'];
      const got = await Promise.all(texts.map((t) => pool.encode(t)));
      expect(got.map((ids) => Array.from(ids))).toEqual(texts.map((t) => hashTokenizer(1000).encode(t)));
    } finally {
      await pool.close();
    }
  });

  test('buildDatastore with workers equals the in-thread build', async () => {
    const base = { tokenizer: hashTokenizer(4096), vocabSize: 4096, tokenizerHash: HASH };
    const here = (await buildDatastore([repo], base)).datastore;
    const pooled = (await buildDatastore([repo], { ...base, workers: { tokenizer: factory([4096]), threads: 2 } })).datastore;
    expect(Array.from(pooled.tokens)).toEqual(Array.from(here.tokens));
    expect(Array.from(pooled.sa)).toEqual(Array.from(here.sa));
    expect(pooled.documents).toEqual(here.documents);
  });

  test('a tokenizer error names the document', async () => {
    const options = { tokenizer: hashTokenizer(4096), vocabSize: 4096, tokenizerHash: HASH, workers: { tokenizer: factory([4096, 'def unwrap']), threads: 2 } };
    await expect(buildDatastore([repo], options)).rejects.toThrow(/^io\/convert\.py: tokenizer worker: cannot tokenize 'def unwrap'/);
  });
});
