#!/usr/bin/env node
/**
 * Classifier benchmark on rt-polarity (data/classify, seeded 90/10 split: 9,596
 * training and 1,066 test sentences).
 *
 * 1. Training speed and accuracy: the classify defaults (dim 50, word bigrams,
 *    LazyAdam on the embedding rows + Adam on the linear layer, 5 epochs) on 1 and
 *    2 threads, unigrams only, and fastText's own recipe (SGD, lr 0.1). Seconds are
 *    training only (the data is read and encoded once), best of --runs.
 * 2. Learning-rate response: the training loss (mean cross-entropy over the
 *    training set) after a fixed number of steps (1 epoch, batch 32 = 300 steps,
 *    constant lr, 1 thread, bucket 10,000) for lr from 1e-4 to 1e-1, with the
 *    embedding optimizer Adam (on the densified gradient: every step touches the
 *    whole table), SparseAdam, LazyAdam (both with Adam on the linear layer),
 *    Adagrad and SMORMS3 (on both layers). ln 2 = 0.693 is the loss of the start.
 *
 *   node bench/classify.mjs                # both parts
 *   node bench/classify.mjs --skip-sweep   # speed only
 */
const OPS = new URL('../packages/ops/dist/src/index.js', import.meta.url).href;
const { readExamples, splitExamples, fitClassifier, testClassifier, meanLoss, encodeExamples, standaloneContext } = await import(OPS);
const { fileURLToPath } = await import('node:url');

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const flag = (name) => process.argv.includes(`--${name}`);
const runs = Number(arg('runs', 2));
const data = (f) => fileURLToPath(new URL(`../data/classify/${f}`, import.meta.url));
const all = await readExamples({ classes: { pos: data('rt-polarity.pos'), neg: data('rt-polarity.neg') } });
const { train, test } = splitExamples(all, 0.1, 1);

async function fit(params, threads, seed = 1) {
  return fitClassifier(train, params, standaloneContext({ threads, seed }));
}

if (!flag('skip-speed')) {
  console.log(`rt-polarity: ${train.length} training, ${test.length} test sentences; best of ${runs}\n`);
  console.log('| setting | threads | train s | sentences/s | accuracy |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  const settings = [
    ['defaults: bigrams, LazyAdam + Adam, lr 0.001, 5 epochs', {}, 1],
    ['defaults: bigrams, LazyAdam + Adam, lr 0.001, 5 epochs', {}, 2],
    ['unigrams, LazyAdam + Adam, lr 0.001, 5 epochs', { word_ngrams: 1 }, 2],
    ['bigrams, SparseAdam + Adam, lr 0.001, 5 epochs', { optimizer: 'sparse_adam' }, 2],
    ["fastText's recipe: bigrams, SGD lr 0.1, 5 epochs", { optimizer: 'sgd', lr: 0.1 }, 2],
  ];
  for (const [label, params, threads] of settings) {
    let bestS = Infinity;
    let acc = 0;
    for (let r = 0; r < runs; r++) {
      const res = await fit(params, threads);
      if (res.train.seconds < bestS) {
        bestS = res.train.seconds;
        acc = testClassifier(res.model, test, 1).precision;
      }
    }
    console.log(`| ${label} | ${threads} | ${bestS.toFixed(2)} | ${Math.round((train.length * 5) / bestS).toLocaleString('en-US')} | ${acc.toFixed(4)} |`);
  }
}

if (!flag('skip-sweep')) {
  const lrs = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1];
  const opts = [['Adam (dense)', 'adam'], ['SparseAdam', 'sparse_adam'], ['LazyAdam', 'lazy_adam'], ['Adagrad', 'adagrad'], ['SMORMS3', 'smorms3']];
  const base = { epoch: 1, batch: 32, lr_schedule: 'constant', bucket: 10000 };
  console.log(`\ntraining loss after 1 epoch = ${Math.ceil(train.length / 32)} steps of 32 sentences (constant lr, 1 thread); test accuracy in brackets\n`);
  console.log(`| optimizer | ${lrs.map((l) => `lr ${l}`).join(' | ')} | step ms |`);
  console.log(`| --- | ${lrs.map(() => '---:').join(' | ')} | ---: |`);
  for (const [label, optimizer] of opts) {
    const cells = [];
    let ms = Infinity;
    for (const lr of lrs) {
      try {
        const res = await fit({ ...base, optimizer, lr }, 1);
        const loss = meanLoss(res.model, encodeExamples(res.model, train));
        const acc = testClassifier(res.model, test, 1).precision;
        ms = Math.min(ms, (res.train.seconds * 1000) / Math.ceil(train.length / 32));
        cells.push(`${loss.toFixed(3)} (${acc.toFixed(3)})`);
      } catch (e) {
        cells.push(e.code === 'E_DIVERGED' ? 'diverged' : `error: ${e.message}`);
      }
    }
    console.log(`| ${label} | ${cells.join(' | ')} | ${ms.toFixed(2)} |`);
  }
}
