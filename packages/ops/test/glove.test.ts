import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Rng, Vocab, WordloomError } from '@wordloom/core';
import type { Cooccurrences } from '@wordloom/core';
import { findOperator, gloveOp, readCooccurrences, readVectors, readVocabFile, resolveGloveParams, standaloneContext, trainGlove } from '../src/index.js';
import type { GloveParams, ProgressUpdate } from '../src/index.js';
import { checkpointName, outputFiles } from '../src/glove/train.js';
import { dataPath, tempDir } from './helpers.js';

// The reference GloVe tools' co-occurrences of the Lee corpus (window 5, symmetric, 1/distance).
let leeP: Promise<{ vocab: Vocab; cooc: Cooccurrences }> | undefined;
const lee = (): Promise<{ vocab: Vocab; cooc: Cooccurrences }> =>
  (leeP ??= (async () => {
    const vocab = await readVocabFile(dataPath('glove/lee.vocab.txt'));
    const cooc = await readCooccurrences(dataPath('glove/lee.cooc.w5.bin'), { vocabSize: vocab.size });
    return { vocab, cooc };
  })());

const ctx1 = standaloneContext({ threads: 1, seed: 1 });

async function expectError(p: Promise<unknown> | (() => unknown), code: string, match?: RegExp): Promise<WordloomError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.ok(e instanceof WordloomError, `expected a WordloomError, got ${String(e)}`);
    assert.is((e as WordloomError).code, code, (e as Error).message);
    if (match) assert.match((e as Error).message, match);
    return e as WordloomError;
  }
  assert.unreachable(`expected ${code}`);
  throw new Error('unreachable');
}

/**
 * glove.c's training loop, transliterated in double precision over its own
 * parameter layout (W: 2V rows of dim+1 values, words then contexts; gradsq the
 * same), initialised as glove.c does with the library's Rng in the same order.
 * One pass in the stored order.
 */
function referenceGlove(cooc: Cooccurrences, V: number, dim: number, p: GloveParams, seed: number): { W: Float64Array; cost: number } {
  const rng = new Rng(seed);
  const D = dim + 1;
  const W = new Float64Array(2 * V * D);
  for (let i = 0; i < W.length; i++) W[i] = (rng.next() - 0.5) / dim;
  const gradsq = new Float64Array(2 * V * D).fill(1);
  const u1 = new Float64Array(dim);
  const u2 = new Float64Array(dim);
  let cost = 0;
  const clip = (x: number): number => Math.min(Math.max(x, -p.grad_clip_value), p.grad_clip_value);
  for (let k = 0; k < cooc.size; k++) {
    const x = cooc.val[k]!;
    const l1 = cooc.row[k]! * D;
    const l2 = (cooc.col[k]! + V) * D;
    let diff = 0;
    for (let b = 0; b < dim; b++) diff += W[b + l1]! * W[b + l2]!;
    diff += W[dim + l1]! + W[dim + l2]! - Math.log(x);
    let fdiff = x > p.x_max ? diff : Math.pow(x / p.x_max, p.alpha) * diff;
    cost += 0.5 * fdiff * diff;
    for (let b = 0; b < dim; b++) {
      const t1 = clip(fdiff * W[b + l2]!) * p.eta;
      const t2 = clip(fdiff * W[b + l1]!) * p.eta;
      u1[b] = t1 / Math.sqrt(gradsq[b + l1]!);
      u2[b] = t2 / Math.sqrt(gradsq[b + l2]!);
      gradsq[b + l1] += t1 * t1;
      gradsq[b + l2] += t2 * t2;
    }
    for (let b = 0; b < dim; b++) {
      W[b + l1] -= u1[b]!;
      W[b + l2] -= u2[b]!;
    }
    W[dim + l1] -= fdiff / Math.sqrt(gradsq[dim + l1]!);
    W[dim + l2] -= fdiff / Math.sqrt(gradsq[dim + l2]!);
    fdiff *= fdiff;
    gradsq[dim + l1] += fdiff;
    gradsq[dim + l2] += fdiff;
  }
  return { W, cost: cost / cooc.size };
}

