/**
 * dbscan: density-based clustering with noise, as scikit-learn's DBSCAN defines
 * it (sklearn.cluster.DBSCAN, sample weights all 1):
 *
 * - the eps-neighbourhood of a point is every point at distance <= eps, itself
 *   included (cosine distance 1 - cos, or euclidean);
 * - a point is core when its neighbourhood holds at least min_samples points;
 * - clusters grow from core points in index order: the first unlabelled core point
 *   starts cluster 0, which takes every point reachable through core points (border
 *   points join the first cluster that reaches them); then the next, and so on;
 * - the rest is noise, labelled -1.
 *
 * Neighbourhoods come from the blocked WebAssembly SIMD kernel of knn-graph, with
 * an exact float64 check of candidates near the boundary, so labels are sklearn's
 * (up to distances within float64 rounding of eps).
 */
import { Embeddings, WordloomError } from '@wordloom/core';
import { defineOp, type ParamSpecs } from '../op.js';
import type { ClustersArtifact } from '../artifacts.js';
import { finishClusters } from '../clusters/common.js';
import { checkMatrix, simdRadiusNeighbors } from '../knn-graph/search.js';
import { vectorsFrom } from '../knn-graph/index.js';

export type DbscanMetric = 'cosine' | 'euclidean';

export interface DbscanOptions {
  eps: number;
  min_samples?: number;
  metric?: DbscanMetric;
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Refuse neighbourhoods holding more (point, neighbour) entries in all (default MAX_PAIRS, 2e8). */
  maxPairs?: number;
}

export interface DbscanResult extends ClustersArtifact {
  /** 1 for core points. */
  core: Uint8Array;
}

/** Label each row of `vectors` (see the module comment). Clusters keep sklearn's numbering (order of discovery). */
export async function dbscan(vectors: Embeddings, o: DbscanOptions): Promise<DbscanResult> {
  checkMatrix(vectors);
  const eps = o.eps;
  if (!(eps > 0) || !Number.isFinite(eps)) throw new WordloomError('E_PARAM', `eps must be a positive number, got ${eps}`, { param: 'eps' }, 'for cosine distance try 0.2-0.5');
  const minSamples = o.min_samples ?? 5;
  if (!Number.isInteger(minSamples) || minSamples < 1) throw new WordloomError('E_PARAM', `min_samples must be a positive integer, got ${minSamples}`, { param: 'min_samples' });
  const metric = o.metric ?? 'cosine';
  if (metric !== 'cosine' && metric !== 'euclidean') throw new WordloomError('E_PARAM', `unknown metric "${metric}"`, { param: 'metric' }, "use 'cosine' or 'euclidean'");
  const nb = await simdRadiusNeighbors(vectors, metric, eps, { threads: o.threads, signal: o.signal, onProgress: o.onProgress, maxPairs: o.maxPairs });
  const n = vectors.size;
  const { offsets, targets } = nb;
  const core = new Uint8Array(n);
  for (let i = 0; i < n; i++) core[i] = offsets[i + 1]! - offsets[i]! >= minSamples ? 1 : 0;
  const labels = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n + targets.length);
  let label = 0;
  for (let s = 0; s < n; s++) {
    if (labels[s] !== -1 || !core[s]) continue;
    let top = 0;
    let i = s;
    for (;;) {
      if (labels[i] === -1) {
        labels[i] = label;
        if (core[i]) {
          for (let p = offsets[i]!; p < offsets[i + 1]!; p++) {
            const v = targets[p]!;
            if (labels[v] === -1) stack[top++] = v;
          }
        }
      }
      if (top === 0) break;
      i = stack[--top]!;
    }
    label++;
  }
  const c = finishClusters(labels, `dbscan (${metric}, eps=${eps}, min_samples=${minSamples})`, { names: vectors.words, vectors }, 'label');
  return { ...c, core };
}

export interface DbscanParams {
  eps: number;
  min_samples: number;
  metric: DbscanMetric;
  vectors?: string;
  limit?: number;
}

export const dbscanParams: ParamSpecs = {
  eps: { type: 'number', min: 0, exclusiveMin: true, doc: 'neighbourhood radius: points at distance <= eps are neighbours (cosine distance = 1 - cos)' },
  min_samples: { type: 'int', default: 5, min: 1, doc: 'points (itself included) within eps that make a point core' },
  metric: { type: 'enum', values: ['cosine', 'euclidean'], default: 'cosine', doc: 'distance: cosine (1 - cos) or euclidean' },
  vectors: { type: 'path', optional: true, mustExist: true, doc: 'read the vectors from this file instead of the vectors input' },
  limit: { type: 'int', optional: true, min: 2, doc: 'only the first N vectors (the most frequent words of a frequency-sorted file)' },
};

export const dbscanOp = defineOp<DbscanParams, ClustersArtifact>({
  name: 'dbscan',
  summary: "DBSCAN density clustering with noise (-1), scikit-learn's definition; cosine or euclidean; blocked WebAssembly SIMD neighbourhoods.",
  params: dbscanParams,
  inputs: { vectors: { kind: 'vectors', optional: true, doc: 'the word vectors (or name a file in the vectors param)' } },
  output: 'clusters',
  run: async (inputs, params, ctx) => {
    const vectors = await vectorsFrom(inputs.vectors as Embeddings | undefined, params.vectors, params.limit, ctx.baseDir, ctx.node, 'dbscan');
    ctx.progress({ phase: 'neighbourhoods', done: 0, total: vectors.size, unit: 'words' });
    const c = await dbscan(vectors, {
      eps: params.eps,
      min_samples: params.min_samples,
      metric: params.metric,
      threads: ctx.threads,
      signal: ctx.signal,
      onProgress: (done, total) => ctx.progress({ phase: 'neighbourhoods', done, total, unit: 'words' }),
    });
    ctx.progress({ phase: 'done', metrics: { clusters: c.count, noise: c.noise, largest: Math.max(0, ...c.sizes) } });
    return c;
  },
});
