/**
 * Exact cosine top-k by blocked matrix products, behind one contract with two
 * backends: gpu.js kernels and plain TypeScript (on Piscina workers when the job
 * is large and threads allow).
 */
import { Embeddings, WordloomError, isShared, sharedFloat32, sharedInt32, toShared } from '@wordloom/core';
import { Piscina } from 'piscina';
import { QUERY_BLOCK, ROW_BLOCK, dotBlock, initTopK, mergeTopK, normalizeRowsInto, topKRange } from './kernel.js';
import { createGpuScorer, gpuHasDevice, type GpuScorer } from './gpu.js';
import type { KernelTask } from './worker.js';
import { workerPool } from '../kernels/pool.js';

export type KnnBackend = 'auto' | 'gpu' | 'typescript';

export interface CosineTopKOptions {
  /** 'auto' (default): gpu.js when it finds a GPU (GL or a WebGPU adapter) and the job is big enough, else TypeScript. */
  backend?: KnnBackend;
  /** Only the first `rows` rows are candidates (gensim's restrict_vocab); default all. */
  rows?: number;
  /** For row-id queries: never return the query row itself (as gensim's most_similar). Default true. */
  excludeSelf?: boolean;
  /** Further rows to exclude, `excludeWidth` per query (-1 = unused slot). */
  exclude?: Int32Array;
  excludeWidth?: number;
  /** Worker threads for the TypeScript path (default 1: the calling thread only). */
  threads?: number;
  /** Jobs of fewer multiply-adds than this run on the calling thread even when threads > 1 (default 2e8). */
  parallelThreshold?: number;
  signal?: AbortSignal;
  /** Called as query blocks finish. */
  onProgress?: (done: number, total: number) => void;
}

export interface TopKResult {
  /** k row ids per query, best first; -1 where fewer than k candidates exist (k is capped at the candidate rows). */
  indices: Int32Array;
  /** The cosines of those rows (float32); -Infinity in unused slots. */
  scores: Float32Array;
  k: number;
  /** Which kernel ran: "typescript", "typescript:4-threads", "gpu.js:webasm", "gpu.js:webgpu"... */
  backend: string;
}

/** The rows of `emb` scaled to unit L2 norm, in shared memory (a copy; zero rows stay zero). */
export function unitEmbeddings(emb: Embeddings): Embeddings {
  const data = sharedFloat32(emb.data.length);
  normalizeRowsInto(emb.data, data, emb.size, emb.dim);
  return new Embeddings(emb.words, emb.dim, data);
}

/** Below this many multiply-adds, 'auto' stays on the TypeScript path and on the calling thread. */
export const SMALL_WORK = 2e8;

let deviceProbe: Promise<boolean> | undefined;
/** Whether gpu.js finds a real GPU here (probed once per process). */
export function gpuDeviceAvailable(): Promise<boolean> {
  deviceProbe ??= gpuHasDevice();
  return deviceProbe;
}

/**
 * Exact cosine top-k neighbours of many queries at once.
 *
 * `matrix` must have unit rows (see unitEmbeddings). `queries` are row ids
 * (Int32Array) or query vectors (Float32Array, `matrix.dim` per query; they are
 * normalized here). Works for any number of queries, all rows included.
 */
