#!/usr/bin/env node
// The main job end to end: examples/wikitext2-glove.yaml from text to saved vectors,
// timed per node, with peak RSS and the quality figures.
//
//   node bench/pipeline.mjs [--scale 1|4|16] [--threads 2] [--iter 15] [--no-eval]
//
// --scale N concatenates WikiText-2 train N times (the corpus is read N times in a row).
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { availableParallelism, cpus } from 'node:os';
import { loadPipeline, validatePipeline, runPipeline } from '../packages/graph/dist/src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const scale = Number(arg('scale', 1));
const threads = Number(arg('threads', 2));
const iter = Number(arg('iter', 15));
const noEval = process.argv.includes('--no-eval');

const spec = loadPipeline(join(root, 'examples/wikitext2-glove.yaml'));
spec.threads = threads;
for (const n of spec.nodes) {
  if (n.op === 'tokenize') n.params.input = Array.from({ length: scale }, () => n.params.input).flat();
  if (n.op === 'glove') {
    n.params.max_iter = iter;
    n.params.output = `../out/bench/vectors-x${scale}-t${threads}.txt`;
  }
  if (n.op === 'vocab') delete n.params.output;
}
if (noEval) spec.nodes = spec.nodes.filter((n) => n.op !== 'evaluate' && n.op !== 'knn');
const v = validatePipeline(spec);
if (!v.ok) {
  console.error(v.errors.map((e) => e.message).join('\n'));
  process.exit(1);
}
const t0 = performance.now();
const nodeTimes = {};
let lastCost;
let gloveDoneAt;
const costs = [];
const run = runPipeline(v.spec, {
  onEvent: (e) => {
    if (e.type === 'node:finished') {
      nodeTimes[e.node] = e.durationMs / 1000;
      if (e.op === 'glove') gloveDoneAt = (performance.now() - t0) / 1000;
    }
    if (e.type === 'node:progress' && e.phase === 'iteration' && e.metrics?.cost !== undefined) {
      lastCost = e.metrics.cost;
      costs.push([e.done, e.metrics.cost, e.metrics.seconds]);
      process.stderr.write(`  iteration ${e.done}: cost ${Number(e.metrics.cost).toFixed(6)} (${Number(e.metrics.seconds ?? 0).toFixed(2)} s)\n`);
    }
  },
});
const out = await run.result;
const total = (performance.now() - t0) / 1000;
const ev = out.get('evaluate');
const res = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${availableParallelism()} cores, ${cpus()[0]?.model ?? ''}`.trim(),
  scale,
  threads,
  iterations: iter,
  vocab: out.get('vocab')?.size,
  records: out.get('cooccur')?.size,
  seconds: { ...nodeTimes, run_total: total },
  text_to_saved_vectors_s: gloveDoneAt,
  peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  final_cost: lastCost,
  seconds_per_iteration: costs.length ? costs.reduce((s, c) => s + Number(c[2] ?? 0), 0) / costs.length : undefined,
  analogy: ev?.analogy?.map((a) => ({ method: a.method, accuracy: a.accuracy, correct: a.correct, total: a.total })),
  similarity: ev?.similarity?.map((s) => ({ file: s.file.split('/').pop(), spearman: s.spearman, oov: s.oovRatio })),
};
console.log(JSON.stringify(res, null, 2));
