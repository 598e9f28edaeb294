import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Embeddings, WordloomError } from '@wordloom/core';
import { readVectors } from '../src/io/vectors.js';
import { unitEmbeddings } from '../src/knn/index.js';
import { knnGraph, simdAllTopK, simdRadiusNeighbors, csrFromTopK, knnGraphOp } from '../src/knn-graph/index.js';
import { standaloneContext } from '../src/op.js';
import { findOperator } from '../src/registry.js';
import type { GraphArtifact } from '../src/artifacts.js';
import { dataPath } from './helpers.js';
import { rejects, randomMatrix } from './cluster-helpers.js';

/** Float64 brute-force top-k of row q (never q itself), ties to the lower row. */
function brute(u: Embeddings, q: number, k: number): { idx: number[]; sc: number[] } {
  const all: [number, number][] = [];
  for (let r = 0; r < u.size; r++) {
    if (r === q) continue;
    let s = 0;
    for (let j = 0; j < u.dim; j++) s += u.data[q * u.dim + j]! * u.data[r * u.dim + j]!;
    all.push([s, r]);
  }
  all.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  return { idx: all.slice(0, k).map((x) => x[1]), sc: all.slice(0, k).map((x) => x[0]) };
}

test('wasm SIMD top-k of every row equals brute force (odd sizes and dimensions, 1 and 2 threads)', async () => {
  for (const [rows, dim, k, threads] of [[9, 3, 8, 1], [37, 5, 7, 1], [301, 50, 12, 1], [1030, 20, 30, 2]] as const) {
    const u = unitEmbeddings(randomMatrix(rows, dim, rows));
    const r = await simdAllTopK(u, k, { threads });
    for (let q = 0; q < rows; q++) {
      const b = brute(u, q, k);
      for (let j = 0; j < k; j++) {
        const i = q * k + j;
        assert.ok(Math.abs(r.scores[i]! - b.sc[j]!) < 1e-6, `${rows}x${dim} row ${q} slot ${j}: ${r.scores[i]} vs ${b.sc[j]}`);
        if (r.indices[i] !== b.idx[j]) assert.ok(Math.abs(b.sc[j]! - b.sc[j + (j + 1 < k ? 1 : -1)]!) < 1e-6, `row ${q} slot ${j} differs without a tie`);
      }
    }
  }
});

test('wasm SIMD top-k: exact ties (duplicate rows) resolve to the lower row, the same on 1 and 2 worker threads', async () => {
  // 700 rows: 140 distinct vectors, each 5 times, so every list holds exact ties.
  const base = randomMatrix(140, 12, 5);
  const d = new Float32Array(700 * 12);
  for (let i = 0; i < 700; i++) d.set(base.data.subarray((i % 140) * 12, (i % 140 + 1) * 12), i * 12);
  const u = unitEmbeddings(new Embeddings(Array.from({ length: 700 }, (_, i) => `w${i}`), 12, d));
  const one = await simdAllTopK(u, 9, { threads: 1 });
  const two = await simdAllTopK(u, 9, { threads: 2, parallelThreshold: 0 });
  assert.is(two.backend, 'wasm-simd:2-threads');
  assert.equal(Array.from(two.indices), Array.from(one.indices));
  assert.equal(Array.from(two.scores), Array.from(one.scores));
  for (let q = 0; q < 700; q++) {
    const row = Array.from(one.indices.subarray(q * 9, q * 9 + 9));
    // The 4 copies of q come first (cosine 1), lowest row first, then the next vector's copies in row order.
    const copies = [0, 1, 2, 3, 4].map((c) => (q % 140) + 140 * c).filter((r) => r !== q);
    assert.equal(row.slice(0, 4), copies, `row ${q}`);
    for (let j = 4; j < 8; j++) if (one.scores[q * 9 + j] === one.scores[q * 9 + j + 1]) assert.ok(row[j]! < row[j + 1]!, `row ${q} ties ascending`);
  }
  // Against brute force on the pooled path, where scores are not near ties.
  const v = unitEmbeddings(randomMatrix(1500, 16, 8));
  const r = await simdAllTopK(v, 20, { threads: 2, parallelThreshold: 0 });
  for (let q = 0; q < 1500; q += 7) {
    const b = brute(v, q, 20);
    for (let j = 0; j < 20; j++) {
      assert.ok(Math.abs(r.scores[q * 20 + j]! - b.sc[j]!) < 1e-6);
      if (r.indices[q * 20 + j] !== b.idx[j]) assert.ok(Math.abs(b.sc[j]! - b.sc[j + (j + 1 < 20 ? 1 : -1)]!) < 1e-6, `row ${q} slot ${j}`);
    }
  }
});

