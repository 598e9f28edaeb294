/**
 * Losses, each the mean over the batch as PyTorch's default reduction: softmax
 * cross-entropy (nn.CrossEntropyLoss) and the cosine triplet margin loss
 * (nn.TripletMarginWithDistanceLoss with distance 1 - cosine similarity).
 * A loss that is not finite stops training with E_DIVERGED.
 */
import { WordloomError } from '../errors.js';
import { grow } from './util.js';

function diverged(what: string, loss: number): never {
  throw new WordloomError('E_DIVERGED', `${what} is ${loss}`, {}, 'the model diverged or its input holds NaN: lower the learning rate, check the data, and restart from the last good checkpoint');
}

export class SoftmaxCrossEntropy {
  private probs = new Float32Array(0);
  private dx = new Float32Array(0);
  private targets = new Int32Array(0);
  private n = 0;
  private c = 0;

  /** Mean of -log softmax(logits)[target] over n rows of `classes` logits; targets are class indices. */
  forward(logits: Float32Array, targets: ArrayLike<number>, classes: number, n = targets.length): number {
    if (logits.length < n * classes) throw new WordloomError('E_INPUT', `softmax cross-entropy: ${logits.length} logits for ${n} rows of ${classes} classes`);
    if (n === 0) throw new WordloomError('E_INPUT', 'softmax cross-entropy over an empty batch', {}, 'give at least one row');
    this.n = n;
    this.c = classes;
    this.probs = grow(this.probs, n * classes);
    if (this.targets.length < n) this.targets = new Int32Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const t = targets[i]!;
      if (!(Number.isInteger(t) && t >= 0 && t < classes)) {
        throw new WordloomError('E_INPUT', `softmax cross-entropy: target ${t} of row ${i} is outside 0..${classes - 1}`);
      }
      this.targets[i] = t;
      const o = i * classes;
      let max = -Infinity;
      for (let j = 0; j < classes; j++) if (logits[o + j]! > max) max = logits[o + j]!;
      let sum = 0;
      for (let j = 0; j < classes; j++) sum += Math.exp(logits[o + j]! - max);
      const logZ = max + Math.log(sum);
      for (let j = 0; j < classes; j++) this.probs[o + j] = Math.exp(logits[o + j]! - logZ);
      total += logZ - logits[o + t]!;
    }
    const loss = total / n;
    if (!Number.isFinite(loss)) diverged('the cross-entropy loss', loss);
    return loss;
  }

  /** dLoss/dlogits (n x classes, this loss's buffer), times `scale` (the upstream gradient, 1 for the loss itself). */
  backward(scale = 1): Float32Array {
    const { n, c } = this;
    this.dx = grow(this.dx, n * c);
    const s = scale / n;
    for (let i = 0; i < n; i++) {
      const o = i * c;
      for (let j = 0; j < c; j++) this.dx[o + j] = this.probs[o + j]! * s;
      this.dx[o + this.targets[i]!] -= s;
    }
    return this.dx.subarray(0, n * c);
  }

  /** The predicted class of row i of the last forward (argmax of the probabilities). */
  predicted(i: number): number {
    const o = i * this.c;
    let best = 0;
    for (let j = 1; j < this.c; j++) if (this.probs[o + j]! > this.probs[o + best]!) best = j;
    return best;
  }
}

/** PyTorch's cosine_similarity eps: the norms are clamped below at it. */
const COS_EPS = 1e-8;

/**
 * mean over triplets of max(0, d(a, p) - d(a, n) + margin) with d = 1 - cos:
 * the anchor must be nearer (in cosine) to the positive than to the negative by the margin.
 */
export class CosineTripletMarginLoss {
  private a: Float32Array = new Float32Array(0);
  private p: Float32Array = new Float32Array(0);
  private q: Float32Array = new Float32Array(0);
  private m = 0;
  private d = 0;
  private ga = new Float32Array(0);
  private gp = new Float32Array(0);
  private gn = new Float32Array(0);

