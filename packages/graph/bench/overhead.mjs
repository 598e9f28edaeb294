// Executor overhead: a chain of trivial nodes (validation, events, scheduling), and
// loading + validating the WikiText-2 example. Run after a build:
//   node packages/graph/bench/overhead.mjs
import { pipeline, runPipeline, validatePipeline, loadPipeline } from '../dist/src/index.js';
const src = { name: 'src', summary: '', params: {}, inputs: {}, output: 'vocab', run: async () => ({ size: 1 }) };
const step = { name: 'step', summary: '', params: { keep: { type: 'int', default: 1, min: 1, doc: '' } }, inputs: { vocab: { kind: 'vocab', doc: '' } }, output: 'vocab', run: async (i, p, ctx) => { ctx.progress({ phase: 'x', done: 1, total: 1 }); return i.vocab; } };
const ops = [src, step];
for (const N of [100, 1000]) {
  let b = pipeline('chain').node('n0', 'src');
  for (let i = 1; i < N; i++) b = b.node('n' + i, 'step', {}, { vocab: 'n' + (i - 1) });
  const spec = b.build();
  let best = Infinity, bestV = Infinity;
  for (let r = 0; r < 3; r++) {
    let t = performance.now(); validatePipeline(spec, { operators: ops }); bestV = Math.min(bestV, performance.now() - t);
    t = performance.now(); let ev = 0; await runPipeline(spec, { operators: ops, onEvent: () => ev++ }).result; best = Math.min(best, performance.now() - t);
  }
  console.log(`chain of ${N} nodes: validate ${bestV.toFixed(1)} ms, run ${best.toFixed(1)} ms (${(best / N * 1000).toFixed(0)} us/node incl. validation, tmp dirs, events)`);
}
let t = performance.now(); for (let i = 0; i < 20; i++) validatePipeline(loadPipeline(new URL('../../../examples/wikitext2-glove.yaml', import.meta.url).pathname)); console.log('load+validate wikitext2-glove.yaml:', ((performance.now() - t) / 20).toFixed(2), 'ms');