test('knn-graph: symmetric, mutual and directed CSR from the same lists', async () => {
  const v = randomMatrix(200, 8, 7);
  const d = await knnGraph(v, { n: 5, mode: 'directed' });
  const s = await knnGraph(v, { n: 5, mode: 'symmetric' });
  const m = await knnGraph(v, { n: 5, mode: 'mutual' });
  const edges = (g: GraphArtifact) => {
    const set = new Map<string, number>();
    for (let i = 0; i < g.n; i++) {
      for (let p = g.offsets[i]!; p < g.offsets[i + 1]!; p++) {
        if (p > g.offsets[i]!) assert.ok(g.targets[p]! > g.targets[p - 1]!, 'targets ascending, no duplicates');
        assert.is.not(g.targets[p], i, 'no self loops');
        set.set(`${i} ${g.targets[p]}`, g.weights[p]!);
      }
    }
    return set;
  };
  const de = edges(d);
  const se = edges(s);
  const me = edges(m);
  assert.is(de.size, 200 * 5);
  assert.ok(d.directed && !s.directed && !m.directed);
  for (const [key, w] of de) {
    const [a, b] = key.split(' ');
    assert.is(se.get(key), w);
    assert.is(se.get(`${b} ${a}`), w, 'symmetric stores both ways with the same weight');
    assert.is(me.has(key), de.has(`${b} ${a}`), 'mutual = both directions listed');
  }
  for (const key of se.keys()) {
    const [a, b] = key.split(' ');
    assert.ok(de.has(key) || de.has(`${b} ${a}`), 'symmetric adds nothing else');
  }
  // Weights are the cosines, each row's list the 5 best.
  const u = unitEmbeddings(v);
  for (const q of [0, 17, 199]) {
    const b = brute(u, q, 5);
    const got = [...de.keys()].filter((k) => k.startsWith(`${q} `)).map((k) => Number(k.split(' ')[1])).sort((x, y) => x - y);
    assert.equal(got, [...b.idx].sort((x, y) => x - y));
  }
  const ms = await knnGraph(v, { n: 5, mode: 'directed', min_similarity: 0.6 });
  for (const w of ms.weights) assert.ok(w >= 0.6);
  assert.ok(ms.targets.length < de.size);
});

test('knn-graph: every backend gives the same graph', async () => {
  const v = await readVectors(dataPath('fixtures/wt2-sg-d20-300.txt'));
  const gs = [];
  for (const backend of ['wasm', 'typescript', 'gpu'] as const) gs.push(await knnGraph(v, { n: 10, backend }));
  for (const g of gs.slice(1)) {
    assert.equal(Array.from(g.offsets), Array.from(gs[0]!.offsets));
    assert.equal(Array.from(g.targets), Array.from(gs[0]!.targets));
    for (let i = 0; i < g.weights.length; i++) assert.ok(Math.abs(g.weights[i]! - gs[0]!.weights[i]!) < 1e-6);
  }
  assert.ok(gs[0]!.source!.includes('wasm-simd'), gs[0]!.source);
});

test('radius neighbourhoods: cosine and euclidean, self included, exact at the boundary', async () => {
  const v = randomMatrix(150, 6, 11);
  for (const [metric, eps] of [['cosine', 0.3], ['euclidean', 2.5]] as const) {
    const r = await simdRadiusNeighbors(v, metric, eps);
    for (let a = 0; a < v.size; a++) {
      const want: number[] = [];
      for (let b = 0; b < v.size; b++) {
        let dot = 0, na = 0, nb = 0, d2 = 0;
        for (let j = 0; j < v.dim; j++) {
          const x = v.data[a * v.dim + j]!, y = v.data[b * v.dim + j]!;
          dot += x * y; na += x * x; nb += y * y; d2 += (x - y) ** 2;
        }
        const dist = metric === 'cosine' ? (a === b ? 0 : 1 - dot / Math.sqrt(na) / Math.sqrt(nb)) : Math.sqrt(d2);
        if (dist <= eps) want.push(b);
      }
      assert.equal(Array.from(r.targets.subarray(r.offsets[a]!, r.offsets[a + 1]!)), want, `${metric} row ${a}`);
    }
  }
});

test('knn-graph: clear errors for NaN, empty, n too large', async () => {
  const v = randomMatrix(10, 4, 1);
  v.data[4 * 3 + 2] = NaN;
  await rejects(() => knnGraph(v, { n: 3 }), (e: unknown) => e instanceof WordloomError && e.code === 'E_INPUT' && /NaN at row 3/.test(e.message) && e.where.word === 'w3');
  await rejects(() => knnGraph(new Embeddings([], 4, new Float32Array(0)), { n: 3 }), (e: unknown) => e instanceof WordloomError && /empty/.test(e.message));
  await rejects(() => knnGraph(randomMatrix(10, 4, 2), { n: 10 }), (e: unknown) => e instanceof WordloomError && e.where.param === 'n' && /n <= 9/.test(e.message));
});

test('knn-graph op: registered, reads a vectors file from its param, limit keeps the first rows', async () => {
  assert.is(findOperator('knn-graph'), knnGraphOp);
  const g = (await knnGraphOp.run({}, { n: 5, mode: 'symmetric', backend: 'auto', vectors: dataPath('fixtures/wt2-sg-d20-300.txt'), limit: 100 }, standaloneContext())) as GraphArtifact;
  assert.is(g.n, 100);
  assert.is(g.names![0], 'the');
  assert.ok(g.vectors && g.vectors.size === 100);
  await rejects(async () => knnGraphOp.run({}, { n: 5, mode: 'symmetric', backend: 'auto' }, standaloneContext()), (e: unknown) => e instanceof WordloomError && /needs vectors/.test(e.message));
});

test('csrFromTopK: -1 slots and min_similarity cut lists', () => {
  const idx = Int32Array.from([1, 2, 0, -1, 0, 1]);
  const sc = Float32Array.from([0.9, 0.1, 0.9, -Infinity, 0.5, 0.2]);
  const g = csrFromTopK(3, 2, idx, sc, 0.3, 'symmetric');
  assert.equal(Array.from(g.offsets), [0, 2, 3, 4]);
  assert.equal(Array.from(g.targets), [1, 2, 0, 0]);
});

test.run();
