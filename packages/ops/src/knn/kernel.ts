/**
 * The plain TypeScript kernels behind knn and evaluate: dense dot-product blocks
 * over row-normalized float32 matrices and running top-k selection. Pure
 * functions over typed arrays, so that the main thread and the knn workers run
 * the very same code.
 *
 * Conventions shared by every backend:
 * - a score is the float32 rounding of the dot product of a unit query with a unit
 *   row (the cosine);
 * - a top-k list is sorted by score descending; ties keep the lower row index first;
 * - unused slots hold index -1 and score -Infinity.
 */

/** Rows per block: a block of a 50-dim matrix (400 KB) stays in L2 while a query block runs over it. */
export const ROW_BLOCK = 2048;
/** Queries per block. */
export const QUERY_BLOCK = 64;

/** Scale each row of `src` (n x dim) to unit L2 norm into `dst` (zero rows stay zero). */
export function normalizeRowsInto(src: Float32Array, dst: Float32Array, n: number, dim: number): void {
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const v = src[o + j]!;
      s += v * v;
    }
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < dim; j++) dst[o + j] = src[o + j]! * inv;
  }
}

/**
 * out[q * stride + (r - r0)] = fround(Q[q] . E[r]) for queries q in [0, nq) of
 * `qs` (row-major, starting at qOff) and rows r in [r0, r1) of `e`. Register
 * blocked: 4 queries x 2 rows at a time, accumulating in double.
 */
export function dotBlock(
  qs: Float32Array,
  qOff: number,
  nq: number,
  e: Float32Array,
  r0: number,
  r1: number,
  dim: number,
  out: Float32Array,
  stride: number,
): void {
  let q = 0;
  for (; q + 4 <= nq; q += 4) {
    const a = qOff + q * dim;
    const b = a + dim;
    const c = b + dim;
    const d = c + dim;
    const o0 = q * stride - r0;
    const o1 = o0 + stride;
    const o2 = o1 + stride;
    const o3 = o2 + stride;
    let r = r0;
    for (; r + 2 <= r1; r += 2) {
      const e0 = r * dim;
      const e1 = e0 + dim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
      for (let j = 0; j < dim; j++) {
        const x = e[e0 + j]!;
        const y = e[e1 + j]!;
        const qa = qs[a + j]!;
        const qb = qs[b + j]!;
        const qc = qs[c + j]!;
        const qd = qs[d + j]!;
        s0 += qa * x;
        s1 += qb * x;
        s2 += qc * x;
        s3 += qd * x;
        t0 += qa * y;
        t1 += qb * y;
        t2 += qc * y;
        t3 += qd * y;
      }
      out[o0 + r] = s0;
      out[o1 + r] = s1;
      out[o2 + r] = s2;
      out[o3 + r] = s3;
      out[o0 + r + 1] = t0;
      out[o1 + r + 1] = t1;
      out[o2 + r + 1] = t2;
      out[o3 + r + 1] = t3;
    }
    for (; r < r1; r++) {
      const e0 = r * dim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0; j < dim; j++) {
        const x = e[e0 + j]!;
        s0 += qs[a + j]! * x;
        s1 += qs[b + j]! * x;
        s2 += qs[c + j]! * x;
        s3 += qs[d + j]! * x;
      }
      out[o0 + r] = s0;
      out[o1 + r] = s1;
      out[o2 + r] = s2;
      out[o3 + r] = s3;
    }
  }
  for (; q < nq; q++) {
    const a = qOff + q * dim;
    const o0 = q * stride - r0;
    let r = r0;
    for (; r + 2 <= r1; r += 2) {
      const e0 = r * dim;
      const e1 = e0 + dim;
      let s0 = 0, t0 = 0;
      for (let j = 0; j < dim; j++) {
        const qa = qs[a + j]!;
        s0 += qa * e[e0 + j]!;
        t0 += qa * e[e1 + j]!;
      }
      out[o0 + r] = s0;
      out[o0 + r + 1] = t0;
    }
    for (; r < r1; r++) {
      const e0 = r * dim;
      let s0 = 0;
      for (let j = 0; j < dim; j++) s0 += qs[a + j]! * e[e0 + j]!;
      out[o0 + r] = s0;
    }
  }
}