export async function cosineTopK(matrix: Embeddings, queries: Int32Array | Float32Array, kAsked: number, opts: CosineTopKOptions = {}): Promise<TopKResult> {
  const dim = matrix.dim;
  const rows = Math.min(opts.rows ?? matrix.size, matrix.size);
  if (!Number.isInteger(kAsked) || kAsked < 1) throw new WordloomError('E_PARAM', `k must be a positive integer, got ${kAsked}`, { param: 'k' });
  if (!(rows >= 0)) throw new WordloomError('E_PARAM', `rows must be non-negative, got ${opts.rows}`, { param: 'restrict_vocab' });
  // No list can hold more than the candidate rows: a larger k would only allocate
  // and walk empty slots (k = 1e8 took hours). The result's k says what was used.
  const k = Math.max(1, Math.min(kAsked, rows));
  const byRow = queries instanceof Int32Array;
  if (!byRow && queries.length % dim !== 0) {
    throw new WordloomError('E_PARAM', `query vectors: ${queries.length} values is not a multiple of the dimension ${dim}`, { param: 'queries' });
  }
  const nq = byRow ? queries.length : queries.length / dim;
  if (byRow) {
    for (let i = 0; i < nq; i++) {
      const r = queries[i]!;
      if (!(r >= 0 && r < matrix.size)) throw new WordloomError('E_PARAM', `query row ${r} is outside the matrix of ${matrix.size} rows`, { param: 'queries' });
    }
  }
  // Unit query vectors, one row per query, in shared memory (workers read them).
  const qv = sharedFloat32(nq * dim);
  if (byRow) {
    for (let i = 0; i < nq; i++) qv.set(matrix.data.subarray(queries[i]! * dim, (queries[i]! + 1) * dim), i * dim);
  } else {
    normalizeRowsInto(queries, qv, nq, dim);
  }
  // Exclusion lists: the query row itself, then the caller's.
  const selfW = byRow && opts.excludeSelf !== false ? 1 : 0;
  const extraW = opts.exclude ? (opts.excludeWidth ?? 1) : 0;
  if (opts.exclude && opts.exclude.length !== nq * extraW) {
    throw new WordloomError('E_PARAM', `exclude has ${opts.exclude.length} entries, expected ${nq} queries x ${extraW}`, { param: 'exclude' });
  }
  const ew = selfW + extraW;
  let exclude: Int32Array | undefined;
  if (ew > 0) {
    exclude = sharedInt32(nq * ew);
    for (let i = 0; i < nq; i++) {
      if (selfW) exclude[i * ew] = (queries as Int32Array)[i]!;
      for (let x = 0; x < extraW; x++) exclude[i * ew + selfW + x] = opts.exclude![i * extraW + x]!;
    }
  }
  const idx = sharedInt32(nq * k);
  const sc = sharedFloat32(nq * k);
  initTopK(idx, sc);
  const res = { indices: idx, scores: sc, k, backend: 'typescript' };
  if (nq === 0 || rows === 0) return res;

  const work = nq * rows * dim;
  let backend = opts.backend ?? 'auto';
  if (backend !== 'auto' && backend !== 'gpu' && backend !== 'typescript') {
    throw new WordloomError('E_PARAM', `unknown backend "${backend}"`, { param: 'backend' }, "use 'auto', 'gpu' or 'typescript'");
  }
  if (k > LARGE_K) {
    // Long lists: inserting into a sorted list costs O(k) a candidate; sorting every row's score is cheaper.
    await sortedTopK(isShared(matrix.data) ? matrix.data : toShared(matrix.data), dim, rows, qv, nq, k, idx, sc, exclude, ew, opts);
    return res;
  }
  const auto = backend === 'auto';
  if (auto) backend = work >= SMALL_WORK && (await gpuDeviceAvailable()) ? 'gpu' : 'typescript';
  const e = isShared(matrix.data) ? matrix.data : toShared(matrix.data);
  if (backend === 'gpu') {
    try {
      res.backend = await gpuTopK(e, dim, rows, qv, nq, k, idx, sc, exclude, ew, opts);
      return res;
    } catch (err) {
      // 'auto' falls back to TypeScript when the GPU path fails; an explicit 'gpu' reports it.
      if (!auto || opts.signal?.aborted) throw err;
      initTopK(idx, sc);
    }
  }
  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  if (threads > 1 && work >= (opts.parallelThreshold ?? SMALL_WORK)) {
    await pooledTopK(e, dim, rows, qv, nq, k, idx, sc, exclude, ew, threads, opts);
    res.backend = `typescript:${threads}-threads`;
    return res;
  }
  const scratch = new Float32Array(QUERY_BLOCK * Math.min(ROW_BLOCK, rows));
  let done = 0;
  for (let q0 = 0; q0 < nq; q0 += QUERY_BLOCK * 4) {
    throwIfAborted(opts.signal);
    const q1 = Math.min(nq, q0 + QUERY_BLOCK * 4);
    topKRange(e, dim, rows, qv, q0, q1, k, idx, sc, exclude, ew, scratch);
    done = q1;
    opts.onProgress?.(done, nq);
    // Let timers and progress events through between chunks of a long job.
    if (work > SMALL_WORK) await new Promise((r) => setImmediate(r));
  }
  return res;
}

/** Above this k, top-k lists are made by sorting all scores of a query (sortedTopK) rather than by insertion. */
export const LARGE_K = 256;

/**
 * Top-k by sorting: the scores of a block of queries with every row, then for each
 * query its candidate rows sorted by score descending, ties to the lower row (the
 * order of the insertion path). O(rows log rows) a query whatever k is; checks
 * the abort signal and yields between queries.
 */