test('one pass in stored order matches a double-precision transliteration of glove.c (initialisation, AdaGrad, clipping, bias steps)', async () => {
  const { vocab, cooc } = await lee();
  const V = vocab.size;
  for (const over of [{}, { grad_clip_value: 0.01, x_max: 10, alpha: 0.6, eta: 0.1 }] as Partial<GloveParams>[]) {
    const p = resolveGloveParams({ vector_size: 10, max_iter: 1, shuffle: false, threads: 1, seed: 42, ...over });
    const r = await trainGlove(cooc, vocab, p, ctx1);
    const ref = referenceGlove(cooc, V, 10, p, 42);
    assert.ok(Math.abs(r.costs[0]! - ref.cost) / ref.cost < 1e-6, `cost ${r.costs[0]} vs reference ${ref.cost}`);
    const ours = [r.model.wordParameters(), r.model.contextParameters()];
    let maxDiff = 0;
    let maxAbs = 0;
    for (let half = 0; half < 2; half++) {
      const a = ours[half]!;
      for (let i = 0; i < a.length; i++) {
        const b = ref.W[half * V * 11 + i]!;
        maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b));
        maxAbs = Math.max(maxAbs, Math.abs(b));
      }
    }
    // float32 parameters against double: about 5e-7 of the largest value here
    assert.ok(maxDiff < 1e-5 * maxAbs, `max difference ${maxDiff} (largest value ${maxAbs}) with ${JSON.stringify(over)}`);
  }
});

test('cost decreases over iterations on the Lee co-occurrences', async () => {
  const { vocab, cooc } = await lee();
  const r = await trainGlove(cooc, vocab, { vector_size: 30, x_max: 10, max_iter: 8 }, ctx1);
  assert.is(r.costs.length, 8);
  assert.is(r.stopped, 'max_iter');
  for (let i = 1; i < r.costs.length; i++) assert.ok(r.costs[i]! < r.costs[i - 1]!, `cost went up at iteration ${i + 1}: ${r.costs.join(', ')}`);
  assert.ok(r.costs[7]! < 0.75 * r.costs[0]!, r.costs.join(', '));
  assert.is(r.embeddings.size, vocab.size);
  assert.is(r.embeddings.dim, 30);
  assert.equal(r.embeddings.words, vocab.words);
});

test('one thread and a seed give the same vectors every run; another seed does not', async () => {
  const { vocab, cooc } = await lee();
  const params = { vector_size: 16, x_max: 10, max_iter: 3, threads: 1, seed: 7 };
  const a = await trainGlove(cooc, vocab, params);
  const b = await trainGlove(cooc, vocab, params);
  assert.equal(a.costs, b.costs);
  assert.ok(Buffer.from(a.embeddings.data.buffer).equals(Buffer.from(b.embeddings.data.buffer)), 'same seed, different vectors');
  const c = await trainGlove(cooc, vocab, { ...params, seed: 8 });
  assert.not.equal(Array.from(a.embeddings.data.subarray(0, 16)), Array.from(c.embeddings.data.subarray(0, 16)));
  // the seed comes from the context when the params do not set it
  const d = await trainGlove(cooc, vocab, { ...params, seed: undefined }, standaloneContext({ threads: 1, seed: 7 }));
  assert.equal(d.costs, a.costs);
  // shuffling changes the visiting order: a shuffled run differs from one in stored order
  const e = await trainGlove(cooc, vocab, { ...params, shuffle: false });
  assert.not.equal(e.costs, a.costs);
});

test('one thread and a seed give the vectors that earlier versions gave (packing, record layout and shuffle keep the results)', async () => {
  // SHA-256 (first 16 hex digits) of the float32 vectors, recorded with the version
  // that packed records in the workers into 16-byte records; a change of memory
  // layout must not change a single bit of them.
  const { vocab, cooc } = await lee();
  const cases: [boolean, number, string][] = [
    [true, 10, '6214e790bfa99a8b'],
    [false, 10, 'f7660119b33e8b9f'],
    [true, 50, '840f3417f950eef0'],
  ];
  for (const [shuffle, dim, expected] of cases) {
    const r = await trainGlove(cooc, vocab, { vector_size: dim, max_iter: 5, threads: 1, seed: 7, shuffle });
    const d = r.embeddings.data;
    const hash = createHash('sha256').update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).digest('hex').slice(0, 16);
    assert.is(hash, expected, `shuffle ${shuffle}, dim ${dim}`);
  }
});

