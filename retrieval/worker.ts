/**
 * Worker threads that run our TypeScript modules everywhere: an inline bootstrap (`eval: true`) registers tsx's
 * CommonJS hook when the module is `.ts` source (under jest, whose in-process transform a Worker cannot use, and under
 * `tsx`), and plainly `require`s the compiled `.js` from `dist/`.
 *
 * Example:
 *   const w = spawnModuleWorker(require.resolve('./suffix-array'), `
 *     parentPort.on('message', (m) => parentPort.postMessage(mod.searchSuffixArray(data.tokens, data.sa, m.context, m.opts)));
 *   `, { tokens, sa });
 *   // in `body`: `mod` is the required module, `data` the workerData given, `parentPort` the port.
 */
import { Worker } from 'worker_threads';

const BOOTSTRAP = `
const { parentPort, workerData } = require('worker_threads');
if (workerData.tsxApi) require(workerData.tsxApi).register();
const mod = require(workerData.module);
const data = workerData.data;
`;

/** Start a worker running `body` with `mod` = require(modulePath) and `data` = `data` (SharedArrayBuffers are shared). */
export function spawnModuleWorker(modulePath: string, body: string, data: unknown): Worker {
  const tsxApi = modulePath.endsWith('.ts') ? require.resolve('tsx/cjs/api') : null;
  return new Worker(BOOTSTRAP + body, { eval: true, workerData: { module: modulePath, tsxApi, data } });
}
