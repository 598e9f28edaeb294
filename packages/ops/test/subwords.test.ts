import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Rng, type Embeddings } from '@wordloom/core';
import { findOperator, learnSubwords, nearestNeighbors, predictionQuality, readFastTextModel, readVectors, standaloneContext, type ProgressUpdate } from '../src/index.js';
import { dataPath, tempDir } from './helpers.js';

// 4,000 skip-gram vectors of WikiText-2 (dim 20, cased, most frequent first)
const vectors = await readVectors(dataPath('fixtures/wt2-sg-d20-4k.bin'));
const small = vectors.head(1000);

async function rejects(fn: () => Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await fn();
  } catch (e) {
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected an error matching ${re}`);
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let aa = 0;
  let bb = 0;
  let ab = 0;
  for (let j = 0; j < a.length; j++) {
    aa += a[j]! * a[j]!;
    bb += b[j]! * b[j]!;
    ab += a[j]! * b[j]!;
  }
  return ab / Math.sqrt(aa * bb);
}

const ctx = (over: Parameters<typeof standaloneContext>[0] = {}) => standaloneContext({ threads: 1, seed: 1, ...over });

test('held-out words: predicted from their n-grams far better than a random word or the mean vector; vocabulary words keep their vectors exactly', async () => {
  const progress: ProgressUpdate[] = [];
  const sv = await learnSubwords(vectors, { holdout: 0.1, epoch: 5, bucket: 50000 }, ctx({ progress: (u) => progress.push(u) }));
  const held = sv.info.heldOut;
  assert.is(held.length, 400);
  assert.is(sv.info.words, 4000);
  assert.is(sv.info.trained + 400, 4000 - sv.info.noNgrams + held.filter((w) => !sv.ngramVector(w)).length);
  const ours = predictionQuality(vectors, held, (w) => sv.ngramVector(w));
  const mean = new Float32Array(vectors.dim);
  for (let i = 0; i < vectors.size; i++) for (let j = 0; j < vectors.dim; j++) mean[j]! += vectors.data[i * vectors.dim + j]! / vectors.size;
  const floor = predictionQuality(vectors, held, () => mean);
  const rng = new Rng(7);
  const random = predictionQuality(vectors, held, () => vectors.row(rng.int(vectors.size)));
  // the vectors share a common direction, so even a random word has cosine ~0.54 and the mean vector ~0.73;
  // their neighbours tell them apart: the n-grams find 4-5% of the true 10 neighbours, the mean vector 0.3%
  assert.ok(ours.cosine > random.cosine + 0.15, `held-out cosine ${ours.cosine} vs a random word's ${random.cosine}`);
  assert.ok(ours.cosine > 0.7, `held-out cosine ${ours.cosine}`);
  assert.ok(ours.overlap > 0.025 && ours.overlap > 5 * floor.overlap, `10-NN overlap ${ours.overlap} vs the mean vector's ${floor.overlap}`);
  assert.ok(Math.abs(sv.info.heldOutCosine! - ours.cosine) < 1e-6);
  // the loss falls, progress says how far and at what loss
  const l = sv.info.losses;
  assert.is(l.length, 5);
  assert.ok(l[4]! < 0.5 * l[0]!, `losses ${l}`);
  const learning = progress.filter((u) => u.phase === 'learning');
  assert.ok(learning.length >= 5);
  assert.is(learning[learning.length - 1]!.done, learning[learning.length - 1]!.total);
  assert.is(typeof learning[0]!.metrics!.loss, 'number');

  // every vocabulary word, held out or not: fastText's vector (mean of own row and n-gram rows) is the original
  let worst = 0;
  let inexact = 0;
  for (let i = 0; i < vectors.size; i++) {
    const w = vectors.words[i]!;
    const r = sv.model.wordVector(w);
    assert.is(r.id, i);
    const t = vectors.row(i);
    let big = 0;
    for (let j = 0; j < vectors.dim; j++) big = Math.max(big, Math.abs(t[j]!));
    for (let j = 0; j < vectors.dim; j++) {
      const d = Math.abs(r.vector[j]! - t[j]!);
      if (d > 0) inexact++;
      worst = Math.max(worst, d / big);
    }
  }
  // fastText sums the rows in float32: a value that is not bit-equal is off by a rounding step of that sum
  assert.ok(worst < 1e-6, `error ${worst} of the largest value`);
  assert.ok(inexact < 0.5 * vectors.size * vectors.dim, `${inexact} values not bit-equal`);
  // a word outside the vocabulary: the mean of its n-gram rows; the rows of the artifact are the input's
  assert.is(sv.data, vectors.data);
  assert.equal(sv.words, vectors.words);
  assert.is(sv.id('runnning'), -1);
  const oov = sv.oov('runnning')!;
  assert.ok(oov);
  assert.equal(Array.from(oov), Array.from(sv.ngramVector('runnning')!));
  // knn answers for words outside the vocabulary from their n-grams: a misspelling lands near its word
  const nn = await nearestNeighbors(sv, ['playerss', 'recieved', 'zzzzzzzz'], { k: 10, backend: 'typescript' });
  assert.ok(nn.queries[0]!.oov);
  assert.ok(nn.queries[0]!.neighbors.some((x) => x.word === 'players'), JSON.stringify(nn.queries[0]));
  assert.ok(cosine(sv.oov('recieved')!, vectors.vector('received')!) > cosine(sv.oov('recieved')!, vectors.vector('the')!));
  assert.is(sv.model.args.minn, 3);
  assert.is(sv.model.args.maxn, 6);
  assert.is(sv.model.args.bucket, 50000);
  assert.is(sv.model.input.rows, 4000 + 50000);
});

