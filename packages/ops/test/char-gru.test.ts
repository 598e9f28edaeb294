import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { WordloomError } from '@wordloom/core';
import { CharGRUModel, exampleText, findOperator, fitCharGRU, readExamples, splitExamples, standaloneContext, testCharGRU, trainCharGRU, type RawExample } from '../src/index.js';
import { dataPath, tempDir } from './helpers.js';

/** English movie-review sentences against Bulgarian Wikipedia text cut to sentence-like pieces: a task a character model learns in an epoch. */
function languageExamples(n: number): RawExample[] {
  const en = readFileSync(dataPath('classify/rt-polarity.pos'), 'utf8').split('\n').filter(Boolean).slice(0, n);
  const words = readFileSync(dataPath('corpora/bg-wiki-sample.txt'), 'utf8').split(/\s+/).filter((w) => /^[а-я]+$/.test(w));
  const bg: string[] = [];
  for (let i = 0; bg.length < n; i += 12) bg.push(words.slice(i, i + 4 + (i % 9)).join(' '));
  const ex: RawExample[] = [];
  en.forEach((t, i) => ex.push({ tokens: t.split(' '), labels: ['en'], file: 'rt-polarity.pos', line: i + 1 }));
  bg.forEach((t, i) => ex.push({ tokens: t.split(' '), labels: ['bg'], file: 'bg-wiki-sample.txt', line: i + 1 }));
  return ex;
}

async function rejects(p: Promise<unknown>, check: RegExp | ((e: unknown) => boolean)): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (check instanceof RegExp) assert.match((e as Error).message, check);
    else assert.ok(check(e), String(e));
    return;
  }
  assert.unreachable('expected a rejection');
}

const small = { embed_dim: 8, hidden: 16, batch: 16, lr: 0.01 };

test('char-gru learns English from Bulgarian in two epochs; the loss falls; a seed gives the same model', async () => {
  const { train, test: held } = splitExamples(languageExamples(300), 0.2, 1);
  const ctx = standaloneContext({ seed: 4 });
  const res = await fitCharGRU(train, { ...small, epoch: 2 }, ctx);
  assert.is(res.train.losses.length, 2);
  assert.ok(res.train.losses[1]! < res.train.losses[0]!, `losses ${res.train.losses}`);
  assert.ok(res.train.losses[1]! < 0.3, `losses ${res.train.losses}`);
  const t = testCharGRU(res.model, held);
  assert.ok(t.accuracy > 0.95, `accuracy ${t.accuracy}`);
  assert.equal(res.model.config.labels, ['bg', 'en']);
  const again = await fitCharGRU(train, { ...small, epoch: 2 }, ctx);
  assert.equal(again.train.losses, res.train.losses);
  assert.equal(Array.from(again.model.out.weight.data), Array.from(res.model.out.weight.data));
});

test('threads: each batch cut into parts run side by side gives one thread\'s model to float rounding, and the same model every run', async () => {
  const { train } = splitExamples(languageExamples(150), 0.2, 2);
  const fit = (threads: number, extra = {}) => fitCharGRU(train, { ...small, epoch: 2, threads, ...extra }, standaloneContext({ seed: 3 }));
  const one = await fit(1);
  const two = await fit(2);
  const three = await fit(3);
  assert.is(one.train.threads, 1);
  assert.is(two.train.threads, 2);
  for (const other of [two, three]) {
    other.train.losses.forEach((l, i) => assert.ok(Math.abs(l - one.train.losses[i]!) < 1e-5, `losses ${other.train.losses} against ${one.train.losses}`));
    other.model.params.forEach((q, i) => {
      const ref = one.model.params[i]!.data;
      let worst = 0;
      for (let j = 0; j < ref.length; j++) worst = Math.max(worst, Math.abs(q.data[j]! - ref[j]!) / Math.max(1, Math.abs(ref[j]!)));
      assert.ok(worst < 1e-4, `${q.name}: ${worst}`);
    });
  }
  // the parts' gradients are summed in a fixed order: a rerun is bit-identical
  const again = await fit(2);
  assert.equal(again.train.losses, two.train.losses);
  again.model.params.forEach((q, i) => assert.equal(Array.from(q.data), Array.from(two.model.params[i]!.data), q.name));
  // a batch of one text: threads are capped at the batch; batches smaller than the threads leave workers idle
  assert.is((await fit(2, { batch: 1, epoch: 1 })).train.threads, 1);
  const tail = await fit(4, { batch: 5, epoch: 1 });
  assert.ok(Number.isFinite(tail.train.losses[0]!), `loss ${tail.train.losses}`);
});

