/**
 * Greedy acceptance with the argmax computed by the model (`acceptOnModel`, `CausalLM.argmax`): on the real model
 * (wasm), the root + HF tree of each fixture in one forward, asked row by row ('path') and all rows at once ('all'),
 * gives HF's greedy_verification; 'path' reads only the accepted path's rows, 'all' reads once.
 */
import * as path from 'path';
import { acceptOnModel } from '../../model/greedy';
import { loadHfFixture } from '../../model/hf-fixture';
import { loadModel } from '../../model/load';
import { verifyInputs } from '../../trie/draft-tree';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'hf-llama');

test.each(['llama-tiny', 'deepseek-tiny', 'gqa-tiny'])('%s: argmax on the model, row by row and all at once, gives HF greedy verification', async (name) => {
  const fx = loadHfFixture(path.join(FIXTURES, name));
  const { prompt, tree } = fx.cases;
  const lm = await loadModel(fx.modelDir, { backend: 'wasm' });
  try {
    const head = prompt.slice(0, -1);
    await lm.forwardHidden(head, head.map((_, i) => i));
    lm.commit(head.map((_, i) => i));
    // the HF tree's position ids are the prompt length + depth: the root (last prompt token) sits before them
    const depths = tree.position_ids.map((p) => p - prompt.length);
    const inputs = verifyInputs(prompt[prompt.length - 1], head.length, { tokens: tree.tokens, parents: tree.parents, depths, weights: [], counts: { repo: [], common: [], cache: [], lookup: [] } });
    await lm.forwardHidden(inputs.tokens, inputs.positions, inputs.mask);
    const want = tree.greedy_verification;
    for (const verifyRows of ['path', 'all'] as const) {
      const asked: number[][] = [];
      const acc = await acceptOnModel({ verifyRows, argmax: (rows) => (asked.push(Array.from(rows)), lm.argmax(rows)) }, tree.tokens, tree.parents);
      expect([verifyRows, acc.nodes, acc.tokens.at(-1)]).toEqual([verifyRows, want.accepted_nodes, want.bonus_token]);
      if (verifyRows === 'path') expect(asked).toEqual(acc.rows.map((r) => [r]));
      else expect(asked).toEqual([Array.from({ length: tree.tokens.length + 1 }, (_, i) => i)]);
    }
    await expect(lm.argmax([tree.tokens.length + 1])).rejects.toThrow(`argmax: row ${tree.tokens.length + 1} out of range for the last forward's ${tree.tokens.length + 1} tokens`);
  } finally {
    lm.dispose();
  }
});
