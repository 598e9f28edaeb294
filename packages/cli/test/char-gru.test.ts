import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath, wordloom } from './helpers.js';

test('wordloom char-gru train | test | predict: English movie reviews against Bulgarian Wikipedia text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-char-gru-'));
  try {
    const en = readFileSync(repoPath('data/classify/rt-polarity.neg'), 'utf8').split('\n').slice(0, 150);
    const words = readFileSync(repoPath('data/corpora/bg-wiki-sample.txt'), 'utf8').split(/\s+/).filter((w) => /^[а-я]+$/.test(w));
    const bg = Array.from({ length: 150 }, (_, i) => words.slice(i * 10, i * 10 + 8).join(' '));
    writeFileSync(join(dir, 'en.txt'), en.join('\n') + '\n');
    writeFileSync(join(dir, 'bg.txt'), bg.join('\n') + '\n');
    const model = join(dir, 'm.bin');
    const t = wordloom(['char-gru', 'train', '--class', 'en=en.txt', '--class', 'bg=bg.txt', '-o', model, '--epoch', '2', '--hidden', '16', '--embed-dim', '8', '--lr', '0.01', '--batch', '16', '--reverse', '--threads', '2'], { cwd: dir });
    assert.is(t.code, 0, t.err);
    assert.match(t.out, /trained on 270 texts, 2 labels, \d+ characters: 2 epochs in [\d.]+ s \([\d.]+ s an epoch, 2 threads, (wasm-simd|typescript) products\); final loss/);
    assert.match(t.out, /test: 30 texts, accuracy (0\.9|1\.0)/);
    assert.match(t.err, /epoch 2: loss/);
    assert.ok(existsSync(model));
    const p = wordloom(['char-gru', 'predict', model, '-', '-k', '2', '--prob'], { input: `${en[0]}\n${bg[0]}\n` });
    assert.is(p.code, 0, p.err);
    const lines = p.out.trim().split('\n');
    assert.match(lines[0]!, /^__label__en [0-9.e-]+ __label__bg [0-9.e-]+$/);
    assert.match(lines[1]!, /^__label__bg /);
    const e = wordloom(['char-gru', 'test', model, '--class', 'en=en.txt', '--class', 'bg=bg.txt', '--json'], { cwd: dir });
    assert.is(e.code, 0, e.err);
    const r = JSON.parse(e.out);
    assert.is(r.examples, 300);
    assert.ok(r.accuracy > 0.9, e.out);
    const bad = wordloom(['char-gru', 'train', '--class', 'en=en.txt', '--epoch', '1'], { cwd: dir });
    assert.is(bad.code, 1);
    assert.match(bad.err, /at least 2 labels, the data has 1 \(en\)/);
    const notModel = wordloom(['char-gru', 'predict', join(dir, 'en.txt')], { input: 'x\n' });
    assert.is(notModel.code, 1);
    assert.match(notModel.err, /not a wordloom char-gru model/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
