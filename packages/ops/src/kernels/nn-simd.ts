/**
 * WebAssembly SIMD kernels for the nn layers' three products (see
 * @wordloom/core nn/matmul.ts), registered with nn.useKernels. One f32x4 kernel
 * does the work: Y[m x n] = X[m x k] W[n x k]^T over rows padded to a multiple
 * of 4 floats, 2 rows of X by 2 rows of W at a time (four f32x4 accumulators:
 * each loaded vector serves two products). The other two products are the same
 * kernel on transposed copies: dX = dY W is dY (W^T)^T, and dW = dY^T X is
 * (dY^T)(X^T)^T, so every product reads both operands along contiguous rows.
 *
 * Operands are copied into the module's own memory (padded, or transposed) and
 * the result copied out (adding the bias, or accumulating): O(mk + nk + mn) copies
 * for O(mnk) multiply-adds. Sums are float32, four lanes then a horizontal add
 * (PyTorch's CPU kernels also sum in float32), so results differ from the
 * TypeScript kernels' double sums by float32 rounding.
 */
import type { nn } from '@wordloom/core';
import { FnBuilder, ModuleBuilder, I32, V128, wasm, type WasmMemory } from './wasm-asm.js';

const MAX_PAGES = 32768; // 2 GiB

function gemmModule(): Uint8Array {
  // gemm(x, w, y, m, n, rowBytes): m and n even, addresses in bytes, rows rowBytes apart (a multiple of 16)
  const f = new FnBuilder([I32, I32, I32, I32, I32, I32], []);
  const [x, w, y, m, n, rb] = [0, 1, 2, 3, 4, 5];
  const i = f.local(I32);
  const j = f.local(I32);
  const px0 = f.local(I32);
  const px1 = f.local(I32);
  const pw0 = f.local(I32);
  const pw1 = f.local(I32);
  const end = f.local(I32);
  const py = f.local(I32);
  const a00 = f.local(V128);
  const a01 = f.local(V128);
  const a10 = f.local(V128);
  const a11 = f.local(V128);
  const vx0 = f.local(V128);
  const vx1 = f.local(V128);
  const vw0 = f.local(V128);
  const vw1 = f.local(V128);
  const hsum = (a: number): void => {
    f.get(a).f32x4ExtractLane(0).get(a).f32x4ExtractLane(1).f32Add().get(a).f32x4ExtractLane(2).f32Add().get(a).f32x4ExtractLane(3).f32Add();
  };
  f.i32(0).set(i);
  f.block().loop();
  f.get(i).get(m).i32GeU().brIf(1);
  f.i32(0).set(j);
  f.block().loop();
  f.get(j).get(n).i32GeU().brIf(1);
  for (const a of [a00, a01, a10, a11]) f.f32(0).f32x4Splat().set(a);
  f.get(x).get(i).get(rb).i32Mul().i32Add().tee(px0).get(rb).i32Add().set(px1);
  f.get(px0).get(rb).i32Add().set(end);
  f.get(w).get(j).get(rb).i32Mul().i32Add().tee(pw0).get(rb).i32Add().set(pw1);
  f.block().loop();
  f.get(px0).get(end).i32GeU().brIf(1);
  f.get(px0).v128Load().set(vx0);
  f.get(px1).v128Load().set(vx1);
  f.get(pw0).v128Load().set(vw0);
  f.get(pw1).v128Load().set(vw1);
  f.get(a00).get(vx0).get(vw0).f32x4Mul().f32x4Add().set(a00);
  f.get(a01).get(vx0).get(vw1).f32x4Mul().f32x4Add().set(a01);
  f.get(a10).get(vx1).get(vw0).f32x4Mul().f32x4Add().set(a10);
  f.get(a11).get(vx1).get(vw1).f32x4Mul().f32x4Add().set(a11);
  for (const p of [px0, px1, pw0, pw1]) f.get(p).i32(16).i32Add().set(p);
  f.br(0);
  f.end().end();
  // y[i][j], y[i][j+1], y[i+1][j], y[i+1][j+1]
  f.get(y).get(i).get(n).i32Mul().get(j).i32Add().i32(4).i32Mul().i32Add().set(py);
  f.get(py); hsum(a00); f.f32Store(0);
  f.get(py); hsum(a01); f.f32Store(4);
  f.get(py).get(n).i32(4).i32Mul().i32Add().set(py);
  f.get(py); hsum(a10); f.f32Store(0);
  f.get(py); hsum(a11); f.f32Store(4);
  f.get(j).i32(2).i32Add().set(j);
  f.br(0);
  f.end().end();
  f.get(i).i32(2).i32Add().set(i);
  f.br(0);
  f.end().end();
  const mod = new ModuleBuilder({ minPages: 1, maxPages: MAX_PAGES, shared: false });
  mod.addFunction(f, 'gemm');
  return mod.encode();
}

type Gemm = (x: number, w: number, y: number, m: number, n: number, rowBytes: number) => void;

