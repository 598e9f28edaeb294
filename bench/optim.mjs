#!/usr/bin/env node
/**
 * Optimizer benchmark: the time of one step with a sparse gradient of 1,000 rows
 * against the same step done densely (the same gradient as a full table, zeros
 * elsewhere), as the table grows to 10k, 100k and 1M rows of dim 100. The sparse
 * step includes coalescing the (unsorted) rows; the dense step is the optimizer's
 * step alone (the densified gradient is built beforehand). Best of --runs timed
 * steps after a warm-up; one thread.
 *
 *   node bench/optim.mjs                   # rows 10000,100000,1000000, dim 100, 1000 gradient rows
 *   node bench/optim.mjs --rows 10000,100000 --runs 5
 */
const CORE = new URL('../packages/core/dist/src/index.js', import.meta.url).href;
const { Parameter, Adam, SparseAdam, LazyAdam, Adagrad, SMORMS3, SGD, Rng } = await import(CORE);

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const sizes = String(arg('rows', '10000,100000,1000000')).split(',').map(Number);
const dim = Number(arg('dim', 100));
const nnz = Number(arg('grad-rows', 1000));
const runs = Number(arg('runs', 5));

// pairs: [label, sparse optimizer, dense optimizer]
const PAIRS = [
  ['SparseAdam vs Adam', (p) => new SparseAdam([p], { lr: 1e-3 }), (p) => new Adam([p], { lr: 1e-3 })],
  ['LazyAdam', (p) => new LazyAdam([p], { lr: 1e-3 }), (p) => new LazyAdam([p], { lr: 1e-3 })],
  ['Adagrad', (p) => new Adagrad([p], { lr: 1e-2 }), (p) => new Adagrad([p], { lr: 1e-2 })],
  ['SMORMS3', (p) => new SMORMS3([p], { lr: 1e-3 }), (p) => new SMORMS3([p], { lr: 1e-3 })],
  ['SGD', (p) => new SGD([p], { lr: 1e-2 }), (p) => new SGD([p], { lr: 1e-2 })],
];

function best(fn, n) {
  fn(); // warm-up
  fn();
  let b = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}

const rng = new Rng(7);
const out = [];
console.log(`one optimizer step, table rows x ${dim}, sparse gradient of ${nnz} rows (unsorted, ~${nnz} distinct), best of ${runs}\n`);
console.log('| optimizer | table rows | sparse step (ms) | dense step (ms) | dense / sparse |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const rows of sizes) {
  const grows = new Int32Array(nnz);
  for (let i = 0; i < nnz; i++) grows[i] = rng.int(rows);
  const gvals = new Float32Array(nnz * dim);
  for (let i = 0; i < gvals.length; i++) gvals[i] = rng.normal() * 0.1;
  const dense = new Float32Array(rows * dim);
  for (let k = 0; k < nnz; k++) for (let b = 0; b < dim; b++) dense[grows[k] * dim + b] += gvals[k * dim + b];
  for (const [label, mkSparse, mkDense] of PAIRS) {
    const ps = new Parameter([rows, dim], { name: 'table' });
    const os = mkSparse(ps);
    const sparseMs = best(() => {
      ps.setSparseGrad(grows, gvals);
      os.step();
    }, runs * 20);
    const pd = new Parameter([rows, dim], { name: 'table' });
    const od = mkDense(pd);
    const denseMs = best(() => {
      pd.setGrad(dense);
      od.step();
    }, rows >= 1e6 ? runs : runs * 4);
    out.push({ label, rows, sparseMs, denseMs });
    console.log(`| ${label} | ${rows.toLocaleString('en-US')} | ${sparseMs.toFixed(3)} | ${denseMs.toFixed(2)} | ${(denseMs / sparseMs).toFixed(0)}x |`);
  }
}
