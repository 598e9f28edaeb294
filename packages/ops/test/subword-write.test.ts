import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WordloomError } from '@wordloom/core';
import {
  ClassifierModel, DenseMatrix, FastTextDictionary, IntList, quantizeMatrix, quantizeModel, utf8Bytes, FastTextPredictor, HalfMatrix, SUBWORD_MAGIC, fromFloat16, readFastTextModel, readFastTextModelBytes, readSubwordModel, readVectors,
  textLines, toFloat16, vocabularyVectors, writeFastTextModel, writeSubwordModel, writeVocabularyVectors, type FastTextModel,
} from '../src/index.js';
import { dataPath, tempDir } from './helpers.js';

const ft = (f: string) => dataPath('fasttext/' + f);
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

function close(a: number, b: number, rel = 1e-4, abs = 1e-5): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + abs;
}

/** The sections of data/fasttext/written.txt: name -> { sha256, lines fastText printed }. */
function written(): Map<string, { sha: string; lines: string[] }> {
  const out = new Map<string, { sha: string; lines: string[] }>();
  let cur: string[] | undefined;
  for (const l of readFileSync(ft('written.txt'), 'utf8').split('\n')) {
    if (l.startsWith('# ')) continue;
    const m = /^## (\S+) ([0-9a-f]{64}) /.exec(l);
    if (m) {
      cur = [];
      out.set(m[1]!, { sha: m[2]!, lines: cur });
    } else if (cur && l !== '') cur.push(l);
  }
  return out;
}

/** Compare a model's vectors with lines fastText printed ("word v1 ... vd "). */
function assertVectors(model: FastTextModel, lines: string[], what: string): void {
  assert.ok(lines.length >= 5, what);
  for (const l of lines) {
    const [w, ...vs] = l.trim().split(' ');
    const v = model.wordVector(w!).vector;
    assert.is(v.length, vs.length, `${what}: ${w}`);
    vs.forEach((x, j) => assert.ok(close(v[j]!, Number(x)), `${what}: ${w}[${j}] ${v[j]} vs ${x}`));
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let j = 0; j < a.length; j++) m = Math.max(m, Math.abs(a[j]! - b[j]!));
  return m;
}

test('bin -> bin: a version-12 model (dense, quantized, quantized output) is written back byte for byte', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const f of ['ft_wt2_sg.bin', 'rt_sup.bin', 'rt_sup.ftz', 'sup_many.ftz', 'cbow_lee.bin']) {
      const out = join(dir, f);
      await writeFastTextModel(readFastTextModel(ft(f)), out);
      assert.ok(readFileSync(out).equals(readFileSync(ft(f))), f);
    }
    // a lazily read model is copied from its file
    const lazy = readFastTextModel(ft('ft_wt2_sg.bin'), { lazy: true });
    try {
      await writeFastTextModel(lazy, join(dir, 'lazy.bin'));
      // and so are subword models, float32 and float16, with and without word rows
      const eager = readFastTextModel(ft('ft_wt2_sg.bin'));
      for (const opts of [{}, { float16: true }, { float16: true, wordRows: false }]) {
        await writeSubwordModel(lazy, join(dir, 'lazy.subword'), opts);
        await writeSubwordModel(eager, join(dir, 'eager.subword'), opts);
        assert.ok(readFileSync(join(dir, 'lazy.subword')).equals(readFileSync(join(dir, 'eager.subword'))), JSON.stringify(opts));
      }
    } finally {
      lazy.close();
    }
    assert.ok(readFileSync(join(dir, 'lazy.bin')).equals(readFileSync(ft('ft_wt2_sg.bin'))));
    assert.equal(readdirSync(dir).filter((n) => n.startsWith('.')), []); // no temporary left
  } finally {
    cleanup();
  }
});

