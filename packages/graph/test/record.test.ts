import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Embeddings, Vocab } from '@wordloom/core';
import { defineOp, type RunRecord } from '@wordloom/ops';
import { pipeline, runPipeline } from '../src/index.js';
import { scratch } from './util.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ops for the run record: a training op reporting a cost per iteration faster than the progress throttle, a slow branch, and a page that runs last. */
function ops(seen: { record?: RunRecord; evaluation?: unknown }) {
  const words = defineOp<{ n: number }, Vocab>({
    name: 'words', summary: 'a vocabulary', params: { n: { type: 'int', doc: 'words', default: 3 } }, inputs: {}, output: 'vocab',
    run: async (_i, p) => new Vocab(Array.from({ length: p.n }, (_, i) => `w${i}`), new Float64Array(p.n).fill(1)),
  });
  const train = defineOp<{ iterations: number }, Embeddings>({
    name: 'train', summary: 'cost per iteration', params: { iterations: { type: 'int', doc: 'iterations', default: 6 } },
    inputs: { vocab: { kind: 'vocab', doc: 'words' } }, output: 'vectors',
    run: async (inputs, p, ctx) => {
      const v = inputs.vocab as Vocab;
      for (let it = 1; it <= p.iterations; it++) {
        ctx.progress({ phase: 'iteration', iteration: it, done: it, total: p.iterations, metrics: { cost: 1 / it, ...(it <= 2 ? { restored: 1 } : {}) } });
        await sleep(2);
      }
      return new Embeddings(v.words, 2, new Float32Array(v.size * 2).fill(0.5));
    },
  });
  const slow = defineOp<Record<string, never>, unknown>({
    name: 'slow', summary: 'an independent branch that takes a while', params: {}, inputs: { vocab: { kind: 'vocab', doc: 'words' } }, output: 'evaluation',
    run: async () => {
      await sleep(300);
      return { similarity: [] };
    },
  });
  const page = defineOp<Record<string, never>, unknown>({
    name: 'page', summary: 'runs last', params: {}, inputs: {}, output: 'evaluation', runsLast: true,
    run: async (_i, _p, ctx) => {
      seen.record = ctx.run!.record();
      seen.evaluation = ctx.run!.output('branch');
      return {};
    },
  });
  const boom = defineOp<Record<string, never>, unknown>({
    name: 'boom', summary: 'fails', params: {}, inputs: { vectors: { kind: 'vectors', doc: 'vectors' } }, output: 'evaluation',
    run: async () => {
      throw new Error('no luck');
    },
  });
  return [words, train, slow, page, boom];
}

test('a node that runs last sees the whole run: every other node finished, each iteration\'s cost (not thinned by the progress throttle), times and memory', async () => {
  const seen: { record?: RunRecord; evaluation?: unknown } = {};
  const spec = pipeline('record')
    .node('page', 'page')
    .node('vocab', 'words', { n: 4 })
    .node('model', 'train', { iterations: 6 }, { vocab: 'vocab' })
    .node('branch', 'slow', {}, { vocab: 'vocab' })
    .build();
  const outputs = await runPipeline(spec, { operators: ops(seen), progressIntervalMs: 1000 }).result;
  assert.ok(outputs.has('page'));
  const r = seen.record!;
  assert.ok(r, 'the page ran with ctx.run');
  const byId = Object.fromEntries(r.nodes.map((n) => [n.id, n]));
  for (const id of ['vocab', 'model', 'branch']) assert.is(byId[id]!.status, 'finished', id);
  assert.is(byId.page!.status, 'running');
  assert.is(byId.page!.last, true);
  assert.ok(byId.branch!.durationMs! >= 250, `the slow branch's time: ${byId.branch!.durationMs}`);
  assert.ok(byId.model!.peakRssBytes! > 10e6 && r.peakRssBytes >= byId.model!.peakRssBytes!);
  assert.equal(byId.model!.curves.cost!.map((p) => p.iteration), [1, 2, 3, 4, 5, 6]);
  assert.equal(byId.model!.curves.cost!.map((p) => p.value), [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 6]);
  assert.equal(byId.model!.curves.cost!.map((p) => !!p.restored), [true, true, false, false, false, false]);
  assert.equal(byId.model!.inputs, { vocab: 'vocab' });
  assert.equal(byId.model!.summary, '4 x 2 vectors');
  assert.equal(seen.evaluation, { similarity: [] });
});

test('RunOptions.report writes the page of the run when it finishes', async () => {
  const s = scratch();
  try {
    const file = join(s.dir, 'out', 'run.html');
    const spec = pipeline('paged').node('vocab', 'words', { n: 4 }).node('model', 'train', { iterations: 5 }, { vocab: 'vocab' }).build();
    const events: string[] = [];
    await runPipeline(spec, { operators: ops({}), report: file, onEvent: (e) => events.push(e.type) }).result;
    assert.ok(existsSync(file));
    assert.is(events.indexOf('pipeline:report'), events.length - 2, 'just before pipeline:finished');
    const html = readFileSync(file, 'utf8');
    assert.match(html, /<svg id="graph-svg"/);
    assert.match(html, /<g class="node" data-node="model">/);
    assert.match(html, /data-node="model" data-metric="cost" data-points="5"/);
    assert.match(html, /Hollow: the 2 iterations before the resume checkpoint/);
    assert.match(html, /<tr data-node="vocab"><td>vocab<\/td><td>words<\/td><td>computed<\/td>/);
  } finally {
    s.cleanup();
  }
});

test('a failed run still writes its page, with the failed node marked', async () => {
  const s = scratch();
  try {
    const file = join(s.dir, 'failed.html');
    const spec = pipeline('failing').node('vocab', 'words', { n: 4 }).node('model', 'train', { iterations: 3 }, { vocab: 'vocab' }).node('eval', 'boom', {}, { vectors: 'model' }).build();
    const events: string[] = [];
    try {
      await runPipeline(spec, { operators: ops({}), report: file, onEvent: (e) => events.push(e.type) }).result;
      assert.unreachable('the run fails');
    } catch (e) {
      assert.match((e as Error).message, /no luck/);
    }
    assert.equal(events.slice(-2), ['pipeline:report', 'pipeline:failed']);
    const html = readFileSync(file, 'utf8');
    assert.match(html, /<tr data-node="eval"><td>eval<\/td><td>boom<\/td><td>failed<\/td>/);
    assert.match(html, /data-node="model" data-metric="cost" data-points="3"/);
  } finally {
    s.cleanup();
  }
});

test.run();
