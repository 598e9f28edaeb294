/**
 * The update rules of the linear model, over weights in shared memory. Used by the
 * main thread (one thread: deterministic) and by the Hogwild workers (several
 * threads update the same weights without locks).
 *
 * Weights: `classes` blocks of 2^bits slots (one block for binary and regression),
 * `stride` floats a slot, each weight followed by its update state: [w] for sgd,
 * [w, G] for adagrad, [w, G, N, rate] for normalized. An update reads and writes a
 * weight and its state together, so each feature it touches is one cache line (16
 * bytes of 64 for normalized), which is what the first passes, where most examples
 * update, wait on. Globals (Float64, shared): [examples seen (importance-weighted),
 * sum of normalized squared norms, total importance].
 *
 * 'normalized' follows Vowpal Wabbit's default update (gd.cc with --adaptive
 * --normalized --invariant, power_t 0.5): per weight G += g^2 x^2 and N = max |x|
 * (a weight is rescaled by N_old / |x| when a larger |x| is seen), a rate per
 * feature 1/(sqrt(G) N), the global multiplier sqrt(total importance / sum of
 * x^2/N^2), and the importance-invariant update of each loss (hinge: capped at the
 * margin; logistic: through Lambert's W; squared: exponential decay to the label).
 * Not reproduced: VW's clipping of predictions to the labels' range (squared
 * loss), its holdout, and its L1/L2 (here: applied to the weights an update
 * touches, see below). 'adagrad': w -= lr g x / sqrt(G). 'sgd': w -= lr_t g x.
 * L2: w -= lr_t l2 w on the weights an update touches (lazy, as sparse SGD does);
 * L1: truncated gradient, each touched weight is moved toward 0 by lr_t l1 without
 * crossing it (Langford, Li and Zhang 2009, with truncation every update).
 *
 * Where the weights live in a WebAssembly memory (kernel.ts), train() copies a run
 * of examples into the learner's scratch slot and learns from it in WebAssembly,
 * bit-identical to the TypeScript here: the linear SVM (binary hinge with the
 * normalized update) a whole run per call, the other rules their inner loops (score,
 * rates, step) an example at a time. The TypeScript loops serve everywhere else
 * (scoring for predictions, an example too large for the slot, weights outside a
 * WebAssembly memory).
 */
import { linearKernel, SLOT_EXAMPLES, SLOT_FEATURES, type LinearKernel } from './kernel.js';

export type Loss = 'hinge' | 'logistic' | 'squared';
export type Task = 'binary' | 'oaa' | 'softmax' | 'regression';
export type Update = 'sgd' | 'adagrad' | 'normalized';

export interface LearnConfig {
  loss: Loss;
  task: Task;
  update: Update;
  classes: number;
  bits: number;
  lr: number;
  /** Decay exponent: lr_t = lr (1 + t)^-power_t; 0 = constant. */
  powerT: number;
  l1: number;
  l2: number;
}

/** A block of hashed examples: labels (±1, a value or a class index), importance weights, features. */
export interface ExampleChunk {
  n: number;
  labels: Float32Array;
  weights: Float32Array;
  /** n + 1 offsets into idx/val. */
  offsets: Int32Array;
  idx: Int32Array;
  val: Float32Array;
}

export interface ChunkResult {
  /** Sum of importance-weighted losses before each update (progressive validation). */
  loss: number;
  /** Importance-weighted wrong predictions before each update (classification). */
  errors: number;
  /** Sum of importance weights. */
  weight: number;
  examples: number;
  /** Seconds spent in the update rule (scoring and updating; no reading or hashing). */
  seconds: number;
}

export function strideOf(update: Update): number {
  return update === 'sgd' ? 1 : update === 'adagrad' ? 2 : 4;
}

const X2_MIN = 1.1754944e-38; // FLT_MIN
const X_MIN = Math.sqrt(X2_MIN);

/** The loss of prediction p against label y (±1 for hinge/logistic, a value for squared). */
export function lossOf(loss: Loss, p: number, y: number): number {
  if (loss === 'hinge') return Math.max(0, 1 - y * p);
  if (loss === 'logistic') {
    const z = -y * p;
    return z > 30 ? z : Math.log1p(Math.exp(z));
  }
  return (p - y) * (p - y);
}

/** dLoss/dp. */
export function gradOf(loss: Loss, p: number, y: number): number {
  if (loss === 'hinge') return y * p < 1 ? -y : 0;
  if (loss === 'logistic') return -y / (1 + Math.exp(y * p));
  return 2 * (p - y);
}

