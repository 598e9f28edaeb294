import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Embeddings, Vocab, WordloomError, type Cooccurrences } from '@wordloom/core';
import type { OpContext } from '@wordloom/ops';
import {
  loadPipeline,
  PipelineErrors,
  pipeline,
  runPipeline,
  type NodeFinishedEvent,
  type NodeProgressEvent,
  type PipelineEvent,
} from '../src/index.js';
import { dataPath, fakeOps, newProbe } from './fake-ops.js';
import { scratch } from './util.js';

const YAML = (corpus: string) => `name: lee
seed: 7
threads: 3
nodes:
  - id: tok
    op: read
    params: { input: ${corpus}, lowercase: true, chunk_lines: 20 }
  - id: voc
    op: count
    inputs: { tokens: tok }
    params: { min_count: 5 }
  - id: co
    op: pairs
    inputs: { vocab: voc, tokens: tok }
    params: { window: 3 }
  - id: emb
    op: embed
    seed: 3
    threads: 2
    inputs: { cooc: co, vocab: voc }
    params: { dim: 4, iter: 3 }
  - id: sim
    op: score
    inputs: { vectors: emb }
    params: { pairs: ${JSON.stringify(dataPath('eval/wordsim353.tsv'))} }
`;

const JSON_TEXT = (corpus: string) =>
  JSON.stringify(
    {
      name: 'lee',
      seed: 7,
      threads: 3,
      nodes: [
        { id: 'tok', op: 'read', params: { input: corpus, lowercase: true, chunk_lines: 20 } },
        { id: 'voc', op: 'count', inputs: { tokens: 'tok' }, params: { min_count: 5 } },
        { id: 'co', op: 'pairs', inputs: { vocab: 'voc', tokens: 'tok' }, params: { window: 3 } },
        { id: 'emb', op: 'embed', seed: 3, threads: 2, inputs: { cooc: 'co', vocab: 'voc' }, params: { dim: 4, iter: 3 } },
        { id: 'sim', op: 'score', inputs: { vectors: 'emb' }, params: { pairs: dataPath('eval/wordsim353.tsv') } },
      ],
    },
    null,
    2,
  );

async function runCollect(file: string, extra: Parameters<typeof runPipeline>[1] = {}) {
  const probe = newProbe();
  const events: PipelineEvent[] = [];
  const run = runPipeline(loadPipeline(file), { operators: fakeOps(probe), progressIntervalMs: 0, ...extra });
  const seen: PipelineEvent[] = [];
  run.events$.subscribe((e) => seen.push(e));
  const result = await run.result;
  events.push(...seen);
  return { result, events, probe };
}