test('fastText loads what wordloom writes: the bytes fastText was given (sha256) and its vectors and predictions', async () => {
  const ref = written();
  const { dir, cleanup } = tempDir();
  try {
    // the oldest format written as version 12
    const lee = join(dir, 'lee.bin');
    await writeFastTextModel(readFastTextModel(ft('lee_fasttext.bin')), lee);
    assert.is(sha(lee), ref.get('lee.bin')!.sha);
    assertVectors(readFastTextModel(lee), ref.get('lee.bin')!.lines, 'lee.bin');
    // float16 subword model -> .bin
    const sub = join(dir, 'wt2.subword');
    await writeSubwordModel(readFastTextModel(ft('ft_wt2_sg.bin')), sub, { float16: true });
    const f16 = join(dir, 'wt2_f16.bin');
    await writeFastTextModel(readFastTextModel(sub), f16);
    assert.is(sha(f16), ref.get('wt2_f16.bin')!.sha);
    assertVectors(readFastTextModel(f16), ref.get('wt2_f16.bin')!.lines, 'wt2_f16.bin');
    assertVectors(readFastTextModel(sub), ref.get('wt2_f16.bin')!.lines, 'wt2.subword');
    // a version-11 supervised model written as version 12 predicts as fastText does with it
    const v11 = join(dir, 'sup_hs_v11.bin');
    await writeFastTextModel(readFastTextModel(ft('sup_hs_v11.bin')), v11);
    assert.is(sha(v11), ref.get('sup_hs_v11.bin')!.sha);
    const p = new FastTextPredictor(readFastTextModel(v11));
    const data = readFileSync(ft('sup4.test.txt'));
    const want = ref.get('sup_hs_v11.bin')!.lines;
    let i = 0;
    for (const [s, e, nl] of textLines(data)) {
      const got = p.predictLine(data.subarray(s, e), 3, 0, nl);
      const w = want[i++]!.split(' ');
      got.forEach((g, j) => {
        assert.is(g.label, w[2 * j]);
        assert.ok(Math.abs(g.prob - Number(w[2 * j + 1])) <= 1e-4);
      });
    }
    assert.is(i, want.length);
  } finally {
    cleanup();
  }
});

test('bin -> subword (float32) -> vectors equal the original for every word; without word rows, unseen words still equal', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const f of ['ft_wt2_sg.bin', 'rt_sup.ftz', 'non_ascii_fasttext.bin']) {
      const m = readFastTextModel(ft(f), { output: false });
      const words = readFileSync(ft(f === 'rt_sup.ftz' ? 'rt_sup.words.txt' : f === 'ft_wt2_sg.bin' ? 'ft_wt2_sg.words.txt' : 'non_ascii.words.txt'), 'utf8').split('\n').filter(Boolean);
      const full = join(dir, f + '.subword');
      const bare = join(dir, f + '.bare.subword');
      await writeSubwordModel(m, full);
      await writeSubwordModel(m, bare, { wordRows: false });
      const a = readFastTextModel(full);
      const b = readSubwordModel(bare);
      assert.is(a.format, 'subword');
      assert.is(a.dict.nwords, m.dict.nwords);
      assert.is(a.dict.pruneidxSize, m.dict.pruneidxSize);
      let oov = 0;
      for (const w of [...words, 'qqzzyx', 'überzeugend']) {
        const want = m.wordVector(w);
        const got = a.wordVector(w);
        assert.equal(Array.from(got.vector), Array.from(want.vector), `${f} ${w}`);
        assert.is(got.id, want.id);
        if (want.id < 0) {
          oov++;
          assert.equal(Array.from(b.wordVector(w).vector), Array.from(want.vector), `${f} ${w} without word rows`);
        } else {
          // without its own row a vocabulary word is the mean of its n-gram rows
          const r = b.wordVector(w);
          assert.is(r.rows, want.rows - 1, `${f} ${w}`);
        }
      }
      assert.ok(oov >= 1, f);
      assert.ok(readFileSync(bare).length < readFileSync(full).length);
    }
  } finally {
    cleanup();
  }
});

