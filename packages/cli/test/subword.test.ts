import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath, wordloom } from './helpers.js';

const ft = (f: string) => repoPath('data/fasttext/' + f);

test('wordloom vectors prints what fasttext print-word-vectors prints', () => {
  const r = wordloom(['vectors', ft('ft_bg_sg.bin'), ft('ft_bg_sg.words.txt')]);
  assert.is(r.code, 0, r.err);
  assert.is(r.out, readFileSync(ft('ft_bg_sg.word-vectors.txt'), 'utf8'));
  // standard input, a pruned quantized model, a lazily read one
  const words = readFileSync(ft('rt_sup.words.txt'), 'utf8');
  const s = wordloom(['vectors', ft('sup_hs.ftz'), '-'], { input: words });
  assert.is(s.code, 0, s.err);
  assert.is(s.out, readFileSync(ft('sup_hs.ftz.word-vectors.txt'), 'utf8'));
  const l = wordloom(['vectors', ft('cbow_lee.bin'), ft('cbow_lee.words.txt'), '--lazy']);
  assert.is(l.out, readFileSync(ft('cbow_lee.word-vectors.txt'), 'utf8'));
  // a model without character n-grams: unseen words print as zeros and standard error says so
  const z = wordloom(['vectors', ft('sup_ova.bin')], { input: 'film qqzzyx\n' });
  assert.is(z.code, 0, z.err);
  assert.match(z.out, /^qqzzyx (0 ){10}$/m);
  assert.match(z.err, /1 word with no row in the model printed as zero vectors \("qqzzyx"\)/);
});

