/**
 * Training and measuring the stem-triplet word encoder. Each step takes a batch of
 * anchors (training words, each once an epoch), a positive for each (another word
 * of its stem, drawn at random) and a negative (a training word of another stem),
 * runs the three as one packed batch and applies the cosine triplet margin loss.
 * On the held-out stems: precision@1 (the nearest other held-out word shares the
 * word's stem) and the ROC AUC of same-stem against different-stem cosines.
 */
import { isAbsolute, resolve } from 'node:path';
import { AutoOptimizer, Embeddings, Rng, WordloomError, nn } from '@wordloom/core';
import { standaloneContext, type OpContext } from '../op.js';
import { writeVectors } from '../io/vectors.js';
import { simdKernels } from '../kernels/nn-simd.js';
import { countWords, groupByStem, type StemGroups } from './data.js';
import { StemEncoder } from './model.js';
import { resolveStemTripletParams, type StemTripletParams } from './params.js';

export interface StemMetrics {
  /** Words and stems measured on. */
  words: number;
  stems: number;
  /** Fraction of words whose nearest other word (cosine) shares their stem. */
  precisionAt1: number;
  /** Probability that a same-stem pair has a higher cosine than a different-stem pair (ties count half). */
  auc: number;
  /**
   * With the whole vocabulary's stems given: the fraction of the measured words whose
   * nearest other word in the whole vocabulary (training words included) shares their stem.
   */
  precisionAt1Vocabulary?: number;
}

export interface StemTripletResult {
  encoder: StemEncoder;
  groups: StemGroups;
  /** Vectors of every vocabulary word. */
  vectors: Embeddings;
  /** On the held-out stems, before training and after (absent when nothing is held out). */
  initial?: StemMetrics;
  heldOut?: StemMetrics;
  train: { anchors: number; stems: number; epochs: number; losses: number[]; epochSeconds: number[]; seconds: number; kernels: string };
  files: string[];
}

/** precision@1 and ROC AUC of vectors (n x d, row i of word i) against the words' groups. */
export function stemMetrics(vectors: Float32Array, d: number, groups: readonly Int32Array[], stems?: readonly string[]): StemMetrics {
  const members: number[] = [];
  const label: number[] = [];
  groups.forEach((g, gi) => g.forEach((w) => { members.push(w); label.push(gi); }));
  const n = members.length;
  // unit rows of the measured words
  const u = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let b = 0; b < d; b++) s += vectors[members[i]! * d + b]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let b = 0; b < d; b++) u[i * d + b] = vectors[members[i]! * d + b]! * inv;
  }
  const dot = (i: number, j: number): number => {
    let s = 0;
    for (let b = 0; b < d; b++) s += u[i * d + b]! * u[j * d + b]!;
    return s;
  };
  // same-stem pairs first (few: within groups), sorted, so each different-stem pair is
  // counted against them as it is met, without keeping the n^2 / 2 scores
  const pos: number[] = [];
  let first = 0;
  for (const g of groups) {
    for (let a = 0; a < g.length; a++) for (let b = a + 1; b < g.length; b++) pos.push(dot(first + a, first + b));
    first += g.length;
  }
  const P = Float64Array.from(pos).sort();
  const best = new Float64Array(n).fill(-Infinity);
  const bestLabel = new Int32Array(n).fill(-1);
  let wins = 0;
  let nNeg = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = dot(i, j);
      if (s > best[i]!) { best[i] = s; bestLabel[i] = label[j]!; }
      if (s > best[j]!) { best[j] = s; bestLabel[j] = label[i]!; }
      if (label[i] === label[j]) continue;
      nNeg++;
      // positives above s, and half of those equal to it
      let lo = 0, hi = P.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (P[mid]! <= s) lo = mid + 1; else hi = mid; }
      let lo2 = 0, hi2 = lo;
      while (lo2 < hi2) { const mid = (lo2 + hi2) >> 1; if (P[mid]! < s) lo2 = mid + 1; else hi2 = mid; }
      wins += P.length - lo + (lo - lo2) / 2;
    }
  }
  let hits = 0;
  for (let i = 0; i < n; i++) if (bestLabel[i] === label[i]) hits++;
  const out: StemMetrics = { words: n, stems: groups.length, precisionAt1: hits / n, auc: P.length && nNeg ? wins / (P.length * nNeg) : NaN };
  if (stems) {
    // the nearest of all the other vocabulary words
    const V = stems.length;
    const norm = new Float64Array(V);
    for (let w = 0; w < V; w++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += vectors[w * d + b]! ** 2;
      norm[w] = s > 0 ? 1 / Math.sqrt(s) : 0;
    }
    let vhits = 0;
    for (let i = 0; i < n; i++) {
      const w0 = members[i]!;
      let best = -Infinity;
      let arg = -1;
      for (let w = 0; w < V; w++) {
        if (w === w0) continue;
        let s = 0;
        for (let b = 0; b < d; b++) s += u[i * d + b]! * vectors[w * d + b]!;
        s *= norm[w]!;
        if (s > best) { best = s; arg = w; }
      }
      if (arg >= 0 && stems[arg] === stems[w0]) vhits++;
    }
    out.precisionAt1Vocabulary = vhits / n;
  }
  return out;
}