for (const format of ['yaml', 'json'] as const) {
  test(`a ${format} pipeline runs in dependency order with progress events`, async () => {
    const s = scratch();
    try {
      const corpus = s.data('corpora/lee_background.cor');
      const file = s.write(`p.${format}`, format === 'yaml' ? YAML(corpus) : JSON_TEXT(corpus));
      const runs = join(s.dir, 'runs');
      mkdirSync(runs);
      const { result, events, probe } = await runCollect(file, { tmpRoot: runs });

      assert.equal([...result.keys()], ['tok', 'voc', 'co', 'emb', 'sim']);
      const vocab = result.get('voc') as Vocab;
      assert.instance(vocab, Vocab);
      assert.ok(vocab.size > 500 && vocab.size < 5000, `vocab size ${vocab.size}`);
      assert.ok(vocab.counts[vocab.size - 1]! >= 5);
      assert.is(vocab.words[0], 'the');
      const cooc = result.get('co') as Cooccurrences;
      assert.is(cooc.vocabSize, vocab.size);
      const emb = result.get('emb') as Embeddings;
      assert.instance(emb, Embeddings);
      assert.is(emb.dim, 4);
      assert.is(emb.size, vocab.size);

      // each op ran once, after its inputs
      assert.equal(probe.started.filter((n) => n === 'tok').length, 1);
      const started = events.filter((e) => e.type === 'node:started').map((e) => (e as { node: string }).node);
      const finished = events.filter((e) => e.type === 'node:finished').map((e) => (e as NodeFinishedEvent).node);
      assert.equal(started.sort(), ['co', 'emb', 'sim', 'tok', 'voc']);
      const idx = (type: string, node: string) => events.findIndex((e) => e.type === type && (e as { node?: string }).node === node);
      for (const [from, to] of [['tok', 'voc'], ['voc', 'co'], ['tok', 'co'], ['co', 'emb'], ['emb', 'sim']]) {
        assert.ok(idx('node:finished', from!) < idx('node:started', to!), `${from} finishes before ${to} starts`);
      }
      assert.is(finished.length, 5);
      assert.is(events[0]!.type, 'pipeline:started');
      assert.is(events[events.length - 1]!.type, 'pipeline:finished');

      // progress: the stream's reading (bytes with a total: rate, ETA), counting, iterations
      const progress = events.filter((e): e is NodeProgressEvent => e.type === 'node:progress');
      const reading = progress.filter((p) => p.node === 'tok' && p.phase === 'reading');
      assert.ok(reading.length >= 10, `reading updates: ${reading.length}`);
      const last = reading[reading.length - 1]!;
      assert.is(last.done, last.total);
      assert.is(last.fraction, 1);
      assert.is(last.unit, 'bytes');
      assert.ok(reading.some((p) => typeof p.rate === 'number' && p.rate > 0 && typeof p.etaMs === 'number' && p.etaMs >= 0));
      const iters = progress.filter((p) => p.node === 'emb');
      assert.equal(iters.map((p) => p.done), [1, 2, 3]);
      assert.equal(iters[2]!.metrics, { cost: 1 / 3 });
      assert.ok(progress.some((p) => p.node === 'voc' && p.phase === 'counting'));
      assert.ok(events.some((e) => e.type === 'node:log' && e.node === 'voc' && /kept \d+ words/.test(e.message)));

      // summaries
      const sum = (node: string) => (events.find((e) => e.type === 'node:finished' && e.node === node) as NodeFinishedEvent).summary;
      assert.is(sum('voc').text, `${vocab.size.toLocaleString('en-US')} words`);
      assert.equal(sum('emb').stats, { words: vocab.size, dim: 4 });
      assert.match(sum('co').text, /records over/);
      assert.match(sum('sim').text, /wordsim353 spearman/);
      const end = events[events.length - 1] as Extract<PipelineEvent, { type: 'pipeline:finished' }>;
      const tokEnd = end.nodes.find((n) => n.node === 'tok')!.summary;
      assert.is(tokEnd.stats.complete, true, 'the stream was read by the end');
      assert.ok((tokEnd.stats.tokens as number) > 50000);

      // contexts: threads, seed and directories
      const ctx = (n: string) => probe.ctx.get(n)! as OpContext;
      assert.is(ctx('voc').threads, 3);
      assert.is(ctx('emb').threads, 2);
      assert.is(ctx('voc').seed, 7);
      assert.is(ctx('emb').seed, 3);
      assert.is(ctx('tok').baseDir, s.dir);
      assert.is(ctx('voc').node, 'voc');
      assert.ok(ctx('voc').tmpDir.startsWith(runs));
      // the run's temp dir is gone
      assert.equal(readdirSync(runs), []);
    } finally {
      s.cleanup();
    }
  });
}

test('yaml and json give the same outputs', async () => {
  const s = scratch();
  try {
    const corpus = s.data('corpora/lee_background.cor');
    const a = await runCollect(s.write('p.yaml', YAML(corpus)));
    const b = await runCollect(s.write('p.json', JSON_TEXT(corpus)));
    assert.equal((a.result.get('voc') as Vocab).words, (b.result.get('voc') as Vocab).words);
    assert.equal((a.result.get('emb') as Embeddings).data, (b.result.get('emb') as Embeddings).data, 'same seed, same vectors');
  } finally {
    s.cleanup();
  }
});

