/**
 * The WebAssembly text of the lm_head kernels (`model/wasm-head.ts`): out[r][j] = Σ_k a[r][k] · w[k][j] for 1-4 rows r,
 * over a weight packed in panels of 16 columns (`[panels][K][16]`, zero past the last column), plus a first-index
 * argmax. Each output element is summed over k in ascending order, a product then a sum each step, as XNNPACK's f32
 * GEMM does; tfjs-wasm's matMul gives exactly that sum (test/model/wasm-head.test.ts compares every element), so the
 * argmaxes are those of `tf.argMax(tf.matMul(...))`.
 *
 * Why not tf.matMul: XNNPACK multiplies 4 rows per pass and runs 2 or 3 rows as 4, so reading the argmax of 2 rows of
 * tiny-coder-dsc's [256 × 32256] lm_head cost 1.9 ms against 0.8 for one. Here 1 and 2 rows keep four accumulators
 * per row over a whole panel (one pass over the weights: 2 rows cost about what 1 does, the weights' streaming); 3 and
 * 4 rows go over each panel in two halves of 8 columns, so that their 2 · rows accumulators stay in registers.
 *
 * `scripts/build-wasm-gemm.ts` assembles this text (wabt) into `model/wasm-gemm-binary.ts`; a test checks that the
 * two agree.
 *
 * Example: gemmWat(2, 4) → '(func (export "gemm2") (param $a i32) ...' (2 rows, 4 vectors of 4 columns per pass)
 */

/** Vectors of 4 columns per pass over a panel: four (the whole panel) for 1-2 rows, two (half) for 3-4. */
export const PASS_VECTORS: Record<number, number> = { 1: 4, 2: 4, 3: 2, 4: 2 };
/** Columns per panel. */
export const PANEL = 16;

/**
 * `gemm<rows>(a, k, w, panels, out, stride)`: `a` the rows (row-major, k floats each), `w` the packed weight, `out` the
 * products (rows × stride floats, stride ≥ 16 · panels). Addresses are byte offsets in the imported memory.
 */
export function gemmWat(rows: number, vectors: number): string {
  const acc = (r: number, v: number) => `$acc${r}_${v}`;
  const each = (f: (r: number, v: number) => string) => Array.from({ length: rows }, (_, r) => Array.from({ length: vectors }, (_, v) => f(r, v))).flat();
  const passBytes = 16 * vectors; // bytes of one pass's columns in one k-row of the panel
  return [
    `(func (export "gemm${rows}") (param $a i32) (param $k i32) (param $w i32) (param $panels i32) (param $out i32) (param $stride i32)`,
    `  (local $pass i32) (local $kLeft i32) (local $ap i32) (local $wp i32) (local $o i32) (local $s v128)`,
    `  ${Array.from({ length: vectors }, (_, v) => `(local $w${v} v128)`).join(' ')}`,
    `  ${each((r, v) => `(local ${acc(r, v)} v128)`).join(' ')}`,
    `  (local.set $o (local.get $out))`,
    `  (block $done (loop $panel`,
    `    (br_if $done (i32.eqz (local.get $panels)))`,
    `    (local.set $pass (i32.const 0))`,
    `    (loop $passes`,
    ...each((r, v) => `      (local.set ${acc(r, v)} (v128.const i32x4 0 0 0 0))`),
    `      (local.set $ap (local.get $a))`,
    `      (local.set $kLeft (local.get $k))`,
    `      (local.set $wp (i32.add (local.get $w) (local.get $pass)))`,
    `      (loop $ks`,
    ...Array.from({ length: vectors }, (_, v) => `        (local.set $w${v} (v128.load offset=${16 * v} (local.get $wp)))`),
    ...Array.from({ length: rows }, (_, r) => [
      `        (local.set $s (v128.load32_splat (i32.add (local.get $ap) (i32.mul (local.get $k) (i32.const ${4 * r})))))`,
      ...Array.from({ length: vectors }, (_, v) => `        (local.set ${acc(r, v)} (f32x4.add (local.get ${acc(r, v)}) (f32x4.mul (local.get $s) (local.get $w${v}))))`),
    ]).flat(),
    `        (local.set $ap (i32.add (local.get $ap) (i32.const 4)))`,
    `        (local.set $wp (i32.add (local.get $wp) (i32.const ${4 * PANEL})))`,
    `        (br_if $ks (local.tee $kLeft (i32.sub (local.get $kLeft) (i32.const 1)))))`,
    ...each((r, v) => `      (v128.store offset=${16 * v} (i32.add (i32.add (local.get $o) (local.get $pass)) (i32.mul (local.get $stride) (i32.const ${4 * r}))) (local.get ${acc(r, v)}))`),
    `      (br_if $passes (i32.lt_u (local.tee $pass (i32.add (local.get $pass) (i32.const ${passBytes}))) (i32.const ${4 * PANEL}))))`,
    `    (local.set $w (i32.add (local.get $w) (i32.mul (local.get $k) (i32.const ${4 * PANEL}))))`,
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

/** The whole module: the memory imported as env.memory (tfjs-wasm's heap), gemm1-gemm4 and argmax. */
export function moduleWat(): string {
  const kernels = Object.entries(PASS_VECTORS).map(([rows, vectors]) => gemmWat(Number(rows), vectors));
  return `(module\n(import "env" "memory" (memory 1))\n${kernels.join('\n')}\n${ARGMAX_WAT}\n)\n`;
}
