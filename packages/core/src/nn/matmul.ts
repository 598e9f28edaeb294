/**
 * The dense products the layers are made of, over row-major Float32Arrays. Sums
 * are taken in double precision and rounded once when stored. The loops are
 * blocked so that each value loaded serves several products (4 rows x 2 columns
 * in matmulTransB, 4 rows in the others), which is what makes them fast in plain
 * JavaScript.
 */

/** Y[m x n] = X[m x k] W[n x k]^T (+ b[n] when given). Rows of X start at xOff, rows of Y at yOff. */
export function matmulTransB(
  x: Float32Array, xOff: number, w: Float32Array, b: Float32Array | null, y: Float32Array, yOff: number, m: number, n: number, k: number,
): void {
  let i = 0;
  const n2 = n - (n & 1);
  for (; i + 4 <= m; i += 4) {
    const x0 = xOff + i * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
    const y0 = yOff + i * n;
    let j = 0;
    for (; j < n2; j += 2) {
      const w0 = j * k, w1 = w0 + k;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      for (let c = 0; c < k; c++) {
        const u = w[w0 + c]!, v = w[w1 + c]!;
        const p0 = x[x0 + c]!, p1 = x[x1 + c]!, p2 = x[x2 + c]!, p3 = x[x3 + c]!;
        a0 += p0 * u; a1 += p1 * u; a2 += p2 * u; a3 += p3 * u;
        b0 += p0 * v; b1 += p1 * v; b2 += p2 * v; b3 += p3 * v;
      }
      const bj = b === null ? 0 : b[j]!, bj1 = b === null ? 0 : b[j + 1]!;
      y[y0 + j] = bj + a0; y[y0 + n + j] = bj + a1; y[y0 + 2 * n + j] = bj + a2; y[y0 + 3 * n + j] = bj + a3;
      y[y0 + j + 1] = bj1 + b0; y[y0 + n + j + 1] = bj1 + b1; y[y0 + 2 * n + j + 1] = bj1 + b2; y[y0 + 3 * n + j + 1] = bj1 + b3;
    }
    for (; j < n; j++) {
      const w0 = j * k;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let c = 0; c < k; c++) {
        const u = w[w0 + c]!;
        a0 += x[x0 + c]! * u; a1 += x[x1 + c]! * u; a2 += x[x2 + c]! * u; a3 += x[x3 + c]! * u;
      }
      const bj = b === null ? 0 : b[j]!;
      y[y0 + j] = bj + a0; y[y0 + n + j] = bj + a1; y[y0 + 2 * n + j] = bj + a2; y[y0 + 3 * n + j] = bj + a3;
    }
  }
  for (; i < m; i++) {
    const xi = xOff + i * k;
    const yi = yOff + i * n;
    for (let j = 0; j < n; j++) {
      const wj = j * k;
      let s0 = 0, s1 = 0;
      let c = 0;
      for (; c + 2 <= k; c += 2) {
        s0 += x[xi + c]! * w[wj + c]!;
        s1 += x[xi + c + 1]! * w[wj + c + 1]!;
      }
      if (c < k) s0 += x[xi + c]! * w[wj + c]!;
      y[yi + j] = (b === null ? 0 : b[j]!) + (s0 + s1);
    }
  }
}

