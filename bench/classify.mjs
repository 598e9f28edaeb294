#!/usr/bin/env node
/**
 * Classifier benchmark on rt-polarity (data/classify, seeded 90/10 split: 9,596
 * training and 1,066 test sentences).
 *
 * 1. Training speed and accuracy: the classify defaults (dim 50, word bigrams,
 *    LazyAdam on the embedding rows + Adam on the linear layer, 5 epochs) on 1 and
 *    2 threads, unigrams only, and fastText's own recipe (SGD, lr 0.1). Seconds are
 *    training only (the data is read and encoded once, in this process; a whole
 *    process against fastText's is bench/whole.mjs --only classify). Every setting is
 *    trained with seeds --seeds (default 1-5), --runs times each (default 1); the
 *    figures are mean ± sd (min-max) over all of them. With one thread a seed gives one
 *    model; with two (Hogwild) runs of one seed differ, so their spread is shown too.
 * 2. Learning-rate response: the training loss (mean cross-entropy over the
 *    training set) after a fixed number of steps (1 epoch, batch 32 = 300 steps,
 *    constant lr, 1 thread, bucket 10,000) for lr from 1e-4 to 1e-1, with the
 *    embedding optimizer Adam (on the densified gradient: every step touches the
 *    whole table), SparseAdam, LazyAdam (both with Adam on the linear layer),
 *    Adagrad and SMORMS3 (on both layers). ln 2 = 0.693 is the loss of the start.
 *
 *   node bench/classify.mjs                # both parts
 *   node bench/classify.mjs --skip-sweep   # speed only
 *   node bench/classify.mjs --skip-sweep --seeds 1-10 --runs 2
 *   node bench/classify.mjs --small        # a quick check of the script: a tenth of the data, 1 epoch
 */
const OPS = new URL('../packages/ops/dist/src/index.js', import.meta.url).href;
const { readExamples, splitExamples, fitClassifier, testClassifier, meanLoss, encodeExamples, standaloneContext } = await import(OPS);
const { fileURLToPath } = await import('node:url');

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const flag = (name) => process.argv.includes(`--${name}`);
const runs = Number(arg('runs', 1));
const small = flag('small');
const seeds = (() => {
  const m = /^(\d+)-(\d+)$/.exec(arg('seeds', small ? '1-2' : '1-5'));
  return m ? Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i) : arg('seeds').split(',').map(Number);
})();
const data = (f) => fileURLToPath(new URL(`../data/classify/${f}`, import.meta.url));
let all = await readExamples({ classes: { pos: data('rt-polarity.pos'), neg: data('rt-polarity.neg') } });
if (small) all = all.filter((_, i) => i % 10 === 0);
const { train, test } = splitExamples(all, 0.1, 1);
const EPOCHS = small ? 1 : 5;

async function fit(params, threads, seed = 1) {
  return fitClassifier(train, { epoch: EPOCHS, ...params }, standaloneContext({ threads, seed }));
}

const stats = (xs) => {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return `${mean.toFixed(4)} ± ${sd.toFixed(4)} (${Math.min(...xs).toFixed(4)}-${Math.max(...xs).toFixed(4)})`;
};

if (!flag('skip-speed')) {
  console.log(`rt-polarity: ${train.length} training, ${test.length} test sentences; seeds ${seeds.join(',')}, ${runs} run(s) each; mean ± sd (min-max)\n`);
  console.log('| setting | threads | train s | sentences/s (mean) | accuracy (P@1) |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  const settings = [
    [`defaults: bigrams, LazyAdam + Adam, lr 0.001, ${EPOCHS} epochs`, {}, 1],
    [`defaults: bigrams, LazyAdam + Adam, lr 0.001, ${EPOCHS} epochs`, {}, 2],
    [`unigrams, LazyAdam + Adam, lr 0.001, ${EPOCHS} epochs`, { word_ngrams: 1 }, 2],
    [`bigrams, SparseAdam + Adam, lr 0.001, ${EPOCHS} epochs`, { optimizer: 'sparse_adam' }, 2],
    [`fastText's recipe: bigrams, SGD lr 0.1, ${EPOCHS} epochs`, { optimizer: 'sgd', lr: 0.1 }, 1],
    [`fastText's recipe: bigrams, SGD lr 0.1, ${EPOCHS} epochs`, { optimizer: 'sgd', lr: 0.1 }, 2],
  ];
  for (const [label, params, threads] of settings) {
    const secs = [];
    const accs = [];
    for (const seed of seeds) {
      for (let r = 0; r < runs; r++) {
        const res = await fit(params, threads, seed);
        secs.push(res.train.seconds);
        accs.push(testClassifier(res.model, test, 1).precision);
      }
    }
    const meanS = secs.reduce((a, b) => a + b, 0) / secs.length;
    console.log(`| ${label} | ${threads} | ${stats(secs)} | ${Math.round((train.length * EPOCHS) / meanS).toLocaleString('en-US')} | ${stats(accs)} |`);
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