test('one thread and a seed give the same rows; another seed other rows', async () => {
  const p = { epoch: 2, bucket: 20000, holdout: 0.1 };
  const a = await learnSubwords(small, p, ctx());
  const b = await learnSubwords(small, p, ctx());
  const c = await learnSubwords(small, { ...p, seed: 2 }, ctx());
  const da = (a.model.input as unknown as { data: Float32Array }).data;
  const db = (b.model.input as unknown as { data: Float32Array }).data;
  const dc = (c.model.input as unknown as { data: Float32Array }).data;
  assert.ok(Buffer.from(da.buffer).equals(Buffer.from(db.buffer)));
  assert.equal(a.info.heldOut, b.info.heldOut);
  assert.equal(a.info.losses, b.info.losses);
  assert.not.equal(a.info.heldOut, c.info.heldOut);
  assert.not.ok(Buffer.from(da.buffer).equals(Buffer.from(dc.buffer)));
});

test('every optimizer and both losses learn (two threads, Hogwild)', async () => {
  for (const [optimizer, loss, lr] of [['sparse_adam', 'squared', 0.01], ['adagrad', 'cosine', 0.1], ['lazy_adam', 'squared', 0.01]] as const) {
    const sv = await learnSubwords(small, { optimizer, loss, lr, epoch: 3, bucket: 20000 }, ctx({ threads: 2 }));
    const l = sv.info.losses;
    assert.ok(l[2]! < 0.8 * l[0]!, `${optimizer} ${loss}: losses ${l}`);
    assert.match(sv.info.optimizer, optimizer === 'adagrad' ? /^Adagrad\(ngrams\)$/ : optimizer === 'lazy_adam' ? /^LazyAdam\(ngrams\)$/ : /^SparseAdam\(ngrams\)$/);
    assert.is(sv.info.threads, 2);
  }
});

