import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadTokenizer } from '../../model/tokenizer';
import { datastoreFromDocuments } from '../../retrieval/datastore';
import { saveDatastore } from '../../retrieval/io/datastore-file';
import { tokenizerHash } from '../../retrieval/io/tokenizer-hash';
import { run } from '../../src/cli/generate';

const MODEL = path.join(__dirname, '..', '..', 'models', 'tiny-coder-dsc');
const PROMPT = 'def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n';

/** Run the command, capturing stdout and stderr lines. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  const error = jest.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  try {
    return { code: await run(args), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

describe('fastcoder generate', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-gen-'));
  const tok = loadTokenizer(MODEL);
  // `--budget auto` (the default) calibrates once into this file: without it the tests would leave a profile measured
  // under the test run's load in the checkout's .cache/cost-profiles, which the demo and bench would then use
  const costProfile = ['--cost-profile', path.join(tmp, 'shared-cost.json')];

  test('--json prints { tokens, text, metrics } and --trace writes header, steps, summary', async () => {
    const trace = path.join(tmp, 't.jsonl');
    const { code, out, err } = await cli(['--model', MODEL, '--prompt', PROMPT, '--mode', 'pld', '--max-new-tokens', '16', '--json', '--compare-ar', '--trace', trace, ...costProfile]);
    expect(code).toBe(0);
    expect(err).toMatch(/^backend: (wasm|tensorflow|webgpu|cpu) \(.+\)$/m); // the chosen backend, on stderr so stdout stays JSON
    const j = JSON.parse(out.trim());
    expect(Object.keys(j)).toEqual(['tokens', 'text', 'metrics']);
    expect(j.tokens.length).toBe(16);
    expect(j.text).toBe(tok.decode(j.tokens));
    expect(j.metrics).toMatchObject({ generated: 16, stopReason: 'max-new-tokens' });
    expect(j.metrics.acceptance).toBeCloseTo(16 / j.metrics.forwards, 12);
    expect(j.metrics.speedup).toBeGreaterThan(0);
    const lines = fs.readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.kind)).toEqual(['header', ...Array(j.metrics.forwards).fill('step'), 'summary']);
    expect(lines[0].promptTokens).toEqual(tok.encode(PROMPT, { addSpecialTokens: true }));
  });

  test('an ablation row with a saved D_c streams the same text as ar', async () => {
    const index = path.join(tmp, 'dc.fcds');
    const doc = tok.encode(PROMPT.repeat(3));
    saveDatastore(datastoreFromDocuments([{ path: 'a.py', tokens: doc }], 32256, tokenizerHash(MODEL)), index);
    const ar = await cli(['--model', MODEL, '--prompt', PROMPT, '--mode', 'ar', '--max-new-tokens', '12']);
    const fc = await cli(['--model', MODEL, '--prompt', PROMPT, '--ablation', 'w/o repo', '--common-index', index, '--max-new-tokens', '12', ...costProfile]);
    const text = (o: string) => o.slice(0, o.indexOf('\nL=12 '));
    expect(fc.code).toBe(0);
    expect(text(fc.out)).toBe(text(ar.out));
    expect(fc.out).toMatch(/L=12 F=\d+ L\/F=[\d.]+ ms\/token=[\d.]+/);
  });

  test('--mode ar drafts nothing, so --budget auto calibrates nothing: no cost profile is written', async () => {
    const profile = path.join(tmp, 'ar-cost.json');
    const { code, err } = await cli(['--model', MODEL, '--prompt', PROMPT, '--mode', 'ar', '--max-new-tokens', '4', '--cost-profile', profile]);
    expect(code).toBe(0);
    expect(err).not.toContain('calibrated');
    expect(fs.existsSync(profile)).toBe(false);
  });

  test('--budget auto (the default) calibrates once into --cost-profile, reuses it, refuses a foreign one; output equals ar', async () => {
    const profile = path.join(tmp, 'cost.json');
    const args = ['--model', MODEL, '--prompt', PROMPT, '--mode', 'pld', '--max-new-tokens', '24', '--compare-ar', '--cost-profile', profile];
    const first = await cli(args);
    expect(first.code).toBe(0); // 0: identical to ar
    expect(first.err).toContain(`saved to ${profile}`);
    const saved = JSON.parse(fs.readFileSync(profile, 'utf8'));
    expect(saved.key.shape).toBe('llama L4 h256 i688 H4/2x64 V32256 tied');
    const again = await cli(args);
    expect(again.code).toBe(0);
    expect(again.err).not.toContain('calibrated');
    fs.writeFileSync(profile, JSON.stringify({ ...saved, key: { ...saved.key, backend: 'tensorflow-gpu' } }));
    await expect(cli(args)).rejects.toThrow(`${profile}: cost profile of another backend ('tensorflow-gpu'`);
  });

  test.each([
    [[], /--model <dir> is required/],
    [['--model', MODEL], /exactly one of --prompt and --prompt-file/],
    [['--model', MODEL, '--prompt-file', '/nonexistent/p.txt'], /\/nonexistent\/p.txt: prompt file not found/],
    [['--model', MODEL, '--prompt', 'x', '--mode', 'fast'], /unknown mode 'fast'/],
    [['--model', MODEL, '--prompt', 'x', '--ablation', 'w/o nothing'], /unknown ablation 'w\/o nothing'/],
    [['--model', MODEL, '--prompt', 'x', '--mode', 'ar', '--budget', 'lots'], /--budget: expected a non-negative integer or 'auto', got 'lots'/],
    [['--model', MODEL, '--prompt', 'x', '--mode', 'ar', '--budget', '1000000'], /--budget: at most 1024 \(one forward verifies budget \+ 1 rows; the paper uses 64\), got 1000000/],
    [['--model', MODEL, '--prompt', 'x', '--mode', 'rest'], /--mode rest needs --common-index <f>/],
    [['--model', MODEL, '--prompt', 'x'], /--mode fastcoder needs --common-index <f>/],
    [['--model', MODEL, '--prompt', 'x', '--common-index', 'dc.fcds'], /--mode fastcoder needs --repo-index <f> \(the repository datastore D_r; .*\), or --no-repo to draft without one/],
    [['--model', MODEL, '--prompt', 'x', '--mode', 'fastcoder-plus', '--common-index', 'dc.fcds'], /--mode fastcoder-plus needs --repo-index <f>/],
    [['--model', MODEL, '--prompt-file', __dirname], new RegExp(`${__dirname}: is a directory, expected a prompt file`)],
    [['--model', MODEL, '--prompt', 'x', '--mode', 'ar', '--max-prompt-tokens', '0'], /--max-prompt-tokens must be a positive integer, got '0'/],
  ])('bad input: %j', async (args, message) => {
    await expect(cli(args as string[])).rejects.toThrow(message);
  });

  test('a prompt file that is not UTF-8 is refused (decoding would silently replace its bytes)', async () => {
    const file = path.join(tmp, 'latin1.py');
    fs.writeFileSync(file, Buffer.from('x = "caf\xe9"\n', 'latin1'));
    await expect(cli(['--model', MODEL, '--prompt-file', file, '--mode', 'ar'])).rejects.toThrow(`${file}: not UTF-8 text`);
  });

  test('--max-new-tokens 0 is an empty result', async () => {
    const { code, out } = await cli(['--model', MODEL, '--prompt', PROMPT, '--mode', 'ar', '--max-new-tokens', '0', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out.trim())).toMatchObject({ tokens: [], text: '', metrics: { generated: 0, stopReason: 'max-new-tokens' } });
  });

  test("a prompt longer than the model's 1024 positions: refused naming --max-prompt-tokens; cut with it, generation stops at the last position", async () => {
    const long = PROMPT.repeat(60); // > 1024 tokens
    expect(tok.encode(long).length).toBeGreaterThan(1024);
    await expect(cli(['--model', MODEL, '--prompt', long, '--mode', 'ar', '--max-new-tokens', '8'])).rejects.toThrow(/the prompt has \d+ tokens, more than the model's 1024 positions .*--max-prompt-tokens/);
    const { code, out, err } = await cli(['--model', MODEL, '--prompt', long, '--mode', 'pld', '--max-prompt-tokens', '1020', '--max-new-tokens', '8', '--json', ...costProfile]);
    expect(code).toBe(0);
    expect(err).toMatch(/prompt cut to its last 1020 of \d+ tokens/);
    expect(JSON.parse(out.trim()).metrics).toMatchObject({ generated: 4, stopReason: 'max-position' });
  });

  test('--help', async () => {
    expect((await cli(['--help'])).out).toMatch(/usage: fastcoder generate --model <dir>/);
  });
});