test('float16 subword model: vectors within float16 precision, half the matrix bytes', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const m = readFastTextModel(ft('ft_wt2_sg.bin'), { output: false });
    const f32 = join(dir, 'a.subword');
    const f16 = join(dir, 'b.subword');
    await writeSubwordModel(m, f32);
    await writeSubwordModel(m, f16, { float16: true });
    const h = readFastTextModel(f16);
    assert.ok(h.input instanceof HalfMatrix);
    const matrixBytes = m.dict.inputRows * m.dim * 4;
    assert.ok(readFileSync(f32).length - readFileSync(f16).length === matrixBytes / 2);
    const words = readFileSync(ft('ft_wt2_sg.words.txt'), 'utf8').split('\n').filter(Boolean);
    for (const w of words) {
      const a = m.wordVector(w).vector;
      const b = h.wordVector(w).vector;
      let norm = 0;
      for (const x of a) norm = Math.max(norm, Math.abs(x));
      // each row value is off by at most 2^-11 relative; their mean by no more than the largest row value allows
      assert.ok(maxAbsDiff(a, b) <= norm * 2 ** -10 + 1e-6, `${w}: ${maxAbsDiff(a, b)}`);
      assert.ok(maxAbsDiff(a, b) > 0 || norm === 0, `${w}: float16 should round something`);
    }
  } finally {
    cleanup();
  }
});

test('float16: every half round-trips; rounding is to nearest, ties to even; overflow, subnormals, signs', () => {
  for (let h = 0; h < 65536; h++) {
    const v = fromFloat16(h);
    if (Number.isNaN(v)) {
      assert.ok(Number.isNaN(fromFloat16(toFloat16(v))));
      continue;
    }
    assert.is(toFloat16(v), h, `half 0x${h.toString(16)}`);
  }
  // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties to even gives 1; 1 + 3*2^-11 rounds up to 1 + 2^-9
  assert.is(toFloat16(1 + 2 ** -11), 0x3c00);
  assert.is(toFloat16(1 + 3 * 2 ** -11), 0x3c02);
  assert.is(toFloat16(1 + 2 ** -11 + 2 ** -20), 0x3c01);
  assert.is(toFloat16(65504), 0x7bff);
  assert.is(toFloat16(65520), 0x7c00); // halfway to the next binade: infinity
  assert.is(toFloat16(-1e6), 0xfc00);
  assert.is(toFloat16(2 ** -24), 0x0001);
  assert.is(toFloat16(2 ** -25), 0x0000); // tie between 0 and the smallest subnormal: even is 0
  assert.is(toFloat16(1.5 * 2 ** -24), 0x0002); // tie between 1 and 2 subnormal units: even is 2
  assert.is(toFloat16(-0), 0x8000);
  // random float32 values: the nearest half
  let seed = 7;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  for (let k = 0; k < 20000; k++) {
    const x = Math.fround((rnd() - 0.5) * 2 ** (rnd() * 40 - 25));
    const h = toFloat16(x);
    const v = fromFloat16(h);
    const up = fromFloat16(h + 1);
    const down = h & 0x7fff ? fromFloat16(h - 1) : -v;
    assert.ok(Math.abs(x - v) <= Math.abs(x - up) && Math.abs(x - v) <= Math.abs(x - down), `${x} -> ${v}`);
  }
});

test('the accumulated word matrix: .vec / word2vec / GloVe hold each word with the vector fastText prints', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const m = readFastTextModel(ft('ft_wt2_sg.bin'), { output: false });
    const emb = vocabularyVectors(m);
    assert.is(emb.size, m.dict.nwords);
    assert.is(emb.words[0], m.dict.word(0));
    const printed = readFileSync(ft('ft_wt2_sg.word-vectors.txt'), 'utf8').split('\n').filter(Boolean);
    for (const [fmt, name] of [['word2vec-text', 'a.vec'], ['word2vec-binary', 'a.w2v'], ['glove', 'a.txt']] as const) {
      const f = join(dir, name);
      await writeVocabularyVectors(m, f, fmt);
      const back = await readVectors(f);
      assert.is(back.size, m.dict.nwords, name);
      let known = 0;
      for (const l of printed) {
        const [w, ...vs] = l.trim().split(' ');
        const i = back.id(w!);
        if (m.dict.getId(w!) < 0) {
          assert.is(i, -1);
          continue;
        }
        known++;
        const row = back.row(i);
        vs.forEach((x, j) => assert.ok(close(row[j]!, Number(x)), `${name} ${w}[${j}]`));
        // full float32 precision: exactly the model's vector
        assert.equal(Array.from(row), Array.from(m.wordVector(w!).vector));
      }
      assert.ok(known >= 10, `${known} known words`);
    }
    assert.match(readFileSync(join(dir, 'a.vec'), 'utf8').slice(0, 20), new RegExp(`^${m.dict.nwords} ${m.dim}\\n`));
  } finally {
    cleanup();
  }
});

