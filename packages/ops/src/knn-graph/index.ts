/**
 * knn-graph: the N nearest neighbours of every row of a matrix by cosine (exact),
 * as a weighted graph in CSR form. Kernels, behind the knn contract (unit rows,
 * float32 scores, ties to the lower row): gpu.js blocked products ('gpu'), the
 * WebAssembly f32x4 kernel on a worker pool ('wasm'), or the plain TypeScript
 * loops of knn ('typescript').
 */
import { resolve } from 'node:path';
import { Embeddings, WordloomError } from '@wordloom/core';
import { defineOp, type ParamSpecs } from '../op.js';
import type { GraphArtifact } from '../artifacts.js';
import { cosineTopK, gpuDeviceAvailable, unitEmbeddings, LARGE_K, SMALL_WORK } from '../knn/topk.js';
import { loadVectors } from '../subword/embeddings.js';
import { simdAvailable } from './simd.js';
import { checkMatrix, simdAllTopK } from './search.js';

export { simdAllTopK, simdRadiusNeighbors, checkMatrix } from './search.js';
export { simdAvailable, dotsModuleBytes } from './simd.js';

export type KnnGraphBackend = 'auto' | 'gpu' | 'wasm' | 'typescript';
export type KnnGraphMode = 'symmetric' | 'mutual' | 'directed';

