import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Embeddings, WordloomError } from '@wordloom/core';
import { readVectors, readVectorsWithInfo, writeVectors, formatFloat32 } from '../src/io/vectors.js';
import { dataPath, tempDir } from './helpers.js';

// Word2vec binary and text written by gensim 4.2 (see scripts/make_vectors_fixture.py).
const BIN = dataPath('fixtures/wt2-sg-d20-4k.bin');
const TXT = dataPath('fixtures/wt2-sg-d20-300.txt');

async function rejects(p: Promise<unknown>, check: (e: WordloomError) => void): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, WordloomError);
    check(e as WordloomError);
    return;
  }
  assert.unreachable('expected an error');
}

function sameVectors(a: Embeddings, b: Embeddings, n = Math.min(a.size, b.size)): void {
  assert.is(a.dim, b.dim);
  assert.equal(a.words.slice(0, n), b.words.slice(0, n));
  for (let i = 0; i < n * a.dim; i++) {
    if (!Object.is(a.data[i], b.data[i])) assert.unreachable(`value ${i} differs: ${a.data[i]} vs ${b.data[i]}`);
  }
}

test('reads gensim word2vec binary (no newline after vectors) into shared memory', async () => {
  const r = await readVectorsWithInfo(BIN);
  assert.is(r.format, 'word2vec-binary');
  assert.is(r.duplicates, 0);
  const v = r.embeddings;
  assert.is(v.size, 4000);
  assert.is(v.dim, 20);
  assert.is(v.words[0], 'the');
  assert.ok(v.data.buffer instanceof SharedArrayBuffer);
  assert.is(v.id('<unk>') >= 0, true);
  // "The" and "the" are both there (tests of case folding rely on it).
  assert.ok(v.id('The') > v.id('the'));
});

test('word2vec text written by gensim reads to exactly the same float32 values as the binary', async () => {
  const r = await readVectorsWithInfo(TXT);
  assert.is(r.format, 'word2vec-text');
  assert.is(r.embeddings.size, 300);
  const bin = await readVectors(BIN, { limit: 300 });
  assert.is(bin.size, 300);
  sameVectors(r.embeddings, bin);
});

test('tiny read chunks cross every boundary and change nothing', async () => {
  const whole = await readVectors(BIN, { limit: 200 });
  for (const chunkSize of [1, 7, 37, 81]) {
    sameVectors(await readVectors(BIN, { limit: 200, chunkSize }), whole);
  }
  sameVectors(await readVectors(TXT, { chunkSize: 13 }), await readVectors(TXT));
});

test('write then read: glove, word2vec text and binary all round-trip bit-exactly', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const v = await readVectors(BIN, { limit: 1000 });
    for (const format of ['glove', 'word2vec-text', 'word2vec-binary'] as const) {
      const file = join(dir, `v.${format}`);
      await writeVectors(v, file, format);
      const back = await readVectorsWithInfo(file);
      assert.is(back.format, format, 'auto-detected');
      sameVectors(back.embeddings, v);
      sameVectors(await readVectors(file, { format }), v);
    }
    const glove = readFileSync(join(dir, 'v.glove'), 'utf8');
    assert.ok(glove.startsWith('the -0.29640898 0.54579365 '), glove.slice(0, 40));
    const w2v = readFileSync(join(dir, 'v.word2vec-text'), 'utf8');
    assert.ok(w2v.startsWith('1000 20\nthe '));
    // word2vec C layout: header, then word, space, 4*dim bytes, newline.
    const bin = readFileSync(join(dir, 'v.word2vec-binary'));
    assert.is(bin.length, '1000 20\n'.length + v.words.reduce((s, w) => s + Buffer.byteLength(w) + 1 + 80 + 1, 0));
    // No temporary files left behind.
    assert.equal(readdirSync(dir).sort(), ['v.glove', 'v.word2vec-binary', 'v.word2vec-text']);
  } finally {
    cleanup();
  }
});

test('formatFloat32 writes the shortest string that reads back as the same float32', () => {
  for (const x of [0.1, -0.30000001192092896, 1, 1e-8, 3.4028234663852886e38, 0.5, -0, 123456.7890625, 1.401298464324817e-45]) {
    const f = Math.fround(x);
    const s = formatFloat32(f);
    assert.is(Math.fround(Number(s)), f, s);
  }
  assert.is(formatFloat32(Math.fround(0.1)), '0.1');
  assert.is(formatFloat32(Math.fround(-0.3)), '-0.3');
  assert.is(formatFloat32(0.5), '0.5');
  assert.is(formatFloat32(2), '2');
  assert.is(formatFloat32(-0), '-0');
  assert.is(formatFloat32(Math.fround(1e-8)), '1e-8');
});

