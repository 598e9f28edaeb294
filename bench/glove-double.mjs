#!/usr/bin/env node
// A yardstick for the quality figures: glove.c's update transliterated in double
// precision, one thread, on the main job's co-occurrences (WikiText-2, 20,487 words,
// window 15, dim 50, x_max 10, 15 iterations), then the same evaluation.
//   node bench/glove-double.mjs once 1    # shuffled once, same order every iteration (as glove.c + shuffle)
//   node bench/glove-double.mjs every 1   # a fresh order every iteration (as wordloom)
// About 30 s an iteration: this is the plain loop the SIMD kernel replaces.
import { mainJobCooccurrences, mainJobEval } from './lib/main-job.mjs';

const CORE = new URL('../packages/core/dist/src/index.js', import.meta.url).href;
const { Rng, Embeddings } = await import(CORE);
const mode = process.argv[2] === 'every' ? 'every' : 'once';
const seed = Number(process.argv[3] || 1);
const { ops, vocab, cooc } = await mainJobCooccurrences({ threads: 1 });
const V = vocab.size, dim = 50, D = dim + 1, xmax = 10, alpha = 0.75, eta = 0.05;
const rng = new Rng(seed);
const W = new Float64Array(2 * V * D);
for (let i = 0; i < W.length; i++) W[i] = (rng.next() - 0.5) / dim;
const G = new Float64Array(2 * V * D).fill(1);
const n = cooc.size;
const order = new Int32Array(n); for (let i = 0; i < n; i++) order[i] = i;
const u1 = new Float64Array(dim), u2 = new Float64Array(dim);
const logx = new Float64Array(n), fx = new Float64Array(n);
for (let k = 0; k < n; k++) { const x = cooc.val[k]; logx[k] = Math.log(x); fx[k] = x > xmax ? 1 : Math.pow(x / xmax, alpha); }
rng.shuffle(order);
for (let it = 1; it <= 15; it++) {
  if (mode === 'every' && it > 1) rng.shuffle(order);
  let cost = 0; const t0 = performance.now();
  for (let q = 0; q < n; q++) {
    const k = order[q];
    const l1 = cooc.row[k] * D, l2 = (cooc.col[k] + V) * D;
    let diff = 0;
    for (let b = 0; b < dim; b++) diff += W[b + l1] * W[b + l2];
    diff += W[dim + l1] + W[dim + l2] - logx[k];
    const fdiff = fx[k] * diff;
    cost += 0.5 * fdiff * diff;
    for (let b = 0; b < dim; b++) {
      let t1 = fdiff * W[b + l2]; t1 = (t1 > 100 ? 100 : t1 < -100 ? -100 : t1) * eta;
      let t2 = fdiff * W[b + l1]; t2 = (t2 > 100 ? 100 : t2 < -100 ? -100 : t2) * eta;
      u1[b] = t1 / Math.sqrt(G[b + l1]); u2[b] = t2 / Math.sqrt(G[b + l2]);
      G[b + l1] += t1 * t1; G[b + l2] += t2 * t2;
    }
    for (let b = 0; b < dim; b++) { W[b + l1] -= u1[b]; W[b + l2] -= u2[b]; }
    W[dim + l1] -= fdiff / Math.sqrt(G[dim + l1]); W[dim + l2] -= fdiff / Math.sqrt(G[dim + l2]);
    const f2 = fdiff * fdiff; G[dim + l1] += f2; G[dim + l2] += f2;
  }
  console.error(`${mode} seed ${seed} iter ${it} cost ${(cost / n).toFixed(6)} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
const out = new Float32Array(V * dim);
for (let a = 0; a < V; a++) for (let b = 0; b < dim; b++) out[a * dim + b] = W[a * D + b] + W[(V + a) * D + b];
const emb = new Embeddings(vocab.words, dim, out);
const ev = await ops.evaluateVectors(emb, mainJobEval);
console.log(mode, seed, 'analogy', ev.analogy[0].accuracy.toFixed(4), 'ws353', ev.similarity[0].spearman.toFixed(4));
process.exit(0);
