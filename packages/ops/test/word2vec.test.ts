import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Embeddings, Vocab, WordloomError } from '@wordloom/core';
import {
  buildVocab, findOperator, huffmanPaths, readFastTextModel, standaloneContext, tokenize, tokenizeDefaults, trainWord2VecTokens, resolveWord2VecParams, readVectors,
} from '../src/index.js';
import type { TokenStream, Word2VecParams } from '../src/index.js';
import type { DenseMatrix } from '../src/subword/matrix.js';
import { dataPath, tempDir } from './helpers.js';

const ctx1 = standaloneContext({ threads: 1, seed: 1 });
let leeP: Promise<{ tokens: TokenStream; vocab: Vocab }> | undefined;
const lee = (): Promise<{ tokens: TokenStream; vocab: Vocab }> =>
  (leeP ??= (async () => {
    const tokens = tokenize(tokenizeDefaults({ input: dataPath('corpora/lee_background.cor'), lowercase: 'ascii' }), ctx1);
    const vocab = await buildVocab(tokens, { min_count: 3, max_size: 0 });
    return { tokens, vocab };
  })());

async function train(p: Partial<Word2VecParams>, ctx = ctx1) {
  const { tokens, vocab } = await lee();
  return trainWord2VecTokens(tokens, vocab, { dim: 32, epoch: 2, bucket: 20000, threads: 1, seed: 1, ...p }, ctx);
}

async function expectError(p: Promise<unknown> | (() => unknown), code: string, match?: RegExp): Promise<WordloomError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.ok(e instanceof WordloomError, `expected a WordloomError, got ${String(e)}`);
    assert.is((e as WordloomError).code, code, (e as Error).message);
    if (match) assert.match((e as Error).message, match);
    return e as WordloomError;
  }
  assert.unreachable(`expected ${code}`);
  throw new Error('unreachable');
}

function cos(e: Embeddings, a: string, b: string): number {
  const x = e.data.subarray(e.id(a) * e.dim, (e.id(a) + 1) * e.dim);
  const y = e.data.subarray(e.id(b) * e.dim, (e.id(b) + 1) * e.dim);
  let s = 0, nx = 0, ny = 0;
  for (let i = 0; i < e.dim; i++) {
    s += x[i]! * y[i]!;
    nx += x[i]! * x[i]!;
    ny += y[i]! * y[i]!;
  }
  return s / Math.sqrt(nx * ny);
}

function nearest(e: Embeddings, w: string, k: number): string[] {
  const sims: [number, string][] = [];
  for (const o of e.words) if (o !== w) sims.push([cos(e, w, o), o]);
  sims.sort((a, b) => b[0] - a[0]);
  return sims.slice(0, k).map((s) => s[1]);
}

test('the op is registered with fastText-named params and presets', () => {
  const op = findOperator('word2vec');
  assert.ok(op);
  for (const k of ['dim', 'ws', 'epoch', 'neg', 'loss', 'minn', 'maxn', 'bucket', 't', 'lr', 'model', 'preset']) assert.ok(k in op!.params, k);
  const ft = resolveWord2VecParams({});
  assert.equal([ft.dim, ft.ws, ft.epoch, ft.neg, ft.lr, ft.t, ft.minn, ft.maxn, ft.bucket, ft.power, ft.loss], [100, 5, 5, 5, 0.05, 1e-4, 3, 6, 2000000, 0.5, 'ns']);
  const w2v = resolveWord2VecParams({ preset: 'word2vec' });
  assert.equal([w2v.maxn, w2v.power, w2v.lr, w2v.t], [0, 0.75, 0.025, 1e-3]);
  assert.is(resolveWord2VecParams({ preset: 'word2vec', model: 'cbow' }).lr, 0.05);
  assert.is(resolveWord2VecParams({ preset: 'word2vec', lr: 0.1 }).lr, 0.1);
  // skip-gram's direction: fastText's center word predicts its context; word2vec's context words predict the center
  assert.is(ft.skipgram_input, 'center');
  assert.is(w2v.skipgram_input, 'context');
  assert.is(resolveWord2VecParams({ preset: 'word2vec', skipgram_input: 'center' }).skipgram_input, 'center');
  // the rate's end and a negative equal to the target: fastText's (0, drawn again) and gensim's (min_alpha, dropped)
  assert.equal([ft.min_lr, ft.neg_target], [0, 'redraw']);
  assert.equal([w2v.min_lr, w2v.neg_target], [0.0001, 'skip']);
});