/** The kernels over one WebAssembly memory (per thread); null where WebAssembly SIMD is missing. */
export function createSimdKernels(): nn.MatmulKernels | null {
  if (!wasm) return null;
  const bytes = gemmModule();
  if (!wasm.validate(bytes)) return null;
  const memory = new wasm.Memory({ initial: 1, maximum: MAX_PAGES });
  const inst = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
  const gemm = inst.exports.gemm as Gemm;
  let f32 = new Float32Array(memory.buffer as ArrayBuffer);

  /** Room for a (ra x k4), b (rb x k4), y (ra x rb) floats; returns their float offsets. */
  function reserve(ra: number, rb: number, k4: number): [number, number, number] {
    const a = 0;
    const b = ra * k4;
    const y = b + rb * k4;
    const need = (y + ra * rb) * 4;
    if (need > memory.buffer.byteLength) {
      const pages = Math.ceil((need - memory.buffer.byteLength) / 65536);
      (memory as WasmMemory & { grow(n: number): number }).grow(pages);
    }
    if (f32.buffer !== memory.buffer) f32 = new Float32Array(memory.buffer as ArrayBuffer);
    return [a, b, y];
  }

  /** rows x cols of src (row-major from off) into the memory at dst, rows padded to k4 and to `padRows` rows with zeros. */
  function copyRows(src: Float32Array, off: number, rows: number, cols: number, dst: number, k4: number, padRows: number): void {
    if (k4 === cols) f32.set(src.subarray(off, off + rows * cols), dst);
    else {
      for (let r = 0; r < rows; r++) {
        f32.set(src.subarray(off + r * cols, off + (r + 1) * cols), dst + r * k4);
        f32.fill(0, dst + r * k4 + cols, dst + (r + 1) * k4);
      }
    }
    f32.fill(0, dst + rows * k4, dst + padRows * k4);
  }

  /** The transpose of src (rows x cols from off) into the memory at dst: cols rows of `rows` values, padded to k4 and padRows. */
  function copyTransposed(src: Float32Array, off: number, rows: number, cols: number, dst: number, k4: number, padRows: number): void {
    for (let c = 0; c < cols; c++) {
      const d = dst + c * k4;
      for (let r = 0; r < rows; r++) f32[d + r] = src[off + r * cols + c]!;
      if (k4 > rows) f32.fill(0, d + rows, d + k4);
    }
    f32.fill(0, dst + cols * k4, dst + padRows * k4);
  }

  const even = (v: number): number => v + (v & 1);
  const pad4 = (v: number): number => (v + 3) & ~3;

  const matmulTransB: nn.MatmulKernels['matmulTransB'] = (x, xOff, w, b, y, yOff, m, n, k) => {
    if (m === 0 || n === 0) return;
    const k4 = pad4(k), m2 = even(m), n2 = even(n);
    const [pa, pb, py] = reserve(m2, n2, k4);
    copyRows(x, xOff, m, k, pa, k4, m2);
    copyRows(w, 0, n, k, pb, k4, n2);
    gemm(pa * 4, pb * 4, py * 4, m2, n2, k4 * 4);
    for (let i = 0; i < m; i++) {
      const s = py + i * n2;
      const d = yOff + i * n;
      if (b === null) for (let j = 0; j < n; j++) y[d + j] = f32[s + j]!;
      else for (let j = 0; j < n; j++) y[d + j] = b[j]! + f32[s + j]!;
    }
  };

  const matmulAcc: nn.MatmulKernels['matmulAcc'] = (dy, dyOff, w, dx, dxOff, m, n, k, overwrite) => {
    if (m === 0 || k === 0) return;
    // dX[m x k] = dY[m x n] (W^T)[k x n]^T
    const n4 = pad4(n), m2 = even(m), k2 = even(k);
    const [pa, pb, py] = reserve(m2, k2, n4);
    copyRows(dy, dyOff, m, n, pa, n4, m2);
    copyTransposed(w, 0, n, k, pb, n4, k2);
    gemm(pa * 4, pb * 4, py * 4, m2, k2, n4 * 4);
    for (let i = 0; i < m; i++) {
      const s = py + i * k2;
      const d = dxOff + i * k;
      if (overwrite) for (let c = 0; c < k; c++) dx[d + c] = f32[s + c]!;
      else for (let c = 0; c < k; c++) dx[d + c] += f32[s + c]!;
    }
  };

  const matmulTransAAcc: nn.MatmulKernels['matmulTransAAcc'] = (dy, dyOff, x, xOff, dw, db, m, n, k) => {
    if (m === 0) return;
    // dW[n x k] += (dY^T)[n x m] (X^T)[k x m]^T
    const m4 = pad4(m), n2 = even(n), k2 = even(k);
    const [pa, pb, py] = reserve(n2, k2, m4);
    copyTransposed(dy, dyOff, m, n, pa, m4, n2);
    copyTransposed(x, xOff, m, k, pb, m4, k2);
    gemm(pa * 4, pb * 4, py * 4, n2, k2, m4 * 4);
    for (let j = 0; j < n; j++) {
      const s = py + j * k2;
      const d = j * k;
      for (let c = 0; c < k; c++) dw[d + c] += f32[s + c]!;
    }
    if (db !== null) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        const s = pa + j * m4;
        for (let i = 0; i < m; i++) sum += f32[s + i]!;
        db[j] += sum;
      }
    }
  };

  return { name: 'wasm-simd', matmulTransB, matmulAcc, matmulTransAAcc };
}

let shared: nn.MatmulKernels | null | undefined;
/** This thread's SIMD kernels, made once (null where WebAssembly SIMD is missing). */
export function simdKernels(): nn.MatmulKernels | null {
  if (shared === undefined) shared = createSimdKernels();
  return shared;
}