test('independent branches run concurrently', async () => {
  const started = new Set<string>();
  let release!: () => void;
  const both = new Promise<void>((r) => (release = r));
  const gate = async (name: string) => {
    started.add(name);
    if (started.size === 2) release();
    // Each branch waits for the other to have started: run one after the other, this would never end.
    const timeout = new Promise<never>((_, rej) => setTimeout(() => rej(new Error('branches did not run concurrently')), 5000).unref());
    await Promise.race([both, timeout]);
  };
  const spec = pipeline('branches', { baseDir: dataPath('.') })
    .node('tok', 'read', { input: 'corpora/lee_background.cor' })
    .node('left', 'gate', { name: 'left' }, { tokens: 'tok' })
    .node('right', 'gate', { name: 'right' }, { tokens: 'tok' })
    .build();
  const events: PipelineEvent[] = [];
  const result = await runPipeline(spec, { operators: fakeOps(newProbe(), { gate }), onEvent: (e) => events.push(e) }).result;
  assert.equal((result.get('left') as Vocab).words, ['left']);
  const order = events.filter((e) => e.type === 'node:started' || e.type === 'node:finished').map((e) => `${e.type}:${(e as { node: string }).node}`);
  assert.ok(order.indexOf('node:started:left') < order.indexOf('node:finished:right'));
  assert.ok(order.indexOf('node:started:right') < order.indexOf('node:finished:left'));
});

test('a streaming op hands its chunks to consumers with backpressure', async () => {
  const probe = newProbe();
  const spec = pipeline('stream', { baseDir: dataPath('.') })
    .node('tok', 'read', { input: 'corpora/lee_background.cor', chunk_lines: 5 })
    .node('voc', 'count', { slow: true }, { tokens: 'tok' })
    .build();
  const result = await runPipeline(spec, { operators: fakeOps(probe) }).result;
  const chunks = Math.ceil(300 / 5); // 299 lines plus the empty string after the last newline
  assert.is(probe.lead.length, chunks);
  assert.is(probe.produced, chunks);
  // The producer never ran ahead of the consumer: it makes a chunk when asked.
  assert.is(Math.max(...probe.lead), 0);
  const stream = result.get('tok') as { stats: { complete: boolean; documents: number } };
  assert.is(stream.stats.complete, true);
  assert.ok(stream.stats.documents > 290);
  assert.ok((result.get('voc') as Vocab).size > 5000);
});

test('an op failure names its node, stops the run and removes the temp dir', async () => {
  const s = scratch();
  try {
    const runs = join(s.dir, 'runs');
    mkdirSync(runs);
    const probe = newProbe();
    const spec = pipeline('fail', { baseDir: dataPath('.') })
      .node('tok', 'read', { input: 'corpora/lee_background.cor', chunk_lines: 5 })
      .node('voc', 'count', { slow: true }, { tokens: 'tok' })
      .node('bad', 'boom', { message: 'no good', after_chunks: 2 }, { tokens: 'tok' })
      .node('after', 'prune', {}, { vocab: 'bad' })
      .build();
    const events: PipelineEvent[] = [];
    const run = runPipeline(spec, { operators: fakeOps(probe), tmpRoot: runs });
    run.events$.subscribe((e) => events.push(e));
    let caught: unknown;
    await run.result.catch((e) => (caught = e));
    assert.instance(caught, WordloomError);
    const err = caught as WordloomError;
    assert.is(err.where.node, 'bad');
    assert.is(err.where.file, 'corpus.txt');
    assert.is(err.where.line, 3);
    assert.is(err.code, 'E_INPUT');
    assert.match(err.message, 'node "bad"');
    assert.match(err.message, 'no good');
    const failed = events.filter((e) => e.type === 'node:failed');
    assert.is(failed.length, 1);
    assert.is((failed[0] as { error: WordloomError }).error, err);
    const end = events[events.length - 1]!;
    assert.is(end.type, 'pipeline:failed');
    assert.is((end as { cancelled: boolean }).cancelled, false);
    // the node that was still reading was told to stop; the one after never started
    assert.ok(events.some((e) => e.type === 'node:cancelled' && e.node === 'voc'));
    assert.not.ok(probe.started.includes('after'));
    assert.ok(probe.tmpDirs.get('bad')!.startsWith(runs));
    assert.not.ok(existsSync(probe.tmpDirs.get('bad')!));
    assert.equal(readdirSync(runs), []);
  } finally {
    s.cleanup();
  }
});