test('wordloom vectors: a long word list of multi-byte words is read whole across chunk boundaries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-ftw-'));
  try {
    const list = join(dir, 'words.txt');
    writeFileSync(list, 'xпотребител\n'.repeat(6000)); // 22 bytes a line: the 64 KB read chunk ends inside a character
    const r = wordloom(['vectors', ft('ft_bg_sg.bin'), list]);
    assert.is(r.code, 0, r.err);
    const lines = r.out.split('\n').filter(Boolean);
    assert.is(lines.length, 6000);
    assert.ok(lines.every((l) => l === lines[0]), 'every line the same word and vector');
    assert.ok(lines[0]!.startsWith('xпотребител '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wordloom vectors: rows read on demand for the first words, the whole matrix past 20,000 words, the same vectors as --eager and --lazy', () => {
  const ref = readFileSync(ft('ft_wt2_sg.word-vectors.txt'), 'utf8').split('\n').filter(Boolean);
  const listed = readFileSync(ft('ft_wt2_sg.words.txt'), 'utf8').trim().split(/\s+/);
  assert.is(listed.length, ref.length);
  // 21,000 words: the reference list over and over, so the switch happens inside a run
  const many = Array.from({ length: 21000 }, (_, i) => listed[i % listed.length]).join('\n') + '\n';
  const auto = wordloom(['vectors', ft('ft_wt2_sg.bin'), '-'], { input: many });
  assert.is(auto.code, 0, auto.err);
  const lines = auto.out.split('\n').filter(Boolean);
  assert.is(lines.length, 21000);
  lines.forEach((l, i) => assert.is(l, ref[i % ref.length], `word ${i}`));
  assert.is(wordloom(['vectors', '--eager', ft('ft_wt2_sg.bin'), '-'], { input: many }).out, auto.out);
  assert.is(wordloom(['vectors', '--lazy', ft('ft_wt2_sg.bin'), '-'], { input: many }).out, auto.out);
  assert.is(wordloom(['vectors', '--lazy', '--eager', ft('ft_wt2_sg.bin')]).code, 2);
});

test('wordloom vectors: a text file given as a model is a clear error', () => {
  const r = wordloom(['vectors', ft('rt_sup.words.txt')], { input: 'a\n' });
  assert.is(r.code, 1);
  assert.match(r.err, /rt_sup\.words\.txt: header, byte offset 0: this is a text file, not a fastText binary model/);
});

test('wordloom ngrams: rows of each word, right on pruned models, and the distinct n-grams of the list', () => {
  const r = wordloom(['ngrams', ft('rt_sup.ftz'), '-'], { input: 'movie zzqx\n' });
  assert.is(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.match(lines[0]!, /^movie\t\d+$/);
  assert.match(lines[1]!, /^\t<m\t\d+\t\d+$/);
  assert.ok(lines.some((l) => /^\t\S+\t\d+\t-1$/.test(l)), 'a pruned n-gram shows row -1');
  assert.ok(lines.includes('zzqx\t-1'));
  const d = wordloom(['ngrams', ft('ft_wt2_sg.bin'), '-', '--distinct'], { input: 'hurricane hurricanes\n' });
  assert.is(d.code, 0, d.err);
  const dl = d.out.trim().split('\n');
  assert.is(new Set(dl.map((l) => l.split('\t')[0])).size, dl.length, 'each n-gram once');
  assert.ok(dl.some((l) => l.startsWith('<hu\t') && l.endsWith('\t2')), 'shared n-gram counted in both words');
  assert.ok(dl.some((l) => l.startsWith('es>\t') && l.endsWith('\t1')));
  // --vectors: the rows' values, as print-ngrams prints them
  const v = wordloom(['ngrams', ft('cbow_lee.bin'), '-', '--vectors', '--json'], { input: 'government\n' });
  const j = JSON.parse(v.out);
  const ref = readFileSync(ft('cbow_lee.bin.print-ngrams.txt'), 'utf8').split('\n');
  const line = ref.find((l) => l.startsWith('<go '))!;
  const want = line.trim().split(' ').slice(1).map(Number);
  const got = j[0].ngrams.find((g: any) => g.ngram === '<go').vector as number[];
  want.forEach((x, i) => assert.ok(Math.abs(x - got[i]!) <= 1e-4 * Math.abs(x) + 1e-5));
});

test('wordloom classify predict and test on fastText models print as fastText does', () => {
  const p = wordloom(['classify', 'predict', ft('sup_hs.bin'), ft('sup4.test.txt'), '-k', '3', '--prob']);
  assert.is(p.code, 0, p.err);
  assert.is(p.out, readFileSync(ft('sup_hs.bin.predict-prob.txt'), 'utf8'));
  const plain = wordloom(['classify', 'predict', ft('rt_sup.bin'), '-'], { input: 'a gorgeous , witty , seductive movie .\n' });
  assert.is(plain.out, '__label__pos\n');
  const t = wordloom(['classify', 'test', ft('sup_ova.bin'), ft('supml.test.txt')]);
  assert.is(t.code, 0, t.err);
  assert.is(t.out, readFileSync(ft('sup_ova.bin.test.txt'), 'utf8').split('N\t').slice(0, 2).join('N\t'));
  const bad = wordloom(['classify', 'predict', ft('cbow_lee.bin'), '-'], { input: 'x\n' });
  assert.is(bad.code, 1);
  assert.match(bad.err, /only supervised models predict labels/);
});

test('neighbors and analogy answer for words outside a fastText model\'s vocabulary', () => {
  const n = wordloom(['neighbors', ft('cbow_lee.bin'), 'firefighter', 'government', '-k', '3', '--json', '--backend', 'typescript']);
  assert.is(n.code, 0, n.err);
  const r = JSON.parse(n.out);
  assert.is(r.queries[0].oov, true);
  assert.is(r.queries[0].neighbors.length, 3);
  assert.is(r.queries[1].oov, undefined);
  const a = wordloom(['analogy', ft('cbow_lee.bin'), 'man', 'king', 'firefighter']);
  assert.is(a.code, 0, a.err);
  assert.match(a.err, /vectors from subwords: firefighter/);
  assert.match(a.out, /man : king :: firefighter : \S+/);
});

test('a pipeline reads a fastText model with the fasttext-model op and knn answers for unseen words', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-ft-'));
  try {
    const pipe = join(dir, 'p.json');
    writeFileSync(pipe, JSON.stringify({
      name: 'ft', seed: 1, threads: 1,
      nodes: [
        { id: 'model', op: 'fasttext-model', params: { model: ft('cbow_lee.bin') } },
        { id: 'nn', op: 'knn', inputs: { vectors: 'model' }, params: { words: ['government', 'firefighter'], k: 3, backend: 'typescript' } },
      ],
    }));
    const run = wordloom(['run', pipe]);
    assert.is(run.code, 0, run.err);
    assert.match(run.out + run.err, /answered from subwords: "firefighter"/);
    // the example pipeline
    const ex = wordloom(['run', 'examples/fasttext-model.yaml']);
    assert.is(ex.code, 0, ex.err);
    assert.match(ex.out, /hurricanes \(not in the vocabulary; from subwords\): \S+/);
    assert.match(ex.out, /wordsim353\.tsv: Spearman [0-9.]+, Pearson [0-9.]+ \(353\/353 pairs, 0\.0% out of vocabulary\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