test('two threads (Hogwild) reach a cost like one thread', async () => {
  const { vocab, cooc } = await lee();
  const params = { vector_size: 30, x_max: 10, max_iter: 8, seed: 3 };
  const one = await trainGlove(cooc, vocab, { ...params, threads: 1 });
  const two = await trainGlove(cooc, vocab, { ...params, threads: 2 });
  const c1 = one.costs[7]!;
  const c2 = two.costs[7]!;
  assert.ok(Math.abs(c1 - c2) / c1 < 0.05, `1 thread ${c1}, 2 threads ${c2}`);
  // more threads than needed for a tiny matrix still works (empty shares are skipped)
  const tiny: Cooccurrences = { vocabSize: vocab.size, size: 3, row: Int32Array.of(0, 1, 2), col: Int32Array.of(1, 2, 0), val: Float64Array.of(1, 2, 3) };
  const t = await trainGlove(tiny, vocab, { vector_size: 4, max_iter: 2, threads: 8 });
  assert.is(t.costs.length, 2);
  // arrays longer than the matrix: only the first `size` records count
  const longer: Cooccurrences = { ...tiny, row: Int32Array.of(0, 1, 2, -7, 99999), col: Int32Array.of(1, 2, 0, -7, 5), val: Float64Array.of(1, 2, 3, NaN, -1) };
  const l = await trainGlove(longer, vocab, { vector_size: 4, max_iter: 2, threads: 1, seed: 5 });
  const s = await trainGlove(tiny, vocab, { vector_size: 4, max_iter: 2, threads: 1, seed: 5 });
  assert.equal(l.costs, s.costs);
});

test('words with similar co-occurrence rows end up with similar vectors', async () => {
  const { vocab, cooc } = await lee();
  const r = await trainGlove(cooc, vocab, { vector_size: 50, x_max: 10, max_iter: 15, seed: 1 }, standaloneContext({ threads: 2 }));
  const E = r.embeddings.normalized();
  // Distributional similarity of the 300 most frequent words: cosine of their log(1 + x) co-occurrence rows.
  const K = 300;
  const rows = Array.from({ length: K }, () => new Float64Array(vocab.size));
  for (let k = 0; k < cooc.size; k++) if (cooc.row[k]! < K) rows[cooc.row[k]!]![cooc.col[k]!] = Math.log1p(cooc.val[k]!);
  const norms = rows.map((row) => Math.sqrt(row.reduce((s, x) => s + x * x, 0)));
  const dist: number[] = [];
  const emb: number[] = [];
  for (let a = 0; a < K; a++) {
    for (let b = a + 1; b < K; b++) {
      let d = 0;
      for (let j = 0; j < vocab.size; j++) d += rows[a]![j]! * rows[b]![j]!;
      dist.push(d / (norms[a]! * norms[b]!));
      let e = 0;
      for (let j = 0; j < E.dim; j++) e += E.data[a * E.dim + j]! * E.data[b * E.dim + j]!;
      emb.push(e);
    }
  }
  const rho = spearman(dist, emb);
  assert.ok(rho > 0.45, `Spearman correlation of vector and co-occurrence similarity ${rho}`);
  // The tenth of pairs with the most similar contexts are far closer than the tenth with the least.
  const order = dist.map((_, i) => i).sort((i, j) => dist[j]! - dist[i]!);
  const tenth = Math.floor(order.length / 10);
  const mean = (ids: number[]): number => ids.reduce((s, i) => s + emb[i]!, 0) / ids.length;
  const top = mean(order.slice(0, tenth));
  const bottom = mean(order.slice(-tenth));
  assert.ok(top - bottom > 0.3, `mean cosine ${top} for similar contexts, ${bottom} for dissimilar`);
});

function spearman(x: number[], y: number[]): number {
  const rank = (v: number[]): Float64Array => {
    const idx = v.map((_, i) => i).sort((i, j) => v[i]! - v[j]!);
    const r = new Float64Array(v.length);
    idx.forEach((i, k) => (r[i] = k));
    return r;
  };
  const rx = rank(x);
  const ry = rank(y);
  const m = (x.length - 1) / 2;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i]! - m) * (ry[i]! - m);
    sxx += (rx[i]! - m) ** 2;
  }
  return sxy / sxx;
}