/** W(e^x) - x, W being Lambert's W (the root w of w e^w = e^x), by Newton's method on log. */
export function lambertWExpMinusX(x: number): number {
  // solve w + ln w = x for w > 0
  let w = x > 1 ? x - Math.log(x) : Math.exp(x) / (1 + Math.exp(x)) + Math.max(0, x) * 0.5;
  if (!(w > 0)) w = 1e-300;
  for (let i = 0; i < 50; i++) {
    const f = w + Math.log(w) - x;
    const nw = w - f / (1 + 1 / w);
    const next = nw > 0 ? nw : w / 2;
    if (Math.abs(next - w) <= 1e-12 * Math.max(1, w)) {
      w = next;
      break;
    }
    w = next;
  }
  return w - x;
}

/**
 * The importance-invariant update (VW's getUpdate): the step along x, in units of
 * the rate-weighted feature norm, after which the prediction moves to where
 * integrating the gradient flow over importance `scale` would take it.
 */
export function invariantUpdate(loss: Loss, p: number, y: number, scale: number, ppu: number): number {
  if (loss === 'hinge') {
    if (y * p >= 1) return 0;
    const err = 1 - y * p;
    return y * (scale * ppu < err ? scale : err / ppu);
  }
  if (loss === 'logistic') {
    const d = Math.exp(y * p);
    if (scale * ppu < 1e-6) return (y * scale) / (1 + d);
    const x = scale * ppu + y * p + d;
    const w = lambertWExpMinusX(x);
    return -(y * w + p) / ppu;
  }
  if (scale * ppu < 1e-6) return 2 * (y - p) * scale;
  return ((y - p) * (1 - Math.exp(-2 * scale * ppu))) / ppu;
}

export class Learner {
  readonly stride: number;
  readonly size: number;
  private p = new Float64Array(0);
  /** The WebAssembly loops (null: none to be had; undefined: not asked for yet). */
  private kern: LinearKernel | null | undefined;
  /** The example features staged in the kernel's scratch: ch.idx of the chunk, and the run [stagedAt, stagedEnd). */
  private staged: Int32Array | null = null;
  private stagedAt = 0;
  private stagedEnd = 0;

  constructor(readonly cfg: LearnConfig, readonly w: Float32Array, readonly g: Float64Array) {
    this.stride = strideOf(cfg.update);
    this.size = 1 << cfg.bits;
  }

  /** The raw score of class block `c` (0 for binary/regression). */
  score(c: number, idx: Int32Array, val: Float32Array, a: number, b: number): number {
    const base = c * this.size;
    if (idx === this.staged && a >= this.stagedAt && b <= this.stagedEnd) return this.kern!.score(base, a - this.stagedAt, b - this.stagedAt);
    const W = this.w;
    const s = this.stride;
    let z = 0;
    for (let k = a; k < b; k++) z += W[(base + idx[k]!) * s]! * val[k]!;
    return z;
  }

  /** Scores of every class (or the one score) into out. */
  scores(idx: Int32Array, val: Float32Array, a: number, b: number, out: Float64Array): void {
    const k = this.blocks;
    for (let c = 0; c < k; c++) out[c] = this.score(c, idx, val, a, b);
  }

  get blocks(): number {
    return this.cfg.task === 'oaa' || this.cfg.task === 'softmax' ? this.cfg.classes : 1;
  }

  private lrAt(): number {
    const t = this.g[0]!;
    return this.cfg.powerT === 0 ? this.cfg.lr : this.cfg.lr * Math.pow(1 + t, -this.cfg.powerT);
  }