test('a stream error names the producing node; an Observable op error names its node', async () => {
  const stream = pipeline('stream-fail', { baseDir: dataPath('.') })
    .node('tok', 'read', { input: 'corpora/lee_background.cor', chunk_lines: 10, fail_at_chunk: 3 })
    .node('voc', 'count', {}, { tokens: 'tok' })
    .build();
  const events: PipelineEvent[] = [];
  const e1 = (await runPipeline(stream, { operators: fakeOps(), onEvent: (e) => events.push(e) }).result.catch((e) => e)) as WordloomError;
  assert.instance(e1, WordloomError);
  assert.is(e1.where.node, 'tok');
  assert.is(e1.where.line, 21);
  assert.match(e1.message, /corpora\/lee_background\.cor:21, node "tok": invalid UTF-8/);
  const failed = events.find((e) => e.type === 'node:failed') as { node: string; error: WordloomError };
  assert.is(failed.node, 'voc', 'the consumer failed');
  assert.is(failed.error.where.node, 'tok', 'the error names the producer');

  const obs = pipeline('obs-fail', { baseDir: dataPath('.') })
    .node('tok', 'read', { input: 'corpora/lee_background.cor' })
    .node('voc', 'count', {}, { tokens: 'tok' })
    .node('co', 'pairs', {}, { vocab: 'voc', tokens: 'tok' })
    .node('emb', 'embed', { dim: 2, iter: 5, fail_at: 2 }, { cooc: 'co', vocab: 'voc' })
    .build();
  const e2 = (await runPipeline(obs, { operators: fakeOps() }).result.catch((e) => e)) as WordloomError;
  assert.instance(e2, WordloomError);
  assert.is(e2.code, 'E_INTERNAL');
  assert.is(e2.where.node, 'emb');
  assert.match(e2.message, 'op embed failed: diverged at iteration 2');
  assert.instance(e2.cause, Error);
});

test('an AbortSignal cancels the run', async () => {
  const s = scratch();
  try {
    const runs = join(s.dir, 'runs');
    mkdirSync(runs);
    const controller = new AbortController();
    const gate = (_: string, ctx: OpContext) =>
      new Promise<void>((_res, rej) => {
        ctx.signal.addEventListener('abort', () => rej(ctx.signal.reason), { once: true });
        controller.abort(new Error('user pressed ^C'));
      });
    const spec = pipeline('cancel', { baseDir: dataPath('.') })
      .node('tok', 'read', { input: 'corpora/lee_background.cor' })
      .node('wait', 'gate', {}, { tokens: 'tok' })
      .node('after', 'prune', {}, { vocab: 'wait' })
      .build();
    const events: PipelineEvent[] = [];
    const probe = newProbe();
    const err = await runPipeline(spec, { operators: fakeOps(probe, { gate }), signal: controller.signal, tmpRoot: runs, onEvent: (e) => events.push(e) }).result.catch((e) => e);
    assert.is((err as Error).message, 'user pressed ^C');
    assert.ok(events.some((e) => e.type === 'node:cancelled' && e.node === 'wait'));
    const end = events[events.length - 1] as { type: string; cancelled: boolean };
    assert.is(end.type, 'pipeline:failed');
    assert.is(end.cancelled, true);
    assert.not.ok(probe.started.includes('after'));
    assert.equal(readdirSync(runs), []);
  } finally {
    s.cleanup();
  }
});