test('a packed batch gives each text the logits it gets alone (any lengths, either direction)', () => {
  for (const reverse of [false, true]) {
    const model = new CharGRUModel({ labels: ['a', 'b', 'c'], alphabet: [...'abcdefghij '], embedDim: 5, hidden: 7, layers: 2, reverse, maxLength: 100 });
    const texts = ['a bad cafe', 'j', 'hi', 'jig a jig a jig', 'cab', 'zzz?'];
    const seqs = texts.map((t) => model.encode(t));
    const batch = Array.from(model.logits(seqs));
    texts.forEach((_, i) => {
      const alone = Array.from(model.logits([seqs[i]!]));
      for (let j = 0; j < 3; j++) assert.ok(Math.abs(alone[j]! - batch[i * 3 + j]!) < 1e-6, `text ${i}, reverse ${reverse}`);
    });
  }
});

test('right to left reads the reversed text: same weights, reversed input, same logits', () => {
  const cfg = { labels: ['x', 'y'], alphabet: [...'abcdefgh'], embedDim: 4, hidden: 6, layers: 1, maxLength: 50 };
  const rtl = new CharGRUModel({ ...cfg, reverse: true });
  const ltr = new CharGRUModel({ ...cfg, reverse: false });
  rtl.params.forEach((p, i) => ltr.params[i]!.data.set(p.data));
  const texts = ['abcdeh', 'hgf', 'a'];
  const a = Array.from(rtl.logits(texts.map((t) => rtl.encode(t))));
  const b = Array.from(ltr.logits(texts.map((t) => ltr.encode([...t].reverse().join('')))));
  assert.equal(a, b);
  assert.not.equal(a, Array.from(ltr.logits(texts.map((t) => ltr.encode(t)))));
});

test('characters outside the alphabet read as the unknown id 0; long texts are cut; an empty text is one unknown character', () => {
  const model = new CharGRUModel({ labels: ['x', 'y'], alphabet: ['a', 'b'], embedDim: 2, hidden: 3, layers: 1, reverse: false, maxLength: 4 });
  assert.equal(Array.from(model.encode('abzé')), [1, 2, 0, 0]);
  assert.equal(Array.from(model.encode('ababab')), [1, 2, 1, 2]);
  assert.equal(Array.from(model.encode('')), [0]);
  assert.equal(model.predict(['', 'ab'], 2).map((p) => p.length), [2, 2]);
});

test('the op: trains on rt-polarity-style class files, tests on the held-out split, saves a model that loads and predicts the same', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const ex = languageExamples(100);
    writeFileSync(join(dir, 'en.txt'), ex.filter((e) => e.labels[0] === 'en').map(exampleText).join('\n') + '\n');
    writeFileSync(join(dir, 'bg.txt'), ex.filter((e) => e.labels[0] === 'bg').map(exampleText).join('\n') + '\n');
    const op = findOperator('char-gru');
    assert.ok(op, 'registered');
    assert.is(op!.output, 'char-classifier');
    const out = join(dir, 'm', 'model.bin');
    const logs: string[] = [];
    const res = await trainCharGRU({ classes: { en: 'en.txt', bg: 'bg.txt' }, ...small, epoch: 1, reverse: true, max_length: 40, output: 'm/model.bin' }, standaloneContext({ baseDir: dir, seed: 2, log: (m) => logs.push(m) }));
    assert.is(res.test!.examples, 20);
    assert.ok(res.train.cut > 0 && logs.some((l) => /warning: \d+ training texts are longer than max_length 40/.test(l)), logs.join('\n'));
    assert.equal(res.files, [out]);
    const loaded = await CharGRUModel.load(out);
    assert.equal(loaded.config, res.model.config);
    const texts = ex.slice(0, 10).map(exampleText);
    assert.equal(loaded.predict(texts, 2), res.model.predict(texts, 2));
    // a damaged file is refused with the reason
    const bytes = readFileSync(out);
    writeFileSync(join(dir, 'cut.bin'), bytes.subarray(0, bytes.length - 8));
    await rejects(CharGRUModel.load(join(dir, 'cut.bin')), /ends inside parameter linear\.bias|not a wordloom char-gru model/);
    writeFileSync(join(dir, 'other.bin'), 'hello world, not a model');
    await rejects(CharGRUModel.load(join(dir, 'other.bin')), /does not start with WLCHGRU1/);
  } finally {
    cleanup();
  }
});