export interface KnnGraphOptions {
  /** Neighbours per row (less than the number of rows). */
  n: number;
  /** Drop edges of lower cosine similarity. */
  min_similarity?: number;
  /**
   * 'symmetric' (default): an edge i-j when j is among i's N or i among j's N,
   * stored both ways; 'mutual': only when both hold; 'directed': i -> its N.
   */
  mode?: KnnGraphMode;
  backend?: KnnGraphBackend;
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** At most this many (row, neighbour) entries in the top-n lists of a graph (800 MB of ids and scores). */
export const MAX_GRAPH_ENTRIES = 1e8;

/** The N nearest neighbours of every row of `vectors` as a graph (see KnnGraphOptions). */
export async function knnGraph(vectors: Embeddings, o: KnnGraphOptions): Promise<GraphArtifact> {
  checkMatrix(vectors);
  const rows = vectors.size;
  const n = o.n;
  if (!Number.isInteger(n) || n < 1) throw new WordloomError('E_PARAM', `n must be a positive integer, got ${n}`, { param: 'n' });
  if (n >= rows) {
    throw new WordloomError('E_PARAM', `n = ${n} neighbours needs more than ${n} rows, the vectors have ${rows}`, { param: 'n' }, `use n <= ${rows - 1}`);
  }
  const minSim = o.min_similarity;
  if (minSim !== undefined && !(minSim >= -1 && minSim <= 1)) {
    throw new WordloomError('E_PARAM', `min_similarity must be within [-1, 1], got ${minSim}`, { param: 'min_similarity' });
  }
  const mode = o.mode ?? 'symmetric';
  if (!['symmetric', 'mutual', 'directed'].includes(mode)) {
    throw new WordloomError('E_PARAM', `unknown mode "${mode}"`, { param: 'mode' }, "use 'symmetric', 'mutual' or 'directed'");
  }
  let backend = o.backend ?? 'auto';
  if (!['auto', 'gpu', 'wasm', 'typescript'].includes(backend)) {
    throw new WordloomError('E_PARAM', `unknown backend "${backend}"`, { param: 'backend' }, "use 'auto', 'gpu', 'wasm' or 'typescript'");
  }
  if (rows * n > MAX_GRAPH_ENTRIES) {
    throw new WordloomError(
      'E_PARAM',
      `n = ${n} neighbours for each of ${rows} rows makes ${rows * n} list entries (${((rows * n * 8) / 2 ** 30).toFixed(1)} GB), more than ${MAX_GRAPH_ENTRIES}`,
      { param: 'n' },
      `use a smaller n (a kNN graph for clustering needs tens), or fewer rows (limit)`,
    );
  }
  const unit = unitEmbeddings(vectors);
  if (n > LARGE_K) {
    // Long lists: every backend's insertion into sorted lists costs O(n) a candidate; sort each row's scores instead.
    backend = 'typescript';
  }
  const auto = backend === 'auto';
  if (auto) backend = rows * rows * vectors.dim >= SMALL_WORK && (await gpuDeviceAvailable()) ? 'gpu' : simdAvailable() ? 'wasm' : 'typescript';
  if (backend === 'wasm' && !simdAvailable()) {
    throw new WordloomError('E_PARAM', 'this runtime has no WebAssembly SIMD', { param: 'backend' }, "use backend: 'typescript'");
  }
  let top: { indices: Int32Array; scores: Float32Array; backend: string };
  if (backend === 'wasm') {
    top = await simdAllTopK(unit, n, { threads: o.threads, signal: o.signal, onProgress: o.onProgress });
  } else {
    const all = new Int32Array(rows);
    for (let i = 0; i < rows; i++) all[i] = i;
    try {
      top = await cosineTopK(unit, all, n, { backend: backend as 'gpu' | 'typescript', threads: o.threads, signal: o.signal, onProgress: o.onProgress });
    } catch (e) {
      if (!(auto && backend === 'gpu') || o.signal?.aborted) throw e;
      top = await simdAllTopK(unit, n, { threads: o.threads, signal: o.signal, onProgress: o.onProgress });
    }
  }
  const csr = csrFromTopK(rows, n, top.indices, top.scores, minSim ?? -Infinity, mode);
  return {
    n: rows,
    ...csr,
    directed: mode === 'directed',
    names: vectors.words,
    vectors,
    source: `knn-graph n=${n}${minSim !== undefined ? ` min_similarity=${minSim}` : ''} ${mode} on ${top.backend}`,
  };
}

/**
 * CSR from top-k lists (k per row, best first): entries of score >= minSim, as
 * 'directed' (row i = its list), 'symmetric' (union of both directions) or
 * 'mutual' (both directions present). Targets ascending within a row.
 */
export function csrFromTopK(
  rows: number,
  k: number,
  idx: Int32Array,
  sc: Float32Array,
  minSim: number,
  mode: KnnGraphMode,
): { offsets: Int32Array; targets: Int32Array; weights: Float32Array } {
  const kept = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let c = 0;
    while (c < k && idx[i * k + c]! >= 0 && sc[i * k + c]! >= minSim) c++;
    kept[i] = c;
  }
  const has = (j: number, i: number): boolean => {
    const b = j * k;
    const e = b + kept[j]!;
    for (let p = b; p < e; p++) if (idx[p] === i) return true;
    return false;
  };
  const deg = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let s = 0; s < kept[i]!; s++) {
      const j = idx[i * k + s]!;
      if (mode === 'directed') deg[i]!++;
      else if (mode === 'mutual') {
        if (has(j, i)) deg[i]!++;
      } else {
        deg[i]!++;
        if (!has(j, i)) deg[j]!++;
      }
    }
  }
  const offsets = new Int32Array(rows + 1);
  for (let i = 0; i < rows; i++) offsets[i + 1] = offsets[i]! + deg[i]!;
  const m = offsets[rows]!;
  const targets = new Int32Array(m);
  const weights = new Float32Array(m);
  const fill = offsets.slice(0, rows);
  const put = (a: number, b: number, w: number): void => {
    const p = fill[a]!++;
    targets[p] = b;
    weights[p] = w;
  };
  for (let i = 0; i < rows; i++) {
    for (let s = 0; s < kept[i]!; s++) {
      const j = idx[i * k + s]!;
      const w = sc[i * k + s]!;
      if (mode === 'directed') put(i, j, w);
      else if (mode === 'mutual') {
        if (has(j, i)) put(i, j, w);
      } else {
        put(i, j, w);
        if (!has(j, i)) put(j, i, w);
      }
    }
  }
  sortRows(offsets, targets, weights);
  return { offsets, targets, weights };
}

