#!/usr/bin/env node
/**
 * knn and evaluate benchmark: exact cosine top-k on the gpu.js kernel vs the
 * TypeScript kernel (1 thread, and Piscina workers), and the analogy evaluation
 * (19,544 questions, 3CosAdd and 3CosMul together).
 *
 * Vectors: the WikiText-2 train vocabulary as the reference runs use it (ASCII
 * lowercased, `<unk>` written `unk`, min count 5: 20,487 words, most frequent
 * first) with seeded random 50-dim vectors; or a real vectors file (--vectors).
 * Timings include everything a call does (normalizing, gpu.js kernel compile,
 * worker start), best of --runs.
 *
 *   node bench/knn.mjs                       # best of 3, threads 2
 *   node bench/knn.mjs --runs 2 --threads 2 --vectors out/wt2.vectors.txt --skip-gpu-all
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const OPS = new URL('../packages/ops/dist/src/index.js', import.meta.url).href;
const CORE = new URL('../packages/core/dist/src/index.js', import.meta.url).href;
const CORPUS = fileURLToPath(new URL('../data/corpora/wikitext-2/wiki.train.tokens.gz', import.meta.url));
const QUESTIONS = fileURLToPath(new URL('../data/eval/questions-words.txt', import.meta.url));

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const flag = (name) => process.argv.includes(`--${name}`);

const runs = Number(arg('runs', 3));
const threads = Number(arg('threads', 2));
const dim = Number(arg('dim', 50));
const nQueries = Number(arg('queries', 1000));

const { cosineTopK, unitEmbeddings, evaluateAnalogiesText, readVectors, gpuInfo } = await import(OPS);
const { Embeddings, Rng } = await import(CORE);

async function loadVectors() {
  const file = arg('vectors');
  if (file) return { v: await readVectors(file), what: file };
  const text = gunzipSync(readFileSync(CORPUS)).toString('utf8');
  const counts = new Map();
  for (const raw of text.split(/[ \t\n]+/)) {
    if (!raw) continue;
    let w = raw.replace(/[A-Z]/g, (c) => c.toLowerCase());
    if (w === '<unk>') w = 'unk';
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  const words = [...counts].filter(([, c]) => c >= 5).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
  const rng = new Rng(42);
  const data = new Float32Array(words.length * dim);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { v: new Embeddings(words, dim, data), what: `WikiText-2 train vocabulary (min count 5), random ${dim}-dim vectors` };
}

async function best(label, fn, reps = runs) {
  let bestMs = Infinity;
  let info = '';
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    info = await fn();
    bestMs = Math.min(bestMs, performance.now() - t);
  }
  return { label, ms: bestMs, info };
}

function print(res, fma) {
  const s = res.ms / 1000;
  const rate = fma ? `  ${(fma / s / 1e9).toFixed(2)} GFMA/s` : '';
  console.log(`${res.label.padEnd(44)} ${s.toFixed(3).padStart(8)} s${rate}  ${res.info}`);
}

const { v, what } = await loadVectors();
const unit = unitEmbeddings(v);
const n = v.size;
const d = v.dim;
console.log(`vectors: ${what}: ${n} x ${d}`);
console.log(`gpu.js: ${JSON.stringify(gpuInfo())}; best of ${runs}; threads for the pooled runs: ${threads}\n`);

const rng = new Rng(7);
const some = Int32Array.from({ length: nQueries }, () => rng.int(n));
const all = Int32Array.from({ length: n }, (_, i) => i);
const k = 10;

console.log(`knn, ${nQueries} queries x ${n} rows, k=${k}`);
const f1 = nQueries * n * d;
print(await best('typescript, 1 thread', async () => (await cosineTopK(unit, some, k, { backend: 'typescript' })).backend), f1);
print(await best(`typescript, ${threads} threads`, async () => (await cosineTopK(unit, some, k, { backend: 'typescript', threads, parallelThreshold: 0 })).backend), f1);
print(await best('gpu.js', async () => (await cosineTopK(unit, some, k, { backend: 'gpu', threads })).backend), f1);

console.log(`\nknn, all ${n} rows x ${n} rows, k=${k} (a kNN graph)`);
const f2 = n * n * d;
const allRuns = Math.min(runs, 2);
print(await best('typescript, 1 thread', async () => (await cosineTopK(unit, all, k, { backend: 'typescript' })).backend, allRuns), f2);
print(await best(`typescript, ${threads} threads`, async () => (await cosineTopK(unit, all, k, { backend: 'typescript', threads })).backend, allRuns), f2);
if (!flag('skip-gpu-all')) print(await best('gpu.js', async () => (await cosineTopK(unit, all, k, { backend: 'gpu', threads })).backend, 1), f2);

console.log(`\nevaluate, questions-words.txt (19,544 questions), 3CosAdd + 3CosMul, ${n} words`);
const text = readFileSync(QUESTIONS, 'utf8');
const evalInfo = (r) => `${r[0].backend}; answered ${r[0].total}, skipped ${r[0].skipped}; accuracy ${r.map((a) => `${a.method} ${a.accuracy.toFixed(4)}`).join(', ')}`;
print(await best('typescript, 1 thread', async () => evalInfo(await evaluateAnalogiesText(v, text, QUESTIONS, { backend: 'typescript' }))));
print(await best(`typescript, ${threads} threads`, async () => evalInfo(await evaluateAnalogiesText(v, text, QUESTIONS, { backend: 'typescript', threads, parallelThreshold: 0 }))));
print(await best('gpu.js', async () => evalInfo(await evaluateAnalogiesText(v, text, QUESTIONS, { backend: 'gpu', threads }))));