test('an invalid pipeline does not run: the result rejects with all its errors', async () => {
  const probe = newProbe();
  const spec = pipeline('bad', { baseDir: dataPath('.') })
    .node('tok', 'read', { input: 'corpora/nope.txt' })
    .node('voc', 'count', { min_count: 0 }, { tokens: 'tok' })
    .build();
  const events: PipelineEvent[] = [];
  const run = runPipeline(spec, { operators: fakeOps(probe) });
  run.events$.subscribe((e) => events.push(e));
  const err = (await run.result.catch((e) => e)) as PipelineErrors;
  assert.instance(err, PipelineErrors);
  assert.is(err.errors.length, 2);
  assert.match(err.message, '2 errors in pipeline');
  assert.match(err.message, 'file not found: "corpora/nope.txt"');
  assert.equal(probe.started, []);
  assert.equal(events.map((e) => e.type), ['pipeline:failed']);
});

test('the builder runs too, and progress events can be throttled', async () => {
  const events: PipelineEvent[] = [];
  const run = pipeline('b', { baseDir: dataPath('.'), seed: 5 })
    .node('tok', 'read', { input: ['corpora/*.cor'], chunk_lines: 2 })
    .node('voc', 'count', { min_count: 5 }, { tokens: 'tok' })
    .run({ operators: fakeOps(), onEvent: (e) => events.push(e), progressIntervalMs: 60_000 });
  const result = await run.result;
  assert.ok((result.get('voc') as Vocab).size > 100);
  const reading = events.filter((e): e is NodeProgressEvent => e.type === 'node:progress' && e.node === 'tok');
  // the first update of the phase and the final one (done = total) pass the throttle
  assert.is(reading.length, 2);
  assert.is(reading[1]!.fraction, 1);
});


test('release: glove frees the co-occurrence arrays it alone reads (run option release), and leaves them when another node reads them or the option is off', async () => {
  const { operators } = await import('@wordloom/ops');
  const nodes = (gloves: number) => [
    { id: 'tok', op: 'tokenize', params: { input: dataPath('corpora/lee_background.cor'), lowercase: 'ascii' } },
    { id: 'voc', op: 'vocab', inputs: { tokens: 'tok' }, params: { min_count: 5 } },
    { id: 'co', op: 'cooccur', inputs: { tokens: 'tok', vocab: 'voc' }, params: { window: 5 } },
    ...Array.from({ length: gloves }, (_, i) => ({ id: `g${i}`, op: 'glove', inputs: { cooccurrences: 'co', vocab: 'voc' }, params: { vector_size: 8, max_iter: 2 } })),
  ];
  const run = async (gloves: number, release: boolean) => {
    const logs: string[] = [];
    const values = await runPipeline({ name: 'release', seed: 1, threads: 1, nodes: nodes(gloves) } as never, {
      operators, release, onEvent: (e) => { if (e.type === 'node:log') logs.push(e.message); },
    }).result;
    return { co: values.get('co') as Cooccurrences, logs, g0: values.get('g0') as Embeddings };
  };
  const a = await run(1, true);
  assert.ok(a.co.released, 'released');
  assert.is(a.co.row.length, 0);
  assert.ok(a.logs.some((l) => /co-occurrence arrays released after packing/.test(l)), a.logs.join('\n'));
  const b = await run(1, false);
  assert.not.ok(b.co.released);
  assert.is(b.co.row.length, b.co.size);
  assert.ok(b.co.size > 1000);
  // the vectors do not depend on it
  assert.equal(Array.from(a.g0.data), Array.from(b.g0.data));
  const c = await run(2, true);
  assert.not.ok(c.co.released, 'two readers: kept');
  assert.is(c.co.row.length, c.co.size);
});

test.run();
