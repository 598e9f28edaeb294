import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath, wordloom } from './helpers.js';

test('wordloom classify train | test | predict on rt-polarity sentences', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-classify-'));
  try {
    const pos = readFileSync(repoPath('data/classify/rt-polarity.pos'), 'utf8').split('\n').slice(0, 300);
    const neg = readFileSync(repoPath('data/classify/rt-polarity.neg'), 'utf8').split('\n').slice(0, 300);
    const train = join(dir, 'train.txt');
    writeFileSync(train, [...pos.map((l) => `__label__pos ${l}`), ...neg.map((l) => `__label__neg ${l}`)].join('\n') + '\n');
    const model = join(dir, 'm.bin');
    const t = wordloom(['classify', 'train', train, '-o', model, '--epoch', '4', '--lr', '0.005', '--bucket', '5000', '--threads', '1']);
    assert.is(t.code, 0, t.err);
    assert.match(t.out, /trained on 600 examples, 2 labels/);
    assert.match(t.out, /sentences\/s/);
    assert.match(t.err, /epoch 4\/4: loss/);
    assert.ok(existsSync(model));
    const p = wordloom(['classify', 'predict', model, '-', '-k', '2', '--prob'], { input: `${pos[0]}\n${neg[0]}\n` });
    assert.is(p.code, 0, p.err);
    const lines = p.out.trim().split('\n');
    assert.is(lines.length, 2);
    assert.match(lines[0]!, /^__label__pos [0-9.e-]+ __label__neg [0-9.e-]+$/);
    assert.match(lines[1]!, /^__label__neg /);
    const e = wordloom(['classify', 'test', model, train, '--json']);
    assert.is(e.code, 0, e.err);
    const r = JSON.parse(e.out);
    assert.is(r.examples, 600);
    assert.ok(r.precision > 0.9);
    const c = wordloom(['classify', 'test', model, '--class', `pos=${repoPath('data/classify/rt-polarity.pos')}`]);
    assert.is(c.code, 0, c.err);
    assert.match(c.out, /N\t5331/);
    // the classify op in a pipeline file, with its summary
    const pipe = join(dir, 'p.json');
    writeFileSync(pipe, JSON.stringify({ name: 'clf', seed: 1, threads: 1, nodes: [{ id: 'clf', op: 'classify', params: { input: 'train.txt', epoch: 2, bucket: 1000, test_fraction: 0.2 } }] }));
    const run = wordloom(['run', pipe]);
    assert.is(run.code, 0, run.err);
    assert.match(run.out, /clf\s+classify\s+.*2 labels, [0-9,]+ words, [0-9,]+ sentences\/s; test P@1 0\.\d+ R@1 0\.\d+/);
    const bad = wordloom(['classify', 'train', '--class', 'pos']);
    assert.is(bad.code, 1);
    assert.match(bad.err, /--class needs label=file/);
    assert.is(wordloom(['classify', 'fit']).code, 2);
    assert.match(wordloom(['classify', 'train', '--help']).out, /--word-ngrams/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
