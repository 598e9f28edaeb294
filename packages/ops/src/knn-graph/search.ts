/**
 * All-rows searches over one matrix on the WebAssembly SIMD kernel: top-k of every
 * row (knn-graph) and radius neighbourhoods (dbscan). Work is split into tasks of
 * whole query blocks run by `lanes` chains (one scratch lane each) on a Piscina
 * pool, or on the calling thread for small jobs or one thread.
 */
import { Embeddings, WordloomError, sharedFloat32, sharedFloat64, sharedInt32, toShared } from '@wordloom/core';
import { Piscina } from 'piscina';
import { initTopK } from '../knn/kernel.js';
import { SIMD_QUERY_BLOCK, simdMemory } from './simd.js';
import { insert, rangeTask, topKTask, type RangeResult, type SimdRangeTask, type SimdTask, type SimdTopKTask } from './worker.js';
import { workerPool } from '../kernels/pool.js';

/** At most this many (point, neighbour) entries in all radius neighbourhoods together (800 MB of ids). */
export const MAX_PAIRS = 2e8;

/** Below this many multiply-adds a search runs on the calling thread. */
export const SIMD_SMALL_WORK = 5e7;

export interface SearchOptions {
  threads?: number;
  /** Jobs of fewer multiply-adds run on the calling thread (default SIMD_SMALL_WORK). */
  parallelThreshold?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

let jobCounter = 0;
const jobId = (): string => `${process.pid}-${Date.now()}-${++jobCounter}-${Math.random().toString(36).slice(2)}`;

/**
 * Check a matrix for clustering: not empty, every value finite. Names the first
 * bad row (and its word when known).
 */
export function checkMatrix(m: Embeddings, what = 'vectors'): void {
  if (m.size === 0) throw new WordloomError('E_INPUT', `the ${what} are empty (0 rows)`, {}, 'give at least two vectors');
  const d = m.data;
  const dim = m.dim;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v - v !== 0) {
      const row = Math.floor(i / dim);
      throw new WordloomError(
        'E_INPUT',
        `the ${what} hold ${Number.isNaN(v) ? 'NaN' : 'an infinite value'} at row ${row}, dimension ${i - row * dim}`,
        { word: m.words[row] },
        'retrain (training diverged?) or drop that word',
      );
    }
  }
}

async function runLanes<R>(tasks: SimdTask[], lanes: number, threads: number, opts: SearchOptions, each: (t: SimdTask, r: R) => void): Promise<void> {
  const total = tasks.reduce((s, t) => s + t.q1 - t.q0, 0);
  let done = 0;
  if (threads <= 1) {
    for (const t of tasks) {
      throwIfAborted(opts.signal);
      const r = (t.kind === 'topk' ? topKTask(t) : rangeTask(t)) as R;
      each(t, r);
      done += t.q1 - t.q0;
      opts.onProgress?.(done, total);
      await new Promise((res) => setImmediate(res));
    }
    return;
  }
  const pool = workerPool(new URL('./worker.js', import.meta.url), threads);
  try {
    let next = 0;
    const chain = async (lane: number): Promise<void> => {
      while (next < tasks.length) {
        throwIfAborted(opts.signal);
        const t = tasks[next++]!;
        t.lane = lane;
        const r = (await pool.run(t)) as R;
        each(t, r);
        done += t.q1 - t.q0;
        opts.onProgress?.(done, total);
      }
    };
    const chains: Promise<void>[] = [];
    for (let l = 0; l < lanes; l++) chains.push(chain(l));
    await Promise.all(chains);
  } finally {
    await pool.destroy();
  }
}

/** Query ranges of whole blocks: several per lane for balance and progress. */
function splitQueries(rows: number, lanes: number): [number, number][] {
  const per = Math.max(SIMD_QUERY_BLOCK, Math.ceil(rows / (lanes * 8) / SIMD_QUERY_BLOCK) * SIMD_QUERY_BLOCK);
  const out: [number, number][] = [];
  for (let q0 = 0; q0 < rows; q0 += per) out.push([q0, Math.min(rows, q0 + per)]);
  return out;
}

/**
 * The k highest-scoring other rows of every row of the unit matrix `unit` (row
 * i never lists itself), best first, ties to the lower row; -1 / -Infinity in
 * unused slots.
 */