test("gensim's two rules (min_lr, neg_target 'skip') reach both kernels and change training; min_lr must be below lr", async () => {
  for (const backend of ['typescript', 'wasm'] as const) {
    const base = { preset: 'word2vec', backend, epoch: 2, seed: 5, dim: 16 } as const;
    const gensim = await train({ ...base });
    const again = await train({ ...base, min_lr: 0.0001, neg_target: 'skip' });
    assert.equal(Array.from(again.embeddings.data), Array.from(gensim.embeddings.data), `${backend}: the preset's defaults are min_lr 0.0001 and neg_target skip`);
    for (const other of [{ min_lr: 0 }, { neg_target: 'redraw' }, { min_lr: 0.02 }] as Partial<Word2VecParams>[]) {
      const r = await train({ ...base, ...other });
      let apart = 0;
      for (let i = 0; i < r.embeddings.data.length; i++) apart = Math.max(apart, Math.abs(r.embeddings.data[i]! - gensim.embeddings.data[i]!));
      assert.ok(apart > 1e-6, `${backend} ${JSON.stringify(other)}: the vectors differ by ${apart}`);
    }
  }
  await expectError(() => resolveWord2VecParams({ lr: 0.01, min_lr: 0.01 }), 'E_PARAM', /min_lr \(0.01\) must be below lr/);
  // a starting rate at or below gensim's floor, with min_lr unset, decays to 0 rather than failing
  assert.is(resolveWord2VecParams({ preset: 'word2vec', lr: 0.0001 }).min_lr, 0);
  assert.is(resolveWord2VecParams({ preset: 'word2vec', lr: 0.0002 }).min_lr, 0.0001);
  await expectError(() => resolveWord2VecParams({ min_lr: -1 }), 'E_PARAM', /min_lr must be a number >= 0/);
  await expectError(() => resolveWord2VecParams({ neg_target: 'keep' as 'skip' }), 'E_PARAM', /neg_target must be 'redraw' or 'skip'/);
});

test("skip-gram input 'context' reaches both kernels: the vectors differ from 'center' and still learn", async () => {
  for (const backend of ['typescript', 'wasm'] as const) {
    const base = { preset: 'word2vec', backend, epoch: 3, seed: 3 } as const;
    const center = await train({ ...base, skipgram_input: 'center' });
    const context = await train({ ...base, skipgram_input: 'context' });
    const again = await train({ ...base });
    assert.equal(Array.from(again.embeddings.data), Array.from(context.embeddings.data), `${backend}: the word2vec preset trains with input 'context'`);
    let apart = 0;
    for (let i = 0; i < center.embeddings.data.length; i++) apart = Math.max(apart, Math.abs(center.embeddings.data[i]! - context.embeddings.data[i]!));
    assert.ok(apart > 1e-3, `${backend}: the directions differ by ${apart}`);
    assert.ok(context.losses[2]! < context.losses[0]!, `${backend}: loss ${context.losses.join(' -> ')}`);
  }
  await expectError(() => resolveWord2VecParams({ skipgram_input: 'left' as 'center' }), 'E_PARAM', /skipgram_input must be 'center' or 'context'/);
});

test('one thread and a seed give the same vectors; another seed does not', async () => {
  const a = await train({ seed: 7, epoch: 1 });
  const b = await train({ seed: 7, epoch: 1 });
  const c = await train({ seed: 8, epoch: 1 });
  assert.equal(Array.from(a.embeddings.data), Array.from(b.embeddings.data));
  assert.equal(a.losses, b.losses);
  assert.not.equal(Array.from(a.embeddings.data.subarray(0, 100)), Array.from(c.embeddings.data.subarray(0, 100)));
});

