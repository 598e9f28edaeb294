import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFastTextModel, readVectors } from '@wordloom/ops';
import { wordloom, repoPath } from './helpers.js';

const model = repoPath('data/fasttext/ft_wt2_sg.bin');

test('convert: the format from the extension or --format; bin equal bytes, subword equal vectors, vec the vocabulary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-convert-'));
  try {
    const bin = join(dir, 'copy.bin');
    let r = wordloom(['convert', model, bin]);
    assert.is(r.code, 0, r.err);
    assert.match(r.err, /wrote .*copy\.bin: bin, 6929 words, dim 16/);
    assert.ok(readFileSync(bin).equals(readFileSync(model)));

    const sub = join(dir, 'm.subword');
    r = wordloom(['convert', model, sub]);
    assert.is(r.code, 0, r.err);
    const half = join(dir, 'm16.sw');
    r = wordloom(['convert', model, half, '--format', 'subword', '--float16', '--no-word-rows']);
    assert.is(r.code, 0, r.err);
    assert.match(r.err, /subword \(float16\)/);
    const orig = readFastTextModel(model);
    const a = readFastTextModel(sub);
    const b = readFastTextModel(half);
    for (const w of ['the', 'chapel', 'unseenwordling', 'zyx']) {
      assert.equal(Array.from(a.wordVector(w).vector), Array.from(orig.wordVector(w).vector), w);
      if (orig.dict.getId(w) < 0) {
        const x = orig.wordVector(w).vector;
        const y = b.wordVector(w).vector;
        for (let j = 0; j < x.length; j++) assert.ok(Math.abs(x[j]! - y[j]!) < 2e-3, `${w}[${j}]`);
      }
    }
    assert.ok(readFileSync(half).length < readFileSync(sub).length / 2);

    const ftz = join(dir, 'lee.ftz');
    r = wordloom(['convert', repoPath('data/fasttext/lee_fasttext_new.bin'), ftz, '--dsub', '5', '--qnorm']);
    assert.is(r.code, 0, r.err);
    const q = readFastTextModel(ftz);
    assert.ok(q.quantInput && !q.quantOutput);
    assert.is((q.input as unknown as { pq: { nsubq: number } }).pq.nsubq, 2);
    r = wordloom(['convert', ftz, join(dir, 'again.ftz')]);
    assert.is(r.code, 0, r.err);
    assert.ok(readFileSync(join(dir, 'again.ftz')).equals(readFileSync(ftz)));
    const vec = join(dir, 'm.vec');
    r = wordloom(['convert', sub, vec]);
    assert.is(r.code, 0, r.err);
    const v = await readVectors(vec);
    assert.is(v.size, 6929);
    assert.equal(Array.from(v.row(v.id('chapel'))), Array.from(orig.wordVector('chapel').vector));
    r = wordloom(['convert', model, join(dir, 'g'), '--format', 'glove']);
    assert.is(r.code, 0, r.err);
    assert.is(readFileSync(join(dir, 'g'), 'utf8').split('\n')[0]!.split(' ').length, 17);
    assert.equal(readdirSync(dir).filter((f) => f.startsWith('.')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('convert: bad formats and options are usage errors; a subword model without word rows cannot become a .bin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-convert-'));
  try {
    let r = wordloom(['convert', model, join(dir, 'x.foo')]);
    assert.is(r.code, 2);
    assert.match(r.err, /cannot tell the format from the extension .*--format/);
    r = wordloom(['convert', model, join(dir, 'x.vec'), '--float16']);
    assert.is(r.code, 2);
    assert.match(r.err, /--float16 applies to --format subword only/);
    r = wordloom(['convert', model, join(dir, 'x.vec'), '--qnorm']);
    assert.is(r.code, 2);
    assert.match(r.err, /apply to --format ftz only/);
    r = wordloom(['convert', model, join(dir, 'x'), '--format', 'npy']);
    assert.is(r.code, 2);
    assert.match(r.err, /unknown --format npy/);
    const bare = join(dir, 'bare.subword');
    assert.is(wordloom(['convert', model, bare, '--no-word-rows']).code, 0);
    r = wordloom(['convert', bare, join(dir, 'back.bin')]);
    assert.is(r.code, 1);
    assert.match(r.err, /no word rows, and a fastText \.bin needs them/);
    r = wordloom(['convert', repoPath('data/fasttext/ft_wt2_sg.words.txt'), join(dir, 'y.vec')]);
    assert.is(r.code, 1);
    assert.match(r.err, /text file, not a fastText binary model/);
    assert.equal(readdirSync(dir).sort(), ['bare.subword']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('classify train --output-format fasttext writes a fastText supervised model that predict and convert read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-convert-'));
  try {
    const pos = readFileSync(repoPath('data/classify/rt-polarity.pos'), 'utf8').split('\n').slice(0, 200);
    const neg = readFileSync(repoPath('data/classify/rt-polarity.neg'), 'utf8').split('\n').slice(0, 200);
    const train = join(dir, 'train.txt');
    writeFileSync(train, pos.map((l, i) => `__label__pos ${l}\n__label__neg ${neg[i]}`).join('\n') + '\n');
    const model = join(dir, 'clf.bin');
    let r = wordloom(['classify', 'train', train, '-o', model, '--output-format', 'fasttext', '--epoch', '2', '--bucket', '2000', '--threads', '1', '-q']);
    assert.is(r.code, 0, r.err);
    const ft = readFastTextModel(model);
    assert.is(ft.args.model, 'supervised');
    assert.is(ft.dict.nlabels, 2);
    r = wordloom(['classify', 'predict', model, '-'], { input: `${pos[0]}\n` });
    assert.is(r.code, 0, r.err);
    assert.match(r.out, /^__label__(pos|neg)\n$/);
    r = wordloom(['convert', model, join(dir, 'clf.vec')]);
    assert.is(r.code, 0, r.err);
    assert.match(readFileSync(join(dir, 'clf.vec'), 'utf8'), new RegExp(`^${ft.dict.nwords} ${ft.dim}\n`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