export async function simdAllTopK(unit: Embeddings, k: number, opts: SearchOptions = {}): Promise<{ indices: Int32Array; scores: Float32Array; backend: string }> {
  const rows = unit.size;
  const dim = unit.dim;
  const work = rows * rows * dim;
  const threads = work < (opts.parallelThreshold ?? SIMD_SMALL_WORK) ? 1 : Math.max(1, Math.floor(opts.threads ?? 1));
  const lanes = threads;
  const { memory, layout } = simdMemory(unit.data, rows, dim, lanes);
  const idx = sharedInt32(rows * k);
  const sc = sharedFloat32(rows * k);
  initTopK(idx, sc);
  const colIdx = sharedInt32(lanes * rows * k);
  const colSc = sharedFloat32(lanes * rows * k);
  initTopK(colIdx, colSc);
  const job = jobId();
  // The triangle makes early query blocks the longest: smaller tasks balance better.
  const tasks: SimdTopKTask[] = splitQueries(rows, lanes * 2).map(([q0, q1]) => ({ kind: 'topk', job, memory, layout, lane: 0, q0, q1, k, idx, sc, colIdx, colSc }));
  await runLanes<number>(tasks, lanes, threads, opts, () => {});
  mergeColumnLists(rows, k, lanes, idx, sc, colIdx, colSc);
  return { indices: idx, scores: sc, backend: threads > 1 ? `wasm-simd:${threads}-threads` : 'wasm-simd' };
}

/** Merge each row's lane lists into its main list: the top k by score descending, then row ascending. */
function mergeColumnLists(rows: number, k: number, lanes: number, idx: Int32Array, sc: Float32Array, colIdx: Int32Array, colSc: Float32Array): void {
  for (let l = 0; l < lanes; l++) {
    const lb = l * rows * k;
    for (let r = 0; r < rows; r++) {
      const base = r * k;
      const last = base + k - 1;
      for (let s = 0; s < k; s++) {
        const row = colIdx[lb + base + s]!;
        if (row < 0) break;
        const v = colSc[lb + base + s]!;
        const thr = sc[last]!;
        if (v < thr || (v === thr && idx[last]! >= 0 && idx[last]! < row)) break; // the lane list is sorted: nothing later beats the last
        insert(idx, sc, base, last, v, row);
      }
    }
  }
}

/**
 * Every row within distance `eps` of each row (itself included), as CSR with
 * ascending targets: sklearn's radius neighbourhoods for metric 'cosine' or
 * 'euclidean' (float32 kernel, exact float64 check near the boundary).
 */
export async function simdRadiusNeighbors(
  m: Embeddings,
  metric: 'cosine' | 'euclidean',
  eps: number,
  opts: SearchOptions & { maxPairs?: number } = {},
): Promise<{ offsets: Int32Array; targets: Int32Array; backend: string }> {
  const rows = m.size;
  const dim = m.dim;
  const raw = toShared(m.data);
  const norms = sharedFloat64(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += raw[i * dim + j]! * raw[i * dim + j]!;
    norms[i] = s;
  }
  let kernelData = raw;
  if (metric === 'cosine') {
    kernelData = sharedFloat32(rows * dim);
    for (let i = 0; i < rows; i++) {
      const inv = norms[i]! > 0 ? 1 / Math.sqrt(norms[i]!) : 0;
      for (let j = 0; j < dim; j++) kernelData[i * dim + j] = raw[i * dim + j]! * inv;
    }
  }
  const work = rows * rows * dim;
  const threads = work < (opts.parallelThreshold ?? SIMD_SMALL_WORK) ? 1 : Math.max(1, Math.floor(opts.threads ?? 1));
  const lanes = threads;
  const { memory, layout } = simdMemory(kernelData, rows, dim, lanes);
  const job = jobId();
  const maxPairs = opts.maxPairs ?? MAX_PAIRS;
  const tasks: SimdRangeTask[] = splitQueries(rows, lanes).map(([q0, q1]) => ({ kind: 'range', job, memory, layout, lane: 0, q0, q1, metric, eps, raw, norms, limit: maxPairs }));
  const parts = new Map<number, RangeResult>();
  let total0 = 0;
  await runLanes<RangeResult>(tasks, lanes, threads, opts, (t, r) => {
    total0 += r.targets.length;
    if (r.overflow || total0 > maxPairs) {
      throw new WordloomError(
        'E_PARAM',
        `eps = ${eps} puts more than ${maxPairs.toLocaleString('en-US')} (point, neighbour) pairs within reach of each other (${metric} distance): too dense to cluster`,
        { param: 'eps' },
        'use a smaller eps (or fewer points)',
      );
    }
    parts.set(t.q0, r);
  });
  const offsets = new Int32Array(rows + 1);
  let total = 0;
  for (const t of tasks) {
    const r = parts.get(t.q0)!;
    for (let i = 0; i < r.counts.length; i++) {
      offsets[t.q0 + i] = total;
      total += r.counts[i]!;
    }
  }
  offsets[rows] = total;
  const targets = new Int32Array(total);
  for (const t of tasks) {
    const r = parts.get(t.q0)!;
    targets.set(r.targets, offsets[t.q0]!);
  }
  return { offsets, targets, backend: threads > 1 ? `wasm-simd:${threads}-threads` : 'wasm-simd' };
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new WordloomError('E_STATE', 'cancelled', {}, undefined, { cause: signal.reason });
}
