/**
 * WebGPU for Node: Dawn (the `webgpu` npm package ships `dawn.node` prebuilt for linux x64/arm64, macOS and Windows,
 * on Vulkan, Metal or D3D12) under `@tensorflow/tfjs-backend-webgpu`. That backend registers itself at import time
 * only when `navigator.gpu` exists, so `navigator.gpu` is set from Dawn first, and only once an adapter was found (a
 * registered backend whose adapter is null would become tfjs's highest-priority backend and fail on first use).
 *
 * On Linux Dawn needs the Vulkan loader (`libvulkan1`) and a driver (an ICD): a GPU's (e.g. NVIDIA's
 * `nvidia_icd.json`), or a software one such as SwiftShader (`VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json`
 * with Debian's chromium) or lavapipe. A software or fallback adapter is exact but slow (shaders run on the CPU), so
 * the automatic backend choice skips it; `--backend webgpu` takes whatever adapter there is.
 *
 * Example:
 *   const found = await findAdapter();   // { adapter: { vendor: 'google', architecture: 'swiftshader', ..., software: true } }
 *   if ('adapter' in found) await registerWebGPU();   // then tf.setBackend('webgpu')
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface AdapterSummary {
  vendor: string; // e.g. 'nvidia', 'google'
  architecture: string; // e.g. 'hopper', 'swiftshader'
  description: string; // driver's own words, e.g. 'SwiftShader driver 5.0.0'
  software: boolean; // a fallback / CPU adapter (SwiftShader, lavapipe, llvmpipe, WARP)
}

/** `vendor architecture (description)[, software]`, for the CLI. Example: 'google swiftshader (SwiftShader driver 5.0.0), software adapter' */
export function describeAdapter(a: AdapterSummary): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
  return `${name}${a.description ? ` (${a.description})` : ''}${a.software ? ', software adapter' : ''}`;
}

const SOFTWARE = /swiftshader|lavapipe|llvmpipe|softpipe|microsoft basic render|warp/i;

interface Dawn {
  create(flags: string[]): { requestAdapter(o?: object): Promise<DawnAdapter | null> };
  globals: Record<string, unknown>;
}
interface DawnAdapter {
  info: { vendor?: string; architecture?: string; description?: string; device?: string; isFallbackAdapter?: boolean };
}

let dawn: Dawn | null = null;
let gpu: ReturnType<Dawn['create']> | null = null;

/**
 * `dawn.node` of this platform, loaded directly: the package's own entry point is an ES module, which neither jest nor
 * Node 20's `require` loads; it only adds a `GPUDevice.destroy` fix (unmapping buffers) that tfjs never needs.
 */
function loadDawn(): Dawn {
  if (dawn) return dawn;
  let dir: string;
  try {
    dir = path.dirname(require.resolve('webgpu/package.json'));
  } catch {
    throw new Error(`the 'webgpu' package is not installed (npm ci installs it)`);
  }
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  const file = path.join(dir, 'dist', `${process.platform}-${arch}`, 'dawn.node');
  if (!fs.existsSync(file)) throw new Error(`${file}: no Dawn build for ${process.platform}-${process.arch} in the 'webgpu' package`);
  dawn = require(file) as Dawn;
  return dawn;
}

/**
 * Whether a Vulkan driver is installed where the loader looks (Linux only; elsewhere Metal / D3D12 are always there).
 * Probing Dawn without one costs little but prints Vulkan's "Found no drivers!" warnings, so the automatic backend
 * choice checks this first. Example: with VK_ICD_FILENAMES set → true.
 */
export function vulkanDriverListed(): boolean {
  if (process.platform !== 'linux') return true;
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES || process.env.VK_ADD_DRIVER_FILES) return true;
  const dirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', path.join(os.homedir(), '.local/share/vulkan/icd.d')];
  return dirs.some((d) => fs.existsSync(d) && fs.readdirSync(d).some((f) => f.endsWith('.json')));
}

/** The adapter tfjs will get (high-performance preference, as tfjs asks), or why there is none. */
export async function findAdapter(): Promise<{ adapter: AdapterSummary } | { reason: string }> {
  let d: Dawn;
  try {
    d = loadDawn();
  } catch (e) {
    return { reason: e instanceof Error ? e.message : String(e) };
  }
  gpu ??= d.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { reason: process.platform === 'linux' ? 'Dawn found no adapter (is libvulkan1 installed, and a Vulkan driver? For SwiftShader set VK_ICD_FILENAMES)' : 'Dawn found no adapter' };
  const i = adapter.info;
  const summary = { vendor: i.vendor ?? '', architecture: i.architecture ?? '', description: i.description ?? i.device ?? '' };
  return { adapter: { ...summary, software: i.isFallbackAdapter === true || SOFTWARE.test(Object.values(summary).join(' ')) } };
}

/**
 * Put Dawn's `navigator.gpu` and WebGPU globals in place and import `@tensorflow/tfjs-backend-webgpu`, which registers
 * the 'webgpu' backend. Call after `findAdapter` found one.
 */
export function registerWebGPU(): void {
  const d = loadDawn();
  gpu ??= d.create([]);
  for (const [name, value] of Object.entries(d.globals)) if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator) {
    if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
  require('@tensorflow/tfjs-backend-webgpu');
}
