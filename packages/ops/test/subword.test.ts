import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WordloomError } from '@wordloom/core';
import {
  FastTextPredictor, IntList, fnv1a, forEachCharNgram, formatG, formatPredictions, formatTestResult, formatVectorLine, hashString,
  mod64, readFastTextModel, readFastTextModelBytes, testSupervised, textLines, utf8Bytes, wordNgramStart, wordNgramStep, wrapWord,
} from '../src/index.js';
import { evaluateVectors, SubwordEmbeddings, detectFastTextModel, findOperator, loadVectors, nearestNeighbors, standaloneContext, withOovRows } from '../src/index.js';
import { encodeArgs, defaultArgs, FASTTEXT_MAGIC } from '../src/index.js';
import { dataPath, tempDir } from './helpers.js';

const ft = (f: string) => dataPath('fasttext/' + f);

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-4 * Math.max(Math.abs(a), Math.abs(b)) + 1e-5;
}

/** Every model with the word list and the vectors `fasttext print-word-vectors` (or gensim, for the oldest format) printed for it. */
const VECTOR_CASES: [string, string][] = [
  ['ft_wt2_sg.bin', 'ft_wt2_sg.word-vectors.txt'],
  ['ft_bg_sg.bin', 'ft_bg_sg.word-vectors.txt'],
  ['lee_fasttext_new.bin', 'lee_fasttext_new.word-vectors.txt'],
  ['lee_fasttext.bin', 'lee_fasttext.word-vectors.txt'],
  ['non_ascii_fasttext.bin', 'non_ascii_fasttext.word-vectors.txt'],
  ['rt_sup.bin', 'rt_sup.bin.word-vectors.txt'],
  ['rt_sup.ftz', 'rt_sup.ftz.word-vectors.txt'],
  ['cbow_lee.bin', 'cbow_lee.word-vectors.txt'],
  ['sup_hs.bin', 'sup_hs.bin.word-vectors.txt'],
  ['sup_hs.ftz', 'sup_hs.ftz.word-vectors.txt'],
  ['sup_hs_v11.bin', 'sup_hs_v11.bin.word-vectors.txt'],
  ['sup_ova.bin', 'sup_ova.bin.word-vectors.txt'],
  ['sup_many.ftz', 'sup_many.ftz.word-vectors.txt'],
];

test('hash: fastText FNV-1a sign-extends bytes >= 0x80', () => {
  // FNV-1a of "a" (0x61): (2166136261 ^ 0x61) * 16777619 mod 2^32
  assert.is(hashString('a'), 0xe40c292c);
  // a byte >= 0x80 is XORed as 0xFFFFFF00 | b, unlike plain FNV-1a
  const plain = (Math.imul(0x811c9dc5 ^ 0xc3, 16777619) >>> 0);
  const signExt = (Math.imul(0x811c9dc5 ^ (0xffffff00 | 0xc3), 16777619) >>> 0);
  assert.is(fnv1a(new Uint8Array([0xc3])), signExt);
  assert.is.not(signExt, plain);
});

test('hash: character n-grams are UTF-8 characters, none of length 1 at the boundaries', () => {
  const got: string[] = [];
  const w = wrapWord('éa');
  const dec = new TextDecoder();
  forEachCharNgram(w, 1, 2, (s, e) => got.push(dec.decode(w.subarray(s, e))));
  assert.equal(got, ['<é', 'é', 'éa', 'a', 'a>']);
});

test('hash: word n-gram hash in 64 bits equals BigInt arithmetic', () => {
  const M = (1n << 64n) - 1n;
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let trial = 0; trial < 500; trial++) {
    const hs = [rnd() | 0, rnd() | 0, rnd() | 0, rnd() | 0];
    const bucket = 1 + (rnd() % 3000000);
    let ref = BigInt.asUintN(64, BigInt(hs[0]!));
    const st = new Float64Array(2);
    wordNgramStart(st, hs[0]!);
    for (let j = 1; j < hs.length; j++) {
      ref = (ref * 116049371n + BigInt.asUintN(64, BigInt(hs[j]!))) & M;
      wordNgramStep(st, hs[j]!);
      assert.is(BigInt(st[0]!) * 4294967296n + BigInt(st[1]!), ref);
      assert.is(mod64(st[0]!, st[1]!, bucket), Number(ref % BigInt(bucket)));
    }
  }
});