  constructor(readonly margin = 0.3) {
    if (typeof margin !== 'number' || !Number.isFinite(margin)) throw new WordloomError('E_PARAM', `triplet margin must be a finite number, got ${JSON.stringify(margin)}`, { param: 'margin' });
  }

  /** Anchors, positives and negatives: m rows of d each. The arrays must stay unchanged until backward. */
  forward(anchor: Float32Array, positive: Float32Array, negative: Float32Array, d: number, m = anchor.length / d): number {
    if (!Number.isInteger(m) || m < 1 || anchor.length < m * d || positive.length < m * d || negative.length < m * d) {
      throw new WordloomError('E_INPUT', `triplet loss: anchor, positive and negative need ${Number.isInteger(m) ? m : 'whole'} rows of ${d} each (got ${anchor.length}, ${positive.length}, ${negative.length} values)`);
    }
    this.a = anchor;
    this.p = positive;
    this.q = negative;
    this.m = m;
    this.d = d;
    let total = 0;
    for (let i = 0; i < m; i++) {
      const l = cos(anchor, positive, i * d, d);
      const r = cos(anchor, negative, i * d, d);
      total += Math.max(0, 1 - l.c - (1 - r.c) + this.margin);
    }
    const loss = total / m;
    if (!Number.isFinite(loss)) diverged('the triplet loss', loss);
    return loss;
  }

  /** Gradients with respect to anchor, positive and negative (this loss's buffers). */
  backward(scale = 1): { anchor: Float32Array; positive: Float32Array; negative: Float32Array } {
    const { m, d, a, p, q } = this;
    this.ga = grow(this.ga, m * d);
    this.gp = grow(this.gp, m * d);
    this.gn = grow(this.gn, m * d);
    const s = scale / m;
    for (let i = 0; i < m; i++) {
      const o = i * d;
      const l = cos(a, p, o, d);
      const r = cos(a, q, o, d);
      const active = 1 - l.c - (1 - r.c) + this.margin > 0;
      for (let b = 0; b < d; b++) {
        if (!active) {
          this.ga[o + b] = 0;
          this.gp[o + b] = 0;
          this.gn[o + b] = 0;
          continue;
        }
        // loss = r.c - l.c + margin; dcos(x,y)/dx = y/(|x||y|) - cos x/|x|^2
        const av = a[o + b]!;
        const dlA = p[o + b]! / (l.nx * l.ny) - (l.c * av) / (l.nx * l.nx);
        const dlP = av / (l.nx * l.ny) - (l.c * p[o + b]!) / (l.ny * l.ny);
        const drA = q[o + b]! / (r.nx * r.ny) - (r.c * av) / (r.nx * r.nx);
        const drN = av / (r.nx * r.ny) - (r.c * q[o + b]!) / (r.ny * r.ny);
        this.ga[o + b] = s * (drA - dlA);
        this.gp[o + b] = -s * dlP;
        this.gn[o + b] = s * drN;
      }
    }
    return { anchor: this.ga.subarray(0, m * d), positive: this.gp.subarray(0, m * d), negative: this.gn.subarray(0, m * d) };
  }
}

/** Cosine of rows x[o..o+d) and y[o..o+d), with the norms (clamped at eps) it divides by. */
export function cos(x: Float32Array, y: Float32Array, o: number, d: number): { c: number; nx: number; ny: number } {
  let xy = 0, xx = 0, yy = 0;
  for (let b = 0; b < d; b++) {
    const u = x[o + b]!;
    const v = y[o + b]!;
    xy += u * v;
    xx += u * u;
    yy += v * v;
  }
  const nx = Math.max(Math.sqrt(xx), COS_EPS);
  const ny = Math.max(Math.sqrt(yy), COS_EPS);
  return { c: xy / (nx * ny), nx, ny };
}
