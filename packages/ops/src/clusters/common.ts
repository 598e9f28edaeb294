/**
 * Shared by the clustering ops: turning raw labels into a ClustersArtifact, and
 * checking graphs.
 */
import { WordloomError } from '@wordloom/core';
import type { ClustersArtifact, GraphArtifact } from '../artifacts.js';

/**
 * Number the clusters of `raw` (any int labels, -1 = noise) 0..count-1. With
 * order 'size', the largest cluster is 0 (ties: the one whose first member comes
 * first); with 'first', clusters keep the order of their first member; with
 * 'label', the order of their raw labels (DBSCAN passes its labels in scikit-learn's
 * order of discovery, which a border point of a later cluster can precede).
 * Clusters smaller than minSize become noise.
 */
export function finishClusters(
  raw: Int32Array,
  method: string,
  extra: Partial<ClustersArtifact> = {},
  order: 'size' | 'first' | 'label' = 'size',
  minSize = 1,
): ClustersArtifact {
  const n = raw.length;
  const dense = new Map<number, number>();
  const counts: number[] = [];
  const rawOf: number[] = [];
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = raw[i]!;
    if (r < 0) {
      ids[i] = -1;
      continue;
    }
    let d = dense.get(r);
    if (d === undefined) {
      d = counts.length;
      dense.set(r, d);
      counts.push(0);
      rawOf.push(r);
    }
    counts[d]!++;
    ids[i] = d;
  }
  // Dense ids are in order of first member; sort by size when asked.
  const keep = counts.map((c, d) => [c, d] as [number, number]).filter(([c]) => c >= minSize);
  if (order === 'size') keep.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  else if (order === 'label') keep.sort((a, b) => rawOf[a[1]]! - rawOf[b[1]]!);
  const final = new Int32Array(counts.length).fill(-1);
  keep.forEach(([, d], k) => (final[d] = k));
  const labels = new Int32Array(n);
  let noise = 0;
  for (let i = 0; i < n; i++) {
    const l = ids[i]! < 0 ? -1 : final[ids[i]!]!;
    labels[i] = l;
    if (l < 0) noise++;
  }
  const sizes = Int32Array.from(keep.map(([c]) => c));
  return { method, labels, sizes, count: sizes.length, noise, ...extra };
}

/** Every edge weight positive and finite, every target a node; names the first bad edge. */
export function checkGraph(g: GraphArtifact): void {
  if (g.offsets.length !== g.n + 1 || g.offsets[0] !== 0 || g.offsets[g.n] !== g.targets.length || g.weights.length !== g.targets.length) {
    throw new WordloomError('E_INPUT', `malformed graph: ${g.n} nodes, ${g.offsets.length} offsets, ${g.targets.length} targets, ${g.weights.length} weights`);
  }
  for (let i = 0; i < g.n; i++) {
    for (let p = g.offsets[i]!; p < g.offsets[i + 1]!; p++) {
      const t = g.targets[p]!;
      const w = g.weights[p]!;
      if (!(t >= 0 && t < g.n)) throw new WordloomError('E_INPUT', `edge ${i} -> ${t}: no node ${t} (the graph has ${g.n})`);
      if (!(w > 0) || w === Infinity) {
        const name = (x: number) => (g.names ? JSON.stringify(g.names[x]) : String(x));
        throw new WordloomError(
          'E_INPUT',
          `edge ${name(i)} - ${name(t)} has weight ${w}: edge weights must be positive and finite`,
          { word: g.names?.[i] },
          'for a knn-graph, set min_similarity (e.g. 0.01) to drop edges of zero or negative cosine',
        );
      }
    }
  }
}
