import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Rng, SparseAdam, WordloomError } from '@wordloom/core';
import { KSparseAutoencoder, MNIST_PIXELS, findOperator, readDigits, runKSparse, sliceDigits, standaloneContext, trainKSparse } from '../src/index.js';
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

/** The first n bundled digits (n/10 of each label: the file interleaves them) as an uncompressed digits file. */
function writeDigits(dir: string, n: number): string {
  const f = join(dir, `digits-${n}.u8`);
  writeFileSync(f, gunzipSync(readFileSync(dataPath('mnist/mnist-6k.u8.gz'))).subarray(0, n * (D + 1)));
  return f;
}

const isErr = (code: string, re: RegExp) => (e: unknown): boolean => e instanceof WordloomError && e.code === code && re.test(e.message);
async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return assert.unreachable('expected an error');
}

test('the ksparse op: holds out the last digits, saves a model after each epoch that loads and reconstructs the same', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeDigits(dir, 600);
    const op = findOperator('ksparse');
    assert.ok(op, 'registered');
    assert.is(op!.output, 'autoencoder');
    const logs: string[] = [];
    const res = await runKSparse({ input: 'digits-600.u8', holdout: 100, hidden: 64, k: 10, epoch: 3, batch: 50, lr: 0.01, probe_epochs: 10, output: 'm/ae.bin' },
      standaloneContext({ baseDir: dir, seed: 4, log: (m) => logs.push(m) }));
    assert.is(res.train, 500);
    assert.is(res.test, 100);
    assert.is(res.testError.length, 3);
    assert.ok(res.testError[2]! < res.testError[0]!, JSON.stringify(res.testError));
    assert.ok(res.probeAccuracy > 0.4, String(res.probeAccuracy)); // chance is 0.1
    assert.equal(res.files, [join(dir, 'm', 'ae.bin')]);
    assert.ok(logs.some((l) => /^epoch 3: model written to /.test(l)), logs.join('\n'));
    const loaded = await KSparseAutoencoder.load(res.files[0]!);
    assert.equal(loaded.config, res.model.config);
    loaded.kernels = res.model.kernels;
    const test = sliceDigits(await readDigits(join(dir, 'digits-600.u8')), 500, 100);
    assert.is(loaded.reconstructionError(test.images, test.n), res.testError[2]!);
    const bytes = readFileSync(res.files[0]!);
    writeFileSync(join(dir, 'cut.bin'), bytes.subarray(0, bytes.length - 8));
    assert.ok(isErr('E_INPUT', /ends inside parameter decoder\.bias/)(await caught(KSparseAutoencoder.load(join(dir, 'cut.bin')))));
    writeFileSync(join(dir, 'other.bin'), 'hello world, not a model');
    assert.ok(isErr('E_INPUT', /does not start with WLKSPAE1/)(await caught(KSparseAutoencoder.load(join(dir, 'other.bin')))));
    // holdout 0: everything trains, no test figures
    const all = await runKSparse({ input: 'digits-600.u8', holdout: 0, hidden: 16, k: 4, epoch: 1, batch: 100 }, standaloneContext({ baseDir: dir }));
    assert.is(all.train, 600);
    assert.equal(all.testError, []);
    assert.ok(Number.isNaN(all.probeAccuracy));
  } finally {
    cleanup();
  }
});

test('the probe trains on fewer than 100 digits (one batch of all of them)', async () => {
  const d = await readDigits(dataPath('mnist/mnist-6k.u8.gz'));
  // 60 training digits: with batches of 100 only, the probe would take no step and stay at chance (0.1)
  const r = await trainKSparse(sliceDigits(d, 0, 60), sliceDigits(d, 5000, 500), { hidden: 32, k: 8, epoch: 3, lr: 0.003, batch: 20, probe_epochs: 30 });
  assert.ok(r.probeAccuracy > 0.35, String(r.probeAccuracy));
});

test('bad input: too few digits for the batch or the holdout, bad params; a diverging run stops with E_DIVERGED and keeps the last good epoch', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = writeDigits(dir, 200);
    const ctx = standaloneContext({ baseDir: dir });
    assert.ok(isErr('E_INPUT', /150 training digits \(200 in the file, 50 held out\) are fewer than one batch of 160/)(await caught(runKSparse({ input: f, holdout: 50, batch: 160 }, ctx))));
    assert.ok(isErr('E_INPUT', /holdout 200 leaves no training digits: the file has 200/)(await caught(runKSparse({ input: f, holdout: 200 }, ctx))));
    assert.ok(isErr('E_PARAM', /lr must be a number > 0/)(await caught(runKSparse({ input: f, holdout: 0, lr: -1 }, ctx))));
    assert.ok(isErr('E_PARAM', /k must be an integer from 1 to hidden \(8\), got 9/)(await caught(runKSparse({ input: f, holdout: 0, hidden: 8, k: 9 }, ctx))));
    assert.ok(isErr('E_PARAM', /epoch must be an integer from 1 up, got 0/)(await caught(runKSparse({ input: f, holdout: 0, epoch: 0 }, ctx))));
    // one step an epoch (the batch holds all 200 digits) at lr 1e19: Adam moves each weight by about lr, so epoch 1 ends
    // with weights near 1e19 (finite) and epoch 2's reconstructions overflow float32; the file keeps epoch 1's model
    const out = join(dir, 'ae.bin');
    const e = await caught(runKSparse({ input: f, holdout: 0, hidden: 32, k: 5, batch: 200, epoch: 2, lr: 1e19, output: out }, ctx));
    assert.ok(isErr('E_DIVERGED', /training diverged in epoch 2 .*back to the end of epoch 1/)(e), String(e));
    assert.match((e as Error).message, /the checkpoint of epoch 1 was kept/);
    const kept = await KSparseAutoencoder.load(out);
    assert.ok(kept.params.every((p) => p.data.every((v) => Number.isFinite(v))));
    assert.ok(kept.wd.data.some((v) => Math.abs(v) > 1e17), 'epoch 1 moved the weights by about lr');
    // diverging in the first epoch puts the model back to its initial weights and writes nothing
    const first = await caught(runKSparse({ input: f, holdout: 0, hidden: 32, k: 5, batch: 50, epoch: 2, lr: 1e30, output: join(dir, 'none.bin') }, ctx));
    assert.ok(isErr('E_DIVERGED', /training diverged in epoch 1 .*back to its initial weights/)(first), String(first));
    assert.not.ok(readFileSync(join(dir, 'ae.bin')).length === 0);
    let exists = true;
    try {
      readFileSync(join(dir, 'none.bin'));
    } catch {
      exists = false;
    }
    assert.not.ok(exists, 'no model file from a run that diverged in its first epoch');
  } finally {
    cleanup();
  }
});

test.run();
