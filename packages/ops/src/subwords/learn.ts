/**
 * Learning character n-gram vectors for vectors that have none (GloVe, word2vec):
 * the n-grams of `<word>` (minn..maxn characters, fastText's hash into `bucket`
 * rows) should average to the word's vector. The n-gram rows get sparse gradients
 * and are stepped by the routing optimizer (LazyAdam or SparseAdam through
 * AutoOptimizer, or Adagrad); words are shuffled every epoch and dealt in chunks to
 * a Piscina pool whose workers update the shared rows without locks (Hogwild).
 *
 * The result is a fastText model: a dictionary of the words, nwords + bucket input
 * rows, each word's own row set so that fastText's vector (the mean of the word's
 * row and its n-gram rows) is the original vector; a word outside the vocabulary
 * gets the mean of its n-gram rows.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { Piscina } from 'piscina';
import { Adagrad, AutoOptimizer, Parameter, Rng, WordloomError, sharedFloat32, sharedInt32, toShared, type Embeddings, type MultiOptimizer, type Optimizer } from '@wordloom/core';
import { standaloneContext, type OpContext } from '../op.js';
import { defaultArgs } from '../subword/args.js';
import { FastTextDictionary, IntList } from '../subword/dictionary.js';
import { DenseMatrix } from '../subword/matrix.js';
import { FastTextModel } from '../subword/model.js';
import { SubwordVectors, type SubwordsInfo } from './embeddings.js';
import { SUBWORDS_DEFAULTS, SUBWORDS_LOSSES, SUBWORDS_OPTIMIZERS, type SubwordsParams } from './params.js';
import type { SubwordResult, SubwordTask } from './worker.js';
import { workerPool } from '../kernels/pool.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);
const CHUNK = 2048;
let jobCounter = 0;

export function resolveSubwordsParams(p: Partial<SubwordsParams>): SubwordsParams {
  const out = { ...SUBWORDS_DEFAULTS, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) } as SubwordsParams;
  const int = (k: keyof SubwordsParams, min: number, max = Infinity): void => {
    const v = out[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new WordloomError('E_PARAM', `${k} must be an integer from ${min}${max < Infinity ? ` to ${max}` : ' up'}, got ${JSON.stringify(v)}`, { param: k });
    }
  };
  int('minn', 1, 64); int('maxn', 1, 64); int('bucket', 1, 100000000); int('epoch', 1); int('batch', 1, 4096);
  if (out.maxn < out.minn) {
    throw new WordloomError('E_PARAM', `maxn (${out.maxn}) is shorter than minn (${out.minn}): no n-gram length is left`, { param: 'maxn' }, `set maxn >= minn (fastText's defaults: minn 3, maxn 6)`);
  }
  if (!(typeof out.lr === 'number' && out.lr > 0 && Number.isFinite(out.lr))) throw new WordloomError('E_PARAM', `lr must be a number > 0, got ${JSON.stringify(out.lr)}`, { param: 'lr' }, '0.01 suits the Adam family, 0.1 adagrad');
  if (!(typeof out.holdout === 'number' && out.holdout >= 0 && out.holdout <= 0.5)) {
    throw new WordloomError('E_PARAM', `holdout must be a fraction from 0 to 0.5, got ${JSON.stringify(out.holdout)}`, { param: 'holdout' }, 'e.g. 0.1 hides 10% of the words while learning');
  }
  if (!SUBWORDS_LOSSES.includes(out.loss)) throw new WordloomError('E_PARAM', `unknown loss ${JSON.stringify(out.loss)}`, { param: 'loss' }, `choose ${SUBWORDS_LOSSES.join(' or ')}`);
  if (!SUBWORDS_OPTIMIZERS.includes(out.optimizer)) throw new WordloomError('E_PARAM', `unknown optimizer ${JSON.stringify(out.optimizer)}`, { param: 'optimizer' }, `choose from ${SUBWORDS_OPTIMIZERS.join(', ')}`);
  return out;
}

/** Learn n-gram rows for `vectors`; write the .bin when `output` is given. The subwords op. */
export async function learnSubwords(vectors: Embeddings, params: Partial<SubwordsParams>, ctx: OpContext = standaloneContext()): Promise<SubwordVectors> {
  const p = resolveSubwordsParams(params);
  const seed = p.seed ?? ctx.seed;
  const threads = p.threads ?? ctx.threads;
  const dim = vectors.dim;
  const t0 = performance.now();

  // the dictionary: the vectors' distinct words, in their order (counts falling, so any re-sort keeps it)
  const entries: string[] = [];
  const src: number[] = [];
  const seen = new Set<string>();
  const unusable: string[] = [];
  for (let i = 0; i < vectors.size; i++) {
    const w = vectors.words[i]!;
    if (w.length === 0 || seen.has(w)) continue;
    // fastText's tokens never hold its separators (ASCII white space, NUL): such a word could not be read back from a .bin
    if (/[ \t\n\v\f\r\0]/.test(w)) {
      unusable.push(w);
      continue;
    }
    seen.add(w);
    entries.push(w);
    src.push(i);
  }
  const nwords = entries.length;
  if (unusable.length) ctx.log(`${unusable.length} word(s) with white space or NUL left out of the model (fastText cannot hold them): ${unusable.slice(0, 5).map((w) => JSON.stringify(w)).join(', ')}`);
  if (nwords === 0) throw new WordloomError('E_INPUT', 'the vectors have no words to learn n-grams from', { node: ctx.node, param: 'vectors' });
  const counts = new Float64Array(nwords);
  for (let i = 0; i < nwords; i++) counts[i] = nwords - i;
  const dict = FastTextDictionary.fromEntries(entries, counts, { params: { minn: p.minn, maxn: p.maxn, bucket: p.bucket, wordNgrams: 1, label: '__label__' } });

  // the held-out words: a seeded fraction, hidden while learning
  const held = new Uint8Array(nwords);
  const nHeld = Math.round(p.holdout * nwords);
  if (nHeld > 0) {
    const perm = new Int32Array(nwords);
    for (let i = 0; i < nwords; i++) perm[i] = i;
    new Rng(seed + 2).shuffle(perm);
    for (let k = 0; k < nHeld; k++) held[perm[k]!] = 1;
  }

  // each training word's n-gram rows (bucket indices), concatenated
  const list = new IntList(64);
  const offsets: number[] = [0];
  const ids: number[] = [];
  const rows = new IntList(nwords * 16);
  const touched = new Uint8Array(p.bucket);
  let noNgrams = 0;
  for (let i = 0; i < nwords; i++) {
    dict.entryRows(i, list);
    if (list.length === 1) noNgrams++;
    if (held[i] || list.length === 1) continue;
    for (let k = 1; k < list.length; k++) {
      const b = list.data[k]! - nwords;
      rows.push(b);
      touched[b] = 1;
    }
    offsets.push(rows.length);
    ids.push(src[i]!);
  }
  const nTrain = ids.length;
  let rowsUsed = 0;
  for (let b = 0; b < p.bucket; b++) rowsUsed += touched[b]!;
  if (nTrain === 0) {
    throw new WordloomError('E_INPUT', `none of the ${nwords} words has a character n-gram of ${p.minn} to ${p.maxn} characters outside the held-out ones`, { node: ctx.node, param: 'minn' }, 'lower minn, or hold out fewer words');
  }

  // input matrix: nwords word rows, then the bucket rows; the n-gram rows used start small and random
  const input = sharedFloat32((nwords + p.bucket) * dim);
  const ngramData = input.subarray(nwords * dim);
  const rng = new Rng(seed);
  const a = 1 / dim;
  for (let b = 0; b < p.bucket; b++) {
    if (!touched[b]) continue;
    const o = b * dim;
    for (let j = 0; j < dim; j++) ngramData[o + j] = (2 * rng.next() - 1) * a;
  }
  const emb = new Parameter([p.bucket, dim], { name: 'ngrams', data: ngramData, sparse: true });
  const opt: Optimizer<any> | MultiOptimizer = p.optimizer === 'adagrad'
    ? new Adagrad([emb], { lr: p.lr })
    : new AutoOptimizer([emb], { lr: p.lr, sparse: p.optimizer === 'lazy_adam' ? 'LazyAdam' : 'SparseAdam' });
  const shared = opt.share();
  // the targets: the vectors, minus their mean when centering
  const mean = new Float64Array(dim);
  let targets = toShared(vectors.data);
  const center = p.center && p.loss === 'squared';
  if (center) {
    for (const r of src) for (let j = 0; j < dim; j++) mean[j] += vectors.data[r * dim + j]!;
    for (let j = 0; j < dim; j++) mean[j] /= nwords;
    targets = sharedFloat32(vectors.data.length);
    for (let i = 0; i < vectors.size; i++) for (let j = 0; j < dim; j++) targets[i * dim + j] = vectors.data[i * dim + j]! - mean[j]!;
  }
  const rowsArr = toShared(rows.toArray());
  const offArr = toShared(Int32Array.from(offsets));
  const idArr = toShared(Int32Array.from(ids));
  const counter = sharedInt32(1);
  const total = nTrain * p.epoch;
  const job = ++jobCounter;
  const shuffler = new Rng(seed + 1);
  const losses: number[] = [];
  let processed = 0;
  ctx.log(`${nwords} words, ${nTrain} to learn from (${nHeld} held out, ${noNgrams} without n-grams), ${rowsUsed} of ${p.bucket} n-gram rows used`);
  const pool = workerPool(WORKER_URL, threads);
  try {
    for (let ep = 1; ep <= p.epoch; ep++) {
      if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new WordloomError('E_STATE', 'learning subwords was cancelled', { node: ctx.node });
      const order = sharedInt32(nTrain);
      for (let i = 0; i < nTrain; i++) order[i] = i;
      shuffler.shuffle(order);
      const chunk = Math.max(p.batch, Math.floor(CHUNK / p.batch) * p.batch);
      const tasks: Promise<SubwordResult>[] = [];
      let epLoss = 0;
      let epN = 0;
      for (let from = 0; from < nTrain; from += chunk) {
        const task: SubwordTask = {
          job, shared, rows: rowsArr, offsets: offArr, ids: idArr, targets, order, from, to: Math.min(nTrain, from + chunk),
          dim, batch: p.batch, loss: p.loss === 'squared' ? 1 : 0, baseLr: p.lr, counter, total,
        };
        tasks.push(
          (pool.run(task) as Promise<SubwordResult>).then((r) => {
            epLoss += r.loss;
            epN += r.words;
            processed += task.to - task.from;
            const secs = (performance.now() - t0) / 1000;
            ctx.progress({ phase: 'learning', done: processed, total, unit: 'words', metrics: { epoch: ep, loss: round(epLoss / Math.max(1, epN), 5), 'words/s': Math.round(processed / secs) } });
            return r;
          }),
        );
      }
      await Promise.all(tasks);
      const loss = epLoss / Math.max(1, epN);
      if (!Number.isFinite(loss)) {
        throw new WordloomError('E_DIVERGED', `learning diverged in epoch ${ep}: the loss became ${loss}`, { node: ctx.node, param: 'lr' }, `lower lr (now ${p.lr})`);
      }
      losses.push(loss);
      ctx.log(`epoch ${ep}/${p.epoch}: ${p.loss} loss ${loss.toFixed(5)}`);
    }
  } finally {
    await pool.destroy();
  }

  if (center) {
    // mean of (row + mean) = mean + mean of rows: the n-gram rows now predict the vectors themselves
    for (let b = 0; b < p.bucket; b++) {
      const o = b * dim;
      for (let j = 0; j < dim; j++) ngramData[o + j] = ngramData[o + j]! + mean[j]!;
    }
  }

  // held-out words: how well their n-gram rows alone predict them (before the word rows are set)
  let heldOutCosine: number | undefined;
  const heldOut: string[] = [];
  if (nHeld > 0) {
    let sum = 0;
    const v = new Float64Array(dim);
    for (let i = 0; i < nwords; i++) {
      if (!held[i]) continue;
      heldOut.push(entries[i]!);
      dict.entryRows(i, list);
      if (list.length === 1) continue; // no n-gram: the zero vector, cosine 0
      v.fill(0);
      for (let k = 1; k < list.length; k++) {
        const o = list.data[k]! * dim;
        for (let j = 0; j < dim; j++) v[j] += input[o + j]!;
      }
      sum += cosine(v, vectors.data, src[i]! * dim, dim);
    }
    heldOutCosine = sum / nHeld;
    ctx.log(`held-out words (${nHeld}): mean cosine of predicted and true vectors ${heldOutCosine.toFixed(4)}`);
  }

  setWordRows(dict, input, vectors.data, src, dim, list);

  const model = new FastTextModel({
    name: '(subwords)',
    version: 12,
    args: defaultArgs({ dim, minn: p.minn, maxn: p.maxn, bucket: p.bucket, epoch: p.epoch, minCount: 1, wordNgrams: 1, model: 'skipgram', loss: 'ns' }),
    dict,
    input: new DenseMatrix(nwords + p.bucket, dim, input),
    // no output matrix: word vectors do not use it (the .bin writer writes a zero one, which fastText needs to load)
    quantInput: false,
  });
  const info: SubwordsInfo = {
    words: nwords, trained: nTrain, noNgrams, rowsUsed, heldOut, heldOutCosine, epochs: p.epoch, losses, loss: p.loss, centered: center,
    optimizer: describeOptimizer(opt), threads, seconds: (performance.now() - t0) / 1000, files: [],
  };
  const out = new SubwordVectors(vectors.words, dim, vectors.data, model, info);
  if (p.output) {
    const file = isAbsolute(p.output) ? p.output : resolve(ctx.baseDir, p.output);
    ctx.progress({ phase: 'saving', message: file });
    await writeBin(model, file, ctx.node);
    info.files.push(file);
  }
  return out;
}