test('a wordloom classifier and a fastText softmax model mean the same by every row: predictions agree, and the classifier writes a .bin fastText loads', async () => {
  const ref = written();
  const sm = readFastTextModel(ft('sup_sm.bin'));
  const c = ClassifierModel.fromFastText(sm);
  const lines = readFileSync(ft('rt_sup.test.txt'), 'utf8').split('\n').filter(Boolean);
  const want = readFileSync(ft('sup_sm.bin.predict-prob.txt'), 'utf8').split('\n');
  lines.forEach((l, i) => {
    const p = c.predict(l, 2);
    const w = want[i]!.split(' ');
    for (let j = 0; j < 2; j++) {
      assert.is('__label__' + p[j]!.label, w[2 * j], `line ${i + 1}`);
      // fastText prints the probability plus 1e-5, computed in float32
      assert.ok(Math.abs(p[j]!.probability + 1e-5 - Number(w[2 * j + 1])) <= 2e-5, `line ${i + 1}: ${p[j]!.probability} vs ${w[2 * j + 1]}`);
    }
  });
  // the rows: words, </s>, word bigram buckets, as the fastText dictionary makes them
  const d = sm.dict;
  const rows = new IntList();
  const labels = new IntList();
  for (const l of [...lines.slice(0, 50), 'café naïve über ünknown wörds']) {
    d.lineRows(utf8Bytes(l), true, rows, labels);
    const toks = l.split(' ').filter((t) => t && !t.startsWith('__label__'));
    assert.equal(c.encode(toks), Array.from(rows.toArray()), l);
  }
  const { dir, cleanup } = tempDir();
  try {
    const out = join(dir, 'classifier.bin');
    await c.saveFastText(out);
    assert.is(sha(out), ref.get('classifier.bin')!.sha);
    assert.equal(ref.get('classifier.bin')!.lines, want.filter(Boolean)); // fastText predicted with it what it predicts with sup_sm.bin
  } finally {
    cleanup();
  }
  assert.throws(() => ClassifierModel.fromFastText(readFastTextModel(ft('sup_ova.bin'))), /ova loss/);
});

test('product quantization: a .ftz fastText loads (the same bytes, its printed vectors), close to the dense vectors', async () => {
  const ref = written().get('lee_q.ftz')!;
  const dense = readFastTextModel(ft('lee_fasttext_new.bin'));
  const { dir, cleanup } = tempDir();
  try {
    const out = join(dir, 'lee_q.ftz');
    await writeFastTextModel(quantizeModel(dense, { dsub: 3, qnorm: true, qout: true, iterations: 8 }), out);
    assert.is(sha(out), ref.sha);
    const q = readFastTextModel(out);
    assert.ok(q.quantInput && q.quantOutput);
    assertVectors(q, ref.lines, 'lee_q.ftz');
    for (const l of ref.lines) {
      const w = l.split(' ')[0]!;
      const a = q.wordVector(w).vector;
      const b = dense.wordVector(w).vector;
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let j = 0; j < a.length; j++) {
        dot += a[j]! * b[j]!;
        na += a[j]! ** 2;
        nb += b[j]! ** 2;
      }
      assert.ok(dot / Math.sqrt(na * nb) > 0.99, `${w}: cosine ${dot / Math.sqrt(na * nb)}`);
    }
    // a quantized model is written as it is; a matrix of fewer than 256 rows cannot be quantized
    assert.throws(() => quantizeModel(q), /quantized already/);
    assert.throws(() => quantizeMatrix(new DenseMatrix(100, 4)), /100 rows cannot be product-quantized/);
  } finally {
    cleanup();
  }
});

