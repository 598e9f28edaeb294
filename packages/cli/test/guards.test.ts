/** Commands given inputs that used to hang or crash with a stack trace. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassifierModel } from '@wordloom/ops';
import { wordloom, repoPath } from './helpers.js';

const VEC = repoPath('data/fixtures/wt2-sg-d20-300.txt');

test('neighbors: -k larger than the vocabulary lists every other word with a note, quickly', () => {
  const t0 = Date.now();
  const r = wordloom(['neighbors', VEC, 'city', '-k', '99999999', '--json'], { timeoutMs: 20_000 });
  assert.is(r.code, 0, r.err);
  assert.ok(Date.now() - t0 < 15_000);
  assert.match(r.err, /note: k 99999999 is more than the 299 other words: listing them all/);
  const res = JSON.parse(r.out) as { queries: { word: string; neighbors: unknown[] }[] };
  assert.is(res.queries[0]!.neighbors.length, 299);
});

test('a directory given as the vectors file is a clear error in every command that reads vectors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-dir-'));
  try {
    for (const args of [['neighbors', dir, 'city'], ['eval', dir], ['analogy', dir, 'a', 'b', 'c'], ['cluster', dir]]) {
      const r = wordloom(args, { timeoutMs: 20_000 });
      assert.is(r.code, 1, args[0]);
      assert.match(r.err, /the vectors path is a directory, not a file/, args[0]);
      assert.not.match(r.err, /EISDIR|\n\s+at /, args[0]);
    }
    const e = wordloom(['eval', VEC, '--analogies', dir]);
    assert.is(e.code, 1);
    assert.match(e.err, /the analogy questions path is a directory, not a file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('outputs that cannot be written are refused before the work starts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-out-'));
  try {
    const c = wordloom(['cluster', VEC, '--html', dir]);
    assert.is(c.code, 1);
    assert.match(c.err, /param "html".*is a directory/);
    if (existsSync('/proc/self')) {
      const t0 = Date.now();
      const k = wordloom(['classify', 'train', repoPath('data/classify/rt-polarity.pos'), '--output', '/proc/wordloom-test/m.bin', '--epoch', '50'], { timeoutMs: 20_000 });
      assert.is(k.code, 1, k.err);
      assert.match(k.err, /param "output".*cannot write the output/);
      assert.not.match(k.err, /training/);
      assert.ok(Date.now() - t0 < 10_000);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no exit 0 with a wrong answer: empty analogy file, NaN score, NaN classifier, examples without words', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-wrong-'));
  try {
    const q = join(dir, 'q.txt');
    writeFileSync(q, ': capitals\nparis france\n');
    const a = wordloom(['eval', VEC, '--analogies', q]);
    assert.is(a.code, 1, a.out);
    assert.match(a.err, /q\.txt: no analogy question/);
    assert.not.match(a.out, /0\.00%/);

    const p = join(dir, 'p.tsv');
    writeFileSync(p, 'the\tcity\t3\nof\tand\tNaN\nin\tthe\t2\n');
    const s = wordloom(['eval', VEC, '--similarity', p]);
    assert.is(s.code, 1, s.out);
    assert.match(s.err, /p\.tsv:2: the score "NaN" is not a finite number/);

    const train = join(dir, 'train.txt');
    writeFileSync(train, '__label__a\n__label__b\n__label__a __label__b\n');
    const model = join(dir, 'm.bin');
    const t = wordloom(['classify', 'train', train, '--output', model, '--threads', '1']);
    assert.is(t.code, 1, t.out);
    assert.match(t.err, /train\.txt:1, .*none of the 3 training examples has a word to learn from/);
    assert.not.ok(existsSync(model));

    const nan = new ClassifierModel(['good', 'bad'], ['pos', 'neg'], 2, 1, 0, '__label__');
    nan.input.set([NaN, 0, 0, 1]);
    await nan.save(model);
    const pr = wordloom(['classify', 'predict', model, '-'], { input: 'good movie\n' });
    assert.is(pr.code, 1, pr.out);
    assert.match(pr.err, /the input vector of word "good" holds NaN/);
    assert.is(pr.out, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