/**
 * Set each word's own row so that fastText's vector of the word (the float32 mean
 * of its row and its n-gram rows, summed in row order) is its original vector:
 * w = (n + 1) * target - sum of the n-gram rows, then corrected twice by the
 * rounding error the float32 mean leaves.
 */
export function setWordRows(dict: FastTextDictionary, input: Float32Array, targets: Float32Array, src: readonly number[], dim: number, list = new IntList(64)): void {
  const s = new Float64Array(dim);
  const acc = new Float32Array(dim);
  for (let i = 0; i < dict.nwords; i++) {
    dict.entryRows(i, list);
    const n = list.length - 1;
    const to = src[i]! * dim;
    const wo = i * dim;
    s.fill(0);
    for (let k = 1; k <= n; k++) {
      const o = list.data[k]! * dim;
      for (let j = 0; j < dim; j++) s[j] += input[o + j]!;
    }
    for (let j = 0; j < dim; j++) input[wo + j] = (n + 1) * targets[to + j]! - s[j]!;
    if (n === 0) continue;
    const inv = Math.fround(1 / (n + 1));
    for (let pass = 0; pass < 2; pass++) {
      acc.fill(0);
      for (let k = 0; k <= n; k++) {
        const o = list.data[k]! * dim;
        for (let j = 0; j < dim; j++) acc[j] += input[o + j]!;
      }
      let off = false;
      for (let j = 0; j < dim; j++) {
        const got = Math.fround(acc[j]! * inv);
        const d = targets[to + j]! - got;
        if (d !== 0) {
          off = true;
          input[wo + j] = input[wo + j]! + d * (n + 1);
        }
      }
      if (!off) break;
    }
  }
}