test('an absurd learning rate stops with E_DIVERGED naming the iteration and eta', async () => {
  const { vocab, cooc } = await lee();
  const nan = await expectError(trainGlove(cooc, vocab, { eta: 1e30, max_iter: 3, threads: 1 }, standaloneContext({ node: 'train' })), 'E_DIVERGED', /iteration 1: \d+ of 222667 co-occurrences gave a NaN or infinite error/);
  assert.is(nan.where.node, 'train');
  assert.is(nan.where.param, 'eta');
  assert.match(nan.hint ?? '', /lower eta/);
  // finite but exploding: far above the cost of all-zero vectors
  await expectError(trainGlove(cooc, vocab, { eta: 5, max_iter: 3, threads: 1 }), 'E_DIVERGED', /over 100 times that of all-zero vectors/);
});

test('bad parameters and inputs give clear errors', async () => {
  const { vocab, cooc } = await lee();
  let e = await expectError(trainGlove(cooc, vocab, { vector_size: 0 }), 'E_PARAM', /vector_size must be an integer from 1/);
  assert.is(e.where.param, 'vector_size');
  e = await expectError(trainGlove(cooc, vocab, { x_max: -1 }), 'E_PARAM', /x_max must be a number > 0, got -1/);
  assert.is(e.where.param, 'x_max');
  await expectError(trainGlove(cooc, vocab, { eta: 0 }), 'E_PARAM', /eta must be a number > 0/);
  await expectError(trainGlove(cooc, vocab, { max_iter: 1.5 }), 'E_PARAM', /max_iter must be an integer/);
  await expectError(trainGlove(cooc, vocab, { formats: ['word2vec'] as never }), 'E_PARAM', /unknown vectors format "word2vec"/);
  await expectError(trainGlove(cooc, vocab, { checkpoint_every: 2 }), 'E_PARAM', /checkpoint_every needs output/);
  await expectError(trainGlove(cooc, vocab, { vectorsize: 10 } as never), 'E_PARAM', /unknown parameter "vectorsize"/);
  // a matrix counted over a larger vocabulary
  const small = new Vocab(vocab.words.slice(0, 10), vocab.counts.slice(0, 10));
  await expectError(trainGlove(cooc, small, {}), 'E_INPUT', /counted over 3027 words but the vocabulary has 10/);
  // a record with a non-positive value names the words
  const bad: Cooccurrences = { vocabSize: vocab.size, size: 2, row: Int32Array.of(0, 1), col: Int32Array.of(1, 0), val: Float64Array.of(1, 0) };
  e = await expectError(trainGlove(bad, vocab, { max_iter: 1, threads: 2 }), 'E_INPUT', /record 2 \(to, the\) has the value 0/);
  assert.is(e.where.word, 'to');
  const empty: Cooccurrences = { vocabSize: vocab.size, size: 0, row: new Int32Array(0), col: new Int32Array(0), val: new Float64Array(0) };
  await expectError(trainGlove(empty, vocab, {}), 'E_INPUT', /no co-occurrences/);
});

test('saves GloVe text, word2vec text and binary that read back exactly; word-only vectors; checkpoints', async () => {
  const { vocab, cooc } = await lee();
  const { dir, cleanup } = tempDir();
  try {
    const r = await trainGlove(
      cooc,
      vocab,
      { vector_size: 12, max_iter: 4, output: 'vectors.txt', formats: ['glove', 'word2vec-text', 'word2vec-binary'], checkpoint_every: 2, threads: 1 },
      standaloneContext({ baseDir: dir }),
    );
    const files = ['vectors.txt', 'vectors.vec', 'vectors.bin'].map((f) => join(dir, f));
    assert.equal(r.files.slice(-3), files);
    assert.ok(existsSync(join(dir, 'vectors.002.txt')) && existsSync(join(dir, 'vectors.002.bin')), 'checkpoint after iteration 2');
    assert.not.ok(existsSync(join(dir, 'vectors.004.txt')), 'no checkpoint for the last iteration');
    for (const [file, format] of [[files[0], 'glove'], [files[1], 'word2vec-text'], [files[2], 'word2vec-binary']] as const) {
      const back = await readVectors(file!, { format });
      assert.equal(back.words, vocab.words, file);
      assert.is(back.dim, 12);
      assert.ok(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(r.embeddings.data.buffer)), `${file} differs`);
    }
    // default save is word + context; 'word' returns W only
    const W = r.model.wordParameters();
    const C = r.model.contextParameters();
    const words = r.model.vectors('word');
    for (let j = 0; j < 12; j++) {
      assert.is(r.embeddings.data[5 * 12 + j], Math.fround(W[5 * 13 + j]! + C[5 * 13 + j]!));
      assert.is(words.data[5 * 12 + j], W[5 * 13 + j]);
    }
  } finally {
    cleanup();
  }
  assert.equal(outputFiles('/a/v', ['glove'], '/x'), [{ file: '/a/v', format: 'glove' }]);
  assert.equal(outputFiles('out/v.txt', ['word2vec-binary', 'glove'], '/x'), [
    { file: '/x/out/v.bin', format: 'word2vec-binary' },
    { file: '/x/out/v.txt', format: 'glove' },
  ]);
  assert.is(checkpointName('/a/vectors.bin', 7), '/a/vectors.007.bin');
});

