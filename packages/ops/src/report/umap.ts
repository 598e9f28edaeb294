/**
 * A 2-D map of word vectors by UMAP (McInnes, Healy and Melville, 2018) with the
 * umap-js package: the neighbours are the exact cosine nearest neighbours from
 * knn-graph (so umap-js does not approximate them itself), the random numbers come
 * from the seeded Rng, so a seed gives the same map every time.
 */
import { Embeddings, Rng } from '@wordloom/core';
import { UMAP } from 'umap-js';
import { knnGraph } from '../knn-graph/index.js';

export interface UmapOptions {
  seed?: number;
  /** Neighbours of each point, itself included (UMAP's n_neighbors; default 15). */
  neighbors?: number;
  /** Optimisation epochs (default 200). */
  epochs?: number;
  /** Least distance between points on the map (UMAP's min_dist; default 0.1). */
  minDist?: number;
  threads?: number;
  signal?: AbortSignal;
}

/** Map the first `rows` rows of `vectors` to 2-D. */
export async function umapLayout(vectors: Embeddings, rows = vectors.size, o: UmapOptions = {}): Promise<{ x: Float64Array; y: Float64Array }> {
  const n = Math.min(rows, vectors.size);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  if (n < 4) {
    for (let i = 0; i < n; i++) x[i] = i;
    return { x, y };
  }
  const k = Math.max(2, Math.min(o.neighbors ?? 15, n - 1));
  const v = n < vectors.size ? vectors.head(n) : vectors;
  const g = await knnGraph(v, { n: k - 1, mode: 'directed', threads: o.threads ?? 1, signal: o.signal });
  const indices: number[][] = [];
  const distances: number[][] = [];
  for (let i = 0; i < n; i++) {
    const idx = [i];
    const dist = [0];
    const pairs: [number, number][] = [];
    for (let e = g.offsets[i]!; e < g.offsets[i + 1]!; e++) pairs.push([g.targets[e]!, Math.max(0, 1 - g.weights[e]!)]);
    pairs.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    for (const [t, d] of pairs) {
      idx.push(t);
      dist.push(d);
    }
    // Rows of an all-zero vector have no neighbours: pad with themselves, far away.
    while (idx.length < k) {
      idx.push(i);
      dist.push(1);
    }
    indices.push(idx.slice(0, k));
    distances.push(dist.slice(0, k));
  }
  const rng = new Rng(o.seed ?? 1);
  const umap = new UMAP({ nComponents: 2, nNeighbors: k, nEpochs: o.epochs ?? 200, minDist: o.minDist ?? 0.1, random: () => rng.next() });
  umap.setPrecomputedKNN(indices, distances);
  const data: number[][] = [];
  for (let i = 0; i < n; i++) data.push(Array.from(v.data.subarray(i * v.dim, (i + 1) * v.dim)));
  const nEpochs = umap.initializeFit(data);
  for (let e = 0; e < nEpochs; e++) {
    if (o.signal?.aborted) throw o.signal.reason;
    umap.step();
    // Let the event loop breathe (cancellation, progress) every few epochs.
    if (e % 20 === 19) await new Promise((r) => setImmediate(r));
  }
  const emb = umap.getEmbedding();
  for (let i = 0; i < n; i++) {
    x[i] = emb[i]![0]!;
    y[i] = emb[i]![1]!;
  }
  return { x, y };
}