/** Fill top-k lists with empty slots. */
export function initTopK(idx: Int32Array, scores: Float32Array): void {
  idx.fill(-1);
  scores.fill(-Infinity);
}

/**
 * Merge a block of scores into running top-k lists.
 *
 * For query q (0 <= q < nq, list slot `slot0 + q`), scores of rows r0 + i are
 * `s[q * stride + i]` for i in [0, n). Rows listed in `exclude` (width `ew` per
 * list slot, -1 = none) are skipped. Lists are sorted descending; a candidate
 * displaces an entry only with a strictly greater score, so ties keep the lower
 * row index (blocks arrive in increasing row order).
 */
export function mergeTopK(
  s: Float32Array,
  stride: number,
  nq: number,
  n: number,
  r0: number,
  k: number,
  slot0: number,
  idx: Int32Array,
  sc: Float32Array,
  exclude: Int32Array | undefined,
  ew: number,
): void {
  for (let q = 0; q < nq; q++) {
    const slot = slot0 + q;
    const base = slot * k;
    const last = base + k - 1;
    let thr = sc[last]!;
    const so = q * stride;
    const eo = slot * ew;
    for (let i = 0; i < n; i++) {
      const v = s[so + i]!;
      if (!(v > thr)) continue;
      const row = r0 + i;
      if (ew > 0) {
        let skip = false;
        for (let x = 0; x < ew; x++) {
          if (exclude![eo + x] === row) {
            skip = true;
            break;
          }
        }
        if (skip) continue;
      }
      let p = last;
      while (p > base && sc[p - 1]! < v) {
        sc[p] = sc[p - 1]!;
        idx[p] = idx[p - 1]!;
        p--;
      }
      sc[p] = v;
      idx[p] = row;
      thr = sc[last]!;
    }
  }
}

/**
 * The TypeScript top-k for query slots [q0, q1): blocked dot products of the unit
 * query vectors `qv` (one row per slot) with rows [0, rows) of the unit matrix
 * `e`, merged into `idx`/`sc` (k per slot, already initialised).
 */
export function topKRange(
  e: Float32Array,
  dim: number,
  rows: number,
  qv: Float32Array,
  q0: number,
  q1: number,
  k: number,
  idx: Int32Array,
  sc: Float32Array,
  exclude: Int32Array | undefined,
  ew: number,
  scratch?: Float32Array,
  onBlock?: (queriesDone: number) => void,
): void {
  const rb = Math.min(ROW_BLOCK, Math.max(rows, 1));
  const buf = scratch && scratch.length >= QUERY_BLOCK * rb ? scratch : new Float32Array(QUERY_BLOCK * rb);
  for (let qa = q0; qa < q1; qa += QUERY_BLOCK) {
    const nq = Math.min(QUERY_BLOCK, q1 - qa);
    for (let r0 = 0; r0 < rows; r0 += rb) {
      const r1 = Math.min(rows, r0 + rb);
      dotBlock(qv, qa * dim, nq, e, r0, r1, dim, buf, rb);
      mergeTopK(buf, rb, nq, r1 - r0, r0, k, qa, idx, sc, exclude, ew);
    }
    onBlock?.(nq);
  }
}

/** Analogy objectives (Levy & Goldberg 2014). */
export const THREE_COS_ADD = 0;
export const THREE_COS_MUL = 1;
/** gensim's most_similar_cosmul epsilon. */
export const COSMUL_EPSILON = 0.000001;