/** Train the encoder on the training stems of `groups`; measure on the held-out ones. */
export async function fitStemTriplet(groups: StemGroups, params: Partial<StemTripletParams>, ctx: OpContext = standaloneContext()): Promise<StemTripletResult> {
  const p = resolveStemTripletParams({ input: '', ...params });
  const seed = p.seed ?? ctx.seed;
  const rng = new Rng(seed);
  const chars = new Set<string>();
  for (const g of groups.train) for (const w of g) for (const ch of groups.words[w]!) chars.add(ch);
  const alphabet = [...chars].sort();
  const enc = new StemEncoder({ alphabet, embedDim: p.embed_dim, hidden: p.hidden, dim: p.dim, layers: p.layers, reverse: p.reverse, dropout: p.dropout }, rng.fork(1));
  if (p.kernels !== 'auto') {
    const simd = simdKernels();
    if (p.kernels === 'simd' && !simd) throw new WordloomError('E_PARAM', 'this runtime has no WebAssembly SIMD', { param: 'kernels' }, 'use kernels: auto or typescript');
    enc.kernels = p.kernels === 'simd' ? simd! : nn.typescriptKernels;
  }
  const encoded = groups.words.map((w) => enc.encode(w));
  const d = p.dim;
  const initial = groups.heldOut.length ? stemMetrics(enc.embed(groups.words), d, groups.heldOut, groups.stems) : undefined;
  if (initial) ctx.log(`held-out stems before training: P@1 ${initial.precisionAt1.toFixed(4)} (among the whole vocabulary ${initial.precisionAt1Vocabulary!.toFixed(4)}), AUC ${initial.auc.toFixed(4)} (${initial.words} words, ${initial.stems} stems)`);

  const groupOf = new Int32Array(groups.words.length).fill(-1);
  groups.train.forEach((g, gi) => g.forEach((w) => { groupOf[w] = gi; }));
  const anchors = Int32Array.from(groups.train.flatMap((g) => Array.from(g)));
  const N = anchors.length;
  const B = p.batch;
  const opt = new AutoOptimizer(enc.params, { lr: p.lr, sparse: p.optimizer === 'lazy_adam' ? 'LazyAdam' : 'SparseAdam' });
  const loss = new nn.CosineTripletMarginLoss(p.margin);
  const draw = rng.fork(2);
  const seqs: Int32Array[] = new Array(3 * Math.min(B, N));
  const seqsRest: Int32Array[] = new Array(3 * (N % B));
  let dVec = new Float32Array(3 * B * d);
  const losses: number[] = [];
  const epochSeconds: number[] = [];
  // the last finished epoch's parameters, restored when training diverges
  const good = enc.params.map((q) => new Float32Array(q.data));
  const diverged = (ep: number, why: string, cause?: unknown): WordloomError => {
    enc.params.forEach((q, i) => q.data.set(good[i]!));
    return new WordloomError('E_DIVERGED', `training diverged in epoch ${ep} (${why}): the encoder is back to ${ep > 1 ? `the end of epoch ${ep - 1}` : 'its initial weights'} and no vectors were written`, { param: 'lr' }, `lower lr (now ${p.lr})`, cause === undefined ? undefined : { cause });
  };
  const t0 = performance.now();
  for (let ep = 1; ep <= p.epoch; ep++) {
    const te = performance.now();
    draw.shuffle(anchors);
    let total = 0;
    let lastYield = performance.now();
    for (let s = 0; s < N; s += B) {
      const n = Math.min(B, N - s);
      const list = 3 * n === seqs.length ? seqs : seqsRest;
      for (let i = 0; i < n; i++) {
        const a = anchors[s + i]!;
        const g = groups.train[groupOf[a]!]!;
        let pw = a;
        while (pw === a) pw = g[draw.int(g.length)]!;
        let nw = a;
        while (groupOf[nw] === groupOf[a]) nw = anchors[draw.int(N)]!;
        list[i] = encoded[a]!;
        list[n + i] = encoded[pw]!;
        list[2 * n + i] = encoded[nw]!;
      }
      let l: number;
      try {
        const v = enc.forward(list, true);
        l = loss.forward(v.subarray(0, n * d), v.subarray(n * d, 2 * n * d), v.subarray(2 * n * d, 3 * n * d), d, n);
      } catch (e) {
        // a NaN loss, or NaN/infinite activations caught by a layer's input check (the ids are
        // checked when encoded, so only the weights can have made them)
        if (e instanceof WordloomError && (e.code === 'E_DIVERGED' || / holds (NaN|-?Infinity) /.test(e.message))) throw diverged(ep, e.message.split('\n')[0]!, e);
        throw e;
      }
      total += l * n;
      const g = loss.backward();
      if (dVec.length < 3 * n * d) dVec = new Float32Array(3 * n * d);
      dVec.set(g.anchor, 0);
      dVec.set(g.positive, n * d);
      dVec.set(g.negative, 2 * n * d);
      enc.backward(dVec.subarray(0, 3 * n * d));
      opt.step();
      opt.zeroGrad();
      const now = performance.now();
      if (now - lastYield > 200) {
        lastYield = now;
        ctx.progress({ phase: 'training', done: s + n, total: N, unit: 'words', iteration: ep, metrics: { epoch: ep, loss: Math.round((total / (s + n)) * 1e4) / 1e4 } });
        await new Promise((r) => setImmediate(r));
        if (ctx.signal.aborted) throw new WordloomError('E_STATE', 'training stopped', {}, undefined, { cause: ctx.signal.reason });
      }
    }
    epochSeconds.push((performance.now() - te) / 1000);
    const bad = enc.params.find((q) => !q.data.every((v) => Number.isFinite(v)));
    if (bad) throw diverged(ep, `${bad.name} holds NaN or infinite values`);
    enc.params.forEach((q, i) => good[i]!.set(q.data));
    losses.push(total / N);
    ctx.log(`epoch ${ep}: triplet loss ${(total / N).toFixed(4)}, ${epochSeconds.at(-1)!.toFixed(2)} s`);
  }
  const all = enc.embed(groups.words);
  const heldOut = groups.heldOut.length ? stemMetrics(all, d, groups.heldOut, groups.stems) : undefined;
  if (heldOut) ctx.log(`held-out stems after training: P@1 ${heldOut.precisionAt1.toFixed(4)} (among the whole vocabulary ${heldOut.precisionAt1Vocabulary!.toFixed(4)}), AUC ${heldOut.auc.toFixed(4)} (${heldOut.words} words, ${heldOut.stems} stems)`);
  const vectors = new Embeddings(groups.words, d, all);
  // any other word gets its vector from its characters
  vectors.oov = (word: string) => (word.length ? enc.embed([word]) : undefined);
  return {
    encoder: enc,
    groups,
    vectors,
    initial,
    heldOut,
    train: { anchors: N, stems: groups.train.length, epochs: p.epoch, losses, epochSeconds, seconds: (performance.now() - t0) / 1000, kernels: enc.kernels.name },
    files: [],
  };
}

