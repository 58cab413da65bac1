/**
 * The WebAssembly text of the panel kernels (`model/wasm-gemm.ts`; used for the lm_head's argmaxes, `model/wasm-head.ts`,
 * and the layers' projections, `model/wasm-linear.ts`): out[r][j] = Σ_k a[r][k] · w[k][j] for 1 or 2 rows
 * r, over a weight packed in panels of 16 columns (`[panels][K][16]`, zero past the last column), plus a first-index
 * argmax. Each output element is summed over k in ascending order, a product then a sum each step, as XNNPACK's f32
 * GEMM does; tfjs-wasm's matMul gives exactly that sum (test/model/wasm-head.test.ts compares every element), so the
 * argmaxes are those of `tf.argMax(tf.matMul(...))`.
 *
 * Why not tf.matMul: XNNPACK multiplies 4 rows per pass and runs 2 rows as 4, so the argmax of 2 rows of tiny-coder-dsc's
 * [256 × 32256] lm_head cost 1.9 ms against 0.9 for one. Here each k-row of a panel (16 columns, four vectors) is loaded
 * once for both rows, with four accumulators per row: 2 rows cost about the weights' streaming, as 1 does. More rows go
 * two at a time (`gemmRows`, model/wasm-gemm.ts); kernels of 3 and 4 rows were faster than that on tiny-coder-dsc and slower on
 * SmolLM-135M's shape (README, "The lm_head on wasm").
 *
 * `scripts/build-wasm-gemm.ts` assembles this text (wabt) into `model/wasm-gemm-binary.ts`; a test checks that the
 * two agree.
 *
 * Example: gemmWat(2) → '(func (export "gemm2") (param $a i32) ...'
 */

/** Rows one kernel multiplies at once. */
export const KERNEL_ROWS = [1, 2] as const;
/** Columns per panel, in four vectors of 4. */
export const PANEL = 16;
const VECTORS = PANEL / 4;

/**
 * `gemm<rows>(a, k, w, panels, out, stride)`: `a` the rows (row-major, k floats each), `w` the packed weight, `out` the
 * products (rows × stride floats, stride ≥ 16 · panels). Addresses are byte offsets in the imported memory.
 */
export function gemmWat(rows: number): string {
  const acc = (r: number, v: number) => `$acc${r}_${v}`;
  const vectors = Array.from({ length: VECTORS }, (_, v) => v);
  const each = (f: (r: number, v: number) => string) => Array.from({ length: rows }, (_, r) => vectors.map((v) => f(r, v))).flat();
  return [
    `(func (export "gemm${rows}") (param $a i32) (param $k i32) (param $w i32) (param $panels i32) (param $out i32) (param $stride i32)`,
    `  (local $kLeft i32) (local $ap i32) (local $o i32) (local $s v128)`,
    `  ${vectors.map((v) => `(local $w${v} v128)`).join(' ')}`,
    `  ${each((r, v) => `(local ${acc(r, v)} v128)`).join(' ')}`,
    `  (local.set $o (local.get $out))`,
    `  (block $done (loop $panel`,
    `    (br_if $done (i32.eqz (local.get $panels)))`,
    ...each((r, v) => `    (local.set ${acc(r, v)} (v128.const i32x4 0 0 0 0))`),
    `    (local.set $ap (local.get $a))`,
    `    (local.set $kLeft (local.get $k))`,
    `    (loop $ks`,
    ...vectors.map((v) => `      (local.set $w${v} (v128.load offset=${16 * v} (local.get $w)))`),
    ...Array.from({ length: rows }, (_, r) => [
      `      (local.set $s (v128.load32_splat (i32.add (local.get $ap) (i32.mul (local.get $k) (i32.const ${4 * r})))))`,
      ...vectors.map((v) => `      (local.set ${acc(r, v)} (f32x4.add (local.get ${acc(r, v)}) (f32x4.mul (local.get $s) (local.get $w${v}))))`),
    ]).flat(),
    `      (local.set $ap (i32.add (local.get $ap) (i32.const 4)))`,
    `      (local.set $w (i32.add (local.get $w) (i32.const ${4 * PANEL})))`,
    `      (br_if $ks (local.tee $kLeft (i32.sub (local.get $kLeft) (i32.const 1)))))`,
    ...each((r, v) => `    (v128.store offset=${16 * v} (i32.add (local.get $o) (i32.mul (local.get $stride) (i32.const ${4 * r}))) (local.get ${acc(r, v)}))`),
    `    (local.set $o (i32.add (local.get $o) (i32.const ${4 * PANEL})))`,
    `    (local.set $panels (i32.sub (local.get $panels) (i32.const 1)))`,
    `    (br $panel)))`,
    `)`,
  ].join('\n');
}

/** `argmax(x, n)`: the index of the largest of n floats at x, the first on ties (as `argmaxRow`, model/greedy.ts). */
export const ARGMAX_WAT = `(func (export "argmax") (param $x i32) (param $n i32) (result i32)
  (local $i i32) (local $best i32) (local $top f32) (local $v f32)
  (local.set $top (f32.load (local.get $x)))
  (local.set $i (i32.const 1))
  (block $done (loop $scan
    (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
    (local.set $v (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))
    (if (f32.gt (local.get $v) (local.get $top)) (then (local.set $top (local.get $v)) (local.set $best (local.get $i))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $scan)))
  (local.get $best)
)`;

/** The whole module: the memory imported as env.memory (tfjs-wasm's heap), gemm1, gemm2 and argmax. */
export function moduleWat(): string {
  const kernels = KERNEL_ROWS.map(gemmWat);
  return `(module\n(import "env" "memory" (memory 1))\n${kernels.join('\n')}\n${ARGMAX_WAT}\n)\n`;
}