test('the loss decreases over the epochs (skip-gram ns with subwords, CBOW ns, skip-gram hs)', async () => {
  for (const p of [{ model: 'skipgram' }, { model: 'cbow', maxn: 0 }, { model: 'skipgram', loss: 'hs', maxn: 0 }] as Partial<Word2VecParams>[]) {
    const r = await train({ ...p, epoch: 3 });
    assert.is(r.losses.length, 3);
    // skip-gram: well below the first epoch, which starts from zero output vectors; CBOW (mean of the
    // context, slow to start on a small corpus) and hs: lower every epoch
    if (p.model === 'skipgram' && p.loss === undefined) assert.ok(r.losses[1]! < 0.95 * r.losses[0]! && r.losses[2]! < 0.95 * r.losses[0]!, `${JSON.stringify(p)}: ${r.losses.join(', ')}`);
    else assert.ok(r.losses[1]! < r.losses[0]! && r.losses[2]! < r.losses[1]!, `${JSON.stringify(p)}: ${r.losses.join(', ')}`);
    // negative sampling starts at (1 + neg) ln 2 per update (all scores 0.5)
    if (p.loss === undefined && p.model === 'skipgram') assert.ok(r.losses[2]! < 0.7 * 6 * Math.LN2, `${JSON.stringify(p)}: ${r.losses.join(', ')}`);
  }
});

test('both kernels (WebAssembly SIMD, TypeScript) train the same model: losses within 2% per epoch', async () => {
  const w = await train({ epoch: 3, backend: 'wasm', maxn: 0 });
  const t = await train({ epoch: 3, backend: 'typescript', maxn: 0 });
  assert.is(w.backend, 'wasm-simd:1');
  assert.is(t.backend, 'typescript:1');
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(w.losses[i]! - t.losses[i]!) < 0.02 * t.losses[i]!, `epoch ${i + 1}: ${w.losses[i]} vs ${t.losses[i]}`);
  const auto = await train({ epoch: 1, loss: 'softmax', maxn: 0, dim: 4 });
  assert.is(auto.backend, 'typescript:1', 'softmax runs on the TypeScript kernel');
  await expectError(() => resolveWord2VecParams({ backend: 'wasm', loss: 'softmax' }), 'E_PARAM', /softmax/);
});

test('neighbours make sense on the Lee corpus; unseen words get vectors from their n-grams', async () => {
  const r = await train({ dim: 50, epoch: 5, bucket: 50000 });
  const e = r.embeddings;
  assert.ok(nearest(e, 'israeli', 3).includes('israel'), nearest(e, 'israeli', 3).join(' '));
  assert.ok(nearest(e, 'afghanistan', 6).some((w) => w === 'afghan' || w === 'pakistan'), nearest(e, 'afghanistan', 6).join(' '));
  // a word that shares contexts ranks above one that does not
  assert.ok(cos(e, 'monday', 'saturday') > cos(e, 'monday', 'palestinian'));
  assert.is(e.id('firefighterz'), -1);
  const oov = e.oov!('firefighterz')!;
  assert.ok(oov);
  let s = 0, n1 = 0, n2 = 0;
  const f = e.data.subarray(e.id('firefighters') * e.dim, (e.id('firefighters') + 1) * e.dim);
  const g = e.data.subarray(e.id('palestinian') * e.dim, (e.id('palestinian') + 1) * e.dim);
  let t = 0, n3 = 0;
  for (let i = 0; i < e.dim; i++) {
    s += oov[i]! * f[i]!; t += oov[i]! * g[i]!;
    n1 += oov[i]! ** 2; n2 += f[i]! ** 2; n3 += g[i]! ** 2;
  }
  assert.ok(s / Math.sqrt(n1 * n2) > 0.8, `${s / Math.sqrt(n1 * n2)}`);
  assert.ok(s / Math.sqrt(n1 * n2) > t / Math.sqrt(n1 * n3), `${s / Math.sqrt(n1 * n2)} vs ${t / Math.sqrt(n1 * n3)}`);
});