async function sortedTopK(
  e: Float32Array,
  dim: number,
  rows: number,
  qv: Float32Array,
  nq: number,
  k: number,
  idx: Int32Array,
  sc: Float32Array,
  exclude: Int32Array | undefined,
  ew: number,
  opts: CosineTopKOptions,
): Promise<void> {
  const qb = Math.max(1, Math.min(QUERY_BLOCK, Math.floor(2 ** 22 / rows)));
  const scores = new Float32Array(qb * rows);
  const order = new Int32Array(rows);
  let last = Date.now();
  for (let q0 = 0; q0 < nq; q0 += qb) {
    throwIfAborted(opts.signal);
    const n = Math.min(qb, nq - q0);
    // dotBlock writes row r of query q at out[q * stride + r - r0]: give it the view that starts at r0.
    for (let r0 = 0; r0 < rows; r0 += ROW_BLOCK) dotBlock(qv, q0 * dim, n, e, r0, Math.min(rows, r0 + ROW_BLOCK), dim, scores.subarray(r0), rows);
    for (let q = 0; q < n; q++) {
      const slot = q0 + q;
      const s = scores.subarray(q * rows, (q + 1) * rows);
      let m = 0;
      for (let r = 0; r < rows; r++) {
        let skip = false;
        for (let x = 0; x < ew; x++) if (exclude![slot * ew + x] === r) skip = true;
        if (!skip && s[r]! === s[r]!) order[m++] = r;
      }
      const cand = order.subarray(0, m).sort((a, b) => s[b]! - s[a]! || a - b);
      const take = Math.min(k, m);
      for (let j = 0; j < take; j++) {
        idx[slot * k + j] = cand[j]!;
        sc[slot * k + j] = s[cand[j]!]!;
      }
      if (Date.now() - last > 50) {
        // Let signals, timers and progress through during a long search.
        await new Promise((r) => setImmediate(r));
        throwIfAborted(opts.signal);
        last = Date.now();
      }
    }
    opts.onProgress?.(q0 + n, nq);
  }
}

async function gpuTopK(
  e: Float32Array,
  dim: number,
  rows: number,
  qv: Float32Array,
  nq: number,
  k: number,
  idx: Int32Array,
  sc: Float32Array,
  exclude: Int32Array | undefined,
  ew: number,
  opts: CosineTopKOptions,
): Promise<string> {
  let scorer: GpuScorer;
  try {
    scorer = createGpuScorer(e, dim, rows, { threads: opts.threads });
  } catch (err) {
    throw new WordloomError('E_INTERNAL', `the gpu.js backend could not start: ${(err as Error).message}`, { param: 'backend' }, "use backend: 'typescript'", { cause: err });
  }
  try {
    for (let q0 = 0; q0 < nq; q0 += scorer.queryBlock) {
      throwIfAborted(opts.signal);
      const n = Math.min(scorer.queryBlock, nq - q0);
      for (let b = 0; b < scorer.blocks; b++) {
        const r0 = b * scorer.rowBlock;
        const inBlock = Math.min(rows, r0 + scorer.rowBlock) - r0;
        const out = await scorer.scoreBlock(qv, q0 * dim, n, b);
        for (let q = 0; q < n; q++) mergeTopK(out[q] as Float32Array, 0, 1, inBlock, r0, k, q0 + q, idx, sc, exclude, ew);
      }
      opts.onProgress?.(q0 + n, nq);
    }
    return scorer.backend();
  } finally {
    await scorer.dispose();
  }
}

async function pooledTopK(
  e: Float32Array,
  dim: number,
  rows: number,
  qv: Float32Array,
  nq: number,
  k: number,
  idx: Int32Array,
  sc: Float32Array,
  exclude: Int32Array | undefined,
  ew: number,
  threads: number,
  opts: CosineTopKOptions,
): Promise<void> {
  const pool = kernelPool(threads);
  try {
    // Several tasks per thread for balance and progress; whole query blocks each.
    const per = Math.max(QUERY_BLOCK, Math.ceil(nq / (threads * 8) / QUERY_BLOCK) * QUERY_BLOCK);
    let done = 0;
    const tasks: Promise<unknown>[] = [];
    for (let q0 = 0; q0 < nq; q0 += per) {
      const q1 = Math.min(nq, q0 + per);
      const task: KernelTask = { kind: 'topk', e, dim, rows, qv, q0, q1, k, idx, sc, exclude, ew };
      tasks.push(
        pool.run(task, { signal: opts.signal }).then(() => {
          done += q1 - q0;
          opts.onProgress?.(done, nq);
        }),
      );
    }
    await Promise.all(tasks);
  } catch (err) {
    if (opts.signal?.aborted) throwIfAborted(opts.signal);
    throw err;
  } finally {
    await pool.destroy();
  }
}

/** A Piscina pool over the kernel worker; the caller destroys it. */
export function kernelPool(threads: number): Piscina {
  return workerPool(new URL('./worker.js', import.meta.url), threads);
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new WordloomError('E_STATE', 'cancelled', {}, undefined, { cause: signal.reason });
}