/** Sort each CSR row by target (insertion sort: rows are short). */
export function sortRows(offsets: Int32Array, targets: Int32Array, weights: Float32Array): void {
  const rows = offsets.length - 1;
  for (let i = 0; i < rows; i++) {
    const b = offsets[i]!;
    const e = offsets[i + 1]!;
    for (let p = b + 1; p < e; p++) {
      const t = targets[p]!;
      const w = weights[p]!;
      let q = p - 1;
      while (q >= b && targets[q]! > t) {
        targets[q + 1] = targets[q]!;
        weights[q + 1] = weights[q]!;
        q--;
      }
      targets[q + 1] = t;
      weights[q + 1] = w;
    }
  }
}

export interface KnnGraphParams {
  n: number;
  min_similarity?: number;
  mode: KnnGraphMode;
  backend: KnnGraphBackend;
  vectors?: string;
  limit?: number;
}

export const knnGraphParams: ParamSpecs = {
  n: { type: 'int', default: 10, min: 1, doc: 'neighbours per row (fewer than the number of rows)' },
  min_similarity: { type: 'number', optional: true, min: -1, max: 1, doc: 'drop edges of lower cosine similarity' },
  mode: {
    type: 'enum',
    values: ['symmetric', 'mutual', 'directed'],
    default: 'symmetric',
    doc: "'symmetric': edge i-j when either lists the other (stored both ways); 'mutual': when both do; 'directed': i -> its n neighbours",
  },
  backend: {
    type: 'enum',
    values: ['auto', 'gpu', 'wasm', 'typescript'],
    default: 'auto',
    doc: "kernel: gpu.js ('gpu'), WebAssembly SIMD on worker threads ('wasm'), plain TypeScript, or 'auto' (gpu.js on a real GPU, else wasm)",
  },
  vectors: { type: 'path', optional: true, mustExist: true, doc: 'read the vectors from this file (GloVe text, word2vec text/binary, .vec, fastText .bin/.ftz) instead of the vectors input' },
  limit: { type: 'int', optional: true, min: 2, doc: 'only the first N vectors (the most frequent words of a frequency-sorted file)' },
};

/** The vectors of a clustering node: its input, or the file named by its `vectors` param, limited to the first `limit` rows. */
export async function vectorsFrom(input: Embeddings | undefined, file: string | undefined, limit: number | undefined, baseDir: string, node: string, op: string): Promise<Embeddings> {
  let v = input;
  if (!v && file) v = await loadVectors(resolve(baseDir, file), { limit });
  if (!v) throw new WordloomError('E_GRAPH', `${op} needs vectors`, { node }, 'wire a glove node to its vectors input, or name a file in the vectors param');
  return limit !== undefined && limit < v.size ? v.head(limit) : v;
}

export const knnGraphOp = defineOp<KnnGraphParams, GraphArtifact>({
  name: 'knn-graph',
  summary: 'The n nearest neighbours of every word by cosine (exact) as a weighted graph (CSR), on gpu.js, WebAssembly SIMD or TypeScript kernels.',
  params: knnGraphParams,
  inputs: { vectors: { kind: 'vectors', optional: true, doc: 'the word vectors (or name a file in the vectors param)' } },
  output: 'graph',
  run: async (inputs, params, ctx) => {
    const vectors = await vectorsFrom(inputs.vectors as Embeddings | undefined, params.vectors, params.limit, ctx.baseDir, ctx.node, 'knn-graph');
    ctx.progress({ phase: 'searching', done: 0, total: vectors.size, unit: 'words' });
    const g = await knnGraph(vectors, {
      n: params.n,
      min_similarity: params.min_similarity,
      mode: params.mode,
      backend: params.backend,
      threads: ctx.threads,
      signal: ctx.signal,
      onProgress: (done, total) => ctx.progress({ phase: 'searching', done, total, unit: 'words' }),
    });
    // An undirected graph stores each edge in both rows: count it once, as the summary does.
    ctx.progress({ phase: 'done', metrics: { nodes: g.n, [g.directed ? 'directed edges' : 'undirected edges']: g.directed ? g.targets.length : g.targets.length / 2, backend: g.source ?? '' } });
    return g;
  },
});
