import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Embeddings, Rng, WordloomError } from '@wordloom/core';
import { knnGraph } from '../src/knn-graph/index.js';
import { chineseWhispers, chineseWhispersOp, parseEdgeList } from '../src/chinese-whispers/index.js';
import { dbscan, dbscanOp } from '../src/dbscan/index.js';
import { adjustedRandIndex, normalizedMutualInfo, purity } from '../src/clusters/quality.js';
import type { ClustersArtifact, GraphArtifact } from '../src/artifacts.js';
import { standaloneContext } from '../src/op.js';
import { findOperator } from '../src/registry.js';
import { dataPath, tempDir } from './helpers.js';
import { blobs, rejects } from './cluster-helpers.js';

interface Fixture {
  dim: number;
  data: number[];
  dbscan: { metric: 'cosine' | 'euclidean'; eps: number; min_samples: number; labels: number[] }[];
  scores: { truth: number[]; pred: number[]; ari: number; nmi: number }[];
  dbscan_order: { name: string; dim: number; data: number[]; eps: number; min_samples: number; labels: number[] }[];
}
// scikit-learn 1.2 (scripts/make_cluster_fixture.py).
const FIX = JSON.parse(readFileSync(dataPath('fixtures/cluster-sklearn.json'), 'utf8')) as Fixture;

test('dbscan: the same labels as scikit-learn (cosine and euclidean, several eps and min_samples)', async () => {
  const n = FIX.data.length / FIX.dim;
  const v = new Embeddings(Array.from({ length: n }, (_, i) => `p${i}`), FIX.dim, Float32Array.from(FIX.data));
  // Eight settings: four euclidean, four cosine.
  assert.equal(FIX.dbscan.map((r) => r.metric), ['euclidean', 'euclidean', 'euclidean', 'euclidean', 'cosine', 'cosine', 'cosine', 'cosine']);
  let checked = 0;
  for (const run of FIX.dbscan) {
    const c = await dbscan(v, { eps: run.eps, min_samples: run.min_samples, metric: run.metric });
    assert.is(run.labels.length, n);
    assert.equal(Array.from(c.labels), run.labels, `${run.metric} eps=${run.eps} min_samples=${run.min_samples}`);
    checked++;
  }
  assert.is(checked, 8);
});

test("dbscan numbers clusters in scikit-learn's order of discovery (first core point in index order), not by lowest member", async () => {
  assert.is(FIX.dbscan_order.length, 3);
  const [first] = FIX.dbscan_order;
  assert.equal(first!.labels, [1, 0, 0, 1, 1, 0, 1]);
  for (const run of FIX.dbscan_order) {
    const n = run.data.length / run.dim;
    const v = new Embeddings(Array.from({ length: n }, (_, i) => `p${i}`), run.dim, Float32Array.from(run.data));
    const c = await dbscan(v, { eps: run.eps, min_samples: run.min_samples, metric: 'euclidean' });
    assert.equal(Array.from(c.labels), run.labels, run.name);
    const sizes = Array.from({ length: c.count }, (_, k) => run.labels.filter((l) => l === k).length);
    assert.equal(Array.from(c.sizes), sizes, `${run.name}: sizes by cluster id`);
  }
});

test('quality: ARI and NMI equal scikit-learn; purity by hand', () => {
  assert.is(FIX.scores.length, 7, 'scikit-learn score cases');
  let checked = 0;
  for (const s of FIX.scores) {
    checked++;
    assert.ok(Math.abs(adjustedRandIndex(s.truth, s.pred) - s.ari) < 1e-12, `ARI ${adjustedRandIndex(s.truth, s.pred)} vs ${s.ari}`);
    assert.ok(Math.abs(normalizedMutualInfo(s.truth, s.pred) - s.nmi) < 1e-12, `NMI ${normalizedMutualInfo(s.truth, s.pred)} vs ${s.nmi}`);
  }
  assert.is(checked, 7);
  assert.is(adjustedRandIndex([0, 0, 1, 1], [5, 5, 3, 3]), 1);
  assert.is(purity([0, 0, 1, 1, 2, 2], [0, 0, 0, 1, 1, 1]), 4 / 6);
  assert.is(purity([0, 1, 2], [7, 7, 7]), 1 / 3);
  assert.is(purity([0, 0, 1], [0, 1, 2]), 1);
});