test('output writes a fastText .bin that reads back with the same vectors, and a .vec', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = await train({ epoch: 1, output: join(dir, 'm', 'model') });
    assert.equal(r.files, [join(dir, 'm', 'model.bin'), join(dir, 'm', 'model.vec')]);
    const m = readFastTextModel(join(dir, 'm', 'model.bin'));
    assert.is(m.dict.nwords, r.embeddings.size);
    assert.is(m.args.model, 'skipgram');
    assert.is(m.args.bucket, 20000);
    for (const w of ['the', 'fire', 'israeli']) {
      const i = r.embeddings.id(w);
      assert.equal(Array.from(m.wordVector(w).vector), Array.from(r.embeddings.data.subarray(i * 32, (i + 1) * 32)), w);
    }
    assert.equal(Array.from(m.wordVector('firefighterz').vector), Array.from(r.embeddings.oov!('firefighterz')!));
    const vec = await readVectors(join(dir, 'm', 'model.vec'));
    assert.is(vec.size, r.embeddings.size);
    const i = vec.id('fire');
    const j = r.embeddings.id('fire');
    for (let k = 0; k < 32; k++) assert.ok(Math.abs(vec.data[i * 32 + k]! - r.embeddings.data[j * 32 + k]!) < 1e-4);
    assert.equal(readdirSync(join(dir, 'm')).sort(), ['model.bin', 'model.vec']);
  } finally {
    cleanup();
  }
});

test('formats picks the files output writes: word2vec binary and GloVe text instead of .bin and .vec; bad formats are refused', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = await train({ epoch: 1, output: join(dir, 'model'), formats: ['word2vec-binary', 'glove'] });
    assert.equal(r.files, [join(dir, 'model.w2v.bin'), join(dir, 'model.txt')]);
    assert.equal(readdirSync(dir).sort(), ['model.txt', 'model.w2v.bin']);
    const j = r.embeddings.id('fire');
    for (const f of r.files) {
      const v = await readVectors(f);
      assert.is(v.size, r.embeddings.size, f);
      assert.is(v.dim, 32, f);
      const i = v.id('fire');
      for (let k = 0; k < 32; k++) assert.ok(Math.abs(v.data[i * 32 + k]! - r.embeddings.data[j * 32 + k]!) < 1e-4, f);
    }
  } finally {
    cleanup();
  }
  await expectError(() => resolveWord2VecParams({ formats: ['fasttext', 'npy'] as never }), 'E_PARAM', /formats must be a non-empty list/);
  await expectError(() => resolveWord2VecParams({ formats: [] }), 'E_PARAM', /formats/);
});

test('without subwords (word2vec preset) the model has no n-gram rows and no oov vectors', async () => {
  const r = await train({ preset: 'word2vec', epoch: 1 });
  assert.is(r.model.dict.inputRows, r.embeddings.size);
  assert.is(r.model.args.maxn, 0);
  assert.not.ok(r.embeddings.oov?.('firefighterz'));
});

test('huffman tree: frequent words get shorter codes, every word a path', () => {
  const t = huffmanPaths([50, 20, 10, 10, 5, 5]);
  const len = (i: number) => t.offsets[i + 1]! - t.offsets[i]!;
  assert.ok(len(0) <= len(5));
  for (let i = 0; i < 6; i++) assert.ok(len(i) >= 1);
  // the paths of a binary tree of 6 leaves: Kraft's sum is exactly 1
  let kraft = 0;
  for (let i = 0; i < 6; i++) kraft += 2 ** -len(i);
  assert.ok(Math.abs(kraft - 1) < 1e-12);
});