test('unk_vector appends "<unk>", the mean of the 100 rarest words (as glove.c saves it)', async () => {
  const { vocab, cooc } = await lee();
  const r = await trainGlove(cooc, vocab, { vector_size: 6, max_iter: 1, unk_vector: true, threads: 1 });
  const V = vocab.size;
  assert.is(r.embeddings.size, V + 1);
  assert.is(r.embeddings.words[V], '<unk>');
  for (let j = 0; j < 6; j++) {
    let m = 0;
    for (let i = V - 100; i < V; i++) m += r.embeddings.data[i * 6 + j]!;
    assert.ok(Math.abs(r.embeddings.data[V * 6 + j]! - m / 100) < 1e-6);
  }
  const withUnk = new Vocab(['<unk>', ...vocab.words.slice(1)], vocab.counts);
  await expectError(trainGlove(cooc, withUnk, { unk_vector: true }), 'E_INPUT', /already has the word "<unk>"/);
});

test('tolerance stops early once the cost improves by less than the given fraction', async () => {
  const { vocab, cooc } = await lee();
  const r = await trainGlove(cooc, vocab, { vector_size: 10, max_iter: 20, tolerance: 0.5, threads: 1 });
  assert.is(r.stopped, 'tolerance');
  assert.is(r.costs.length, 2);
});

test('the glove op is registered, reports progress each iteration and returns the vectors', async () => {
  assert.is(findOperator('glove'), gloveOp);
  assert.is(gloveOp.output, 'vectors');
  assert.equal(Object.keys(gloveOp.inputs).sort(), ['cooccurrences', 'vocab']);
  assert.is(gloveOp.params.vector_size!.default, 50);
  assert.is(gloveOp.params.x_max!.default, 100);
  const { vocab, cooc } = await lee();
  const events: ProgressUpdate[] = [];
  const logs: string[] = [];
  const ctx = standaloneContext({ threads: 2, progress: (u) => events.push(u), log: (m) => logs.push(m) });
  const params = resolveGloveParams({ vector_size: 8, max_iter: 3 });
  const emb = await gloveOp.run({ cooccurrences: cooc, vocab }, params, ctx);
  assert.is((emb as { dim: number }).dim, 8);
  const its = events.filter((e) => e.phase === 'iteration');
  assert.equal(its.map((e) => e.done), [1, 2, 3]);
  for (const e of its) {
    assert.is(e.total, 3);
    assert.is(e.unit, 'iterations');
    assert.type(e.metrics!.cost, 'number');
    assert.type(e.metrics!.seconds, 'number');
  }
  assert.equal(its.map((e) => e.iteration), [1, 2, 3]);
  // Each iteration's update carries GloVe's log line as its message (printed once).
  assert.match(its[0]!.message!, /^iter: 001, cost: 0\.\d+/);
  assert.not.ok(logs.some((l) => l.startsWith('iter:')));
  // cancellation between iterations
  const ac = new AbortController();
  ac.abort(new Error('stop'));
  try {
    await trainGlove(cooc, vocab, { max_iter: 3 }, standaloneContext({ signal: ac.signal }));
    assert.unreachable('should have been cancelled');
  } catch (e) {
    assert.is((e as Error).message, 'stop');
  }
});

