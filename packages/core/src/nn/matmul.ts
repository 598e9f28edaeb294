/**
 * The dense products the layers are made of, over row-major Float32Arrays. Sums
 * are taken in double precision and rounded once when stored. The loops read
 * both operands along contiguous rows and skip zero multipliers (ReLU outputs,
 * inactive rows of a packed batch).
 */

/** Y[m x n] = X[m x k] W[n x k]^T (+ b[n] when given). Rows of X start at xOff, rows of Y at yOff. */
export function matmulTransB(
  x: Float32Array, xOff: number, w: Float32Array, b: Float32Array | null, y: Float32Array, yOff: number, m: number, n: number, k: number,
): void {
  const k4 = k - (k & 3);
  for (let i = 0; i < m; i++) {
    const xi = xOff + i * k;
    const yi = yOff + i * n;
    for (let j = 0; j < n; j++) {
      const wj = j * k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let c = 0;
      for (; c < k4; c += 4) {
        s0 += x[xi + c]! * w[wj + c]!;
        s1 += x[xi + c + 1]! * w[wj + c + 1]!;
        s2 += x[xi + c + 2]! * w[wj + c + 2]!;
        s3 += x[xi + c + 3]! * w[wj + c + 3]!;
      }
      for (; c < k; c++) s0 += x[xi + c]! * w[wj + c]!;
      y[yi + j] = (b === null ? 0 : b[j]!) + (s0 + s1 + (s2 + s3));
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
    for (let j = 0; j < n; j++) {
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
  for (let i = 0; i < m; i++) {
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

let accBuf = new Float64Array(1024);
function scratchAcc(n: number): Float64Array {
  if (accBuf.length < n) accBuf = new Float64Array(n * 2);
  return accBuf;
}

let rowBuf = new Float64Array(256);
function scratchRow(k: number): Float64Array {
  if (rowBuf.length < k) rowBuf = new Float64Array(k * 2);
  return rowBuf;
}
