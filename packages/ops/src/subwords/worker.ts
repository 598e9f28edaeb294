/**
 * Piscina worker of the subwords operator. It attaches the shared optimizer (the
 * n-gram rows and the optimizer's state are shared memory), then runs its slice of
 * words: the mean of the word's n-gram rows is compared with the word's vector
 * (cosine or squared loss), the gradient is spread evenly over the rows, and the
 * optimizer steps every `batch` words. Workers step at the same time without locks
 * (Hogwild); the rows two words share race benignly.
 */
import { attachOptimizer, RowGradients, type MultiOptimizer, type Optimizer, type Parameter, type SharedMulti, type SharedOptimizer } from '@wordloom/core';

export interface SubwordTask {
  job: number;
  shared: SharedMulti | SharedOptimizer;
  /** Bucket (n-gram row) indices of every training word, concatenated; word t's are rows[offsets[t] .. offsets[t+1]). */
  rows: Int32Array;
  offsets: Int32Array;
  /** Row of each training word in `targets`. */
  ids: Int32Array;
  /** The vectors to reproduce, vectors x dim. */
  targets: Float32Array;
  order: Int32Array;
  from: number;
  to: number;
  dim: number;
  batch: number;
  /** 0: 1 - cosine; 1: squared error, 0.5 * |mean - target|^2. */
  loss: 0 | 1;
  baseLr: number;
  /** Words processed by all workers so far (shared) and in all, for the linear decay of the lr. */
  counter: Int32Array;
  total: number;
}

export interface SubwordResult {
  loss: number;
  words: number;
}

interface Attached {
  job: number;
  opt: Optimizer<any> | MultiOptimizer;
  emb: Parameter;
  grads: RowGradients;
}
let cur: Attached | undefined;
const COUNTER_BATCH = 64;

function attach(t: SubwordTask): Attached {
  if (cur && cur.job === t.job) return cur;
  const opt = attachOptimizer(t.shared as SharedMulti) as Optimizer<any> | MultiOptimizer;
  const emb = opt.params.find((p) => p.name === 'ngrams')!;
  cur = { job: t.job, opt, emb, grads: new RowGradients(t.dim) };
  return cur;
}

export default function run(t: SubwordTask): SubwordResult {
  const a = attach(t);
  const { dim, rows, offsets, ids, targets, order, batch } = t;
  const E = a.emb.data;
  const p = new Float64Array(dim);
  const g = new Float64Array(dim);
  const groups = a.opt.paramGroups;
  let loss = 0;
  let seen = 0;
  let pending = 0;
  let known = Atomics.load(t.counter, 0);
  for (let start = t.from; start < t.to; start += batch) {
    const end = Math.min(t.to, start + batch);
    a.grads.clear();
    for (let q = start; q < end; q++) {
      const w = order[q]!;
      const s = offsets[w]!;
      const n = offsets[w + 1]! - s;
      if (n === 0) continue;
      p.fill(0);
      for (let k = 0; k < n; k++) {
        const o = rows[s + k]! * dim;
        for (let b = 0; b < dim; b++) p[b] += E[o + b]!;
      }
      const inv = 1 / n;
      for (let b = 0; b < dim; b++) p[b] *= inv;
      const to = ids[w]! * dim;
      if (t.loss === 1) {
        let l = 0;
        for (let b = 0; b < dim; b++) {
          const d = p[b]! - targets[to + b]!;
          g[b] = d;
          l += d * d;
        }
        loss += 0.5 * l;
      } else {
        let pp = 0;
        let tt = 0;
        let pt = 0;
        for (let b = 0; b < dim; b++) {
          const x = p[b]!;
          const y = targets[to + b]!;
          pp += x * x;
          tt += y * y;
          pt += x * y;
        }
        if (tt === 0) continue;
        const np = Math.sqrt(pp);
        const nt = Math.sqrt(tt);
        if (np === 0) {
          // the mean is zero: step towards the target's direction
          for (let b = 0; b < dim; b++) g[b] = -targets[to + b]! / nt;
          loss += 1;
        } else {
          const c = pt / (np * nt);
          // d(1 - cos)/dp = -(t/|t| - cos * p/|p|) / |p|
          for (let b = 0; b < dim; b++) g[b] = -(targets[to + b]! / nt - (c * p[b]!) / np) / np;
          loss += 1 - c;
        }
      }
      seen++;
      a.grads.addShared(rows, s, n, g, inv);
    }
    // the shared counter is advanced every COUNTER_BATCH words (one contended cache line less per word)
    pending += end - start;
    if (pending >= COUNTER_BATCH || end >= t.to) {
      known = Atomics.add(t.counter, 0, pending) + pending;
      pending = 0;
    }
    const f = Math.max(0, 1 - (known + pending) / t.total);
    for (let k = 0; k < groups.length; k++) groups[k]!.options.lr = t.baseLr * f;
    if (a.grads.count === 0) continue;
    a.grads.applyTo(a.emb);
    a.opt.step();
  }
  return { loss, words: seen };
}
