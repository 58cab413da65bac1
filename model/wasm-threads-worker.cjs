// The pthread worker of tfjs-backend-wasm's multi-threaded build, as a file that Node's worker_threads can start:
// tfjs ships the worker only as a string, for a browser Blob URL (see model/wasm-threads.ts).
const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
// tfjs's template literal turned the code's "\n" escapes into newlines; put them back, as tfjs does for its Blob
eval(wasmWorkerContents.replace(/\n/g, '\\n'));