test('resume: a run stopped after a checkpoint goes on from it and ends with the vectors of a run never stopped (one thread)', async () => {
  const { vocab, cooc } = await lee();
  for (const shuffle of [true, false]) {
    const params = { vector_size: 10, max_iter: 6, threads: 1, seed: 3, shuffle, resume_every: 2 };
    const whole = await trainGlove(cooc, vocab, params, standaloneContext({ threads: 1 }));
    const t = tempDir();
    try {
      // Stop during iteration 4: the checkpoint after iteration 2 is the last one.
      const ac = new AbortController();
      const logs: string[] = [];
      const stopAt4 = (u: ProgressUpdate): void => {
        if (u.phase === 'iteration' && u.iteration === 4) ac.abort(new Error('killed'));
      };
      await expectRejects(trainGlove(cooc, vocab, params, standaloneContext({ threads: 1, signal: ac.signal, checkpointDir: t.dir, progress: stopAt4, log: (m) => logs.push(m) })), /killed/);
      assert.ok(logs.some((l) => /^resume checkpoint after iteration 2 written/.test(l)), logs.join('\n'));
      assert.not.ok(logs.some((l) => /after iteration 4 written/.test(l)));
      assert.equal(readdirSync(t.dir), ['glove.ckpt']);

      const logs2: string[] = [];
      const restored: ProgressUpdate[] = [];
      const again = await trainGlove(cooc, vocab, params, standaloneContext({ threads: 1, checkpointDir: t.dir, log: (m) => logs2.push(m), progress: (u) => restored.push(u) }));
      assert.is(again.resumedFrom, 2);
      assert.ok(logs2.some((l) => /^resuming from the checkpoint after iteration 2 of 6/.test(l)), logs2.join('\n'));
      assert.equal(again.costs, whole.costs, `shuffle ${shuffle}: the same cost every iteration`);
      assert.ok(Buffer.from(again.embeddings.data.buffer).equals(Buffer.from(whole.embeddings.data.buffer)), `shuffle ${shuffle}: bit-identical vectors`);
      // The restored iterations are reported again (marked), so curves stay whole.
      const its = restored.filter((u) => u.phase === 'iteration');
      assert.equal(its.map((u) => u.iteration), [1, 2, 3, 4, 5, 6]);
      assert.is(its[0]!.metrics!.restored, 1);
      assert.is(its[2]!.metrics!.restored, undefined);
    } finally {
      t.cleanup();
    }
  }
});

test('resume: a damaged checkpoint or one written for other settings is ignored with a log line', async () => {
  const { vocab, cooc } = await lee();
  const params = { vector_size: 8, max_iter: 4, threads: 1, seed: 5, resume_every: 1 };
  const whole = await trainGlove(cooc, vocab, params, standaloneContext({ threads: 1 }));
  const t = tempDir();
  try {
    writeFileSync(join(t.dir, 'glove.ckpt'), 'not a checkpoint at all');
    const logs: string[] = [];
    const r = await trainGlove(cooc, vocab, params, standaloneContext({ threads: 1, checkpointDir: t.dir, log: (m) => logs.push(m) }));
    assert.is(r.resumedFrom, 0);
    assert.ok(logs.some((l) => /^ignoring the resume checkpoint .*glove\.ckpt \(not a wordloom checkpoint\); training from the start/.test(l)), logs.join('\n'));
    assert.ok(Buffer.from(r.embeddings.data.buffer).equals(Buffer.from(whole.embeddings.data.buffer)));
    // That run left its checkpoint after iteration 3 (of 4): another seed must not take it.
    const logs2: string[] = [];
    const other = await trainGlove(cooc, vocab, { ...params, seed: 6 }, standaloneContext({ threads: 1, checkpointDir: t.dir, log: (m) => logs2.push(m) }));
    assert.is(other.resumedFrom, 0);
    assert.ok(logs2.some((l) => /written for other settings \(seed\)/.test(l)), logs2.join('\n'));
    await expectError(() => resolveGloveParams({ resume_every: -1 }), 'E_PARAM', /resume_every must be an integer >= 0/);
    await expectError(() => resolveGloveParams({ resume_minutes: -2 }), 'E_PARAM', /resume_minutes must be a number >= 0/);
  } finally {
    t.cleanup();
  }
});

async function expectRejects(p: Promise<unknown>, match: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.match((e as Error).message, match);
    return;
  }
  assert.unreachable('expected a rejection');
}

test.run();
