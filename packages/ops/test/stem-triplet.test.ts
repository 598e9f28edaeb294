import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WordloomError } from '@wordloom/core';
import { countWords, findOperator, fitStemTriplet, groupByStem, readVectors, stemMetrics, standaloneContext, trainStemTriplet } from '../src/index.js';
import { dataPath, tempDir } from './helpers.js';

const corpus = dataPath('corpora/lee_background.cor');

test('words grouped by Porter stem, stems split so no held-out stem is trained on', async () => {
  const counts = await countWords(corpus, { minLength: 3, maxLength: 24 });
  assert.ok(counts.get('government')! > 10);
  assert.is(counts.get('The'), undefined, 'lowercased');
  const g = groupByStem(counts, 2, 0.2, 1);
  const stemOf = new Map(g.words.map((w, i) => [w, g.stems[i]]));
  assert.is(stemOf.get('running'), 'run');
  assert.is(stemOf.get('attacks'), stemOf.get('attacked'));
  const trainStems = new Set(g.train.map((x) => g.stems[x[0]!]));
  for (const h of g.heldOut) {
    assert.ok(h.length >= 2);
    assert.not.ok(trainStems.has(g.stems[h[0]!]), 'held-out stem in training');
    for (const w of h) assert.is(g.stems[w], g.stems[h[0]!]);
  }
  assert.ok(Math.abs(g.heldOut.length / (g.heldOut.length + g.train.length) - 0.2) < 0.01);
});

test('stemMetrics: precision@1 and ROC AUC on hand-made vectors', () => {
  // words 0,1 (stem A) point one way, 2,3 (stem B) another; word 4 (stem B) sits nearer A
  const v = Float32Array.from([1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9, 0.8, 0.3]);
  const m = stemMetrics(v, 2, [Int32Array.from([0, 1]), Int32Array.from([2, 3, 4])]);
  assert.is(m.words, 5);
  assert.is(m.precisionAt1, 4 / 5); // 0 -> 1, 1 -> 0, 2 -> 3, 3 -> 2, 4 -> 1 (stem A: wrong)
  // positives (0,1) .994, (2,3) .994, (2,4) .351, (3,4) .453 against the negatives (0,2) 0, (0,3) .110,
  // (1,2) .110, (1,3) .220 (each below all four) and (0,4) .937, (1,4) .970 (each below two): 20 of 24
  assert.ok(Math.abs(m.auc - 20 / 24) < 1e-12, String(m.auc));
  const perfect = stemMetrics(Float32Array.from([1, 0, 1, 0.01, 0, 1, 0.01, 1]), 2, [Int32Array.from([0, 1]), Int32Array.from([2, 3])]);
  assert.is(perfect.auc, 1);
  assert.is(perfect.precisionAt1, 1);
  // among the whole vocabulary: word 5 (stem C, outside the measured groups) is nearest to word 0
  const withVocab = stemMetrics(Float32Array.from([1, 0, 0.9, 0.3, 0, 1, 0.01, 1, 0.6, 0.6, 0.98, -0.2]), 2, [Int32Array.from([0, 1]), Int32Array.from([2, 3])], ['a', 'a', 'b', 'b', 'c', 'c']);
  assert.is(withVocab.precisionAt1, 1);
  assert.is(withVocab.precisionAt1Vocabulary, 3 / 4);
});

test('reading left to right, training lifts held-out precision@1 and AUC far above the untrained encoder; a seed repeats', async () => {
  const counts = await countWords(corpus, { minLength: 3, maxLength: 24 });
  const g = groupByStem(counts, 2, 0.2, 3);
  const params = { reverse: false, dropout: 0, epoch: 2, embed_dim: 8, hidden: 24, dim: 16, batch: 32, lr: 0.01 };
  const res = await fitStemTriplet(g, params, standaloneContext({ seed: 2 }));
  assert.ok(res.initial!.precisionAt1 < 0.2, JSON.stringify(res.initial));
  assert.ok(res.heldOut!.precisionAt1 > res.initial!.precisionAt1 + 0.3, JSON.stringify(res.heldOut));
  assert.ok(res.heldOut!.auc > 0.95 && res.heldOut!.auc > res.initial!.auc, JSON.stringify(res.heldOut));
  assert.ok(res.train.losses[1]! < res.train.losses[0]!);
  assert.is(res.vectors.size, g.words.length);
  const again = await fitStemTriplet(g, params, standaloneContext({ seed: 2 }));
  assert.equal(again.train.losses, res.train.losses);
});

test('the op writes word2vec text vectors of the whole vocabulary; bad input is refused', async () => {
  const { dir, cleanup } = tempDir();
  try {
    assert.is(findOperator('stem-triplet')!.output, 'vectors');
    const res = await trainStemTriplet({ input: corpus, min_count: 3, epoch: 1, hidden: 16, dim: 8, output: 'v.txt' }, standaloneContext({ baseDir: dir, seed: 1 }));
    const v = await readVectors(join(dir, 'v.txt'));
    assert.is(v.size, res.vectors.size);
    assert.is(v.dim, 8);
    assert.ok(readFileSync(join(dir, 'v.txt'), 'utf8').startsWith(`${res.vectors.size} 8\n`));
    const tiny = join(dir, 'tiny.txt');
    (await import('node:fs')).writeFileSync(tiny, 'run running runs cat cats\n');
    let err: unknown;
    try {
      await trainStemTriplet({ input: tiny, min_count: 1 }, standaloneContext({ seed: 1 }));
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof WordloomError && /too few to measure|left for training/.test(err.message), String(err));
    err = undefined;
    try {
      await trainStemTriplet({ input: join(dir, 'missing.txt') }, standaloneContext());
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof WordloomError && err.code === 'E_FILE', String(err));
    assert.throws(() => groupByStem(new Map([['cat', 9]]), 1, 0.2, 1), /stems with two words or more/);
  } finally {
    cleanup();
  }
});

test('a diverging run stops with E_DIVERGED (not a data error), names the epoch and writes no vectors', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // one step an epoch (the batch holds every anchor) at lr 1e20: Adam moves each weight by about lr, so epoch 1
    // ends with huge but finite weights and epoch 2's GRU states turn NaN
    let err: unknown;
    try {
      await trainStemTriplet({ input: corpus, min_count: 3, epoch: 2, hidden: 16, dim: 8, lr: 1e20, batch: 4096, output: 'v.txt' }, standaloneContext({ baseDir: dir, seed: 1 }));
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof WordloomError && err.code === 'E_DIVERGED', String(err));
    assert.match((err as Error).message, /training diverged in epoch 2 \(.*NaN.*\): the encoder is back to the end of epoch 1 and no vectors were written/);
    assert.not.ok(existsSync(join(dir, 'v.txt')));
  } finally {
    cleanup();
  }
});

test.run();