  /** Learn from a chunk; returns the progressive losses (each example predicted before its update). */
  train(ch: ExampleChunk, from = 0, to = ch.n): ChunkResult {
    const t0 = performance.now();
    const res: ChunkResult = { loss: 0, errors: 0, weight: 0, examples: 0, seconds: 0 };
    if (this.p.length < this.blocks) this.p = new Float64Array(this.blocks);
    if (this.kern === undefined) this.kern = linearKernel(this.w, this.stride as 1 | 2 | 4) ?? null;
    const kern = this.kern;
    const c = this.cfg;
    // the linear SVM (binary, hinge, normalized, no L1/L2) runs whole runs of examples in the kernel
    const whole = !!kern && c.task === 'binary' && c.loss === 'hinge' && c.update === 'normalized' && c.l1 === 0 && c.l2 === 0 && kern.ownsGlobals(this.g);
    for (let e = from; e < to;) {
      // stage as many examples as the scratch slot holds (one too large for it: TypeScript loops)
      let end = to;
      if (kern) {
        const at = ch.offsets[e]!;
        end = e;
        while (end < to && end - e < SLOT_EXAMPLES && ch.offsets[end + 1]! - at <= SLOT_FEATURES) end++;
        if (end === e) {
          this.staged = null;
          end = e + 1;
        } else {
          const stop = ch.offsets[end]!;
          kern.idx.set(ch.idx.subarray(at, stop));
          kern.val.set(ch.val.subarray(at, stop));
          this.staged = ch.idx;
          this.stagedAt = at;
          this.stagedEnd = stop;
          if (whole) {
            const n = end - e;
            for (let i = 0; i <= n; i++) kern.offsets[i] = ch.offsets[e + i]! - at;
            kern.labels.set(ch.labels.subarray(e, end));
            kern.weights.set(ch.weights.subarray(e, end));
            const out = kern.out;
            out[0] = res.loss;
            out[1] = res.errors;
            out[2] = res.weight;
            kern.hinge(n, c.lr);
            res.loss = out[0]!;
            res.errors = out[1]!;
            res.weight = out[2]!;
            res.examples += n;
            e = end;
            continue;
          }
        }
      }
      this.trainRun(ch, e, end, res);
      e = end;
    }
    this.staged = null;
    res.seconds = (performance.now() - t0) / 1000;
    return res;
  }

  private trainRun(ch: ExampleChunk, from: number, to: number, res: ChunkResult): void {
    const K = this.blocks;
    const p = this.p;
    for (let e = from; e < to; e++) {
      const a = ch.offsets[e]!;
      const b = ch.offsets[e + 1]!;
      const y = ch.labels[e]!;
      const imp = ch.weights[e]!;
      res.examples++;
      res.weight += imp;
      if (imp === 0) continue;
      const task = this.cfg.task;
      if (task === 'binary' || task === 'regression') {
        const z = this.score(0, ch.idx, ch.val, a, b);
        res.loss += imp * lossOf(this.cfg.loss, z, y);
        if (task === 'binary' && (z > 0 ? 1 : -1) !== y) res.errors += imp;
        this.scalarUpdate(0, z, y, imp, ch.idx, ch.val, a, b);
      } else if (task === 'oaa') {
        let best = 0;
        for (let c = 0; c < K; c++) {
          p[c] = this.score(c, ch.idx, ch.val, a, b);
          if (p[c]! > p[best]!) best = c;
        }
        if (best !== y) res.errors += imp;
        for (let c = 0; c < K; c++) {
          const yc = c === y ? 1 : -1;
          res.loss += imp * lossOf(this.cfg.loss, p[c]!, yc);
          this.scalarUpdate(c, p[c]!, yc, imp, ch.idx, ch.val, a, b);
        }
      } else {
        let best = 0;
        for (let c = 0; c < K; c++) {
          p[c] = this.score(c, ch.idx, ch.val, a, b);
          if (p[c]! > p[best]!) best = c;
        }
        if (best !== y) res.errors += imp;
        const max = p[best]!;
        let sum = 0;
        for (let c = 0; c < K; c++) sum += p[c] = Math.exp(p[c]! - max);
        for (let c = 0; c < K; c++) p[c]! /= sum;
        res.loss -= imp * Math.log(Math.max(p[y]!, 1e-300));
        for (let c = 0; c < K; c++) this.gradientStep(c, p[c]! - (c === y ? 1 : 0), imp, ch.idx, ch.val, a, b);
      }
      this.g[0] = this.g[0]! + imp;
    }
  }

  /** One binary/regression sub-problem on block c: prediction z, label y. */
  private scalarUpdate(c: number, z: number, y: number, imp: number, idx: Int32Array, val: Float32Array, a: number, b: number): void {
    const loss = this.cfg.loss;
    if (this.cfg.update !== 'normalized') {
      const d = gradOf(loss, z, y);
      if (d !== 0) this.gradientStep(c, d, imp, idx, val, a, b);
      return;
    }
    if (!(lossOf(loss, z, y) > 0)) return;
    const d = gradOf(loss, z, y);
    const g2 = imp * d * d;
    this.curImp = imp;
    const ppu = this.normalizedRates(c, g2, idx, val, a, b);
    const upd = invariantUpdate(loss, z, y, this.cfg.lr * imp, ppu) * this.multiplier;
    this.apply(c, upd, idx, val, a, b, true);
  }

  private multiplier = 1;

