#!/usr/bin/env node
// How much does GloVe's quality vary from run to run, and does wordloom's training
// land where the reference algorithm lands? On the main job's co-occurrences
// (WikiText-2, 20,487 words, window 15, dim 50, x_max 10, 15 iterations) this trains,
// for each seed:
//   ref       bench/reference/glove-ref.c: the reference tool's update in double
//             precision, records shuffled once, one contiguous slice per thread
//             (compiled with the system's cc; skipped when there is none)
//   ref-every the same, reshuffled before every iteration
//   wordloom  the glove op (float32 WebAssembly SIMD kernel, Hogwild, a fresh
//             order every iteration)
// and scores both with the evaluate op (3CosAdd analogy, WS353 Spearman).
//
//   node bench/glove-spread.mjs [--seeds 1-10] [--impl ref,ref-every,wordloom] [--threads 2] [--iter 15]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';

import { mainJobCooccurrences, mainJobEval, repoPath as path } from './lib/main-job.mjs';

const CORE = new URL('../packages/core/dist/src/index.js', import.meta.url).href;
const { Embeddings } = await import(CORE);

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const range = (s) =>
  s.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
const seeds = range(arg('seeds', '1-10'));
const impls = arg('impl', 'ref,wordloom').split(',');
const IMPLS = ['ref', 'ref-every', 'wordloom'];
for (const impl of impls) {
  if (!IMPLS.includes(impl)) {
    console.error(`unknown --impl ${impl}: use ${IMPLS.join(', ')}`);
    process.exit(2);
  }
}
const threads = Number(arg('threads', 2));
const iter = Number(arg('iter', 15));
const dim = 50, xMax = 10;
const outDir = path('out/spread');
mkdirSync(outDir, { recursive: true });

const { ops, ctx, vocab, cooc } = await mainJobCooccurrences({ threads });
const { evaluateVectors, trainGlove, writeCooccurrences } = ops;
console.error(`${vocab.size} words, ${cooc.size} records; seeds ${seeds.join(',')}; ${threads} threads; ${iter} iterations`);

const coocFile = `${outDir}/cooc.bin`;
let refBin;
if (impls.some((i) => i.startsWith('ref'))) {
  await writeCooccurrences(cooc, coocFile);
  refBin = `${outDir}/glove-ref`;
  const cc = spawnSync('cc', ['-O3', '-march=native', '-o', refBin, path('bench/reference/glove-ref.c'), '-lm', '-pthread'], { stdio: 'inherit' });
  if (cc.status !== 0 || !existsSync(refBin)) {
    console.error('no C compiler: the ref runs are skipped');
    refBin = undefined;
  }
}

const rows = [];
for (const seed of seeds) {
  for (const impl of impls) {
    const t0 = performance.now();
    let emb, cost;
    if (impl === 'ref' || impl === 'ref-every') {
      if (!refBin) continue;
      const out = `${outDir}/${impl}-${seed}.f32`;
      const order = impl === 'ref' ? 'once' : 'every';
      const args = [coocFile, String(vocab.size), String(seed), String(iter), String(threads), String(dim), String(xMax), out, order];
      const r = spawnSync(refBin, args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`glove-ref failed: ${r.stderr}`);
      cost = Number(r.stderr.trim().split('\n').pop().split(' ').pop());
      const buf = readFileSync(out);
      emb = new Embeddings(vocab.words, dim, new Float32Array(buf.buffer, buf.byteOffset, vocab.size * dim));
    } else if (impl === 'wordloom') {
      const res = await trainGlove(cooc, vocab, { vector_size: dim, x_max: xMax, max_iter: iter, seed, threads }, ctx);
      cost = res.costs[res.costs.length - 1];
      emb = res.embeddings;
    }
    const secs = (performance.now() - t0) / 1000;
    const ev = await evaluateVectors(emb, mainJobEval);
    const row = { impl, seed, cost, analogy: ev.analogy[0].accuracy, ws353: ev.similarity[0].spearman, seconds: secs };
    rows.push(row);
    console.log(`${impl.padEnd(8)} seed ${String(seed).padStart(2)}  cost ${cost.toFixed(6)}  analogy ${row.analogy.toFixed(4)}  ws353 ${row.ws353.toFixed(4)}  ${secs.toFixed(1)} s`);
  }
}

const stats = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean: m, sd, min: Math.min(...xs), max: Math.max(...xs) };
};
console.log(`\n${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores, ${cpus()[0]?.model ?? ''}`);
for (const impl of impls) {
  const r = rows.filter((x) => x.impl === impl);
  if (!r.length) continue;
  const a = stats(r.map((x) => x.analogy)), w = stats(r.map((x) => x.ws353)), c = stats(r.map((x) => x.cost));
  const aHit = r.filter((x) => x.analogy >= 0.038).length, wHit = r.filter((x) => x.ws353 >= 0.28).length;
  const both = r.filter((x) => x.analogy >= 0.038 && x.ws353 >= 0.28).length;
  console.log(
    `${impl.padEnd(8)} n=${r.length}  cost ${c.mean.toFixed(6)}  analogy ${a.mean.toFixed(4)} ± ${a.sd.toFixed(4)} (${a.min.toFixed(4)}-${a.max.toFixed(4)}, >= 0.038: ${aHit})` +
      `  ws353 ${w.mean.toFixed(3)} ± ${w.sd.toFixed(3)} (${w.min.toFixed(3)}-${w.max.toFixed(3)}, >= 0.28: ${wHit})  both: ${both}`,
  );
}
process.exit(0);