/** dX[m x k] += dY[m x n] W[n x k] (dX is zeroed first when `overwrite`). */
export function matmulAcc(
  dy: Float32Array, dyOff: number, w: Float32Array, dx: Float32Array, dxOff: number, m: number, n: number, k: number, overwrite: boolean,
): void {
  const row = scratchRow(k);
  for (let i = 0; i < m; i++) {
    const di = dyOff + i * n;
    const xi = dxOff + i * k;
    if (overwrite) row.fill(0, 0, k);
    else for (let c = 0; c < k; c++) row[c] = dx[xi + c]!;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const a0 = dy[di + j]!, a1 = dy[di + j + 1]!, a2 = dy[di + j + 2]!, a3 = dy[di + j + 3]!;
      if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
      const w0 = j * k, w1 = w0 + k, w2 = w1 + k, w3 = w2 + k;
      for (let c = 0; c < k; c++) row[c] += a0 * w[w0 + c]! + a1 * w[w1 + c]! + a2 * w[w2 + c]! + a3 * w[w3 + c]!;
    }
    for (; j < n; j++) {
      const a = dy[di + j]!;
      if (a === 0) continue;
      const wj = j * k;
      for (let c = 0; c < k; c++) row[c] += a * w[wj + c]!;
    }
    for (let c = 0; c < k; c++) dx[xi + c] = row[c]!;
  }
}

/**
 * dW[n x k] += dY[m x n]^T X[m x k] and db[n] += column sums of dY (db may be null).
 * The m terms are summed in doubles and rounded once into dW.
 */
export function matmulTransAAcc(
  dy: Float32Array, dyOff: number, x: Float32Array, xOff: number, dw: Float32Array, db: Float32Array | null, m: number, n: number, k: number,
): void {
  const acc = scratchAcc(n * k + n);
  acc.fill(0, 0, n * k + n);
  const bo = n * k;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const d0 = dyOff + i * n, d1 = d0 + n, d2 = d1 + n, d3 = d2 + n;
    const x0 = xOff + i * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
    for (let j = 0; j < n; j++) {
      const a0 = dy[d0 + j]!, a1 = dy[d1 + j]!, a2 = dy[d2 + j]!, a3 = dy[d3 + j]!;
      if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
      acc[bo + j] += a0 + a1 + a2 + a3;
      const aj = j * k;
      for (let c = 0; c < k; c++) acc[aj + c] += a0 * x[x0 + c]! + a1 * x[x1 + c]! + a2 * x[x2 + c]! + a3 * x[x3 + c]!;
    }
  }
  for (; i < m; i++) {
    const di = dyOff + i * n;
    const xi = xOff + i * k;
    for (let j = 0; j < n; j++) {
      const a = dy[di + j]!;
      if (a === 0) continue;
      acc[bo + j] += a;
      const aj = j * k;
      for (let c = 0; c < k; c++) acc[aj + c] += a * x[xi + c]!;
    }
  }
  for (let q = 0; q < bo; q++) dw[q] += acc[q]!;
  if (db !== null) for (let j = 0; j < n; j++) db[j] += acc[bo + j]!;
}

let rowBuf = new Float64Array(256);
function scratchRow(k: number): Float64Array {
  if (rowBuf.length < k) rowBuf = new Float64Array(k * 2);
  return rowBuf;
}

let accBuf = new Float64Array(1024);
function scratchAcc(n: number): Float64Array {
  if (accBuf.length < n) accBuf = new Float64Array(n * 2);
  return accBuf;
}

/** The three products, as one set: the plain TypeScript ones here, or faster ones registered with useKernels. */
export interface MatmulKernels {
  /** A name for reports ("typescript", "wasm-simd"). */
  readonly name: string;
  matmulTransB: typeof matmulTransB;
  matmulAcc: typeof matmulAcc;
  matmulTransAAcc: typeof matmulTransAAcc;
}

export const typescriptKernels: MatmulKernels = { name: 'typescript', matmulTransB, matmulAcc, matmulTransAAcc };

/** The kernels the layers call (the layers read this object at every product). */
export const kernels: { current: MatmulKernels } = { current: typescriptKernels };

/**
 * Make every layer use these kernels (null: back to TypeScript). They must compute
 * the same products (up to float32 rounding); @wordloom/ops registers WebAssembly
 * SIMD ones (packages/ops/src/kernels/nn-simd.ts). Returns the kernels used before.
 */
export function useKernels(k: MatmulKernels | null): MatmulKernels {
  const before = kernels.current;
  kernels.current = k ?? typescriptKernels;
  return before;
}