  /**
   * VW's pred_per_update for the normalized adaptive rule: updates G and N of each
   * feature of block c, stores its rate, and returns sum x^2 rate times the global
   * multiplier.
   */
  private normalizedRates(c: number, g2: number, idx: Int32Array, val: Float32Array, a: number, b: number): number {
    const base = c * this.size;
    if (idx === this.staged && a >= this.stagedAt && b <= this.stagedEnd) {
      const ppu = this.kern!.rates(base, a - this.stagedAt, b - this.stagedAt, g2);
      return ppu * this.updateMultiplier(this.kern!.out[0]!);
    }
    const W = this.w;
    let ppu = 0;
    let normX = 0;
    for (let k = a; k < b; k++) {
      let x = val[k]!;
      let x2 = x * x;
      if (x2 < X2_MIN) {
        x = x > 0 ? X_MIN : -X_MIN;
        x2 = X2_MIN;
      }
      const i = (base + idx[k]!) * 4; // [w, G, N, rate]
      W[i + 1] = W[i + 1]! + g2 * x2;
      const G = W[i + 1]!;
      const ax = Math.abs(x);
      let N = W[i + 2]!;
      if (ax > N) {
        if (N > 0) W[i] = W[i]! * (N / ax);
        W[i + 2] = ax;
        N = W[i + 2]!;
      }
      normX += x2 / (N * N);
      const rate = G > 0 ? 1 / (Math.sqrt(G) * N) : 0;
      W[i + 3] = rate;
      ppu += x2 * rate;
    }
    return ppu * this.updateMultiplier(normX);
  }

  /** Adds this example's normalized norm to the globals and returns sqrt(total importance / sum of norms). */
  private updateMultiplier(normX: number): number {
    // importance is counted once per example in train(); the norm sum per sub-problem, as VW does per update
    const g = this.g;
    g[1] = g[1]! + normX * this.curImp;
    g[2] = g[2]! + this.curImp;
    this.multiplier = g[1]! > 0 ? Math.sqrt(g[2]! / g[1]!) : 1;
    return this.multiplier;
  }

  private curImp = 1;

  /** A plain gradient step on block c with dLoss/dscore = d (sgd, adagrad, or the normalized rates without invariance). */
  private gradientStep(c: number, d: number, imp: number, idx: Int32Array, val: Float32Array, a: number, b: number): void {
    if (d === 0) return;
    const up = this.cfg.update;
    if (up === 'sgd') {
      this.apply(c, -this.lrAt() * imp * d, idx, val, a, b, false);
    } else if (up === 'adagrad') {
      const W = this.w;
      const base = c * this.size;
      const lr = this.lrAt();
      for (let k = a; k < b; k++) {
        const i = (base + idx[k]!) * 2; // [w, G]
        const gx = imp * d * val[k]!;
        W[i + 1] = W[i + 1]! + gx * gx;
        const G = W[i + 1]!;
        if (G > 0) W[i] = W[i]! - (lr * gx) / Math.sqrt(G);
      }
      this.regularize(c, idx, a, b, lr);
    } else {
      this.curImp = imp;
      this.normalizedRates(c, imp * d * d, idx, val, a, b);
      this.apply(c, -this.lrAt() * imp * d * this.multiplier, idx, val, a, b, true);
    }
  }

  /** w += u x (times each feature's rate when `rated`), then L1/L2 on the touched weights. */
  private apply(c: number, u: number, idx: Int32Array, val: Float32Array, a: number, b: number, rated: boolean): void {
    const W = this.w;
    const base = c * this.size;
    if (idx === this.staged && a >= this.stagedAt && b <= this.stagedEnd) {
      if (rated) this.kern!.applyRated(base, a - this.stagedAt, b - this.stagedAt, u);
      else this.kern!.apply(base, a - this.stagedAt, b - this.stagedAt, u);
    } else if (rated) {
      for (let k = a; k < b; k++) {
        const i = (base + idx[k]!) * 4; // [w, G, N, rate]
        W[i] = W[i]! + u * val[k]! * W[i + 3]!;
      }
    } else {
      const s = this.stride;
      for (let k = a; k < b; k++) {
        const i = (base + idx[k]!) * s;
        W[i] = W[i]! + u * val[k]!;
      }
    }
    this.regularize(c, idx, a, b, this.lrAt());
  }

  private regularize(c: number, idx: Int32Array, a: number, b: number, lr: number): void {
    const { l1, l2 } = this.cfg;
    if (l1 === 0 && l2 === 0) return;
    const W = this.w;
    const base = c * this.size;
    const shrink = 1 - lr * l2;
    const cut = lr * l1;
    const s = this.stride;
    for (let k = a; k < b; k++) {
      const o = (base + idx[k]!) * s;
      let v = W[o]!;
      if (l2 > 0) v *= shrink > 0 ? shrink : 0;
      if (l1 > 0) v = v > cut ? v - cut : v < -cut ? v + cut : 0;
      W[o] = v;
    }
  }

}
