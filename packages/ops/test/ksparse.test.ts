import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Rng, SparseAdam, WordloomError } from '@wordloom/core';
import { KSparseAutoencoder, MNIST_PIXELS, readDigits, sliceDigits, trainKSparse } from '../src/index.js';
import { dataPath, tempDir } from './helpers.js';

const D = MNIST_PIXELS;

test('the bundled digits: 6,000 of them, 600 of each label, pixels in [0, 1]', async () => {
  const d = await readDigits(dataPath('mnist/mnist-6k.u8.gz'));
  assert.is(d.n, 6000);
  const per = new Array(10).fill(0);
  d.labels.forEach((l) => per[l]++);
  assert.equal(per, new Array(10).fill(600));
  let max = 0;
  for (const v of d.images) max = Math.max(max, v);
  assert.is(max, 1);
});

test('top-k codes: exactly k units per digit; the gradient matches finite differences on active and inactive rows', async () => {
  const d = await readDigits(dataPath('mnist/mnist-6k.u8.gz'));
  const B = 4;
  const x = d.images.slice(0, B * D);
  const m = new KSparseAutoencoder({ hidden: 12, k: 3, lifetime: false }, new Rng(3), false);
  const z = m.encode(x, B);
  for (let b = 0; b < B; b++) assert.is(Array.from(z.subarray(b * 12, (b + 1) * 12)).filter((v) => v !== 0).length, 3);
  m.forward(x, B);
  m.backward({ kind: 'dense' });
  const grads = m.params.map((p) => Float32Array.from((p.grad as { values: Float32Array }).values));
  const eps = 1e-3;
  let checked = 0;
  for (const [pi, idx] of [[0, 12 * D - 5], [0, 200], [0, 3 * D + 300], [1, 4], [2, 5 * D + 400], [2, 700], [3, 350]] as const) {
    const p = m.params[pi]!;
    const old = p.data[idx]!;
    p.data[idx] = old + eps;
    const up = m.forward(x, B);
    p.data[idx] = old - eps;
    const down = m.forward(x, B);
    p.data[idx] = old;
    const num = (up - down) / (2 * eps);
    const ana = grads[pi]![idx]!;
    assert.ok(Math.abs(num - ana) <= 2e-3 * Math.max(Math.abs(ana), 1e-3) + 2e-7, `${p.name}[${idx}]: finite difference ${num}, gradient ${ana}`);
    checked++;
  }
  assert.is(checked, 7);
  // the same rows as sparse gradients
  const s = new KSparseAutoencoder({ hidden: 12, k: 3, lifetime: false }, new Rng(3), true);
  s.forward(x, B);
  s.backward({ kind: 'sparse' });
  const g = s.we.grad!;
  assert.is(g.kind, 'sparse');
  if (g.kind === 'sparse') {
    assert.is(g.count, s.active);
    for (let j = 0; j < g.count; j++) {
      const u = g.rows[j]!;
      for (const c of [0, 300, 783]) assert.ok(Math.abs(g.values[j * D + c]! - grads[0]![u * D + c]!) < 1e-9);
    }
  }
});

test('without a lifetime constraint a step touches a fraction of the rows and SparseAdam leaves the others; with it, every row', async () => {
  const d = await readDigits(dataPath('mnist/mnist-6k.u8.gz'));
  const B = 50;
  const x = d.images.slice(0, B * D);
  const m = new KSparseAutoencoder({ hidden: 200, k: 5, lifetime: false }, new Rng(1), true);
  const before = Float32Array.from(m.we.data);
  const opt = new SparseAdam([m.we, m.be, m.wd], { lr: 0.01 });
  m.forward(x, B);
  m.backward({ kind: 'sparse' });
  opt.step();
  assert.ok(m.active > 5 && m.active < 200, String(m.active));
  const g = m.we.grad;
  const activeRows = new Set(g && g.kind === 'sparse' ? Array.from(g.rows.subarray(0, g.count)) : []);
  for (let u = 0; u < 200; u++) {
    const moved = m.we.data[u * D + 400] !== before[u * D + 400] || m.we.data[u * D + 100] !== before[u * D + 100];
    if (!activeRows.has(u)) assert.not.ok(moved, `row ${u} moved`);
  }
  const l = new KSparseAutoencoder({ hidden: 200, k: 5, lifetime: true }, new Rng(1), true);
  l.forward(x, B, true);
  assert.is(l.active, 200);
  l.forward(x, B, false);
  assert.is(l.active, m.active, 'evaluation has no lifetime constraint');
});

test('training lowers the test reconstruction error; the codes classify digits far above chance; bad input', async () => {
  const d = await readDigits(dataPath('mnist/mnist-6k.u8.gz'));
  const train = sliceDigits(d, 0, 1000);
  const test = sliceDigits(d, 5000, 500);
  const r = await trainKSparse(train, test, { hidden: 64, k: 10, epoch: 2, lr: 0.003, batch: 20, probe_epochs: 5 });
  // the error of reconstructing every test digit as the mean training digit
  const mean = new Float64Array(D);
  for (let i = 0; i < train.n; i++) for (let p = 0; p < D; p++) mean[p] += train.images[i * D + p]! / train.n;
  let base = 0;
  for (let i = 0; i < test.n; i++) for (let p = 0; p < D; p++) base += (test.images[i * D + p]! - mean[p]!) ** 2 / (test.n * D);
  assert.ok(r.testError[1]! < r.testError[0]! && r.testError[1]! < 0.75 * base, `${JSON.stringify(r.testError)} against the mean digit's ${base}`);
  assert.ok(r.probeAccuracy > 0.5, String(r.probeAccuracy)); // chance is 0.1
  assert.ok(r.rowsTouched > 0 && r.rowsTouched <= 1);
  const rejects = async (p: Promise<unknown>, re: RegExp): Promise<void> => {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof WordloomError && re.test(e.message), String(e));
      return;
    }
    assert.unreachable('expected an error');
  };
  await rejects(trainKSparse(sliceDigits(d, 0, 10), test, { batch: 100 }), /10 training digits are fewer than one batch of 100/);
  await rejects(trainKSparse(train, test, { optimizer: 'sgd' as never }), /unknown optimizer "sgd"/);
  assert.throws(() => new KSparseAutoencoder({ hidden: 4, k: 5, lifetime: false }), /k must be an integer from 1 to hidden \(4\)/);
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'bad.gz'), gzipSync(Buffer.alloc(100)));
    await rejects(readDigits(join(dir, 'bad.gz')), /100 bytes is not a whole number of 785-byte records/);
    await rejects(readDigits(join(dir, 'none.gz')), /cannot read the digits: ENOENT/);
  } finally {
    cleanup();
  }
});

test.run();