test('planted blobs in 50 dimensions with noise: dbscan and knn-graph + chinese-whispers recover them, noise stays noise', async () => {
  const { vectors, truth } = blobs(8, 60, 50, 40, 3);
  const d = await dbscan(vectors, { eps: 0.1, min_samples: 5, metric: 'cosine' });
  assert.ok(adjustedRandIndex(truth, d.labels) >= 0.95, `dbscan cosine ARI ${adjustedRandIndex(truth, d.labels)}`);
  const de = await dbscan(vectors, { eps: 6, min_samples: 5, metric: 'euclidean' });
  assert.ok(adjustedRandIndex(truth, de.labels) >= 0.95, `dbscan euclidean ARI ${adjustedRandIndex(truth, de.labels)}`);
  for (const c of [d, de]) for (let i = 0; i < truth.length; i++) if (truth[i] === -1) assert.is(c.labels[i], -1, `noise point ${i}`);
  assert.is(d.count, 8);
  const g = await knnGraph(vectors, { n: 10, min_similarity: 0.7 });
  for (const weighting of ['top', 'lin', 'log'] as const) {
    const cw = chineseWhispers(g, { weighting, seed: 3, min_cluster_size: 2 });
    const ari = adjustedRandIndex(truth, cw.labels);
    assert.ok(ari >= 0.95, `chinese-whispers ${weighting} ARI ${ari}`);
    assert.ok(normalizedMutualInfo(truth, cw.labels) >= 0.95);
    assert.ok(purity(truth, cw.labels) >= 0.95);
    for (let i = 0; i < truth.length; i++) if (truth[i] === -1) assert.is(cw.labels[i], -1, `noise point ${i} (${weighting})`);
    assert.ok(cw.converged);
  }
});

/** A planted-partition graph as edge-list text: `groups` groups of `size` nodes, an edge within a group with probability pIn, across with pOut. */
function plantedPartition(groups: number, size: number, pIn: number, pOut: number, seed: number): { text: string; truth: Map<string, number> } {
  const rng = new Rng(seed);
  const lines: string[] = ['# planted partition'];
  const truth = new Map<string, number>();
  const n = groups * size;
  for (let i = 0; i < n; i++) truth.set(`n${i}`, i % groups);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const same = i % groups === j % groups;
      if (rng.next() < (same ? pIn : pOut)) lines.push(`n${i}\tn${j}\t${(0.5 + rng.next()).toFixed(3)}`);
    }
  }
  return { text: lines.join('\n') + '\n', truth };
}

test('planted-partition graph from an edge list: chinese-whispers recovers the groups', () => {
  const { text, truth } = plantedPartition(6, 40, 0.3, 0.01, 5);
  const g = parseEdgeList(text, 'planted.txt');
  for (const weighting of ['top', 'lin', 'log'] as const) {
    const c = chineseWhispers(g, { weighting, seed: 11 });
    const t = g.names!.map((w) => truth.get(w)!);
    const ari = adjustedRandIndex(t, c.labels);
    assert.ok(ari >= 0.95, `${weighting}: ARI ${ari}`);
  }
});

test('chinese-whispers: singletons stay singletons, ties to the smallest label, deterministic for a seed', () => {
  // Two triangles, an isolated pair, and node 8 with no edges at all (nodes 0..8).
  const g = parseEdgeList('a b\nb c\na c\nd e\ne f\nd f\ng h 2\n');
  const lone: GraphArtifact = { ...g, n: g.n + 1, offsets: Int32Array.from([...g.offsets, g.offsets[g.n]!]), names: [...g.names!, 'z'] };
  const c = chineseWhispers(lone, { seed: 1 });
  const lab = (w: string) => c.labels[lone.names!.indexOf(w)]!;
  assert.is(lab('a'), lab('b'));
  assert.is(lab('b'), lab('c'));
  assert.is(lab('d'), lab('f'));
  assert.is.not(lab('a'), lab('d'));
  assert.is(lab('g'), lab('h'));
  assert.is(c.count, 4);
  assert.equal(Array.from(c.sizes), [3, 3, 2, 1]);
  assert.is(c.noise, 0);
  const again = chineseWhispers(lone, { seed: 1 });
  assert.equal(Array.from(again.labels), Array.from(c.labels));
  // min_cluster_size turns the lone node into noise.
  const m = chineseWhispers(lone, { seed: 1, min_cluster_size: 2 });
  assert.is(m.labels[8], -1);
  assert.is(m.noise, 1);
});

