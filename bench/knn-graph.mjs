#!/usr/bin/env node
/**
 * knn-graph benchmark: the N nearest neighbours of every row (exact cosine), as
 * the knn-graph op computes them, on
 *   - the WebAssembly f32x4 kernel (backend 'wasm') on 1 and --threads workers,
 *   - the plain TypeScript loops of knn (backend 'typescript', the pre-existing
 *     all-rows top-k) on --threads workers: the baseline,
 *   - gpu.js (backend 'gpu'; on a machine without a GPU its WebAssembly backend),
 *     with --gpu,
 * then how the wasm kernel grows with the number of rows (--scale), and the
 * chinese-whispers pass on the graph. Vectors: seeded Gaussian rows (the cost of
 * an exact search does not depend on the values) or a vectors file (--vectors,
 * first --rows rows). Timings are whole calls (normalizing, kernel compile, worker
 * start, CSR), best of --runs.
 *
 *   node bench/knn-graph.mjs                               # 20,000 x 50, N = 30, best of 3, 2 threads
 *   node bench/knn-graph.mjs --runs 2 --scale 50000,100000 --gpu
 *   node bench/knn-graph.mjs --skip-typescript --scale ''  # just the wasm kernel
 */
const OPS = new URL('../packages/ops/dist/src/index.js', import.meta.url).href;
const CORE = new URL('../packages/core/dist/src/index.js', import.meta.url).href;

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const flag = (name) => process.argv.includes(`--${name}`);

const rows = Number(arg('rows', 20000));
const dim = Number(arg('dim', 50));
const n = Number(arg('n', 30));
const runs = Number(arg('runs', 3));
const threads = Number(arg('threads', 2));
const scale = String(arg('scale', '50000,100000')).split(',').filter(Boolean).map(Number);

const { knnGraph, readVectors, chineseWhispers } = await import(OPS);
const { Embeddings, Rng } = await import(CORE);

function gaussian(r, seed = 1) {
  const rng = new Rng(seed);
  const d = new Float32Array(r * dim);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  return new Embeddings(Array.from({ length: r }, (_, i) => `w${i}`), dim, d);
}

async function best(label, fn) {
  let bestMs = Infinity;
  let out;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    out = await fn();
    bestMs = Math.min(bestMs, performance.now() - t0);
  }
  return { label, ms: bestMs, out };
}

const file = arg('vectors');
const vectors = file ? (await readVectors(file, { limit: rows })) : gaussian(rows);
console.log(`knn-graph: ${vectors.size.toLocaleString('en-US')} x ${vectors.dim}, N = ${n}, best of ${runs}, node ${process.version}`);
const results = [];
const one = await best('wasm, 1 thread', () => knnGraph(vectors, { n, backend: 'wasm', threads: 1 }));
results.push(one);
const two = await best(`wasm, ${threads} threads`, () => knnGraph(vectors, { n, backend: 'wasm', threads }));
results.push(two);
let ts;
if (!flag('skip-typescript')) {
  ts = await best(`typescript, ${threads} threads`, () => knnGraph(vectors, { n, backend: 'typescript', threads }));
  results.push(ts);
}
if (flag('gpu')) results.push(await best('gpu.js', () => knnGraph(vectors, { n, backend: 'gpu', threads })));
for (const r of results) {
  const ratio = ts ? `  (${(ts.ms / r.ms).toFixed(1)}x the TypeScript loop)` : '';
  console.log(`  ${r.label.padEnd(24)} ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${((vectors.size * vectors.size * vectors.dim) / r.ms / 1e6).toFixed(2)} G multiply-adds/s  ${r.out.source}${ratio}`);
}
const cw = await best('chinese-whispers', () => chineseWhispers(two.out, { seed: 1 }));
console.log(`  chinese-whispers on it  ${(cw.ms / 1000).toFixed(2).padStart(7)} s  ${cw.out.count} clusters, ${cw.out.iterations} iterations (${two.out.targets.length.toLocaleString('en-US')} edge entries)`);

if (scale.length) {
  console.log(`\nscaling (wasm, ${threads} threads, Gaussian rows, best of ${Math.min(runs, 2)}):`);
  let prev = { r: vectors.size, ms: two.ms };
  console.log(`  ${String(prev.r).padStart(7)} rows ${(prev.ms / 1000).toFixed(2).padStart(7)} s`);
  for (const r of scale) {
    const v = gaussian(r, 2);
    let bestMs = Infinity;
    for (let k = 0; k < Math.min(runs, 2); k++) {
      const t0 = performance.now();
      await knnGraph(v, { n, backend: 'wasm', threads });
      bestMs = Math.min(bestMs, performance.now() - t0);
    }
    const growth = bestMs / prev.ms;
    console.log(`  ${String(r).padStart(7)} rows ${(bestMs / 1000).toFixed(2).padStart(7)} s  (x${growth.toFixed(2)} for x${(r / prev.r).toFixed(2)} rows; quadratic would be x${((r / prev.r) ** 2).toFixed(2)})`);
    prev = { r, ms: bestMs };
  }
}
