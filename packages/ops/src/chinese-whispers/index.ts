/**
 * chinese-whispers: Biemann's graph clustering (Chinese Whispers, 2006) over a
 * weighted graph, with no number of clusters to choose.
 *
 *   every node starts in its own class;
 *   repeat until no class changes (or max_iter): for every node v, in a fresh
 *   seeded random order, v takes the class with the highest summed vote among
 *   its neighbours (updated at once: later nodes see the new class).
 *
 * The vote of neighbour u for its class, by `weighting` (Biemann's variants, as
 * the reference Python implementation names them):
 *   top: w(v, u)
 *   lin: w(v, u) / deg(u)
 *   log: w(v, u) / log2(1 + deg(u))
 * where deg(u) is u's number of neighbours: 'lin' and 'log' damp the pull of hubs.
 * (The base of the logarithm scales every vote alike and never changes a choice.)
 * Ties go to the smallest class id (deterministic, where the paper picks at
 * random). A node without neighbours keeps its own class: singletons stay
 * singletons. In a directed graph a node listens to its out-neighbours.
 */
import { Rng, WordloomError } from '@wordloom/core';
import { defineOp, type ParamSpecs } from '../op.js';
import type { ClustersArtifact, GraphArtifact } from '../artifacts.js';
import { checkGraph, finishClusters } from '../clusters/common.js';
import { readEdgeList } from './edge-list.js';
import { resolve } from 'node:path';

export { readEdgeList, parseEdgeList } from './edge-list.js';

export type CwWeighting = 'top' | 'lin' | 'log';

export interface ChineseWhispersOptions {
  weighting?: CwWeighting;
  max_iter?: number;
  seed?: number;
  /** Clusters smaller than this are labelled -1 (noise); default 1 (keep all). */
  min_cluster_size?: number;
  signal?: AbortSignal;
  onIteration?: (iteration: number, changed: number) => void;
}

/** Chinese Whispers over `g` (see the module comment). Clusters are numbered by size, largest first. */
export function chineseWhispers(g: GraphArtifact, o: ChineseWhispersOptions = {}): ClustersArtifact {
  checkGraph(g);
  const weighting = o.weighting ?? 'top';
  if (!['top', 'lin', 'log'].includes(weighting)) {
    throw new WordloomError('E_PARAM', `unknown weighting "${weighting}"`, { param: 'weighting' }, "use 'top', 'lin' or 'log'");
  }
  const maxIter = o.max_iter ?? 20;
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new WordloomError('E_PARAM', `max_iter must be a positive integer, got ${maxIter}`, { param: 'max_iter' });
  const n = g.n;
  const { offsets, targets, weights } = g;
  // Per-node damping of its votes.
  const damp = new Float64Array(n);
  for (let u = 0; u < n; u++) {
    const deg = offsets[u + 1]! - offsets[u]!;
    damp[u] = weighting === 'top' || deg === 0 ? 1 : weighting === 'lin' ? 1 / deg : 1 / Math.log2(1 + deg);
  }
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = i;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const votes = new Float64Array(n);
  const touched = new Int32Array(n);
  const rng = new Rng(o.seed ?? 1);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    if (o.signal?.aborted) throw new WordloomError('E_STATE', 'cancelled', {}, undefined, { cause: o.signal.reason });
    rng.shuffle(order);
    let changed = 0;
    for (let p = 0; p < n; p++) {
      const v = order[p]!;
      const b = offsets[v]!;
      const e = offsets[v + 1]!;
      if (b === e) continue;
      let nt = 0;
      for (let q = b; q < e; q++) {
        const u = targets[q]!;
        const l = labels[u]!;
        if (votes[l] === 0) touched[nt++] = l;
        votes[l] += weights[q]! * damp[u]!;
      }
      let best = -1;
      let bestVote = -1;
      for (let t = 0; t < nt; t++) {
        const l = touched[t]!;
        const s = votes[l]!;
        if (s > bestVote || (s === bestVote && l < best)) {
          best = l;
          bestVote = s;
        }
        votes[l] = 0;
      }
      if (best !== labels[v]) {
        labels[v] = best;
        changed++;
      }
    }
    iterations++;
    o.onIteration?.(iterations, changed);
    if (changed === 0) {
      converged = true;
      break;
    }
  }
  return finishClusters(labels, `chinese-whispers (${weighting})`, { names: g.names, vectors: g.vectors, iterations, converged }, 'size', o.min_cluster_size ?? 1);
}

export interface ChineseWhispersParams {
  weighting: CwWeighting;
  max_iter: number;
  min_cluster_size: number;
  edges?: string;
  seed?: number;
}

export const chineseWhispersParams: ParamSpecs = {
  weighting: { type: 'enum', values: ['top', 'lin', 'log'], default: 'top', doc: "a neighbour's vote: edge weight ('top'), divided by its degree ('lin') or by log2(1 + degree) ('log')" },
  max_iter: { type: 'int', default: 20, min: 1, doc: 'stop after this many passes if labels still change' },
  min_cluster_size: { type: 'int', default: 1, min: 1, doc: 'clusters smaller than this are labelled noise (-1)' },
  edges: { type: 'path', optional: true, mustExist: true, doc: 'read the graph from an edge list ("a b weight" lines, undirected) instead of the graph input' },
  seed: { type: 'int', optional: true, min: 0, doc: 'seed of the random node order (default: the pipeline seed)' },
};

export const chineseWhispersOp = defineOp<ChineseWhispersParams, ClustersArtifact>({
  name: 'chinese-whispers',
  summary: 'Chinese Whispers graph clustering (Biemann 2006): no number of clusters to choose; top, lin and log weighting.',
  params: chineseWhispersParams,
  inputs: { graph: { kind: 'graph', optional: true, doc: 'a weighted graph (a knn-graph node), or name an edge-list file in the edges param' } },
  output: 'clusters',
  run: async (inputs, params, ctx) => {
    let g = inputs.graph as GraphArtifact | undefined;
    if (!g && params.edges) g = await readEdgeList(resolve(ctx.baseDir, params.edges));
    if (!g) throw new WordloomError('E_GRAPH', 'chinese-whispers needs a graph', { node: ctx.node }, 'wire a knn-graph node to its graph input, or name an edge-list file in the edges param');
    const c = chineseWhispers(g, {
      weighting: params.weighting,
      max_iter: params.max_iter,
      min_cluster_size: params.min_cluster_size,
      seed: params.seed ?? ctx.seed,
      signal: ctx.signal,
      onIteration: (it, changed) => ctx.progress({ phase: 'iteration', iteration: it, done: it, total: params.max_iter, unit: 'iterations', metrics: { changed } }),
    });
    if (!c.converged) ctx.log(`labels still changed after max_iter = ${params.max_iter} passes`);
    ctx.progress({ phase: 'done', metrics: { clusters: c.count, largest: c.sizes[0] ?? 0, singletons: c.sizes.filter((s) => s === 1).length, iterations: c.iterations ?? 0 } });
    return c;
  },
});