test('fastText .vec (trailing spaces, CRLF), limit, duplicates and GloVe words with spaces', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const vec = join(dir, 'a.vec');
    writeFileSync(vec, '4 3\r\nthe 0.1 0.2 0.3 \r\nof -1 -2 -3 \r\nthe 9 9 9 \r\nand 1e-3 2E2 .5 \r\n');
    const r = await readVectorsWithInfo(vec, { format: 'vec' });
    assert.is(r.format, 'word2vec-text');
    assert.equal(r.embeddings.words, ['the', 'of', 'and']);
    assert.is(r.duplicates, 1);
    assert.equal(Array.from(r.embeddings.vector('the')!), [0.1, 0.2, 0.3].map(Math.fround));
    assert.equal(Array.from(r.embeddings.vector('and')!), [1e-3, 200, 0.5].map(Math.fround));
    assert.equal((await readVectors(vec, { limit: 2 })).words, ['the', 'of']);

    const glove = join(dir, 'g.txt');
    writeFileSync(glove, 'a 1 0\nb 0 1\n. . . 0.5 0.5\n');
    const g = await readVectorsWithInfo(glove);
    assert.is(g.format, 'glove');
    assert.equal(g.embeddings.words, ['a', 'b', '. . .']);
  } finally {
    cleanup();
  }
});

test('errors name the file and line: values, numbers, NaN, dimensions, truncation, emptiness', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = (name: string, body: string | Buffer): string => {
      const p = join(dir, name);
      writeFileSync(p, body);
      return p;
    };
    await rejects(readVectors(f('empty.txt', '')), (e) => {
      assert.is(e.code, 'E_INPUT');
      assert.match(e.message, /empty/);
      assert.match(e.message, /empty\.txt/);
    });
    await rejects(readVectors(join(dir, 'missing.txt')), (e) => assert.is(e.code, 'E_FILE'));
    await rejects(readVectors(f('short.vec', '2 3\nthe 1 2 3\nof 1 2\n')), (e) => {
      assert.is(e.where.line, 3);
      assert.is(e.where.word, 'of');
      assert.match(e.message, /expected 3 values after the word, got 2/);
    });
    await rejects(readVectors(f('glove-dims.txt', 'a 1 2 3\nb 1 2 3\nc 1 2 3 4\n')), (e) => {
      assert.is(e.where.line, 3);
      assert.match(e.message, /expected 3 values after the word, got 4/);
    });
    await rejects(readVectors(f('nonnum.txt', 'a 1 2 3\nb 1 x2 3\n')), (e) => {
      assert.is(e.where.line, 2);
      assert.match(e.message, /value 2 is not a number: "x2"/);
    });
    await rejects(readVectors(f('nan.txt', 'a 1 2 3\nb 1 nan 3\n')), (e) => {
      assert.is(e.where.line, 2);
      assert.match(e.message, /NaN or infinite/);
    });
    await rejects(readVectors(f('count.vec', '3 2\na 1 2\nb 3 4\n')), (e) => {
      assert.match(e.message, /announces 3 vectors but the file ends after 2/);
    });
    const bin = readFileSync(BIN);
    await rejects(readVectors(f('cut.bin', bin.subarray(0, 1000))), (e) => {
      assert.match(e.message, /truncated binary file: vector 12 of 4000/);
      assert.match(e.message, /cut\.bin/);
    });
    await rejects(readVectors(f('cut2.bin', bin.subarray(0, bin.length - 1))), (e) => assert.match(e.message, /truncated binary file: vector 4000 of 4000/));
    const nanBin = Buffer.from(bin.subarray(0, 8 + 4 + 80));
    nanBin.writeFloatLE(NaN, 8 + 4 + 8);
    await rejects(readVectors(f('nan.bin', Buffer.concat([Buffer.from('1 20\n'), nanBin.subarray(8)]))), (e) => assert.match(e.message, /value 3 is NaN/));
    await rejects(readVectors(f('nohead.txt', 'a 1 2\n'), { format: 'word2vec-text' }), (e) => {
      assert.is(e.where.line, 1);
      assert.match(e.message, /"count dim" header/);
    });
    await rejects(readVectors(f('x.txt', 'a 1\n'), { format: 'fasttext' as any }), (e) => assert.is(e.code, 'E_PARAM'));
  } finally {
    cleanup();
  }
});

test('writeVectors refuses words with whitespace and non-finite values, leaving no file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const bad = new Embeddings(['a b'], 1, new Float32Array([1]));
    await rejects(writeVectors(bad, join(dir, 'x.txt'), 'glove'), (e) => assert.is(e.where.word, 'a b'));
    const nan = new Embeddings(['a'], 1, new Float32Array([NaN]));
    await rejects(writeVectors(nan, join(dir, 'y.txt'), 'word2vec-text'), (e) => assert.match(e.message, /non-finite/));
    assert.equal(readdirSync(dir), []);
  } finally {
    cleanup();
  }
});

test.run();