test('formatG prints as C++ streams do', () => {
  assert.is(formatG(0.1234567, 5), '0.12346');
  assert.is(formatG(1.00001, 6), '1.00001');
  assert.is(formatG(1.18199e-5, 6), '1.18199e-05');
  assert.is(formatG(0.0001, 5), '0.0001');
  assert.is(formatG(123456, 5), '1.2346e+05');
  assert.is(formatG(12345, 5), '12345');
  assert.is(formatG(-2.5, 3), '-2.5');
  assert.is(formatG(1, 3), '1');
  assert.is(formatG(0, 5), '0');
});

test('word vectors equal print-word-vectors on every model, in vocabulary or not', () => {
  for (const [m, ref] of VECTOR_CASES) {
    const model = readFastTextModel(ft(m), { output: false });
    let lines = 0;
    let exact = 0;
    for (const line of readFileSync(ft(ref), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const parts = line.trim().split(' ');
      const word = parts[0]!;
      const want = parts.slice(1).map(Number);
      const { vector } = model.wordVector(word);
      assert.is(vector.length, want.length, `${m} ${word} dim`);
      for (let j = 0; j < want.length; j++) assert.ok(close(vector[j]!, want[j]!), `${m} "${word}"[${j}]: ${vector[j]} vs ${want[j]}`);
      if (formatVectorLine(word, vector) === line) exact++;
      lines++;
    }
    assert.ok(lines >= 12, `${m}: ${lines} reference lines`);
    // printed the same way, digit for digit, on nearly every line
    if (!ref.startsWith('lee_fasttext.') && !ref.startsWith('non_ascii')) assert.ok(exact >= lines - 3, `${m}: ${exact}/${lines} lines printed identically`);
  }
});

test('formats: oldest (no magic), version 11, 12; supervised version 11 drops character n-grams', () => {
  assert.is(readFastTextModel(ft('lee_fasttext.bin')).version, 0);
  assert.is(readFastTextModel(ft('lee_fasttext_new.bin')).version, 11);
  const v12 = readFastTextModel(ft('sup_hs.bin'));
  const v11 = readFastTextModel(ft('sup_hs_v11.bin'));
  assert.is(v12.version, 12);
  assert.is(v11.version, 11);
  assert.is(v12.args.maxn, 3);
  assert.is(v11.args.maxn, 0);
  const oov = v11.wordVector('qqqzzz');
  assert.is(oov.rows, 0);
  assert.ok(oov.vector.every((x) => x === 0));
  assert.is(v12.args.loss, 'hs');
  assert.is(readFastTextModel(ft('sup_ova.bin')).args.loss, 'ova');
  assert.is(readFastTextModel(ft('cbow_lee.bin')).args.model, 'cbow');
});

test('.ftz: quantized input with a last sub-quantizer of another width, quantized norms and output, pruned dictionary', () => {
  const hs = readFastTextModel(ft('sup_hs.ftz'));
  assert.ok(hs.quantInput);
  assert.ok(hs.dict.isPruned);
  const many = readFastTextModel(ft('sup_many.ftz'));
  assert.ok(many.quantInput && many.quantOutput);
  const pq = (many.input as any).pq;
  assert.is(pq.dsub, 3);
  assert.is(pq.lastdsub, 1);
  assert.is((hs.input as any).pq.lastdsub, 2);
  assert.ok((many.input as any).qnorm);
});

test('word with no n-grams in the model: zero vector, caller told', () => {
  const model = readFastTextModel(ft('rt_sup.ftz'));
  // the pruned model keeps few buckets: find a word whose n-grams were all dropped
  const r = model.wordVector('</s>');
  assert.ok(r.id >= 0);
  const none = model.wordVector('');
  assert.is(none.rows >= 0, true);
  const u = readFastTextModel(ft('sup_hs_v11.bin')).wordVector('zzzqqq');
  assert.is(u.rows, 0);
  assert.is(u.id, -1);
});

const PREDICT_CASES: [string, string, number, number][] = [
  ['rt_sup.bin', 'rt_sup.sentences.txt', 2, 0],
  ['rt_sup.ftz', 'rt_sup.sentences.txt', 2, 0],
  ['sup_hs.bin', 'sup4.test.txt', 3, 0],
  ['sup_hs.ftz', 'sup4.test.txt', 3, 0],
  ['sup_hs_v11.bin', 'sup4.test.txt', 3, 0],
  ['sup_many.ftz', 'supmany.test.txt', 3, 0],
  ['sup_ova.bin', 'supml.test.txt', 4, 0.2],
  ['tiny_sup.bin', 'sup4.test.txt', 2, 0],
  ['tiny_sup.ftz', 'sup4.test.txt', 2, 0],
];

test('predict-prob: labels and probabilities of softmax, hierarchical softmax and one-vs-all models', () => {
  for (const [m, input, k, th] of PREDICT_CASES) {
    const p = new FastTextPredictor(readFastTextModel(ft(m)));
    const data = readFileSync(ft(input));
    const ref = readFileSync(ft(m + '.predict-prob.txt'), 'utf8').split('\n');
    let i = 0;
    for (const [s, e, nl] of textLines(data)) {
      const got = p.predictLine(data.subarray(s, e), k, th, nl);
      const want = ref[i]!.split(' ').filter(Boolean);
      assert.is(got.length * 2, want.length, `${m} line ${i + 1}: ${formatPredictions(got, true)} vs ${ref[i]}`);
      got.forEach((g, j) => {
        assert.is(g.label, want[2 * j], `${m} line ${i + 1}`);
        assert.ok(Math.abs(g.prob - Number(want[2 * j + 1])) <= 1e-4, `${m} line ${i + 1}: ${g.prob} vs ${want[2 * j + 1]}`);
      });
      i++;
    }
    assert.ok(i >= 200, `${m}: ${i} lines`);
  }
});

test('test prints N, P@k, R@k as fasttext test does', () => {
  for (const [m, input] of [['rt_sup.bin', 'rt_sup.test.txt'], ['rt_sup.ftz', 'rt_sup.test.txt'], ['sup_hs.bin', 'sup4.test.txt'], ['sup_hs.ftz', 'sup4.test.txt'], ['sup_hs_v11.bin', 'sup4.test.txt'], ['sup_ova.bin', 'supml.test.txt']]) {
    const p = new FastTextPredictor(readFastTextModel(ft(m!)));
    const data = readFileSync(ft(input!));
    const got = formatTestResult(testSupervised(p, data, 1)) + formatTestResult(testSupervised(p, data, 2));
    assert.is(got, readFileSync(ft(m + '.test.txt'), 'utf8'), m);
  }
  const many = new FastTextPredictor(readFastTextModel(ft('sup_many.ftz')));
  const data = readFileSync(ft('supmany.test.txt'));
  assert.is(formatTestResult(testSupervised(many, data, 1)) + formatTestResult(testSupervised(many, data, 5)), readFileSync(ft('sup_many.ftz.test.txt'), 'utf8'));
});

test('n-gram strings as print-ngrams lists them', () => {
  for (const m of ['ft_wt2_sg', 'ft_bg_sg']) {
    const model = readFastTextModel(ft(m + '.bin'), { output: false });
    const blocks = readFileSync(ft(m + '.ngram-strings.txt'), 'utf8').split('##\n').filter((b) => b.trim());
    assert.ok(blocks.length >= 2);
    for (const b of blocks) {
      const lines = b.split('\n').filter(Boolean);
      // the block starts with the word when it is in the vocabulary, else with its first n-gram;
      // an unknown word is the one of the model's word list whose n-grams these are
      const inVocab = !lines[0]!.startsWith('<');
      const candidates = readFileSync(ft(m + '.words.txt'), 'utf8').split(/\s+/).filter(Boolean);
      const word = inVocab ? lines[0]! : candidates.find((w) => model.dict.ngrams(w).ngrams.join('\n') === lines.join('\n'));
      assert.ok(word !== undefined, `${m}: the block of ${lines[0]} belongs to a word of the list`);
      const ng = model.dict.ngrams(word!);
      assert.is(ng.id >= 0, inVocab, `${m} ${word}`);
      assert.equal(inVocab ? [word, ...ng.ngrams] : ng.ngrams, lines, `${m} ${word}`);
      assert.is(ng.rows.length, lines.length);
    }
  }
});

test('print-ngrams vectors, also on pruned models where fastText names the first n-grams', () => {
  for (const m of ['cbow_lee.bin', 'rt_sup.ftz', 'sup_hs.ftz', 'sup_many.ftz']) {
    const model = readFastTextModel(ft(m), { output: false });
    const text = readFileSync(ft(m + '.print-ngrams.txt'), 'utf8');
    let checked = 0;
    for (const block of text.split('## ').filter(Boolean)) {
      const [word, ...lines] = block.split('\n').filter(Boolean);
      const ng = model.dict.ngrams(word!);
      const names = ng.id >= 0 ? [word!, ...ng.ngrams] : ng.ngrams;
      assert.is(lines.length, ng.rows.length, `${m} ${word}: rows`);
      lines.forEach((line, i) => {
        const parts = line.trim().split(' ');
        assert.is(parts[0], names[i], `${m} ${word} name ${i}`);
        const v = model.inputRow(ng.rows[i]!);
        parts.slice(1).forEach((x, j) => assert.ok(close(v[j]!, Number(x)), `${m} ${word} ${i}:${j}`));
        checked++;
      });
    }
    assert.ok(checked >= 3, m);
    if (model.dict.isPruned) {
      // the pruned model dropped some n-grams of these words: fastText's names are then not those of the rows
      const dropped = text.split('## ').filter(Boolean).some((b) => model.dict.ngrams(b.split('\n')[0]!).ngramRows.some((r) => r < 0));
      assert.ok(dropped, `${m}: some n-gram was pruned`);
    }
  }
});

test('loadFastTextModel reads the matrices in chunks with progress, and stops when aborted', async () => {
  const { loadFastTextModel } = await import('../src/index.js');
  const seen: number[] = [];
  const m = await loadFastTextModel(ft('rt_sup.bin'), { chunkBytes: 1 << 20, onProgress: (done, total) => seen.push(done / total) });
  assert.ok(seen.length >= 4 && seen[seen.length - 1] === 1, `progress ${seen.join(' ')}`);
  const eager = readFastTextModel(ft('rt_sup.bin'));
  assert.equal((m.input as any).data, (eager.input as any).data);
  assert.equal((m.output as any).data, (eager.output as any).data);
  assert.is(m.lazy, false);
  const ac = new AbortController();
  let calls = 0;
  try {
    await loadFastTextModel(ft('rt_sup.bin'), { chunkBytes: 1 << 20, signal: ac.signal, onProgress: () => { if (++calls === 2) ac.abort(new Error('stopped')); } });
    assert.unreachable('aborted');
  } catch (e) {
    assert.is((e as Error).message, 'stopped');
  }
  // quantized models hold no dense input; the output of a quantized model may be dense
  const q = await loadFastTextModel(ft('sup_hs.ftz'));
  assert.equal(q.wordVector('film').vector, readFastTextModel(ft('sup_hs.ftz')).wordVector('film').vector);
});

test('lazy reading gives the same vectors and predictions', () => {
  for (const m of ['ft_bg_sg.bin', 'rt_sup.bin', 'sup_hs.ftz']) {
    const eager = readFastTextModel(ft(m));
    const lazy = readFastTextModel(ft(m), { lazy: true });
    for (const w of ['the', 'film', 'потребител', 'qqxzz', 'über']) assert.equal(lazy.wordVector(w).vector, eager.wordVector(w).vector, `${m} ${w}`);
    if (eager.supervised) {
      const line = utf8Bytes('a gorgeous , witty , seductive movie .');
      assert.equal(new FastTextPredictor(lazy).predictLine(line, 2), new FastTextPredictor(eager).predictLine(line, 2));
    }
    lazy.close();
  }
});

test('dictionary: rebuilt from its init() (as in a worker) without rebuilding the table; arrays in shared memory', async () => {
  const model = readFastTextModel(ft('rt_sup.ftz'));
  const init = model.dict.init();
  for (const a of [init.bytes, init.offsets, init.counts, init.types, init.table!]) assert.ok(a.buffer instanceof SharedArrayBuffer);
  const { FastTextDictionary } = await import('../src/index.js');
  const copy = new FastTextDictionary(structuredClone(init));
  for (const w of ['movie', 'film', 'zzqx', '__label__pos', '</s>']) {
    assert.is(copy.getId(w), model.dict.getId(w), w);
    assert.equal(copy.ngrams(w), model.dict.ngrams(w), w);
  }
  // the clone shares the memory (a worker would see the same arrays)
  const c0 = init.counts[0]!;
  copy.counts[0] = c0 + 1;
  assert.is(model.dict.counts[0], c0 + 1);
  copy.counts[0] = c0;
  // given a table, the dictionary uses it instead of building one
  assert.is(new FastTextDictionary(init).init().table, init.table);
  assert.is.not(new FastTextDictionary({ ...init, table: undefined }).init().table, init.table);
});

test('dictionary: lookups, labels, counts', () => {
  const model = readFastTextModel(ft('rt_sup.bin'));
  const d = model.dict;
  assert.is(d.nlabels, 2);
  assert.equal([d.label(0), d.label(1)].sort(), ['__label__neg', '__label__pos']);
  assert.ok(d.getId('film') >= 0 && d.getId('film') < d.nwords);
  assert.is(d.word(d.getId('film')), 'film');
  assert.is(d.getId('no-such-word-xyz'), -1);
  const rows = new IntList();
  const id = d.subwordRows('film', rows);
  assert.is(rows.data[0], id);
  assert.ok(rows.length > 1);
});

function expectInputError(bytes: Uint8Array, name: string, re: RegExp): WordloomError {
  try {
    readFastTextModelBytes(bytes, name);
  } catch (e) {
    assert.instance(e, WordloomError);
    assert.match((e as Error).message, name);
    assert.match((e as Error).message, re);
    return e as WordloomError;
  }
  assert.unreachable(`${name}: expected an error matching ${re}`);
  throw new Error('unreachable');
}

test('a file cut at any byte of the header and dictionary, and through the matrices, fails clearly', () => {
  for (const m of ['sup_hs.ftz', 'lee_fasttext.bin', 'sup_many.ftz']) {
    const full = new Uint8Array(readFileSync(ft(m)));
    const model = readFastTextModelBytes(full, m);
    const dictEnd = model.layout!.input;
    const offsets: number[] = [];
    // every byte of the header, args and first dictionary entries; then a sample through the dictionary and the matrices
    for (let o = 0; o < 320; o++) offsets.push(o);
    for (let o = 320; o < dictEnd + 40; o += Math.max(1, Math.floor(dictEnd / 200))) offsets.push(o);
    for (let o = dictEnd - 24; o < dictEnd + 40; o++) offsets.push(o);
    for (let o = dictEnd; o < full.length; o += Math.max(1, Math.floor((full.length - dictEnd) / 120))) offsets.push(o);
    offsets.push(full.length - 1);
    for (const o of offsets) {
      const e = expectInputError(full.subarray(0, o), `cut-${m}`, /byte offset \d+/);
      assert.match(e.message, /header|args|dictionary|matrix|quantizer|empty|magic/);
    }
  }
});

test('a small model and its .ftz cut at every byte fail clearly, never crash', () => {
  for (const m of ['tiny_sup.bin', 'tiny_sup.ftz']) {
    const full = new Uint8Array(readFileSync(ft(m)));
    const model = readFastTextModelBytes(full, m);
    assert.ok(model.dict.nwords > 5);
    const sections = new Set<string>();
    for (let o = 0; o < full.length; o++) {
      const e = expectInputError(full.subarray(0, o), `cut-${m}`, /byte offset \d+/);
      sections.add(e.message.replace(/^.*?: (.*?), byte offset.*$/s, '$1'));
    }
    for (const w of ['header', 'args', 'dictionary', 'input matrix', 'output matrix']) assert.ok(sections.has(w), `${m}: a cut in the ${w} (${[...sections].join(', ')})`);
  }
});

test('random bytes changed in a model: a WordloomError or a model that works, never another exception', () => {
  let seed = 11;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  let errors = 0;
  for (const m of ['tiny_sup.bin', 'tiny_sup.ftz', 'sup_many.ftz']) {
    const full = new Uint8Array(readFileSync(ft(m)));
    const span = m.startsWith('tiny') ? full.length : readFastTextModelBytes(full, m).layout!.input + 2000;
    for (let t = 0; t < 300; t++) {
      const b = full.slice();
      for (let k = 0; k < 3; k++) b[Math.floor(rnd() * span)] = Math.floor(rnd() * 256);
      try {
        const model = readFastTextModelBytes(b, 'changed.bin');
        for (const w of ['the', 'film', 'qqzx', '</s>', '']) model.wordVector(w);
        new FastTextPredictor(model).predictLine(utf8Bytes('the film is good'), -1);
      } catch (e) {
        assert.instance(e, WordloomError, (e as Error).stack);
        errors++;
      }
    }
  }
  assert.ok(errors > 100, `${errors} changed files rejected`);
});

test('wrong magic, unknown version, text file, trailing bytes, empty file', () => {
  const full = new Uint8Array(readFileSync(ft('sup_hs.ftz')));
  const bad = full.slice();
  bad[0] = 0x01; bad[1] = 0x02; bad[2] = 0x03; bad[3] = 0x7f;
  expectInputError(bad, 'magic.bin', /wrong magic number/);
  const ver = full.slice();
  new DataView(ver.buffer).setInt32(4, 13, true);
  expectInputError(ver, 'v13.bin', /unknown fastText file version 13/);
  expectInputError(utf8Bytes('the 0.1 0.2 0.3\nof 0.4 0.5 0.6\n'), 'words.vec', /text file/);
  expectInputError(utf8Bytes('the 0.1 0.2 0.3\n'.repeat(9)), 'glove.txt', /text file/);
  expectInputError(new Uint8Array(readFileSync(dataPath('fixtures/wt2-sg-d20-4k.bin'))), 'w2v.bin', /word2vec-format vectors file/);
  expectInputError(utf8Bytes('400000 50\nthe 0.1 0.2\n'), 'w2v.vec', /word2vec-format vectors file/);
  const extra = new Uint8Array(full.length + 3);
  extra.set(full);
  expectInputError(extra, 'extra.bin', /3 unexpected bytes after the output matrix/);
  expectInputError(new Uint8Array(0), 'empty.bin', /empty/);
});

test('a dictionary that disagrees with the matrix sizes, impossible quantizer sizes', () => {
  const full = new Uint8Array(readFileSync(ft('sup_hs.bin')));
  const model = readFastTextModelBytes(full, 'x');
  const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  // input matrix rows one more than nwords + bucket
  const rows = full.slice();
  const inAt = model.layout!.input + 1; // after quant_input flag
  dv(rows).setInt32(inAt, model.dict.inputRows + 1, true);
  expectInputError(rows, 'rows.bin', /dictionary disagrees with the matrix sizes/);
  // header: nwords + nlabels != size
  const hdr = full.slice();
  const dAt = model.layout!.dictionary;
  dv(hdr).setInt32(dAt + 4, model.dict.nwords - 1, true);
  expectInputError(hdr, 'hdr.bin', /dictionary sizes disagree/);
  // dim disagrees with the matrix columns
  const dim = full.slice();
  dv(dim).setInt32(8, 11, true);
  expectInputError(dim, 'dim.bin', /columns but the args say dim 11|disagrees/);
  // quantized: dsub that does not fit dim
  const q = new Uint8Array(readFileSync(ft('sup_hs.ftz')));
  const qm = readFastTextModelBytes(q, 'q');
  const pqAt = qm.layout!.input + 1 + 1 + 16 + 4 + (qm.input as any).codes.length; // flag, qnorm, m, n, codesize, codes
  const q1 = q.slice();
  dv(q1).setInt32(pqAt + 8, 3, true); // dsub 3 with nsubq 3 for dim 10
  expectInputError(q1, 'pq.ftz', /impossible input product quantizer/);
  const q2 = q.slice();
  dv(q2).setInt32(qm.layout!.input + 1 + 1 + 16, 5, true); // code size
  expectInputError(q2, 'codes.ftz', /code bytes|impossible|product quantizer/);
});

test('fasttext-model op: vocabulary vectors as fastText computes them, and vectors for unseen words', async () => {
  const op = findOperator('fasttext-model')!;
  assert.ok(op);
  const logs: string[] = [];
  const emb = (await op.run({}, { model: ft('ft_wt2_sg.bin'), lazy: false }, standaloneContext({ log: (m) => logs.push(m) }))) as SubwordEmbeddings;
  assert.instance(emb, SubwordEmbeddings);
  assert.match(logs.join('\n'), /version 12 skipgram model, \d+ words, dim 16, character n-grams 3-6 in 20000 buckets/);
  const ref = new Map(readFileSync(ft('ft_wt2_sg.word-vectors.txt'), 'utf8').trim().split('\n').map((l) => { const p = l.trim().split(' '); return [p[0]!, p.slice(1).map(Number)] as const; }));
  let inVocab = 0;
  let unseen = 0;
  for (const [w, want] of ref) {
    const v = emb.vector(w) ?? emb.oov(w);
    assert.ok(v, w);
    if (emb.id(w) >= 0) inVocab++;
    else unseen++;
    want.forEach((x, j) => assert.ok(close(v![j]!, x), `${w}[${j}]`));
  }
  assert.ok(inVocab > 5 && unseen > 5, `${inVocab} in the vocabulary, ${unseen} not`);
  // limit: fewer rows, the rest still answered
  const head = SubwordEmbeddings.fromModel(emb.model, { limit: 100 });
  assert.is(head.size, 100);
  const far = emb.words[500]!;
  assert.equal(head.oov(far), emb.vector(far));
  // a model without n-grams makes no vector for an unseen word
  const ova = SubwordEmbeddings.fromModel(readFastTextModel(ft('sup_ova.bin'), { output: false }));
  assert.is(ova.oov('qqzzyxw'), undefined);
});

test('knn answers for an unseen word with the nearest vocabulary words of its subword vector', async () => {
  const emb = (await loadVectors(ft('cbow_lee.bin'))) as SubwordEmbeddings;
  assert.instance(emb, SubwordEmbeddings);
  const res = await nearestNeighbors(emb, ['firefighter', 'qqqq', 'government'], { k: 5, backend: 'typescript' });
  const q = res.queries[0]!;
  assert.is(q.oov, true);
  assert.is(q.neighbors.length, 5);
  // the same as brute force over the rows
  const v = emb.oov('firefighter')!;
  const cos = (i: number) => {
    let d = 0, a = 0, b = 0;
    const r = emb.row(i);
    for (let j = 0; j < emb.dim; j++) { d += r[j]! * v[j]!; a += r[j]! * r[j]!; b += v[j]! * v[j]!; }
    return d / Math.sqrt(a * b);
  };
  const order = Array.from({ length: emb.size }, (_, i) => i).sort((x, y) => cos(y) - cos(x));
  assert.ok(Math.abs(q.neighbors[0]!.similarity - cos(order[0]!)) < 1e-5);
  assert.ok(Math.abs(q.neighbors[4]!.similarity - cos(order[4]!)) < 1e-5);
  assert.is(res.queries[2]!.oov, undefined);
  assert.ok(res.queries[2]!.neighbors.length === 5);
  // restrict_vocab limits the candidates of unseen words too
  const r2 = await nearestNeighbors(emb, ['firefighter'], { k: 3, backend: 'typescript', restrict_vocab: 50 });
  for (const n of r2.queries[0]!.neighbors) assert.ok(emb.id(n.word) < 50);
});

test('evaluate with oov: questions and pairs with unseen words are answered from subwords instead of skipped', async () => {
  const emb = await loadVectors(ft('cbow_lee.bin'));
  const files = { analogies: [dataPath('eval/questions-words.txt')], similarity: [dataPath('eval/wordsim353.tsv')], backend: 'typescript' as const };
  const plain = await evaluateVectors(emb, files);
  const oov = await evaluateVectors(emb, { ...files, oov: true });
  assert.ok(plain.analogy![0]!.skipped > 10000);
  assert.is(oov.analogy![0]!.skipped, 0);
  assert.is(oov.analogy![0]!.total, plain.analogy![0]!.questions);
  assert.is(plain.similarity![0]!.used < 100, true);
  assert.is(oov.similarity![0]!.used, 353);
  assert.ok(oov.oovWords! > 300, `${oov.oovWords} words from subwords`);
  assert.is(plain.oovWords, undefined);
  // vectors that cannot make unseen words evaluate as before
  const ova = SubwordEmbeddings.fromModel(readFastTextModel(ft('sup_ova.bin'), { output: false }));
  const r = await evaluateVectors(ova, { similarity: [dataPath('eval/wordsim353.tsv')], oov: true });
  const r0 = await evaluateVectors(ova, { similarity: [dataPath('eval/wordsim353.tsv')] });
  assert.is(r.similarity![0]!.used, r0.similarity![0]!.used);
});

test('detectFastTextModel and withOovRows', async () => {
  assert.is(detectFastTextModel(ft('rt_sup.ftz')), 'current');
  assert.is(detectFastTextModel(ft('lee_fasttext.bin')), 'oldest');
  assert.is(detectFastTextModel(ft('rt_sup.words.txt')), undefined);
  assert.is(detectFastTextModel(dataPath('fixtures/wt2-sg-d20-4k.bin')), undefined); // word2vec binary
  assert.is(detectFastTextModel(ft('no-such-file.bin')), undefined);
  const emb = await loadVectors(ft('cbow_lee.bin'));
  const { vectors, rows, added } = withOovRows(emb, ['government', 'firefighter', 'firefighter']);
  assert.equal(added, ['firefighter']);
  assert.is(rows[0], emb.id('government'));
  assert.is(rows[1], emb.size);
  assert.is(rows[2], emb.size);
  assert.is(vectors.size, emb.size + 1);
  assert.equal(vectors.row(emb.size), emb.oov!('firefighter'));
  const ova = SubwordEmbeddings.fromModel(readFastTextModel(ft('sup_ova.bin'), { output: false }));
  const none = withOovRows(ova, ['film', 'qqzzyxw']);
  assert.equal(Array.from(none.rows), [ova.id('film'), -1]);
  assert.is(none.vectors, ova);
});

/** A synthetic current-format skipgram model of nwords words and `bucket` n-gram rows of dim values. */
function writeSyntheticModel(file: string, nwords: number, dim: number, bucket: number): number {
  const fd = openSync(file, 'w');
  let size = 0;
  const w = (b: Uint8Array) => { writeSync(fd, b); size += b.length; };
  const hdr = Buffer.alloc(8);
  hdr.writeInt32LE(FASTTEXT_MAGIC, 0);
  hdr.writeInt32LE(12, 4);
  w(hdr);
  w(encodeArgs(defaultArgs({ dim, bucket })));
  const d = Buffer.alloc(28);
  d.writeInt32LE(nwords, 0); d.writeInt32LE(nwords, 4); d.writeInt32LE(0, 8); d.writeBigInt64LE(BigInt(nwords), 12); d.writeBigInt64LE(-1n, 20);
  w(d);
  const parts: Buffer[] = [];
  for (let i = 0; i < nwords; i++) { const c = Buffer.alloc(9); c.writeBigInt64LE(BigInt(nwords - i), 0); parts.push(Buffer.from(`w${i}\0`), c); }
  w(Buffer.concat(parts));
  const matrix = (m: number) => {
    const h = Buffer.alloc(16);
    h.writeBigInt64LE(BigInt(m), 0); h.writeBigInt64LE(BigInt(dim), 8);
    w(h);
    const chunk = new Float32Array(dim * 4096).map((_, i) => Math.sin(i) / 8);
    for (let r = 0; r < m; r += 4096) w(new Uint8Array(chunk.buffer, 0, Math.min(4096, m - r) * dim * 4));
  };
  w(Buffer.from([0]));
  matrix(nwords + bucket);
  w(Buffer.from([0]));
  matrix(nwords);
  closeSync(fd);
  return size;
}

test('memory while loading: at most 1.3x the file size; a lazy model reads only the rows it needs', () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'synthetic.bin');
    const size = writeSyntheticModel(file, 3000, 100, 60000);
    const lib = fileURLToPath(new URL('../src/subword/index.js', import.meta.url));
    const probe = (lazy: boolean) => {
      // the peak resident memory during the load (sampled every millisecond by a thread) bounds it;
      // buffer memory (arrayBuffers) says what stays held
      const code = `const m = await import(${JSON.stringify(lib)});
        const { Worker } = await import('node:worker_threads');
        const peak = new Float64Array(new SharedArrayBuffer(8)); const stop = new Int32Array(new SharedArrayBuffer(4));
        const w = new Worker("const { workerData: d } = await import('node:worker_threads'); const p = new Float64Array(d.peak); const s = new Int32Array(d.stop);"
          + "while (Atomics.load(s, 0) === 0) { const r = process.memoryUsage.rss(); if (r > p[0]) p[0] = r; Atomics.wait(s, 0, 0, 1); }", { eval: true, workerData: { peak: peak.buffer, stop: stop.buffer } });
        while (peak[0] === 0) await new Promise((r) => setTimeout(r, 5));
        globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); globalThis.gc();
        const mu0 = process.memoryUsage(); const before = mu0.rss; peak[0] = before;
        const model = m.readFastTextModel(${JSON.stringify(file)}, { lazy: ${lazy} });
        const v = model.wordVector('w17').vector; const u = model.wordVector('unseen').vector;
        Atomics.store(stop, 0, 1); Atomics.notify(stop, 0); await w.terminate();
        const held = process.memoryUsage().arrayBuffers - mu0.arrayBuffers;
        console.log(JSON.stringify({ grown: Math.max(peak[0], process.memoryUsage.rss()) - before, held, v: v[0], u: u[0] }));`;
      const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', code], { encoding: 'utf8' });
      assert.is(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { grown: number; held: number; v: number; u: number };
    };
    const eager = probe(false);
    const lazy = probe(true);
    assert.ok(eager.grown <= 1.3 * size, `eager: grew ${eager.grown} bytes for a ${size}-byte file`);
    assert.ok(eager.held >= 0.95 * size && eager.held <= 1.1 * size, `eager: holds ${eager.held} bytes of buffers for a ${size}-byte file`);
    assert.ok(lazy.held <= 0.05 * size, `lazy: holds ${lazy.held} bytes of buffers for a ${size}-byte file`);
    assert.ok(lazy.grown <= 0.5 * size, `lazy: grew ${lazy.grown} bytes for a ${size}-byte file`);
    assert.is(lazy.v, eager.v);
    assert.is(lazy.u, eager.u);
  } finally {
    cleanup();
  }
});

test.run();
