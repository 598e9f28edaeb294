/**
 * Worker module for knn-graph and dbscan (loaded by Piscina from
 * dist/src/knn-graph/worker.js). The matrix lives in a shared WebAssembly memory
 * (SimdLayout); each task owns one scratch lane, so at most `lanes` tasks run at
 * once. Results are written in place (top-k lists in shared arrays) or returned
 * (range lists, small).
 */
import type { WasmMemory } from '../kernels/wasm-asm.js';
import { SIMD_QUERY_BLOCK, SIMD_ROW_BLOCK, dotsBlock, dotsKernel, type SimdLayout } from './simd.js';

interface Base {
  job: string;
  memory: WasmMemory;
  layout: SimdLayout;
  lane: number;
  /** Query rows [q0, q1), q0 a multiple of 4. */
  q0: number;
  q1: number;
}

/**
 * Top-k rows by score for each row (never the row itself), computing each pair
 * once: query block Q = [qa, qa + 64) meets rows r >= qa only. Scores of Q with
 * rows r merge into Q's lists `idx`/`sc`; scores with rows r >= qa + 64 also
 * merge, as column candidates (row r gets query q), into this lane's own lists
 * `colIdx`/`colSc` (k per row, lane after lane), since other tasks own row r's
 * main list. s(q, r) and s(r, q) are bit-identical (the same products added in
 * the same order), so the union of the lists holds every row's exact top k.
 * All lists initialised; k per row.
 */
export interface SimdTopKTask extends Base {
  kind: 'topk';
  k: number;
  idx: Int32Array;
  sc: Float32Array;
  colIdx: Int32Array;
  colSc: Float32Array;
}

/**
 * Every row within a radius of each query row, itself included. Candidates pass a
 * float32 test with a small margin and are then checked exactly in float64 against
 * the original vectors `raw` (sklearn's semantics: distance <= eps):
 *   cosine:    1 - a.b / (|a| |b|) <= eps   (zero vectors: similarity 0)
 *   euclidean: sqrt(sum (a - b)^2) <= eps
 * For cosine the memory holds unit rows; for euclidean the raw rows, with `norms`
 * their squared norms.
 */
export interface SimdRangeTask extends Base {
  kind: 'range';
  metric: 'cosine' | 'euclidean';
  eps: number;
  raw: Float32Array;
  norms: Float64Array;
  /** Give up (overflow) past this many neighbour entries in this task. */
  limit: number;
}

export type SimdTask = SimdTopKTask | SimdRangeTask;

export interface RangeResult {
  /** Neighbours per query row (q1 - q0 entries). */
  counts: Int32Array;
  /** Their row ids, query after query, ascending within a query. */
  targets: Int32Array;
  /** The task stopped: its neighbourhoods passed `limit` entries. */
  overflow?: boolean;
}

export default function run(task: SimdTask): number | RangeResult {
  return task.kind === 'topk' ? topKTask(task) : rangeTask(task);
}

export function topKTask(t: SimdTopKTask): number {
  const k = dotsKernel(t.job, t.memory, t.layout);
  const f = new Float32Array(t.memory.buffer);
  const rows = t.layout.rows;
  const kk = t.k;
  const colBase = t.lane * rows * kk;
  const thrAt = t.layout.thr / 4 + t.lane * SIMD_ROW_BLOCK;
  for (let qa = t.q0; qa < t.q1; qa += SIMD_QUERY_BLOCK) {
    const nq = Math.min(SIMD_QUERY_BLOCK, t.q1 - qa);
    const qEnd = qa + nq;
    for (let r0 = qa; r0 < rows; r0 += SIMD_ROW_BLOCK) {
      const r1 = Math.min(rows, r0 + SIMD_ROW_BLOCK);
      const at = dotsBlock(k, t.layout, t.lane, qa, nq, r0, r1);
      const n = r1 - r0;
      const n4 = Math.ceil(n / 4) * 4;
      // Rows: query qa + i gets row r0 + x. WebAssembly finds the groups of 4
      // scores holding one above the list's k-th best; only those come here.
      // (Rows arrive in ascending order, so a tie never displaces: strict >.)
      for (let i = 0; i < nq; i++) {
        const slot = qa + i;
        const base = slot * kk;
        const last = base + kk - 1;
        let thr = t.sc[last]!;
        const fi = at + i * SIMD_ROW_BLOCK;
        const end = (fi + n4) * 4;
        let p = fi * 4;
        for (;;) {
          p = k.above(p, end, thr);
          if (p >= end) break;
          const xa = (p >> 2) - fi;
          const xb = Math.min(n, xa + 4);
          for (let x = xa; x < xb; x++) {
            const v = f[fi + x]!;
            if (!(v > thr)) continue;
            const row = r0 + x;
            if (row === slot) continue;
            insert(t.idx, t.sc, base, last, v, row);
            thr = t.sc[last]!;
          }
          p += 16;
        }
      }
      // Columns: row r0 + x (outside Q) gets query qa + i, against per-column
      // thresholds kept in this lane's threshold row (queries arrive in
      // ascending order within a lane: strict > again).
      const x0 = Math.max(0, qEnd - r0);
      if (x0 >= n) continue;
      const xs = x0 & ~3;
      for (let x = xs; x < n4; x++) f[thrAt + x] = x < x0 || x >= n ? Infinity : t.colSc[colBase + (r0 + x) * kk + kk - 1]!;
      const delta = (thrAt - at) * 4;
      for (let i = 0; i < nq; i++) {
        const fi = at + i * SIMD_ROW_BLOCK;
        const end = (fi + n4) * 4;
        let p = (fi + xs) * 4;
        const q = qa + i;
        for (;;) {
          p = k.aboveEach(p, end, delta - i * SIMD_ROW_BLOCK * 4);
          if (p >= end) break;
          const xa = (p >> 2) - fi;
          for (let x = xa; x < xa + 4; x++) {
            const v = f[fi + x]!;
            if (!(v > f[thrAt + x]!)) continue;
            const base = colBase + (r0 + x) * kk;
            const last = base + kk - 1;
            insert(t.colIdx, t.colSc, base, last, v, q);
            f[thrAt + x] = t.colSc[last]!;
          }
          p += 16;
        }
      }
    }
  }
  return t.q1 - t.q0;
}