/** The stem-triplet op: read the words, group by stem, split, train, measure, write the vectors. */
export async function trainStemTriplet(params: Partial<StemTripletParams>, ctx: OpContext = standaloneContext()): Promise<StemTripletResult> {
  const p = resolveStemTripletParams(params);
  if (!p.input) throw new WordloomError('E_PARAM', 'input is required: a text whose words make the vocabulary', { param: 'input' });
  const seed = p.seed ?? ctx.seed;
  const file = isAbsolute(p.input) ? p.input : resolve(ctx.baseDir, p.input);
  ctx.progress({ phase: 'reading', message: file });
  const counts = await countWords(file, { minLength: p.min_length, maxLength: p.max_length });
  const groups = groupByStem(counts, p.min_count, p.held_out, seed);
  ctx.log(`${groups.words.length} words, ${groups.train.length} training and ${groups.heldOut.length} held-out stems with two words or more (${groups.single} words alone in their stem)`);
  const res = await fitStemTriplet(groups, { ...p, seed }, ctx);
  if (p.output) {
    const out = isAbsolute(p.output) ? p.output : resolve(ctx.baseDir, p.output);
    ctx.progress({ phase: 'saving', message: out });
    await writeVectors(res.vectors, out, 'word2vec-text');
    ctx.log(`wrote ${out}`);
    res.files.push(out);
  }
  return res;
}