test("chinese-whispers weighting: 'lin' and 'log' damp a hub's vote by its degree", () => {
  // Hub H1 with 10 leaves, hub H2 with 3 leaves; v hangs on both (1.0 to H1, 0.9 to H2).
  const lines = ['v H1 1.0', 'v H2 0.9'];
  for (let i = 0; i < 10; i++) lines.push(`H1 a${i} 1`);
  for (let i = 0; i < 3; i++) lines.push(`H2 b${i} 1`);
  const g = parseEdgeList(lines.join('\n'));
  const id = (w: string) => g.names!.indexOf(w);
  for (const seed of [1, 2, 3, 4, 5]) {
    const top = chineseWhispers(g, { weighting: 'top', seed });
    assert.is(top.labels[id('v')], top.labels[id('H1')], `top, seed ${seed}`); // 1.0 > 0.9
    const lin = chineseWhispers(g, { weighting: 'lin', seed });
    assert.is(lin.labels[id('v')], lin.labels[id('H2')], `lin, seed ${seed}`); // 1/11 < 0.9/4
    const log = chineseWhispers(g, { weighting: 'log', seed });
    assert.is(log.labels[id('v')], log.labels[id('H2')], `log, seed ${seed}`); // 1/log2(12) < 0.9/log2(5)
  }
});

test('bad input: zero or negative weights, eps <= 0, NaN vectors, empty matrix', async () => {
  await rejects(() => parseEdgeList('a b 1\nb c 0\n', 'e.txt'), (e) => e instanceof WordloomError && e.where.file === 'e.txt' && e.where.line === 2 && /positive/.test(e.message));
  await rejects(() => parseEdgeList('a b -2\n', 'e.txt'), (e) => e instanceof WordloomError && e.where.line === 1);
  await rejects(() => parseEdgeList('a b x\n', 'e.txt'), (e) => e instanceof WordloomError && /not a number/.test(e.message));
  const g: GraphArtifact = { n: 2, offsets: Int32Array.from([0, 1, 2]), targets: Int32Array.from([1, 0]), weights: Float32Array.from([-0.5, -0.5]), directed: false, names: ['x', 'y'] };
  await rejects(() => chineseWhispers(g), (e) => e instanceof WordloomError && /weight -0.5/.test(e.message) && /min_similarity/.test(e.message));
  const v = blobs(2, 5, 4, 0, 1).vectors;
  for (const eps of [0, -1]) await rejects(() => dbscan(v, { eps }), (e) => e instanceof WordloomError && e.where.param === 'eps');
  const bad = new Embeddings(['a', 'b'], 2, Float32Array.from([1, NaN, 0, 1]));
  await rejects(() => dbscan(bad, { eps: 0.5 }), (e) => e instanceof WordloomError && e.where.word === 'a' && /NaN/.test(e.message));
  await rejects(() => dbscan(new Embeddings([], 3, new Float32Array(0)), { eps: 0.5 }), (e) => e instanceof WordloomError && /empty/.test(e.message));
  // eps so large that every point neighbours every other: refused past the pair budget, not out of memory.
  await rejects(() => dbscan(blobs(4, 25, 8, 0, 2).vectors, { eps: 2, maxPairs: 5000 }), (e) => e instanceof WordloomError && e.where.param === 'eps' && /smaller eps/.test(e.message));
});

test('ops: chinese-whispers reads an edge-list file, dbscan reads a vectors file; both registered', async () => {
  assert.is(findOperator('chinese-whispers'), chineseWhispersOp);
  assert.is(findOperator('dbscan'), dbscanOp);
  const t = tempDir();
  try {
    const f = join(t.dir, 'edges.txt');
    writeFileSync(f, 'x y 1\ny z 1\nx z 1\nu w 1\n');
    const c = (await chineseWhispersOp.run({}, { weighting: 'top', max_iter: 20, min_cluster_size: 1, edges: 'edges.txt' }, standaloneContext({ baseDir: t.dir }))) as ClustersArtifact;
    assert.equal(Array.from(c.sizes), [3, 2]);
    assert.equal(c.names, ['x', 'y', 'z', 'u', 'w']);
  } finally {
    t.cleanup();
  }
  const d = (await dbscanOp.run({}, { eps: 0.3, min_samples: 3, metric: 'cosine', vectors: dataPath('fixtures/wt2-sg-d20-300.txt') }, standaloneContext())) as ClustersArtifact;
  assert.is(d.labels.length, 300);
  assert.ok(d.count >= 1 && d.noise > 0, `${d.count} clusters, ${d.noise} noise`);
});

test.run();
