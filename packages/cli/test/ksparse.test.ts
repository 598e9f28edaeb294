import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { repoPath, wordloom } from './helpers.js';

test('wordloom ksparse train | test on 600 of the bundled digits; too few digits for the batch; not a model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-ksparse-'));
  try {
    writeFileSync(join(dir, 'd.u8'), gunzipSync(readFileSync(repoPath('data/mnist/mnist-6k.u8.gz'))).subarray(0, 600 * 785));
    const model = join(dir, 'ae.bin');
    const t = wordloom(['ksparse', 'train', 'd.u8', '--holdout', '100', '--hidden', '64', '--k', '10', '--epoch', '3', '--batch', '50', '--lr', '0.01', '-o', model, '--json'], { cwd: dir });
    assert.is(t.code, 0, t.err);
    const r = JSON.parse(t.out);
    assert.is(r.train, 500);
    assert.is(r.test, 100);
    assert.is(r.testError.length, 3);
    assert.ok(r.testError[2] < r.testError[0], t.out);
    assert.ok(r.probeAccuracy > 0.4, t.out); // chance is 0.1
    assert.ok(r.rowsTouched > 0 && r.rowsTouched < 1, t.out);
    assert.ok(existsSync(model));
    // the saved model on the held-out digits alone gives the last test error
    writeFileSync(join(dir, 'held.u8'), readFileSync(join(dir, 'd.u8')).subarray(500 * 785));
    const e = wordloom(['ksparse', 'test', model, 'held.u8', '--json'], { cwd: dir });
    assert.is(e.code, 0, e.err);
    const x = JSON.parse(e.out);
    assert.is(x.digits, 100);
    assert.ok(Math.abs(x.error - r.testError[2]) < 1e-6, `${x.error} against ${r.testError[2]}`);
    const text = wordloom(['ksparse', 'train', 'd.u8', '--holdout', '100', '--hidden', '16', '--k', '4', '--epoch', '1', '-q'], { cwd: dir });
    assert.is(text.code, 0, text.err);
    assert.match(text.out, /^trained on 500 digits, hidden 16, k 4: 1 epochs in [\d.]+ s; final loss [\d.]+; [\d.]+% of the rows touched a step\ntest: 100 digits, reconstruction error [\d.]+ a pixel, linear probe accuracy [\d.]+\n$/);
    const small = wordloom(['ksparse', 'train', 'd.u8', '--holdout', '100', '--batch', '600'], { cwd: dir });
    assert.is(small.code, 1);
    assert.match(small.err, /d\.u8, param "batch": 500 training digits \(600 in the file, 100 held out\) are fewer than one batch of 600/);
    const notModel = wordloom(['ksparse', 'test', join(dir, 'd.u8'), join(dir, 'd.u8')]);
    assert.is(notModel.code, 1);
    assert.match(notModel.err, /not a wordloom k-sparse autoencoder: it does not start with WLKSPAE1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