function cosine(v: Float64Array, t: Float32Array, to: number, dim: number): number {
  let vv = 0;
  let tt = 0;
  let vt = 0;
  for (let j = 0; j < dim; j++) {
    const x = v[j]!;
    const y = t[to + j]!;
    vv += x * x;
    tt += y * y;
    vt += x * y;
  }
  return vv > 0 && tt > 0 ? vt / Math.sqrt(vv * tt) : 0;
}

/**
 * Write the model as a fastText .bin. The writer (packages/ops/src/subword/writer.ts,
 * `writeFastTextModel(model, file)`) is looked up at run time so that this op works
 * before it exists; until then asking for a .bin is a clear error.
 */
async function writeBin(model: FastTextModel, file: string, node: string): Promise<void> {
  const url = new URL('../subword/writer.js', import.meta.url);
  if (!existsSync(fileURLToPath(url))) {
    throw new WordloomError('E_PARAM', 'writing a fastText .bin needs the model writer (subword/writer.ts), which this build does not have', { node, param: 'output', file }, 'leave output unset and use the vectors the op returns');
  }
  const mod = (await import(pathToFileURL(fileURLToPath(url)).href)) as { writeFastTextModel?: (m: FastTextModel, f: string) => Promise<void> | void };
  if (typeof mod.writeFastTextModel !== 'function') {
    throw new WordloomError('E_INTERNAL', 'subword/writer.js has no writeFastTextModel(model, file)', { node, param: 'output', file });
  }
  await mod.writeFastTextModel(model, file);
}

function describeOptimizer(o: Optimizer<any> | MultiOptimizer): string {
  if ('optimizers' in o) return o.optimizers.filter((x) => x.params.length).map((x) => `${x.type}(${x.params.map((q) => q.name).join(',')})`).join(' + ');
  return `${o.type}(${o.params.map((q) => q.name).join(',')})`;
}

function round(x: number, d: number): number {
  const m = 10 ** d;
  return Math.round(x * m) / m;
}
