/**
 * scripts/step-costs.ts: measured step time over the cost profile's prediction, grouped by forward size.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadTokenizer } from '../../model/tokenizer';
import { datastoreFromDocuments } from '../../retrieval/datastore';
import { saveDatastore } from '../../retrieval/io/datastore-file';
import { tokenizerHash } from '../../retrieval/io/tokenizer-hash';
import { byRows, main, measuredProfile } from '../../scripts/step-costs';
import { flatProfile, readProfile } from '../../src/decode/cost-model';
import { loadHumanEval } from '../../src/bench/datasets';

test.each([
  [[[1, 1.1], [4, 0.9], [1, 1.3]], [{ rows: 1, steps: 2, measuredOverPredicted: 1.2 }, { rows: 4, steps: 1, measuredOverPredicted: 0.9 }]],
  [[[8, 2], [2, 1], [8, 1], [8, 3]], [{ rows: 2, steps: 1, measuredOverPredicted: 1 }, { rows: 8, steps: 3, measuredOverPredicted: 2 }]],
  [[], []],
] as [[number, number][], unknown][])('byRows(%j): steps and the median ratio per size, sizes ascending', (samples, expected) => {
  const got = byRows(samples);
  expect(got.map((g) => ({ ...g, measuredOverPredicted: Number(g.measuredOverPredicted.toFixed(12)) }))).toEqual(expected);
});

test('a run on the oracle with a real cost model counts every step and writes its JSON', async () => {
  const TOK = path.join(__dirname, '../fixtures/tokenizers/deepseek-coder');
  const DATA = path.join(__dirname, '../bench/fixtures/HumanEval-3.jsonl.gz');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'step-costs-'));
  const tok = loadTokenizer(TOK);
  const tasks = loadHumanEval(DATA);
  saveDatastore(datastoreFromDocuments(tasks.map((t, i) => ({ path: `t${i}.py`, tokens: tok.encode(t.prompt + t.reference) })), 32256, tokenizerHash(TOK)), path.join(tmp, 'dc.fcds'));
  const out = path.join(tmp, 'costs.json');
  const log = jest.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const code = await main(['--dataset', 'humaneval', '--data', DATA, '--tokenizer', TOK, '--common-index', path.join(tmp, 'dc.fcds'), '--cost-model', 'tiny-coder-dsc', '--cost-profile', path.join(tmp, 'profile.json'), '--runs', 'ar:0,fastcoder:3', '--max-new-tokens', '8', '--out', out, '--measured-profile', path.join(tmp, 'measured.json')]);
    expect(code).toBe(0);
  } finally {
    log.mockRestore();
  }
  const r = JSON.parse(fs.readFileSync(out, 'utf8'));
  expect(r.runs.map((x: { run: string }) => x.run)).toEqual(['ar@0', 'fastcoder@3']);
  const ar = r.runs[0];
  expect(ar.steps).toBe(3 * 8); // 8 new tokens per task, one per step (every reference is longer than 8 tokens)
  expect(ar.byRows).toEqual([{ rows: 1, steps: 24, measuredOverPredicted: expect.any(Number) }]);
  expect(r.runs[1].byRows.reduce((s: number, b: { steps: number }) => s + b.steps, 0)).toBe(r.runs[1].steps);
  expect(fs.existsSync(path.join(tmp, 'profile.json'))).toBe(true);
  // the measured profile: the calibrated one, each 1-row cost scaled by the median of every run's 1-row steps pooled,
  // which lies between the runs' own medians
  const [calibrated, measured] = [readProfile(path.join(tmp, 'profile.json')), readProfile(path.join(tmp, 'measured.json'))];
  const oneRow = r.runs.flatMap((x: { byRows: { rows: number; measuredOverPredicted: number }[] }) => x.byRows.filter((b) => b.rows === 1).map((b) => b.measuredOverPredicted));
  expect(measured.key).toEqual(calibrated.key);
  for (const [c, curve] of measured.curves.entries()) {
    const ratio = curve.points[0][1] / calibrated.curves[c].points[0][1];
    expect(ratio).toBeGreaterThanOrEqual(Math.min(...oneRow) - 1e-9);
    expect(ratio).toBeLessThanOrEqual(Math.max(...oneRow) + 1e-9);
  }
});

test.each([
  [1, 12], [2, 13.2], [3, 13], [4, 18], [8, 36], // ratios 1: 1.2 and 4: 0.9, linear between, 0.9 beyond
])('measuredProfile: the cost at %d rows scaled by the measured ratio there → %d ms', (rows, ms) => {
  const p = { ...flatProfile(0), curves: [{ context: 128, points: [[1, 10], [2, 12], [3, 13], [4, 20], [8, 40]] as [number, number][] }] };
  const ratios = [{ rows: 1, steps: 5, measuredOverPredicted: 1.2 }, { rows: 4, steps: 3, measuredOverPredicted: 0.9 }];
  const point = measuredProfile(p, ratios).curves[0].points.find(([r]) => r === rows)!;
  expect(point[1]).toBeCloseTo(ms, 10);
});

test('measuredProfile: no steps measured is an error, not a profile of zeros', () => {
  expect(() => measuredProfile(flatProfile(10), [])).toThrow('no steps measured');
});

test('--rounds 0 is refused before anything loads (it would print no steps and exit 0)', async () => {
  await expect(main(['--dataset', 'humaneval', '--data', 'x', '--tokenizer', 'x', '--common-index', 'x', '--cost-model', 'x', '--runs', 'ar:0', '--rounds', '0'])).rejects.toThrow('--rounds: at least 1');
});
