#!/usr/bin/env node
/**
 * The k-sparse autoencoder (hidden 256, k 25, batch 100) on MNIST digits
 * (data/mnist: 5,000 to train, 1,000 to test) trained with Adam (the gathered rows
 * scattered into dense gradients), SparseAdam and LazyAdam (the rows as they are)
 * over learning rates, with and without a lifetime-sparsity constraint (each unit
 * also kept for the digit of the batch where it is largest). For each: the test
 * reconstruction error (mean squared error a pixel), the test accuracy of a linear
 * softmax classifier trained on the codes, the fraction of the rows a step's
 * gradient touched, and seconds; mean ± sd over seeds.
 *
 *   node bench/ksparse.mjs                      # 5 epochs, lr 1e-4 .. 1e-2, seeds 1-3
 *   node bench/ksparse.mjs --epoch 10 --lrs 0.001,0.003 --seeds 1
 *   node bench/ksparse.mjs --small              # a check of the script: 1 epoch, two rates, seed 1
 */
import { fileURLToPath } from 'node:url';

const OPS = new URL('../packages/ops/dist/src/index.js', import.meta.url).href;
const { readDigits, sliceDigits, trainKSparse, KSPARSE_DEFAULTS } = await import(OPS);

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const small = process.argv.includes('--small');
const seeds = (() => {
  const s = arg('seeds', small ? '1' : '1-3');
  const m = /^(\d+)-(\d+)$/.exec(s);
  return m ? Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i) : s.split(',').map(Number);
})();
const epoch = Number(arg('epoch', small ? 1 : KSPARSE_DEFAULTS.epoch));
const lrs = arg('lrs', small ? '0.001,0.01' : '0.0001,0.0003,0.001,0.003,0.01').split(',').map(Number);
const all = await readDigits(fileURLToPath(new URL('../data/mnist/mnist-6k.u8.gz', import.meta.url)));
const train = sliceDigits(all, 0, 5000);
const test = sliceDigits(all, 5000, 1000);

const stats = (xs, d = 4) => {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return `${mean.toFixed(d)} ± ${sd.toFixed(d)}`;
};
const rows = [];
for (const lifetime of [false, true]) {
  for (const optimizer of ['adam', 'sparse_adam', 'lazy_adam']) {
    for (const lr of lrs) {
      const r = { lifetime, optimizer, lr, err: [], acc: [], rows: [], secs: [] };
      for (const seed of seeds) {
        const res = await trainKSparse(train, test, { optimizer, lr, lifetime, epoch, seed });
        r.err.push(res.testError.at(-1));
        r.acc.push(res.probeAccuracy);
        r.rows.push(res.rowsTouched);
        r.secs.push(res.seconds);
      }
      rows.push(r);
      console.log(`${lifetime ? 'lifetime' : 'k-sparse only'}, ${optimizer}, lr ${lr}: test error ${stats(r.err)}, probe accuracy ${stats(r.acc)}, rows touched ${stats(r.rows, 3)}`);
    }
  }
}
const d = KSPARSE_DEFAULTS;
console.log(`\nMNIST (data/mnist: 5,000 train, 1,000 test); hidden ${d.hidden}, k ${d.k}, batch ${d.batch}, ${epoch} epoch(s); linear probe ${d.probe_epochs} epochs; seeds ${seeds.join(',')}; mean ± sd\n`);
console.log('| constraint | optimizer | lr | test error (MSE a pixel) | probe accuracy | rows touched a step | train s |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(`| ${r.lifetime ? 'top-k + lifetime' : 'top-k'} | ${r.optimizer} | ${r.lr} | ${stats(r.err)} | ${stats(r.acc)} | ${stats(r.rows, 3)} | ${stats(r.secs, 1)} |`);
}
