/**
 * knn: exact cosine nearest neighbours of query words.
 */
import type { Embeddings } from '@wordloom/core';
import { WordloomError } from '@wordloom/core';
import { defineOp, type ParamSpecs } from '../op.js';
import type { NeighborsResult } from '../artifacts.js';
import { cosineTopK, unitEmbeddings, type KnnBackend } from './topk.js';

export { cosineTopK, unitEmbeddings, gpuDeviceAvailable, kernelPool, type CosineTopKOptions, type TopKResult, type KnnBackend } from './topk.js';
/** The low-level kernels (dot-product blocks, top-k merging) for ops built on them (kNN graphs...). */
export * as knnKernels from './kernel.js';
export { createGpuScorer, gpuInfo, type GpuScorer } from './gpu.js';

export interface KnnParams {
  words: string[];
  k: number;
  backend: KnnBackend;
  restrict_vocab?: number;
}

export const knnParams: ParamSpecs = {
  words: { type: 'string[]', doc: 'query words; words not in the vectors are reported as missing' },
  k: { type: 'int', default: 10, min: 1, doc: 'neighbours per query word (the word itself is never its own neighbour)' },
  backend: { type: 'enum', values: ['auto', 'gpu', 'typescript'], default: 'auto', doc: "kernel: gpu.js ('gpu'), plain TypeScript, or 'auto' (gpu.js when it finds a GPU, else TypeScript)" },
  restrict_vocab: { type: 'int', optional: true, min: 1, doc: 'only the first N words of the vectors (the most frequent) are candidate neighbours, as gensim restrict_vocab' },
};

/** Neighbours of `words` in `vectors` (the function behind the knn op). */
export async function nearestNeighbors(
  vectors: Embeddings,
  words: readonly string[],
  p: { k?: number; backend?: KnnBackend; restrict_vocab?: number; threads?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
): Promise<NeighborsResult> {
  const unit = unitEmbeddings(vectors);
  const rows: number[] = [];
  const slot: number[] = [];
  for (const w of words) {
    const id = vectors.id(w);
    slot.push(id < 0 ? -1 : rows.length);
    if (id >= 0) rows.push(id);
  }
  const k = p.k ?? 10;
  const r = await cosineTopK(unit, Int32Array.from(rows), k, {
    backend: p.backend,
    rows: p.restrict_vocab,
    threads: p.threads,
    signal: p.signal,
    onProgress: p.onProgress,
  });
  return {
    backend: r.backend,
    queries: words.map((word, i) => {
      const s = slot[i]!;
      if (s < 0) {
        // a word the rows do not hold: vectors that can make one (fastText subwords) answer for it
        const v = vectors.oov?.(word);
        if (!v) return { word, neighbors: [], missing: true };
        return { word, neighbors: scanNeighbors(unit, v, k, Math.min(unit.size, p.restrict_vocab ?? Infinity)), oov: true };
      }
      const neighbors = [];
      for (let j = 0; j < k; j++) {
        const row = r.indices[s * k + j]!;
        if (row < 0) break;
        neighbors.push({ word: vectors.words[row]!, similarity: r.scores[s * k + j]! });
      }
      return { word, neighbors };
    }),
  };
}

/** The k rows of `unit` (unit vectors, the first `rows`) most similar to q by cosine: one pass, for a query that is not a row. */
function scanNeighbors(unit: Embeddings, q: Float32Array, k: number, rows: number): { word: string; similarity: number }[] {
  const d = unit.dim;
  let qn = 0;
  for (let j = 0; j < d; j++) qn += q[j]! * q[j]!;
  if (qn === 0) return [];
  const inv = 1 / Math.sqrt(qn);
  const best: number[] = [];
  const bestS: number[] = [];
  const data = unit.data;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const o = r * d;
    for (let j = 0; j < d; j++) s += data[o + j]! * q[j]!;
    s *= inv;
    if (best.length === k && s <= bestS[k - 1]!) continue;
    let at = best.length;
    while (at > 0 && bestS[at - 1]! < s) at--;
    best.splice(at, 0, r);
    bestS.splice(at, 0, s);
    if (best.length > k) {
      best.pop();
      bestS.pop();
    }
  }
  return best.map((r, i) => ({ word: unit.words[r]!, similarity: Math.fround(bestS[i]!) }));
}

export const knnOp = defineOp<KnnParams, NeighborsResult>({
  name: 'knn',
  summary: 'Exact cosine nearest neighbours of query words (blocked matrix products on gpu.js or TypeScript kernels).',
  params: knnParams,
  inputs: { vectors: { kind: 'vectors', doc: 'the word vectors to search' } },
  output: 'neighbors',
  run: async (inputs, params, ctx) => {
    const vectors = inputs.vectors as Embeddings | undefined;
    if (!vectors) throw new WordloomError('E_GRAPH', 'knn needs a vectors input', { node: ctx.node }, 'wire a glove node (or a vectors reader) to its vectors input');
    ctx.progress({ phase: 'searching', done: 0, total: params.words.length, unit: 'words' });
    const res = await nearestNeighbors(vectors, params.words, {
      ...params,
      threads: ctx.threads,
      signal: ctx.signal,
      onProgress: (done, total) => ctx.progress({ phase: 'searching', done, total, unit: 'words' }),
    });
    const missing = res.queries.filter((q) => q.missing).map((q) => q.word);
    if (missing.length) ctx.log(`not in the vectors: ${missing.map((w) => JSON.stringify(w)).join(', ')}`);
    const oov = res.queries.filter((q) => q.oov).map((q) => q.word);
    if (oov.length) ctx.log(`not in the vocabulary, answered from subwords: ${oov.map((w) => JSON.stringify(w)).join(', ')}`);
    ctx.progress({ phase: 'done', metrics: { queries: res.queries.length, missing: missing.length, backend: res.backend } });
    return res;
  },
});
