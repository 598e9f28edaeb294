import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  FeatureBuilder, LinearModel, murmur3, crossIndex, gramIndex, vwHashString, vwHashAscii, heaviestFeatures, invariantUpdate, lambertWExpMinusX, murmur3String,
  namespaceHash, parseLine, predictLinear, standaloneContext, testLinear, trainLinear, findOperator, CONSTANT_INDEX, type LinearParams,
} from '../src/index.js';
import { dataPath, tempDir } from './helpers.js';

async function rejects(fn: () => Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await fn();
  } catch (e) {
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected an error matching ${re}`);
}

/** rt-polarity as fastText lines, shuffled with a fixed LCG and split 90/10. */
function rtPolarity(dir: string): { train: string; test: string; trainLines: string[] } {
  const pos = readFileSync(dataPath('classify/rt-polarity.pos'), 'utf8').split('\n').filter(Boolean).map((l) => `__label__pos ${l}`);
  const neg = readFileSync(dataPath('classify/rt-polarity.neg'), 'utf8').split('\n').filter(Boolean).map((l) => `__label__neg ${l}`);
  const all = [...pos, ...neg];
  let s = 12345;
  for (let i = all.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const n = Math.floor(all.length / 10);
  const train = join(dir, 'train.txt');
  const testF = join(dir, 'test.txt');
  writeFileSync(testF, all.slice(0, n).join('\n') + '\n');
  writeFileSync(train, all.slice(n).join('\n') + '\n');
  return { train, test: testF, trainLines: all.slice(n) };
}

const one = standaloneContext({ threads: 1 });

test('MurmurHash3 x86 32: published test vectors; VW hashstring: digits are numbers plus the seed, spaces trimmed', () => {
  assert.is(murmur3String('', 0), 0);
  assert.is(murmur3String('', 1), 0x514e28b7);
  assert.is(murmur3String('', 0xffffffff), 0x81f16f39);
  assert.is(murmur3String('hello', 0), 0x248bfa47);
  assert.is(murmur3String('The quick brown fox jumps over the lazy dog', 0), 0x2e4ff723);
  assert.is(murmur3String('abc', 0), 0xb3dd93fa);
  const enc = new TextEncoder();
  for (const w of ['héllo', '日本語', '😀x', 'a\ud800z', 'mixed é 😀 end', 'abcd'])
    for (const seed of [0, 7, 0xdeadbeef]) assert.is(murmur3String(w, seed), murmur3(enc.encode(w), seed), `${w} ${seed}`);
  assert.is(vwHashString('17', 0), 17);
  assert.is(vwHashString(' 42 ', 5), 47);
  assert.is(vwHashString('4294967297', 0), 1); // modulo 2^32, as VW's 64-bit value is after masking
  assert.is(vwHashString(' hello\t', 0), 0x248bfa47);
  assert.is(vwHashString('x1', 3), murmur3String('x1', 3));
  assert.is(namespaceHash(''), 0);
  assert.is(namespaceHash('ns'), murmur3String('ns', 0));
  assert.is(crossIndex(1, 2), (16777619 ^ 2) >>> 0);
  assert.is(gramIndex(3, 4), (3 * 27942141 + 4) % 2 ** 32); // VW's quadratic_constant builds n-grams
  assert.is(gramIndex(0xffffffff, 1), (Number((0xffffffffn * 27942141n + 1n) % 2n ** 32n)));
});

test('features: a namespace seeds its features\' hashes; n-grams, self and cross quadratic, the constant; names for inspect', () => {
  const b = new FeatureBuilder({ bits: 18, ngram: 2, quadratic: ['ab', 'aa'], bias: true }, true);
  b.namespace('a');
  b.feature('x', 2);
  b.feature('y', 1);
  b.namespace('b', 0.5);
  b.feature('w', 4);
  b.finish();
  const mask = (1 << 18) - 1;
  const ha = namespaceHash('a');
  const hx = vwHashString('x', ha) & mask;
  const hy = vwHashString('y', ha) & mask;
  const hw = vwHashString('w', namespaceHash('b')) & mask;
  // a's words and its bigram x y, b's word, a x b (3 x 1: a holds x, y and the bigram), a x a with itself (3 x 4 / 2 = 6), constant
  assert.is(b.n, 3 + 1 + 3 + 6 + 1);
  assert.equal(Array.from(b.idx.subarray(0, 4)), [hx, hy, gramIndex(vwHashString('x', ha), vwHashString('y', ha)) & mask, hw]);
  assert.equal(Array.from(b.val.subarray(0, 4)), [2, 1, 1, 2]);
  assert.is(b.idx[4], crossIndex(hx, hw) & mask);
  assert.is(b.val[4], 4);
  assert.is(b.idx[b.n - 1], CONSTANT_INDEX & mask);
  assert.is(b.names!.get(hx), 'a^x');
  assert.is(b.names!.get(crossIndex(hx, hw) & mask), 'a^x*b^w');
  assert.is(b.names!.get(b.idx[2]!), 'a^x^y');
});

test('VW lines: the tag is the last word before the bar when it touches it or starts with a quote; label and importance; string values chain the hash; 0 values add nothing; namespaces sharing a letter cross as one', () => {
  const b = new FeatureBuilder({ bits: 20, ngram: 1, quadratic: [], bias: false });
  const cases: [string, string[], number, string | undefined][] = [
    ['1 2.5 tagA| x', ['1'], 2.5, 'tagA'],
    ["-1 'tagB | x", ['-1'], 1, 'tagB'],
    ['1 0.5 | x', ['1'], 0.5, undefined],
    ['tagC| x', [], 1, 'tagC'],
    ['1 | x', ['1'], 1, undefined],
  ];
  for (const [line, labels, imp, tag] of cases) {
    b.reset();
    const p = parseLine('vw', line, b, '__label__');
    assert.equal([p.labels, p.importance, p.tag], [labels, imp, tag], line);
  }
  assert.throws(() => parseLine('vw', '1 2 3 4| x', b, ''), /too many fields/);
  assert.throws(() => parseLine('vw', '1 -2 | x', b, ''), /negative/);
  b.reset();
  parseLine('vw', '1 |u color:red size:0 w:3', b, '');
  b.finish();
  const hu = namespaceHash('u');
  assert.is(b.n, 2);
  assert.is(b.idx[0], vwHashString('red', vwHashString('color', hu)) & ((1 << 20) - 1));
  assert.equal(Array.from(b.val.subarray(0, 2)), [1, 3]);
  const q = new FeatureBuilder({ bits: 20, ngram: 1, quadratic: ['aa'], bias: false });
  parseLine('vw', '1 |a1 x |a2 y', q, '');
  q.finish();
  // x, y, then x*x, x*y, y*y: the two namespaces starting with "a" are one group, crossed with itself once
  assert.is(q.n, 5);
  assert.is(q.idx[3], crossIndex(q.idx[0]!, q.idx[1]!) & ((1 << 20) - 1));
});

test('the invariant updates: hinge stops at the margin however large the step; logistic through Lambert W; squared never overshoots', () => {
  assert.ok(Math.abs(lambertWExpMinusX(1)) < 1e-9); // W(e) = 1
  assert.ok(Math.abs(lambertWExpMinusX(-20) - 20) < 1e-8); // W(z) ~ z for small z
  for (const x of [-1, 0.5, 3, 40]) {
    const w = lambertWExpMinusX(x) + x;
    assert.ok(Math.abs(Math.log(w) + w - x) < 1e-9, `W(e^${x})`);
  }
  // prediction 0, label 1, the rate-weighted norm 2: moving by u * 2 must land on 1 at most
  assert.is(invariantUpdate('hinge', 0, 1, 1000, 2) * 2, 1);
  assert.is(invariantUpdate('hinge', 0.2, 1, 0.1, 2), 0.1);
  assert.is(invariantUpdate('hinge', 1.5, 1, 1, 2), 0);
  const sq = invariantUpdate('squared', 0, 3, 1000, 2) * 2;
  assert.ok(sq <= 3 && sq > 2.999);
  const lg = invariantUpdate('logistic', 0, 1, 1, 1);
  assert.ok(lg > 0 && lg < 0.5, `logistic ${lg}`); // the gradient step would be 0.5; the invariant one is smaller
});

test('the normalized update by hand: two examples of one feature x = 2, hinge, lr 0.5, no constant', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'a.vw');
    writeFileSync(f, '1 | f:2\n1 | f:2\n');
    const r = await trainLinear({ input: [f], bias: false, bits: 4 }, one);
    const slot = vwHashString('f', 0) & 15;
    // each weight followed by its [G, N, rate]
    const w = Array.from(r.model.weights.subarray(slot * 4, slot * 4 + 4));
    // 1st: G = 1 * 4, N = 2, rate = 1 / (sqrt(4) * 2) = 0.25, multiplier sqrt(1 / 1) = 1, ppu = 4 * 0.25 = 1;
    //      0.5 * 1 < margin error 1, so the step is 0.5 and w = 0.5 * 2 * 0.25 = 0.25 (prediction 0.5)
    // 2nd: G = 8, rate = 1 / (sqrt(8) * 2), ppu = 4 * rate = 0.7071 < ... 0.5 * 0.7071 < error 0.5: step 0.5,
    //      w = 0.25 + 0.5 * 2 / (sqrt(8) * 2)
    assert.ok(Math.abs(w[0]! - (0.25 + 0.5 / Math.sqrt(8))) < 1e-6, `w ${w[0]}`);
    assert.is(w[1], 8);
    assert.is(w[2], 2);
    assert.equal(Array.from(r.model.globals.subarray(0, 3)), [2, 2, 2]);
    // a larger |x| rescales the weight by N_old / |x| before the step (as if the old scale were the new)
    writeFileSync(f, '1 | f:2\n-1 | f:4\n');
    const s2 = await trainLinear({ input: [f], bias: false, bits: 4 }, one);
    const w2 = [s2.model.weights[slot * 4]!];
    // 2nd: prediction 0.25 * 4 = 1, hinge error 2 for label -1; rescaled w = 0.25 * 2 / 4 = 0.125; G = 4 + 16 = 20, N = 4,
    // rate = 1 / (sqrt(20) * 4); norms 1 + 1, total 2: multiplier 1; ppu = 16 rate; step -0.5 (0.5 ppu < 2)
    const rate = 1 / (Math.sqrt(20) * 4);
    assert.ok(Math.abs(w2[0]! - (0.125 - 0.5 * 4 * rate)) < 1e-6, `w ${w2[0]}`);
  } finally {
    cleanup();
  }
});

test('one huge-rate example with the normalized hinge update lands on the margin (importance invariance)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'a.vw');
    writeFileSync(f, '1 |a x:2 y:0.5\n');
    const r = await trainLinear({ input: [f], lr: 1e6 }, one);
    const [p] = await all(predictLinear(r.model, [f]));
    assert.ok(Math.abs(p!.score - 1) < 1e-5, `score ${p!.score}`);
  } finally {
    cleanup();
  }
});

async function all<T>(g: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of g) out.push(x);
  return out;
}

test('rt-polarity 90/10, unigrams+bigrams, hinge, normalized, 5 passes on one thread: accuracy >= 0.76, deterministic, save/load keeps predictions, disk cache = memory cache', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { train, test: testF } = rtPolarity(dir);
    const p: Partial<LinearParams> = { input: [train], ngram: 2, passes: 5 };
    const a = await trainLinear({ ...p, output: join(dir, 'm.bin') }, one);
    const b = await trainLinear({ ...p, cache: 'disk' }, standaloneContext({ threads: 1, tmpDir: dir }));
    assert.is(a.train.examples, 9596);
    assert.equal(a.model.weights, b.model.weights);
    assert.equal(a.train.passLosses, b.train.passLosses);
    assert.ok(a.train.passLosses[4]! < a.train.passLosses[0]!, 'the loss falls over the passes');
    const t = await testLinear(a.model, [testF]);
    assert.is(t.examples, 1066);
    assert.ok(t.accuracy >= 0.76, `accuracy ${t.accuracy}`);
    assert.is(t.precision, t.accuracy);
    assert.is(t.recall, t.accuracy);
    const loaded = await LinearModel.load(join(dir, 'm.bin'));
    assert.equal(loaded.header.labels, a.model.header.labels);
    assert.equal([...loaded.header.labels].sort(), ['neg', 'pos']);
    const t2 = await testLinear(loaded, [testF]);
    assert.equal(t2.accuracy, t.accuracy);
    assert.is(readdirSync(dir).filter((n) => n.includes('cache') || n.includes('.tmp-')).length, 0, 'no cache or temporary file left');
  } finally {
    cleanup();
  }
});

test('the WebAssembly loops give the TypeScript loops\' weights, globals and losses bit for bit (the SVM a run at a time; logistic, oaa and adagrad an example at a time; importance weights, a huge example)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { train } = rtPolarity(dir);
    // importance weights 0, 0.5 and 2 on some lines, and one example longer than a scratch slot (65,536 features)
    const lines = readFileSync(train, 'utf8').split('\n').filter(Boolean).slice(0, 3000);
    const vw = lines.map((l, i) => {
      const sp = l.indexOf(' ');
      const label = l.slice(0, sp) === '__label__pos' ? 1 : -1;
      const imp = i % 7 === 0 ? ' 0' : i % 5 === 0 ? ' 0.5' : i % 3 === 0 ? ' 2' : '';
      return `${label}${imp} | ${l.slice(sp + 1).replace(/[|:]/g, ' ')}`;
    });
    vw.splice(1500, 0, `1 | ${Array.from({ length: 70000 }, (_, i) => `w${i}`).join(' ')}`);
    const file = join(dir, 'mixed.vw');
    writeFileSync(file, vw.join('\n') + '\n');
    const runs: Partial<LinearParams>[] = [{}, { loss: 'logistic' }, { update: 'adagrad' }, { task: 'oaa', classes: 2, labels: undefined, loss: 'hinge' }];
    for (const extra of runs) {
      const input = extra.task === 'oaa' ? [train] : [file];
      const p: Partial<LinearParams> = { input, ngram: 2, passes: 2, bits: 16, ...extra };
      const ts = await trainLinear({ ...p, kernels: 'typescript' }, one);
      const wasm = await trainLinear({ ...p, kernels: 'wasm' }, one);
      assert.is(ts.train.kernels, 'typescript');
      assert.is(wasm.train.kernels, 'wasm');
      assert.equal(wasm.train.passLosses, ts.train.passLosses, JSON.stringify(extra));
      assert.equal(Array.from(wasm.model.globals), Array.from(ts.model.globals), JSON.stringify(extra));
      let differ = 0;
      for (let i = 0; i < ts.model.weights.length; i++) if (!Object.is(ts.model.weights[i], wasm.model.weights[i])) differ++;
      assert.is(differ, 0, `${JSON.stringify(extra)}: ${differ} weights differ`);
    }
  } finally {
    cleanup();
  }
});

test('rt-polarity: logistic, adagrad, sgd, oaa and softmax all learn (accuracy > 0.7); two Hogwild threads learn as well as one', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { train, test: testF } = rtPolarity(dir);
    const runs: [Partial<LinearParams>, number, number][] = [
      [{ loss: 'logistic' }, 1, 0.75],
      [{ update: 'adagrad' }, 1, 0.74],
      [{ update: 'sgd', lr: 0.5 }, 1, 0.7],
      [{ task: 'oaa', loss: 'logistic', l2: 1e-6 }, 1, 0.75],
      [{ task: 'softmax' }, 1, 0.75],
      [{}, 2, 0.75],
    ];
    for (const [extra, threads, min] of runs) {
      const r = await trainLinear({ input: [train], ngram: 2, passes: 3, threads, ...extra }, one);
      const t = await testLinear(r.model, [testF]);
      assert.ok(t.accuracy >= min, `${JSON.stringify(extra)} threads ${threads}: accuracy ${t.accuracy}`);
    }
  } finally {
    cleanup();
  }
});

test('shuffled passes: one seed gives one model, another seed another; both learn rt-polarity', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { train, test: testF } = rtPolarity(dir);
    const p: Partial<LinearParams> = { input: [train], ngram: 2, passes: 4, shuffle: true, chunk: 1000 };
    const a = await trainLinear({ ...p, seed: 1 }, one);
    const b = await trainLinear({ ...p, seed: 1, cache: 'disk' }, standaloneContext({ threads: 1, tmpDir: dir }));
    const c = await trainLinear({ ...p, seed: 2 }, one);
    const plain = await trainLinear({ ...p, shuffle: false }, one);
    assert.equal(a.model.weights, b.model.weights);
    assert.equal(a.train.passLosses[0], plain.train.passLosses[0]); // the first pass reads the stream in order
    assert.not.equal(a.model.weights, c.model.weights);
    assert.not.equal(a.model.weights, plain.model.weights);
    for (const r of [a, c]) {
      const t = await testLinear(r.model, [testF]);
      assert.ok(t.accuracy >= 0.75, `accuracy ${t.accuracy}`);
    }
  } finally {
    cleanup();
  }
});

test('continue training: two halves, the second from the saved first, give exactly the weights of one run on all (one thread)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { trainLines } = rtPolarity(dir);
    const h1 = join(dir, 'h1.txt');
    const h2 = join(dir, 'h2.txt');
    const whole = join(dir, 'all.txt');
    writeFileSync(h1, trainLines.slice(0, 3000).join('\n') + '\n');
    writeFileSync(h2, trainLines.slice(3000, 6000).join('\n') + '\n');
    writeFileSync(whole, trainLines.slice(0, 6000).join('\n') + '\n');
    const m1 = join(dir, 'm1.bin');
    await trainLinear({ input: [h1], ngram: 2, output: m1 }, one);
    const cont = await trainLinear({ input: [h2], init: m1 }, one);
    const once = await trainLinear({ input: [whole], ngram: 2 }, one);
    assert.is(cont.model.header.examples, 6000);
    assert.equal(cont.model.weights, once.model.weights);
  } finally {
    cleanup();
  }
});

test('formats: libsvm, vw and tsv lines hash alike (a digits-only name is its number); a glob, stdin and a .gz file are read; a bad .gz is named', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'a.svm'), '1 3:1 7:0.5\n-1 3:2 # comment\n');
    writeFileSync(join(dir, 'b.vw'), '1 | 3:1 7:0.5\n-1 | 3:2\n');
    const a = await trainLinear({ input: [join(dir, '*.svm')], bits: 4 }, one);
    const b = await trainLinear({ input: [join(dir, 'b.vw')], bits: 4 }, one);
    assert.equal(a.model.weights, b.model.weights);
    assert.ok(a.model.weights[3 * 4] !== 0 && a.model.weights[7 * 4] !== 0, 'feature 3 is weight 3 (slots of 4 floats)');
    const c = await trainLinear({ input: ['-'], format: 'tsv' }, one, Readable.from(['pos\tgood fun\nneg\tdull\n']));
    const d = await trainLinear({ input: ['-'] }, one, Readable.from(['__label__pos good fun\n__label__neg dull\n']));
    assert.equal(c.model.weights, d.model.weights);
    assert.equal(c.model.header.labels, ['pos', 'neg']);
    // a test label the model never saw counts as wrong and adds no loss
    const t = await testLinear(c.model, ['-'], { format: 'tsv', stdin: Readable.from(['pos\tgood fun\nother\tdull\n']) });
    assert.is(t.examples, 2);
    assert.is(t.accuracy, 0.5);
    assert.ok(Number.isFinite(t.loss));
    assert.is(t.loss, Math.max(0, 1 - (await all(predictLinear(c.model, ['-'], { format: 'tsv', stdin: Readable.from(['pos\tgood fun\n']) })))[0]!.score * -1));
    // gzip, CRLF line ends and a last line without an end read like the plain file
    writeFileSync(join(dir, 'c.vw.gz'), gzipSync('1 | 3:1 7:0.5\r\n-1 | 3:2'));
    const e = await trainLinear({ input: [join(dir, 'c.vw.gz')], bits: 4 }, one);
    assert.equal(e.model.weights, b.model.weights);
    writeFileSync(join(dir, 'bad.gz'), 'not gzip at all\n');
    await rejects(() => trainLinear({ input: [join(dir, 'bad.gz')], output: join(dir, 'bad.bin') }, one), /bad\.gz:1.*cannot read the input: incorrect header check/);
    assert.not.ok(existsSync(join(dir, 'bad.bin')));
  } finally {
    cleanup();
  }
});

test('inspect: the heaviest features by name on rt-polarity', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { train } = rtPolarity(dir);
    const out = join(dir, 'm.bin');
    await trainLinear({ input: [train], ngram: 2, passes: 2, keep_names: true, output: out }, one);
    const m = await LinearModel.load(out);
    const top = heaviestFeatures(m, 30);
    assert.is(top.length, 30);
    const sign = m.header.labels[1] === 'pos' ? 1 : -1; // binary: labels[1] is the positive side
    const names = new Map(top.map((t) => [t.name, sign * t.weight]));
    for (let i = 1; i < top.length; i++) assert.ok(Math.abs(top[i - 1]!.weight) >= Math.abs(top[i]!.weight));
    const pos = ['wonderful', 'enjoyable', 'beautiful', 'powerful', 'fascinating'].filter((w) => (names.get(w) ?? 0) > 0);
    const neg = ['dull', 'boring', 'worst', 'flat', 'bad', 'unfunny'].filter((w) => (names.get(w) ?? 0) < 0);
    assert.ok(pos.length >= 1 && neg.length >= 2, `top: ${top.map((t) => `${t.name}:${t.weight.toFixed(2)}`).join(' ')}`);
  } finally {
    cleanup();
  }
});

test('bad input: malformed lines skipped with a count or fatal at file:line; NaN and infinite values; wrong labels; bits; no output written on failure', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'x.vw');
    writeFileSync(f, '1 |a x y\nno bar here\n-1 |a z:nan\n1 |a z:Infinity\n-1 |a q:1e999\n-1 |a w\n');
    const logs: string[] = [];
    const r = await trainLinear({ input: [f] }, standaloneContext({ threads: 1, log: (m) => logs.push(m) }));
    assert.is(r.train.skipped, 4);
    assert.is(r.train.examples, 2);
    assert.ok(logs.some((l) => l.includes('x.vw:3') && /not a number/.test(l)), logs.join('\n'));
    assert.ok(logs.some((l) => l.includes('x.vw:4') && /not finite/.test(l)), logs.join('\n'));
    const out = join(dir, 'out.bin');
    await rejects(() => trainLinear({ input: [f], on_error: 'fail', output: out }, one), /x\.vw:2: malformed vw line: no "\|"/);
    assert.not.ok(existsSync(out));
    const three = join(dir, 'three.vw');
    writeFileSync(three, '1 | a\n-1 | b\n2 | c\n');
    await rejects(() => trainLinear({ input: [three], output: out }, one), /three\.vw:3.*label 2 is not a binary label/);
    assert.not.ok(existsSync(out));
    const names = join(dir, 'names.txt');
    writeFileSync(names, '__label__a x\n__label__b y\n__label__c z\n');
    await rejects(() => trainLinear({ input: [names] }, one), /names\.txt:3.*"c" is a class too many/);
    await rejects(() => trainLinear({ input: [names], task: 'regression', loss: 'squared' }, one), /names\.txt:1.*not a number, and a regression/);
    await rejects(() => trainLinear({ input: [names], task: 'regression' }, one), /regression needs loss squared/);
    await rejects(() => trainLinear({ input: [names], bits: 31 }, one), /bits must be an integer from 1 to 30/);
    await rejects(() => trainLinear({ input: [names], bits: 0 }, one), /bits must be an integer from 1 to 30/);
    // more weights than a typed array can hold: a clear error, not a RangeError
    await rejects(() => trainLinear({ input: [names], bits: 30, task: 'oaa', classes: 4096 }, one), /param "bits": cannot allocate 65536\.0 GiB of weights[\s\S]*hint: lower bits/);
    await rejects(() => trainLinear({ input: [join(dir, 'missing.txt')] }, one), /missing\.txt.*cannot read/);
    const oaa = await trainLinear({ input: [names], task: 'oaa', classes: 3 }, one);
    assert.equal(oaa.model.header.labels, ['a', 'b', 'c']);
  } finally {
    cleanup();
  }
});

test('two threads (workers parse, hash and learn; the main thread numbers the labels): the same counts, errors by file:line, passes over a disk cache', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const two = standaloneContext({ threads: 2, tmpDir: dir });
    const f = join(dir, 'x.vw');
    writeFileSync(f, '1 |a x y\nno bar here\n-1 |a z:nan\n\n1 |a z:Infinity\n-1 |a w\n');
    const r = await trainLinear({ input: [f], chunk: 2 }, two);
    assert.is(r.train.skipped, 3);
    assert.is(r.train.examples, 2);
    await rejects(() => trainLinear({ input: [f], chunk: 2, on_error: 'fail', output: join(dir, 'o.bin') }, two), /x\.vw:2: malformed vw line: no "\|"/);
    await rejects(() => trainLinear({ input: [f], chunk: 2, on_error: 'fail' }, two), /hint: fix the line/);
    assert.not.ok(existsSync(join(dir, 'o.bin')));
    const three = join(dir, 'three.vw');
    writeFileSync(three, '1 | a\n-1 | b\n\n2 | c\n');
    await rejects(() => trainLinear({ input: [three], chunk: 1 }, two), /three\.vw:4.*label 2 is not a binary label/);
    const names = join(dir, 'names.txt');
    writeFileSync(names, '__label__a x\n__label__b y\n__label__c z\n');
    await rejects(() => trainLinear({ input: [names], chunk: 1 }, two), /names\.txt:3.*"c" is a class too many/);
    const { train, test: testF, trainLines } = rtPolarity(dir);
    // batches of bytes cut at newlines keep the line numbers: a bad line deep in the file is named
    const deep = join(dir, 'deep.txt');
    writeFileSync(deep, [...trainLines.slice(0, 7000), 'no label on this line', ...trainLines.slice(7000)].join('\r\n'));
    await rejects(() => trainLinear({ input: [deep], chunk: 500, on_error: 'fail' }, two), /deep\.txt:7001: malformed fasttext line: no label/);
    const skip = await trainLinear({ input: [deep], chunk: 500 }, two);
    assert.is(skip.train.examples, 9596);
    assert.is(skip.train.skipped, 1);
    const m = await trainLinear({ input: [train], ngram: 2, passes: 3, cache: 'disk', chunk: 1000 }, two);
    assert.is(m.train.examples, 9596);
    assert.is(m.train.passLosses.length, 3);
    assert.ok(m.train.passLosses[2]! < m.train.passLosses[0]!);
    assert.equal([...m.model.header.labels].sort(), ['neg', 'pos']);
    const t = await testLinear(m.model, [testF]);
    assert.ok(t.accuracy >= 0.75, `accuracy ${t.accuracy}`);
    assert.is(readdirSync(dir).filter((n) => n.includes('cache')).length, 0);
  } finally {
    cleanup();
  }
});

test('bad model files: another kind, another version, truncated, not a model', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'a.vw');
    writeFileSync(f, '1 | a\n-1 | b\n');
    const m = join(dir, 'm.bin');
    await trainLinear({ input: [f], bits: 6, output: m }, one);
    const bytes = readFileSync(m);
    const v4 = Buffer.from(bytes);
    v4.writeUInt32LE(4, 8);
    writeFileSync(join(dir, 'v4.bin'), v4);
    await rejects(() => LinearModel.load(join(dir, 'v4.bin')), /v4\.bin: linear model format version 4; this wordloom reads version 3/);
    // version 2 (all the weights, then all their states) and version 1 (each weight followed by its
    // state, as now) still load, as the same model
    const good = await LinearModel.load(m);
    const H = bytes.readUInt32LE(12);
    const start = 16 + H + ((4 - ((16 + H) % 4)) % 4);
    const n = good.weights.length;
    const slots = n / 4;
    const v2 = Buffer.from(bytes);
    v2.writeUInt32LE(2, 8);
    for (let i = 0; i < slots; i++) {
      v2.writeFloatLE(good.weights[i * 4]!, start + i * 4);
      for (let j = 0; j < 3; j++) v2.writeFloatLE(good.weights[i * 4 + 1 + j]!, start + slots * 4 + i * 12 + 4 * j);
    }
    writeFileSync(join(dir, 'v2.bin'), v2);
    const old = await LinearModel.load(join(dir, 'v2.bin'));
    assert.equal(Array.from(old.weights), Array.from(good.weights));
    assert.ok(good.weights.some((x, i) => i % 4 === 0 && x !== 0) && !v2.equals(bytes));
    const v1 = Buffer.from(bytes);
    v1.writeUInt32LE(1, 8);
    writeFileSync(join(dir, 'v1.bin'), v1);
    assert.equal(Array.from((await LinearModel.load(join(dir, 'v1.bin'))).weights), Array.from(good.weights));
    writeFileSync(join(dir, 'cut.bin'), bytes.subarray(0, bytes.length - 100));
    await rejects(() => LinearModel.load(join(dir, 'cut.bin')), /cut\.bin: the linear model file is truncated/);
    const cls = Buffer.from(bytes);
    cls.write('WLCLSF01', 0, 'latin1');
    writeFileSync(join(dir, 'cls.bin'), cls);
    await rejects(() => LinearModel.load(join(dir, 'cls.bin')), /a wordloom classify model, not a linear one/);
    writeFileSync(join(dir, 'text.bin'), 'hello world, not a model at all');
    await rejects(() => LinearModel.load(join(dir, 'text.bin')), /not a wordloom linear model/);
    await rejects(() => trainLinear({ input: [f], init: join(dir, 'v4.bin') }, one), /version 4/);
  } finally {
    cleanup();
  }
});

test('regression with squared loss learns a planted linear rule; the op is registered', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const lines: string[] = [];
    let s = 7;
    const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 3000; i++) {
      const x = rnd() * 2 - 1;
      const z = rnd() * 2 - 1;
      lines.push(`${(3 * x - 2 * z + 0.5).toFixed(6)} |f x:${x.toFixed(6)} z:${z.toFixed(6)}`);
    }
    const f = join(dir, 'r.vw');
    writeFileSync(f, lines.join('\n') + '\n');
    const r = await trainLinear({ input: [f], task: 'regression', loss: 'squared', passes: 3 }, one);
    const t = await testLinear(r.model, [f]);
    assert.ok(t.loss < 0.01, `mse ${t.loss}`);
    assert.ok(findOperator('linear'));
  } finally {
    cleanup();
  }
});

test('ASCII fastText lines are hashed from the line itself: the same indices as the general path (digits, control characters, labels, n-grams)', () => {
  const words = ['a', 'ab', 'abc', 'abcd', 'abcde', '17', '007', '4294967297', 'x1', '\u0001pad\u0002', 'it\'s', '--', '__label__', 'é'];
  for (const w of words) for (const seed of [0, 1, 0x9e3779b9]) {
    if (/^[\x00-\x7f]*$/.test(w)) assert.is(vwHashAscii(`  ${w}  `, 2, 2 + w.length, seed), vwHashString(w, seed), w);
  }
  const opts = { bits: 20, ngram: 3, quadratic: [], bias: true };
  const lines = [
    '__label__pos the film is 100 % fun , isn\'t it ?',
    '\t__label__neg  dull\x01   \x0bcold\r\x0c__label__x  42 ',
    '__label__pos naïve café au lait', // not ASCII: the general path
  ];
  for (const line of lines) {
    const fast = new FeatureBuilder(opts);
    const parsed = parseLine('fasttext', line, fast, '__label__');
    fast.finish();
    const ref = new FeatureBuilder(opts);
    ref.namespace('');
    const labels: string[] = [];
    for (const t of line.split(/\s+/)) if (t) (t.startsWith('__label__') ? labels.push(t.slice(9)) : ref.feature(t, 1));
    ref.finish();
    assert.equal(parsed.labels, labels);
    assert.equal(Array.from(fast.idx.subarray(0, fast.n)), Array.from(ref.idx.subarray(0, ref.n)), line);
    assert.equal(Array.from(fast.val.subarray(0, fast.n)), Array.from(ref.val.subarray(0, ref.n)));
    assert.ok(fast.n > 5);
  }
});

test.run();