test('the op: registered, reads a vectors file, limit; short words without n-grams keep their vectors', async () => {
  const op = findOperator('subwords')!;
  assert.ok(op);
  assert.is(op.output, 'vectors');
  const sv = (await op.run({}, { vectors: dataPath('fixtures/wt2-sg-d20-300.txt'), limit: 200, minn: 5, maxn: 6, bucket: 5000, epoch: 2, lr: 0.01, loss: 'cosine', optimizer: 'lazy_adam', batch: 4, holdout: 0 }, ctx())) as Embeddings & { info: { words: number; noNgrams: number }; model: { wordVector(w: string): { vector: Float32Array; rows: number } } };
  assert.is(sv.size, 200);
  assert.is(sv.info.words, 200);
  // "<the>" has 5 characters: one n-gram; "<,>" none: its vector is its own row
  assert.ok(sv.info.noNgrams > 0);
  const r = sv.model.wordVector(',');
  assert.is(r.rows, 1);
  assert.equal(Array.from(r.vector), Array.from(sv.vector(',')!));
});

test("words fastText cannot hold (white space, NUL) are left out of the model with a log line; U+FEFF and repeated words are fine", async () => {
  const words = ['cat', 'a b', '\uFEFF', 'cats', 'cat', 'tab\there', 'dog'];
  const d = small.dim;
  const data = new Float32Array(words.length * d);
  for (let i = 0; i < words.length; i++) data.set(small.row(i + 10), i * d);
  const { Embeddings } = await import('@wordloom/core');
  const logs: string[] = [];
  const sv = await learnSubwords(new Embeddings(words, d, data), { epoch: 1, bucket: 1000 }, ctx({ log: (m) => logs.push(m) }));
  assert.is(sv.size, 7);
  assert.is(sv.info.words, 4);
  assert.equal([0, 1, 2, 3].map((i) => sv.model.dict.word(i)), ['cat', '\uFEFF', 'cats', 'dog']);
  assert.ok(logs.some((l) => l.startsWith('2 word(s) with white space or NUL left out of the model') && l.includes('"a b"')), logs.join('\n'));
  // the first "cat" row is the one the model reproduces
  assert.equal(Array.from(sv.model.wordVector('cat').vector).map((x) => x.toFixed(5)), Array.from(sv.row(0)).map((x) => x.toFixed(5)));
});

test('bad params: clear errors naming the param', async () => {
  await rejects(() => learnSubwords(small, { minn: 5, maxn: 3 }, ctx()), /maxn \(3\) is shorter than minn \(5\)/);
  await rejects(() => learnSubwords(small, { loss: 'l1' as never }, ctx()), /unknown loss "l1".*|choose cosine or squared/);
  await rejects(() => learnSubwords(small, { optimizer: 'sgd' as never }, ctx()), /unknown optimizer "sgd"/);
  await rejects(() => learnSubwords(small, { holdout: 0.9 }, ctx()), /holdout must be a fraction from 0 to 0\.5, got 0\.9/);
  await rejects(() => learnSubwords(small, { lr: 0 }, ctx()), /lr must be a number > 0/);
  await rejects(() => learnSubwords(small, { bucket: 0 }, ctx()), /bucket must be an integer from 1/);
  await rejects(() => learnSubwords(small.head(20), { minn: 40, maxn: 40 }, ctx()), /none of the 20 words has a character n-gram of 40 to 40 characters/);
  await rejects(() => findOperator('subwords')!.run({}, { minn: 3, maxn: 6 }, ctx()) as Promise<unknown>, /subwords needs vectors/);
});

test('output: a fastText .bin that reads back with the same vectors (when the writer is built), else a clear error and no file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'sub.bin');
    const writer = existsSync(fileURLToPath(new URL('../src/subword/writer.js', import.meta.url)));
    if (!writer) {
      await rejects(() => learnSubwords(small.head(100), { epoch: 1, bucket: 1000, output: file }, ctx()), /writing a fastText \.bin needs the model writer/);
      assert.equal(readdirSync(dir), []);
      return;
    }
    const sv = await learnSubwords(small.head(100), { epoch: 1, bucket: 1000, output: file }, ctx());
    assert.equal(sv.info.files, [file]);
    const m = readFastTextModel(file, { output: false });
    for (const w of ['the', 'of', 'runnning', 'Valkyria']) assert.equal(Array.from(m.wordVector(w).vector), Array.from(sv.model.wordVector(w).vector), w);
  } finally {
    cleanup();
  }
});

test.run();