test('bad params are refused before training, with the param named', async () => {
  for (const [p, param] of [[{ dim: 0 }, 'dim'], [{ ws: 0 }, 'ws'], [{ neg: 0 }, 'neg'], [{ epoch: 0 }, 'epoch'], [{ bucket: 0 }, 'bucket'], [{ minn: 5, maxn: 3 }, 'minn']] as [Partial<Word2VecParams>, string][]) {
    const e = await expectError(train(p), 'E_PARAM');
    assert.is(e.where.param, param, e.message);
  }
  // bucket 0 is fine without subwords
  assert.ok((await train({ bucket: 0, maxn: 0, epoch: 1 })).embeddings.size > 0);
});

test('a corpus left empty (no word of the vocabulary in it, or no vocabulary) is an error', async () => {
  const { tokens } = await lee();
  await expectError(trainWord2VecTokens(tokens, new Vocab(['zzqqxx'], [5]), { dim: 8 }, ctx1), 'E_INPUT', /min_count/);
  await expectError(trainWord2VecTokens(tokens, new Vocab([], []), { dim: 8 }, ctx1), 'E_INPUT', /min_count/);
});

test('a diverging learning rate stops with a clear error and writes nothing', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const e = await expectError(train({ lr: 1e4, epoch: 1, output: join(dir, 'model') }), 'E_DIVERGED', /NaN/);
    assert.is(e.where.param, 'lr');
    assert.not.ok(existsSync(join(dir, 'model.bin')));
    assert.equal(readdirSync(dir), []);
  } finally {
    cleanup();
  }
});

test('an output that cannot be written is refused before training', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'f'), 'a file, not a directory');
    const e = await expectError(train({ output: join(dir, 'f', 'model'), epoch: 1 }), 'E_PARAM', /is a file/);
    assert.is(e.where.param, 'output');
  } finally {
    cleanup();
  }
});

test('resume: a run stopped after an epoch checkpoint goes on from it and ends with the vectors of a run never stopped (one thread)', async () => {
  const params: Partial<Word2VecParams> = { seed: 4, epoch: 3, resume_every: 1, dim: 16 };
  const whole = await train(params);
  const t = tempDir();
  try {
    const ac = new AbortController();
    const logs: string[] = [];
    // Stop as soon as the checkpoint after epoch 2 is out.
    const log = (m: string): void => {
      logs.push(m);
      if (/after epoch 2 written/.test(m)) ac.abort(new Error('killed'));
    };
    try {
      await train(params, standaloneContext({ threads: 1, signal: ac.signal, checkpointDir: t.dir, log }));
      assert.unreachable('should have stopped');
    } catch (e) {
      assert.match((e as Error).message, /killed/);
    }
    assert.ok(logs.some((l) => /^resume checkpoint after epoch 2 written/.test(l)), logs.join('\n'));
    assert.equal(readdirSync(t.dir), ['word2vec.ckpt']);
    const logs2: string[] = [];
    const again = await train(params, standaloneContext({ threads: 1, checkpointDir: t.dir, log: (m) => logs2.push(m) }));
    assert.is(again.resumedFrom, 2);
    assert.ok(logs2.some((l) => /^resuming from the checkpoint after epoch 2 of 3/.test(l)), logs2.join('\n'));
    assert.equal(again.losses, whole.losses);
      // the matrix's own bytes (with the WebAssembly kernel, its data is a view of the job's memory)
    const bytes = (m: unknown): Buffer => {
      const d = (m as DenseMatrix).data;
      return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    };
    assert.ok(bytes(again.model.input).equals(bytes(whole.model.input)), 'bit-identical input matrix (words and n-grams)');
    assert.ok(bytes(again.model.output).equals(bytes(whole.model.output)), 'bit-identical output matrix');
    // Another seed does not take it.
    const logs3: string[] = [];
    const other = await train({ ...params, seed: 5 }, standaloneContext({ threads: 1, checkpointDir: t.dir, log: (m) => logs3.push(m) }));
    assert.is(other.resumedFrom, 0);
    assert.ok(logs3.some((l) => /written for other settings \(seed\)/.test(l)), logs3.join('\n'));
    await expectError(() => resolveWord2VecParams({ resume_every: 1.5 }), 'E_PARAM', /resume_every must be an integer >= 0/);
  } finally {
    t.cleanup();
  }
});

test.run();
