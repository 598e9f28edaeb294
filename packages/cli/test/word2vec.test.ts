/**
 * wordloom skipgram / cbow: word vectors from a text file without a pipeline file,
 * with fastText's flags (one dash or two), on the Lee corpus.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath, wordloom } from './helpers.js';

const LEE = repoPath('data/corpora/lee_background.cor');

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-w2v-cli-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('skipgram with fastText flags writes a .bin and a .vec; the .bin answers unseen words; a seed and one thread repeat', () => {
  withDir((dir) => {
    const args = (stem: string): string[] => ['skipgram', '-input', LEE, '-output', join(dir, stem), '-dim', '16', '-epoch', '3', '-minCount', '2', '-bucket', '20000', '--threads', '1', '--seed', '3'];
    const r = wordloom([...args('a'), '--json']);
    assert.is(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    assert.is(s.model, 'skipgram');
    assert.is(s.subwords, true);
    assert.is(s.dim, 16);
    assert.is(s.epochs, 3);
    assert.ok(s.words > 4000 && s.words < 6000, `words ${s.words}`);
    assert.ok(s.loss > 0 && s.loss < 6 * Math.LN2, `loss ${s.loss} below the start's (1 + neg) ln 2`);
    assert.equal(s.files, [join(dir, 'a.bin'), join(dir, 'a.vec')]);
    const vec = readFileSync(join(dir, 'a.vec'), 'utf8').split('\n');
    assert.is(vec[0], `${s.words} 16`);
    assert.is(vec[1]!.split(' ').length, 17);
    // a word not in the text gets its vector from its character n-grams
    const v = wordloom(['vectors', join(dir, 'a.bin'), '-'], { input: 'governmentally\n' });
    assert.is(v.code, 0, v.err);
    const nums = v.out.trim().split(' ').slice(1).map(Number);
    assert.is(nums.length, 16);
    assert.ok(nums.some((x) => x !== 0) && nums.every(Number.isFinite), v.out);
    // the same seed on one thread: the same file, byte for byte
    const again = wordloom([...args('b'), '-q']);
    assert.is(again.code, 0, again.err);
    assert.ok(readFileSync(join(dir, 'b.vec')).equals(readFileSync(join(dir, 'a.vec'))));
  });
});

test('cbow with the word2vec preset: no subwords, the formats asked for, progress and epochs on stderr', () => {
  withDir((dir) => {
    const r = wordloom(['cbow', LEE, '-o', join(dir, 'w'), '--preset', 'word2vec', '--dim', '12', '--epoch', '2', '--min-count', '3', '--formats', 'glove,word2vec-binary', '--threads', '2']);
    assert.is(r.code, 0, r.err);
    assert.match(r.out, /^cbow: [\d,]+ words, dim 12, 2 epochs/);
    assert.not.match(r.out, /with subwords/);
    assert.match(r.err, /vocabulary: [\d,]+ words seen at least 3 times/);
    assert.match(r.err, /epoch 1\/2: loss [\d.]+/);
    assert.match(r.err, /epoch 2\/2: loss [\d.]+/);
    assert.equal(readdirSync(dir).sort(), ['w.txt', 'w.w2v.bin']);
    const glove = readFileSync(join(dir, 'w.txt'), 'utf8').split('\n');
    assert.is(glove[0]!.split(' ').length, 13, 'GloVe text: a word and 12 numbers, no header');
  });
});

test('bad input: clear errors, before the text is read where possible, and nothing written', () => {
  withDir((dir) => {
    const out = join(dir, 'm');
    const few = wordloom(['skipgram', LEE, '-o', out, '--min-count', '1000000', '-q']);
    assert.is(few.code, 1);
    assert.match(few.err, /min_count 1000000 leaves the vocabulary empty.*\n.*lower min_count to at most \d+/);
    for (const [flags, what] of [[['--dim', '0'], /dim must be an integer from 1/], [['--minn', '5', '--maxn', '3'], /minn \(5\) is larger than maxn \(3\)/], [['--lr', '0.01', '--min-lr', '0.02'], /min_lr \(0.02\) must be below lr/], [['--neg-target', 'keep'], /neg_target must be/]] as [string[], RegExp][]) {
      const e = wordloom(['skipgram', LEE, '-o', out, ...flags]);
      assert.is(e.code, 1, flags.join(' '));
      assert.match(e.err, what);
      assert.not.match(e.err, /vocabulary:/, 'refused before the text is read');
    }
    writeFileSync(join(dir, 'file'), 'x');
    const bad = wordloom(['skipgram', LEE, '-o', join(dir, 'file', 'm')]);
    assert.is(bad.code, 1);
    assert.match(bad.err, /error: .*file/);
    assert.not.match(bad.err, /vocabulary:/);
    const none = wordloom(['skipgram', LEE]);
    assert.is(none.code, 2);
    assert.match(none.err, /-o \/ --output/);
    assert.is(wordloom(['cbow', '-o', out]).code, 2);
    assert.match(wordloom(['cbow', LEE, '-o', out, '--skipgram-input', 'center']).err, /unknown option --skipgram-input/);
    assert.equal(readdirSync(dir), ['file']);
    assert.not.ok(existsSync(`${out}.bin`));
  });
});

test.run();