test('bad input: one label, no examples, bad params; a diverging run stops with E_DIVERGED and keeps the last good epoch', async () => {
  const ex = languageExamples(40);
  const isErr = (code: string, re: RegExp) => (e: unknown) => e instanceof WordloomError && e.code === code && re.test(e.message);
  await rejects(fitCharGRU(ex.filter((e) => e.labels[0] === 'en'), small), isErr('E_INPUT', /at least 2 labels, the data has 1 \(en\)/));
  await rejects(fitCharGRU([], small), isErr('E_INPUT', /no training examples/));
  await rejects(fitCharGRU(ex, { ...small, hidden: 0 }), isErr('E_PARAM', /hidden must be an integer from 1/));
  await rejects(fitCharGRU(ex, { ...small, lr: -1 }), isErr('E_PARAM', /lr must be a number > 0/));
  await rejects(fitCharGRU(ex, { ...small, optimizer: 'adagrad' as never }), isErr('E_PARAM', /unknown optimizer "adagrad"/));
  // lr 3e38: Adam moves every weight by about lr a step, so the second step overflows float32 and the loss turns NaN
  let caught: unknown;
  try {
    await fitCharGRU(ex, { ...small, lr: 3e38, epoch: 2 }, standaloneContext({ seed: 1 }));
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof WordloomError && caught.code === 'E_DIVERGED', String(caught));
  assert.match((caught as Error).message, /training diverged in epoch 1 .*back to its initial weights/);
  // the op writes the model after every epoch: one step an epoch (the batch holds all 6 texts), so epoch 1
  // finishes with weights near 3e38 (finite) and epoch 2 overflows; the file keeps epoch 1's model
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'en.txt'), 'hello there\nthis is english\nmore words here\n');
    writeFileSync(join(dir, 'bg.txt'), 'здравей\nтова е\nбългарски текст\n');
    caught = undefined;
    const logs: string[] = [];
    try {
      await trainCharGRU({ classes: { en: 'en.txt', bg: 'bg.txt' }, ...small, batch: 100, test_fraction: 0, lr: 3e38, epoch: 3, output: 'm.bin' }, standaloneContext({ baseDir: dir, seed: 1, log: (m) => logs.push(m) }));
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof WordloomError && caught.code === 'E_DIVERGED', String(caught));
    assert.match((caught as Error).message, /training diverged in epoch 2 .*back to the end of epoch 1[\s\S]*checkpoint of epoch 1 was kept/);
    assert.ok(logs.some((l) => /^epoch 1: model written to /.test(l)), logs.join('\n'));
    const kept = await CharGRUModel.load(join(dir, 'm.bin'));
    for (const p of kept.params) assert.ok(p.data.every((v) => Number.isFinite(v)), `${p.name}: ${p.data.find((v) => !Number.isFinite(v))}`);
  } finally {
    cleanup();
  }
});

test('readExamples + split: the rt-polarity files the bench uses are there and give 10,662 texts', async () => {
  const all = await readExamples({ classes: { pos: dataPath('classify/rt-polarity.pos'), neg: dataPath('classify/rt-polarity.neg') } });
  assert.is(all.length, 10662);
  assert.ok(existsSync(dataPath('classify/rt-polarity.neg')));
});

test.run();