test('subword model: a cut at any byte, a wrong version, a damaged header: clear errors with the section and offset', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const m = readFastTextModel(ft('non_ascii_fasttext.bin'), { output: false });
    const f = join(dir, 'm.subword');
    await writeSubwordModel(m, f, { float16: true });
    const bytes = readFileSync(f);
    assert.ok(bytes.subarray(0, 8).equals(Buffer.from(SUBWORD_MAGIC)));
    const step = Math.max(1, Math.floor(bytes.length / 300));
    for (let cut = 0; cut < bytes.length; cut += cut < 200 ? 1 : step) {
      try {
        readFastTextModelBytes(bytes.subarray(0, cut), 'cut.subword');
        assert.unreachable(`cut at ${cut} was read`);
      } catch (e) {
        assert.ok(e instanceof WordloomError, `cut at ${cut}: ${(e as Error).stack}`);
        assert.match((e as Error).message, /byte offset \d+/, `cut at ${cut}`);
      }
    }
    const v2 = Buffer.from(bytes);
    v2.writeUInt32LE(2, 8);
    assert.throws(() => readFastTextModelBytes(v2, 'v2'), /unknown subword model version 2/);
    const longer = Buffer.concat([bytes, Buffer.from([0])]);
    assert.throws(() => readFastTextModelBytes(longer, 'longer'), /1 unexpected byte/);
    const hdr = Buffer.from(bytes);
    const at = hdr.indexOf('"bucket":');
    hdr.write('"bucket":9', at, 'latin1'); // a different bucket than the n-gram rows
    assert.throws(() => readFastTextModelBytes(hdr, 'hdr'), /ngram_rows|JSON/);
    // a model without word rows cannot keep word rows it lacks
    await writeSubwordModel(m, join(dir, 'bare.subword'), { wordRows: false });
    let err: unknown;
    try {
      await writeSubwordModel(readSubwordModel(join(dir, 'bare.subword')), join(dir, 'x.subword'));
    } catch (e) {
      err = e;
    }
    assert.match((err as Error).message, /no word rows/);
  } finally {
    cleanup();
  }
});

test('writing refuses parts that disagree, and leaves nothing behind', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const m = readFastTextModel(ft('ft_wt2_sg.bin'));
    const wrong = { args: m.args, dict: m.dict, input: new DenseMatrix(10, m.dim), output: m.output };
    let err: unknown;
    try {
      await writeFastTextModel(wrong, join(dir, 'bad.bin'));
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof WordloomError);
    assert.match((err as Error).message, /input matrix has 10 rows but the dictionary needs 26929/);
    // a word fastText cannot store (a NUL byte ends its entries): named, nothing written
    const params = { minn: 0, maxn: 0, bucket: 0, wordNgrams: 1, label: '__label__' };
    const dict = FastTextDictionary.fromEntries(['ok', 'b\u0000d'], [2, 1], { params });
    const args = { ...m.args, minn: 0, maxn: 0, bucket: 0, wordNgrams: 1 };
    err = undefined;
    try {
      await writeFastTextModel({ args, dict, input: new DenseMatrix(2, m.dim) }, join(dir, 'nul.bin'));
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof WordloomError);
    assert.match((err as Error).message, /entry 1 contains a NUL byte/);
    assert.equal(readdirSync(dir), []);
    // without an output matrix a zero one is written, and the file reads back
    await writeFastTextModel({ args, dict: FastTextDictionary.fromEntries(['ok', 'fine'], [2, 1], { params }), input: new DenseMatrix(2, m.dim, new Float32Array(2 * m.dim).fill(0.5)) }, join(dir, 'small.bin'));
    const back = readFastTextModel(join(dir, 'small.bin'));
    assert.is(back.output!.rows, 2);
    assert.equal(Array.from(back.output!.row(1, new Float32Array(m.dim))), new Array(m.dim).fill(0));
    assert.equal(Array.from(back.wordVector('fine').vector), new Array(m.dim).fill(0.5));
  } finally {
    cleanup();
  }
});

test.run();