/**
 * Insert (v, row) into the list [base, last], ordered by score descending then
 * row ascending (so the list is the top k by that order whatever the arrival
 * order); the caller checked that it beats the last entry.
 */
export function insert(idx: Int32Array, sc: Float32Array, base: number, last: number, v: number, row: number): void {
  let s = last;
  while (s > base) {
    const p = sc[s - 1]!;
    if (p > v || (p === v && idx[s - 1]! >= 0 && idx[s - 1]! < row)) break;
    sc[s] = p;
    idx[s] = idx[s - 1]!;
    s--;
  }
  sc[s] = v;
  idx[s] = row;
}

export function rangeTask(t: SimdRangeTask): RangeResult {
  const k = dotsKernel(t.job, t.memory, t.layout);
  const f = new Float32Array(t.memory.buffer);
  const { rows, dim } = t.layout;
  const nAll = t.q1 - t.q0;
  const counts = new Int32Array(nAll);
  let targets = new Int32Array(Math.max(64, nAll * 8));
  let used = 0;
  const cosine = t.metric === 'cosine';
  const eps = t.eps;
  // float32 pre-test with margin (scores carry ~1e-6 relative rounding).
  const thrCos = 1 - eps - 1e-4;
  const eps2 = eps * eps;
  const raw = t.raw;
  const norms = t.norms;
  // Candidates per query, then sorted: blocks arrive in row order, so each query's
  // list is built across blocks; keep per-query lists in a small scratch.
  const lists: number[][] = [];
  for (let qa = t.q0; qa < t.q1; qa += SIMD_QUERY_BLOCK) {
    const nq = Math.min(SIMD_QUERY_BLOCK, t.q1 - qa);
    for (let i = 0; i < nq; i++) lists[i] = [];
    for (let r0 = 0; r0 < rows; r0 += SIMD_ROW_BLOCK) {
      const r1 = Math.min(rows, r0 + SIMD_ROW_BLOCK);
      const at = dotsBlock(k, t.layout, t.lane, qa, nq, r0, r1);
      const n = r1 - r0;
      for (let i = 0; i < nq; i++) {
        const so = at + i * SIMD_ROW_BLOCK;
        const qi = qa + i;
        const list = lists[i]!;
        if (cosine) {
          for (let x = 0; x < n; x++) {
            if (f[so + x]! >= thrCos && exactWithin(raw, norms, dim, qi, r0 + x, eps, true)) list.push(r0 + x);
          }
        } else {
          const nqv = norms[qi]!;
          const slack = 1e-4 * (nqv + 1) + 1e-6;
          for (let x = 0; x < n; x++) {
            const r = r0 + x;
            const d2 = nqv + norms[r]! - 2 * f[so + x]!;
            if (d2 <= eps2 + slack + 1e-4 * norms[r]! && exactWithin(raw, norms, dim, qi, r, eps, false)) list.push(r);
          }
        }
      }
    }
    for (let i = 0; i < nq; i++) {
      const list = lists[i]!;
      counts[qa - t.q0 + i] = list.length;
      if (used + list.length > t.limit) return { counts, targets: new Int32Array(0), overflow: true };
      if (used + list.length > targets.length) {
        const grown = new Int32Array(Math.max(targets.length * 2, used + list.length));
        grown.set(targets.subarray(0, used));
        targets = grown;
      }
      for (let x = 0; x < list.length; x++) targets[used++] = list[x]!;
    }
  }
  return { counts, targets: targets.slice(0, used) };
}

/** The exact float64 test of sklearn's metrics (see SimdRangeTask). */
export function exactWithin(raw: Float32Array, norms: Float64Array, dim: number, a: number, b: number, eps: number, cosine: boolean): boolean {
  const oa = a * dim;
  const ob = b * dim;
  if (cosine) {
    if (a === b) return true; // sklearn sets the diagonal of the distance matrix to 0
    let s = 0;
    for (let j = 0; j < dim; j++) s += raw[oa + j]! * raw[ob + j]!;
    const na = norms[a]!;
    const nb = norms[b]!;
    const sim = na > 0 && nb > 0 ? s / (Math.sqrt(na) * Math.sqrt(nb)) : 0;
    return 1 - sim <= eps;
  }
  let d = 0;
  for (let j = 0; j < dim; j++) {
    const x = raw[oa + j]! - raw[ob + j]!;
    d += x * x;
  }
  return Math.sqrt(d) <= eps;
}
