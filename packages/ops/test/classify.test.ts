import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WordloomError } from '@wordloom/core';
import { ClassifierModel, FastTextPredictor, readFastTextModel, fitClassifier, readExamples, splitExamples, standaloneContext, testClassifier, trainClassifier, findOperator } from '../src/index.js';
import { dataPath, tempDir } from './helpers.js';

async function rejects(fn: () => Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await fn();
  } catch (e) {
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected an error matching ${re}`);
}

const classes = { pos: dataPath('classify/rt-polarity.pos'), neg: dataPath('classify/rt-polarity.neg') };

test('rt-polarity, seeded 90/10 split: accuracy at least 0.76 (one thread, deterministic), model saved and loaded gives the same predictions', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const progress: number[] = [];
    const out = join(dir, 'rt.bin');
    const res = await trainClassifier(
      { classes, test_fraction: 0.1, output: out },
      standaloneContext({ threads: 1, seed: 1, progress: (u) => { if (u.phase === 'training') progress.push(u.done!); } }),
    );
    assert.is(res.train.examples, 9596);
    assert.is(res.test!.examples, 1066);
    assert.ok(res.test!.precision >= 0.76, `accuracy ${res.test!.precision}`);
    assert.is(res.test!.precision, res.test!.recall); // one label each, k = 1
    assert.ok(res.train.losses[0]! > res.train.losses.at(-1)!);
    assert.ok(progress.length >= 5 && progress.at(-1) === 9596 * 5);
    assert.match(res.train.optimizer, /LazyAdam\(input\) \+ Adam\(output\)/);
    assert.equal(res.files, [out]);
    assert.equal(readdirSync(dir), ['rt.bin']); // no temporary left behind
    const loaded = await ClassifierModel.load(out);
    assert.equal(loaded.labels, res.model.labels);
    assert.equal(Array.from(loaded.output), Array.from(res.model.output));
    const { test: held } = splitExamples(await readExamples({ classes }), 0.1, 1);
    const again = testClassifier(loaded, held, 1);
    assert.is(again.precision, res.test!.precision);
    const p = loaded.predict('a gorgeous , witty , seductive movie .', 2);
    assert.is(p.length, 2);
    assert.is(p[0]!.label, 'pos');
    assert.ok(Math.abs(p[0]!.probability + p[1]!.probability - 1) < 1e-9);
    assert.is(loaded.predict('a dull , boring and tedious mess .')[0]!.label, 'neg');
    // a second run with the same seed and one thread gives the same model
    const res2 = await fitClassifier(splitExamples(await readExamples({ classes }), 0.1, 1).train, { epoch: 1, word_ngrams: 1 }, standaloneContext({ threads: 1, seed: 3 }));
    const res3 = await fitClassifier(splitExamples(await readExamples({ classes }), 0.1, 1).train, { epoch: 1, word_ngrams: 1 }, standaloneContext({ threads: 1, seed: 3 }));
    assert.equal(Array.from(res2.model.output), Array.from(res3.model.output));
  } finally {
    cleanup();
  }
});

test('P@k and R@k: k = 1, 2, 3 with several gold labels, against values computed by hand', () => {
  // Three labels, output rows the identity, so a word's input row is its label scores:
  // x ranks a > b > c, y ranks b > c > a, z ranks c > a > b.
  const input = Float32Array.from([3, 2, 0, 0, 3, 2, 2, 0, 3]);
  const output = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const model = new ClassifierModel(['x', 'y', 'z'], ['a', 'b', 'c'], 3, 1, 0, '__label__', input, output);
  const ex = (tokens: string[], labels: string[], line: number) => ({ tokens, labels, file: 'hand.txt', line });
  const examples = [
    ex(['x'], ['a', 'b'], 1), // top 2 a b: 2 right; top 1 a: right
    ex(['y'], ['a'], 2), //      top 2 b c: none;    top 1 b: wrong
    ex(['z'], ['c', 'a', 'b'], 3), // top 2 c a: 2 right; top 1 c: right
    ex(['x'], ['c'], 4), //      top 2 a b: none;    top 1 a: wrong
  ];
  // 7 gold labels in all; k predictions per example.
  const at = (k: number) => {
    const r = testClassifier(model, examples, k);
    assert.is(r.examples, 4);
    assert.is(r.k, k);
    return [r.precision, r.recall];
  };
  assert.equal(at(1), [2 / 4, 2 / 7]);
  assert.equal(at(2), [4 / 8, 4 / 7]);
  assert.equal(at(3), [7 / 12, 7 / 7]);
  // One gold label each, two labels to choose from: P@2 is 1/2 whatever the model, R@2 is 1.
  const two = new ClassifierModel(['x'], ['a', 'b'], 1, 1, 0, '__label__', Float32Array.from([1]), Float32Array.from([1, -1]));
  const three = [ex(['x'], ['b'], 1), ex(['x'], ['a'], 2), ex(['x'], ['b'], 3)];
  const r = testClassifier(two, three, 2);
  assert.equal([r.precision, r.recall], [3 / 6, 3 / 3]);
  const r1 = testClassifier(two, three, 1);
  assert.equal([r1.precision, r1.recall], [1 / 3, 1 / 3]);
});

test('the classify op reports P@k and R@k at the k asked for, on multi-label held-out lines', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // Two topics, every line labelled with both its topic and "any": a perfect top 2 is {topic, any}.
    const lines: string[] = [];
    for (let i = 0; i < 200; i++) {
      const t = i % 2 ? 'sport' : 'food';
      const words = t === 'sport' ? 'goal match team score' : 'bread soup salt cook';
      lines.push(`__label__${t} __label__any ${words} w${i % 7}`);
    }
    const file = join(dir, 'multi.txt');
    writeFileSync(file, lines.join('\n') + '\n');
    const res = await trainClassifier({ input: file, test_fraction: 0.2, k: 2, epoch: 20, lr: 0.05 }, standaloneContext({ threads: 1, seed: 1 }));
    const t = res.test!;
    assert.is(t.examples, 40);
    assert.is(t.k, 2);
    // Gold labels: 2 per line; predictions: 2 per line. Precision = recall = correct / 80 here, and
    // both must be 1 when the model learned the topics (any is on every line).
    assert.is(t.precision, 1, `P@2 ${t.precision}`);
    assert.is(t.recall, 1, `R@2 ${t.recall}`);
    const k1 = testClassifier(res.model, splitExamples(await readExamples({ input: file }), 0.2, 1).test, 1);
    // Top 1 is right on every line (either label is gold), but finds only half the gold labels.
    assert.is(k1.precision, 1);
    assert.is(k1.recall, 0.5);
  } finally {
    cleanup();
  }
});

test('fastText-format input, a separate label file, two threads (Hogwild) and every optimizer', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const pos = readFileSync(classes.pos, 'utf8').split('\n').slice(0, 300);
    const neg = readFileSync(classes.neg, 'utf8').split('\n').slice(0, 300);
    const ft = join(dir, 'train.txt');
    writeFileSync(ft, [...pos.map((l) => `__label__pos ${l}`), ...neg.map((l) => `${l} __label__neg`), 'a line without a label'].join('\n') + '\n');
    const text = join(dir, 'text.txt');
    const labels = join(dir, 'labels.txt');
    writeFileSync(text, [...pos, ...neg].join('\n') + '\n');
    writeFileSync(labels, [...pos.map(() => 'pos'), ...neg.map(() => 'neg')].join('\n') + '\n');
    const a = await readExamples({ input: ft });
    const b = await readExamples({ input: text, labels });
    assert.is(a.length, 600);
    assert.equal(a.map((e) => e.labels), b.map((e) => e.labels));
    assert.equal(a[0]!.tokens, b[0]!.tokens);
    for (const optimizer of ['lazy_adam', 'sparse_adam', 'adam', 'adagrad', 'smorms3', 'sgd'] as const) {
      const lr = optimizer === 'sgd' ? 0.5 : optimizer === 'adagrad' ? 0.1 : optimizer === 'smorms3' ? 0.01 : 0.005;
      const r = await trainClassifier({ input: ft, optimizer, lr, epoch: optimizer === 'sgd' ? 10 : 4, bucket: 5000, batch: optimizer === 'adam' ? 32 : 1 }, standaloneContext({ threads: 2 }));
      const fit = testClassifier(r.model, a, 1);
      assert.ok(fit.precision > 0.9, `${optimizer}: training accuracy ${fit.precision}`);
      assert.ok(r.train.losses.at(-1)! < r.train.losses[0]!, optimizer);
    }
    writeFileSync(labels, 'pos\n');
    await rejects(() => readExamples({ input: text, labels }), /the label file has 1 lines but the input has 600/);
  } finally {
    cleanup();
  }
});

test('the WebAssembly kernel trains as core\'s optimizers do: from the same model, the same weights after an epoch (lazy_adam, sparse_adam, sgd)', async () => {
  const all = (await readExamples({ classes })).filter((_, i) => i % 8 === 0);
  const ctx = () => standaloneContext({ threads: 1, seed: 3 });
  for (const [optimizer, lr] of [['lazy_adam', 0.01], ['sparse_adam', 0.01], ['sgd', 0.5]] as const) {
    const p = { optimizer, lr, epoch: 1, bucket: 3000, dim: 10 };
    const start = await fitClassifier(all, { ...p, backend: 'typescript' }, ctx());
    const copy = (m: ClassifierModel) => new ClassifierModel(m.words, m.labels, m.dim, m.wordNgrams, m.bucket, m.labelPrefix, Float32Array.from(m.input), Float32Array.from(m.output));
    const w = await fitClassifier(all, { ...p, backend: 'wasm' }, ctx(), { model: copy(start.model) });
    const t = await fitClassifier(all, { ...p, backend: 'typescript' }, ctx(), { model: copy(start.model) });
    assert.is(w.train.backend, 'wasm-simd:1');
    assert.is(t.train.backend, 'typescript:1');
    assert.is(w.train.optimizer, t.train.optimizer);
    let maxDiff = 0;
    let moved = 0;
    for (let i = 0; i < t.model.input.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(w.model.input[i]! - t.model.input[i]!));
      if (t.model.input[i] !== start.model.input[i]) moved++;
    }
    for (let i = 0; i < t.model.output.length; i++) maxDiff = Math.max(maxDiff, Math.abs(w.model.output[i]! - t.model.output[i]!));
    assert.ok(moved > 1000, `${optimizer}: ${moved} input values moved`);
    assert.ok(maxDiff < 2e-4, `${optimizer}: weights differ by up to ${maxDiff}`);
    assert.ok(Math.abs(w.train.losses[0]! - t.train.losses[0]!) < 1e-4, `${optimizer}: loss ${w.train.losses[0]} vs ${t.train.losses[0]}`);
  }
  await rejects(() => fitClassifier(all, { optimizer: 'adam', backend: 'wasm' }), /backend 'wasm' trains optimizers lazy_adam, sparse_adam and sgd with batch 1/);
});

test('a fastText-format file read from its bytes trains the model that the general reader trains (odd whitespace, </s> in the text, labels-only and unlabelled lines, UTF-8, min_count, held-out part)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // rt-polarity lines with the cases the byte reader must treat as readExamples does
    const rt = readFileSync(dataPath('classify/rt-polarity.pos'), 'utf8').split('\n').slice(0, 300);
    const neg = readFileSync(dataPath('classify/rt-polarity.neg'), 'utf8').split('\n').slice(0, 300);
    const lines: string[] = [];
    rt.forEach((l, i) => lines.push(i % 7 === 0 ? `${l}\t__label__pos` : `__label__pos  ${l}`));
    neg.forEach((l, i) => lines.push(i % 5 === 0 ? `__label__neg\r${l.replace(/ /g, '\v')} </s> café naïve\r` : `__label__neg ${l}`));
    lines.splice(17, 0, '__label__pos', 'a line without a label', '', '   ', '__label__neg __label__pos both labels ünïcödé </s>');
    const file = join(dir, 'odd.txt');
    writeFileSync(file, lines.join('\n')); // no final newline
    for (const [minCount, fraction, backend] of [[1, 0.2, 'auto'], [2, 0, 'typescript']] as const) {
      const p = { input: file, dim: 8, epoch: 1, word_ngrams: 3, bucket: 5000, min_count: minCount, test_fraction: fraction, backend, threads: 1 };
      const logs: string[] = [];
      const a = await trainClassifier(p, standaloneContext({ threads: 1, seed: 3, log: (m) => logs.push(m) }));
      const all = await readExamples(p);
      const { train, test: held } = splitExamples(all, fraction, 3);
      const b = await fitClassifier(train, p, standaloneContext({ threads: 1, seed: 3, log: () => {} }));
      assert.equal(a.model.words, b.model.words);
      assert.ok(a.model.words.includes('</s>') && a.model.words.includes('café'));
      assert.equal(a.model.labels, b.model.labels);
      assert.equal(a.train.examples, b.train.examples);
      assert.equal(a.train.losses, b.train.losses);
      assert.equal(Array.from(a.model.input), Array.from(b.model.input));
      assert.equal(Array.from(a.model.output), Array.from(b.model.output));
      if (fraction) assert.equal(a.test, testClassifier(b.model, held, 1));
      assert.ok(logs.some((m) => /warning: \d+ of \d+ training examples have no word/.test(m)), logs.join('\n'));
    }
    // not UTF-8: the general reader (its replacement characters) decides
    writeFileSync(file, Buffer.concat([Buffer.from('__label__a caf'), Buffer.from([0xe9]), Buffer.from(' x\n__label__b y z\n')]));
    const c = await trainClassifier({ input: file, dim: 4, epoch: 1, threads: 1 }, standaloneContext({ threads: 1, seed: 1, log: () => {} }));
    assert.ok(c.model.words.includes('caf\ufffd'));
  } finally {
    cleanup();
  }
});

test('classify errors say what to do', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'nolabels.txt');
    writeFileSync(f, 'just text\nmore text\n');
    try {
      await trainClassifier({ input: f });
      assert.unreachable();
    } catch (e) {
      assert.ok(e instanceof WordloomError);
      assert.match((e as Error).message, /no line has a label/);
      assert.match((e as WordloomError).hint!, /__label__/);
    }
    writeFileSync(f, '__label__a one\n__label__a two\n');
    await rejects(() => trainClassifier({ input: f }), /needs at least 2/);
    writeFileSync(join(dir, 'bad.bin'), 'nope');
    await rejects(() => ClassifierModel.load(join(dir, 'bad.bin')), /not a wordloom classifier/);
    assert.ok(findOperator('classify'));
    assert.is(findOperator('classify')!.output, 'classifier');
    assert.ok(!existsSync(join(dir, 'model.bin')));
  } finally {
    cleanup();
  }
});

test('a classifier saved as a fastText model: the fastText predictor gives its predictions, and it loads back as a classifier', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const pos = readFileSync(classes.pos, 'utf8').split('\n').slice(0, 400);
    const neg = readFileSync(classes.neg, 'utf8').split('\n').slice(0, 400);
    const train = join(dir, 'train.txt');
    writeFileSync(train, pos.map((l, i) => `__label__pos ${l}\n__label__neg ${neg[i]}`).join('\n') + '\n');
    const out = join(dir, 'ft.bin');
    const r = await trainClassifier({ input: train, epoch: 2, dim: 10, bucket: 3000, output: out, output_format: 'fasttext' }, standaloneContext({ threads: 1, seed: 2 }));
    const ft = readFastTextModel(out);
    assert.is(ft.args.model, 'supervised');
    assert.is(ft.args.loss, 'softmax');
    assert.is(ft.dict.nwords, r.model.words.length);
    const p = new FastTextPredictor(ft);
    const back = await ClassifierModel.load(out);
    const enc = new TextEncoder();
    for (const line of [...pos.slice(0, 40), ...neg.slice(0, 40), 'unseen wörds only']) {
      const mine = r.model.predict(line, 2);
      const theirs = p.predictLine(enc.encode(line), 2, 0, true);
      assert.is('__label__' + mine[0]!.label, theirs[0]!.label, line);
      for (let j = 0; j < 2; j++) assert.ok(Math.abs(mine[j]!.probability + 1e-5 - theirs[j]!.prob) < 1e-4, line);
      assert.equal(back.predict(line, 2), mine);
    }
    await rejects(() => trainClassifier({ input: train, output: out, output_format: 'onnx' as 'fasttext' }), /unknown output_format/);
    writeFileSync(join(dir, 'old.bin'), Buffer.concat([Buffer.from('WLCLSF01'), Buffer.alloc(8)]));
    await rejects(() => ClassifierModel.load(join(dir, 'old.bin')), /older wordloom .* train it again|hashed word n-grams/);
  } finally {
    cleanup();
  }
});

test.run();
