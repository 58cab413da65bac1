/**
 * The WebGPU backend (Dawn) against the same ground truth as wasm: every HF check of two fixtures (gqa-tiny: grouped
 * kv heads; deepseek-tiny: linear RoPE scaling), a lossless generation (every drafting mode equals ar, verified with
 * all rows' argmax in one read), and the backend choice (a software adapter only when asked for by name).
 *
 * Needs a Vulkan driver: a GPU's, or SwiftShader (Debian's chromium ships it: `VK_ICD_FILENAMES=` its
 * vk_swiftshader_icd.json; exact but slow, ~20-45 s per fixture, mostly shader compilation). The variable must be set
 * before jest starts (the Vulkan loader reads the real environment; jest's process.env is a copy). Without an adapter
 * these tests are skipped, loudly; `.ci/run` installs libvulkan1, sets the SwiftShader ICD and
 * FASTCODER_REQUIRE_WEBGPU=1, so CI never skips them.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../model/backend';
import { formatCheckTable, loadHfFixture, runHfChecks, type CheckResult } from '../../model/hf-fixture';
import type { LlamaModel } from '../../model/llama';
import { loadModel } from '../../model/load';
import { vulkanDriverListed } from '../../model/webgpu';
import { datastoreFromDocuments } from '../../retrieval/datastore';
import { generate } from '../../src/decode/generate';
import { charTokenizer } from '../decode/helpers';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'hf-llama');
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const ROOT = path.join(__dirname, '..', '..');
jest.setTimeout(600_000); // SwiftShader compiles every shader on the CPU

/** findAdapter in a child process, so that jest can decide at collection time whether to skip. */
function probe(): { adapter?: { software: boolean; vendor: string; architecture: string }; reason?: string } {
  const script = "require('./model/webgpu').findAdapter().then((r) => process.stdout.write(JSON.stringify(r)))";
  try {
    return JSON.parse(execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 }).toString());
  } catch (e) {
    return { reason: `probe failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
}

const found = probe();
if (!found.adapter && process.env.FASTCODER_REQUIRE_WEBGPU) throw new Error(`FASTCODER_REQUIRE_WEBGPU is set but no WebGPU adapter: ${found.reason}`);
const hint = !vulkanDriverListed() && fs.existsSync(SWIFTSHADER) ? `; to run them on SwiftShader: VK_ICD_FILENAMES=${SWIFTSHADER} npm test` : '; apt-get install libvulkan1 chromium for SwiftShader';
if (!found.adapter) console.warn(`\n*** NO WEBGPU ADAPTER (${found.reason}): the WebGPU tests are SKIPPED${hint} ***\n`);
const gpuDescribe = found.adapter ? describe : describe.skip;

afterAll(() => selectBackend('wasm'));

gpuDescribe.each(['gqa-tiny', 'deepseek-tiny'])('%s on webgpu', (name) => {
  const fx = loadHfFixture(path.join(FIXTURES, name));
  let lm: LlamaModel;
  let results: CheckResult[];

  beforeAll(async () => {
    lm = await loadModel(fx.modelDir, { backend: 'webgpu' });
    results = await runHfChecks(fx, lm, 1e-4);
    console.log(formatCheckTable(`${name} on ${lm.backendDetail}`, results));
  });
  afterAll(() => lm?.dispose());

  test('runs on webgpu, verifying all rows in one read', () => {
    expect(lm.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(lm.verifyRows).toBe('all');
  });

  test('every HF check passes within 1e-4', () => {
    expect(results.map((r) => r.name)).toEqual(expect.arrayContaining(['prompt_logits', 'hidden_states', 'tree_logits', 'tree_argmax_rows', 'tree_greedy_verification', 'greedy_tokens']));
    const failed = results.filter((r) => !r.pass);
    if (failed.length > 0) throw new Error(formatCheckTable(`${name} on webgpu`, failed));
  });

  if (name !== 'gqa-tiny') return;
  test('lossless: ar equals HF greedy, and pld, rest, fastcoder equal ar', async () => {
    const cases = fx.cases;
    const tok = charTokenizer(lm.vocabSize);
    const maxNewTokens = 16;
    const prompts = [cases.prompt, [cases.prompt[0], ...[0, 1, 2].flatMap(() => cases.prompt.slice(1, 6))]];
    const ar: number[][] = [];
    for (const p of prompts) ar.push((await generate(lm, tok, p, { mode: 'ar', maxNewTokens })).tokens);
    expect(ar[0]).toEqual(cases.greedy.tokens_use_cache.slice(0, maxNewTokens));
    const docs = ar.map((t, i) => ({ path: `doc${i}`, tokens: [...prompts[i], ...t] }));
    const commonIndex = datastoreFromDocuments(docs, lm.vocabSize, 'test');
    const repoIndex = datastoreFromDocuments(ar.map((t, i) => ({ path: `r${i}`, tokens: t.map((x, j) => (j % 5 === 4 ? (x + 1) % lm.vocabSize : x)) })), lm.vocabSize, 'test');
    let drafted = 0;
    for (const mode of ['pld', 'rest', 'fastcoder'] as const) {
      for (let i = 0; i < prompts.length; i++) {
        const r = await generate(lm, tok, prompts[i], { mode, maxNewTokens, repoIndex, commonIndex });
        expect([mode, i, r.tokens]).toEqual([mode, i, ar[i]]);
        drafted += r.tokens.length - r.metrics.forwards;
      }
    }
    expect(drafted).toBeGreaterThan(0); // drafts were accepted: the all-rows path was exercised
  });
});

gpuDescribe('backend choice with WebGPU present', () => {
  test(`'webgpu' by name names the adapter; the automatic choice ${found.adapter?.software ? 'skips a software adapter' : 'takes a hardware adapter'}`, async () => {
    const chosen = await selectBackend('webgpu');
    expect(chosen.name).toBe('webgpu');
    expect(chosen.detail).toContain(found.adapter!.architecture);
    expect(chosen.adapter).toEqual(expect.objectContaining({ software: found.adapter!.software }));
    const auto = await selectBackend();
    if (found.adapter!.software) expect(auto.name).not.toBe('webgpu');
    else expect(['tensorflow', 'webgpu']).toContain(auto.name);
  });
});