/**
 * Merge a block of analogy scores into running top-k lists (float64 scores).
 *
 * `cos` holds cosines of U distinct query words with rows r0 .. r0 + n - 1, word u
 * at `cos[u * stride + i]`. Question q asks a : b :: c : ?, given as distinct-word
 * ids `abc[3q..3q+2]`, and never answers with the rows `excl[3q..3q+2]` (the rows
 * of a, b and c). Its score for row r is, for 3CosAdd, cos(b,r) - cos(a,r) +
 * cos(c,r), which ranks rows as gensim's most_similar(positive=[b, c],
 * negative=[a]) does (the cosine with the normalized mean of the unit vectors, up
 * to a positive factor); for 3CosMul, gensim's most_similar_cosmul objective
 * ((1+cos(b,r))/2 * (1+cos(c,r))/2) / ((1+cos(a,r))/2 + 1e-6).
 *
 * For 3CosMul, `aux` (2 * U * stride float64s, filled here) holds the shifted
 * cosines and the reciprocals of the denominators, computed once per word and row
 * rather than once per question.
 */
export function analogyMerge(
  cos: Float32Array,
  stride: number,
  n: number,
  r0: number,
  abc: Int32Array,
  excl: Int32Array,
  q0: number,
  q1: number,
  method: number,
  k: number,
  idx: Int32Array,
  sc: Float64Array,
  aux?: Float64Array,
  u?: number,
): void {
  if (method === THREE_COS_ADD) {
    analogyMergeAdd(cos, stride, n, r0, abc, excl, q0, q1, k, idx, sc);
    return;
  }
  const words = u ?? cos.length / stride;
  const need = 2 * words * stride;
  const h = aux && aux.length >= need ? aux : new Float64Array(need);
  const invOff = words * stride;
  for (let w = 0; w < words; w++) {
    const o = w * stride;
    for (let i = 0; i < n; i++) {
      const x = (1 + cos[o + i]!) / 2;
      h[o + i] = x;
      h[invOff + o + i] = 1 / (x + COSMUL_EPSILON);
    }
  }
  analogyMergeMul(h, invOff, stride, n, r0, abc, excl, q0, q1, k, idx, sc);
}

function analogyMergeAdd(cos: Float32Array, stride: number, n: number, r0: number, abc: Int32Array, excl: Int32Array, q0: number, q1: number, k: number, idx: Int32Array, sc: Float64Array): void {
  for (let q = q0; q < q1; q++) {
    const oa = abc[3 * q]! * stride;
    const ob = abc[3 * q + 1]! * stride;
    const oc = abc[3 * q + 2]! * stride;
    const base = q * k;
    const last = base + k - 1;
    let thr = sc[last]!;
    for (let i = 0; i < n; i++) {
      const v = cos[ob + i]! - cos[oa + i]! + cos[oc + i]!;
      if (!(v > thr)) continue;
      const row = r0 + i;
      if (row === excl[3 * q] || row === excl[3 * q + 1] || row === excl[3 * q + 2]) continue;
      thr = insertTopK(idx, sc, base, last, v, row);
    }
  }
}

function analogyMergeMul(h: Float64Array, invOff: number, stride: number, n: number, r0: number, abc: Int32Array, excl: Int32Array, q0: number, q1: number, k: number, idx: Int32Array, sc: Float64Array): void {
  for (let q = q0; q < q1; q++) {
    const oa = invOff + abc[3 * q]! * stride;
    const ob = abc[3 * q + 1]! * stride;
    const oc = abc[3 * q + 2]! * stride;
    const base = q * k;
    const last = base + k - 1;
    let thr = sc[last]!;
    for (let i = 0; i < n; i++) {
      const v = h[ob + i]! * h[oc + i]! * h[oa + i]!;
      if (!(v > thr)) continue;
      const row = r0 + i;
      if (row === excl[3 * q] || row === excl[3 * q + 1] || row === excl[3 * q + 2]) continue;
      thr = insertTopK(idx, sc, base, last, v, row);
    }
  }
}

/** Insert (v, row) into the sorted list [base, last]; returns the new threshold (the last score). */
function insertTopK(idx: Int32Array, sc: Float64Array, base: number, last: number, v: number, row: number): number {
  let p = last;
  while (p > base && sc[p - 1]! < v) {
    sc[p] = sc[p - 1]!;
    idx[p] = idx[p - 1]!;
    p--;
  }
  sc[p] = v;
  idx[p] = row;
  return sc[last]!;
}
