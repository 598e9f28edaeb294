/**
 * Product quantization of a dense model, as `fasttext quantize` does it without
 * pruning (no -cutoff, no -retrain): each row is cut into sub-vectors of dsub values
 * (the last one shorter when dsub does not divide dim), each sub-quantizer learns 256
 * centroids by k-means on a sample of at most 65,536 rows, and each row keeps one
 * byte per sub-vector. With qnorm, rows are normalised first and their norms get a
 * one-dimensional quantizer of their own. The result is written as a .ftz that
 * fastText loads (its codes decode to the same vectors there and here).
 *
 * The k-means is wordloom's (seeded, deterministic), not fastText's random stream:
 * the centroids differ from the ones fastText would learn, not the format.
 */
import { Rng, WordloomError, sharedFloat32 } from '@wordloom/core';
import type { Matrix } from './matrix.js';
import { KSUB, ProductQuantizer, QuantMatrix } from './quant-matrix.js';
import type { FastTextParts } from './writer.js';

export interface QuantizeOptions {
  /** Values per sub-vector (fastText -dsub, default 2). */
  dsub?: number;
  /** Quantize the row norms separately (fastText -qnorm). */
  qnorm?: boolean;
  /** Quantize the output matrix too (fastText -qout; it needs at least 256 rows). */
  qout?: boolean;
  /** k-means iterations (default 25, as fastText). */
  iterations?: number;
  /** Rows sampled to learn the centroids (default 65,536, as fastText). */
  sample?: number;
  seed?: number;
}

const EPS = 1e-7;

/** k-means of n points of d values (x) into 256 centroids written to c (256 * d). */
function kmeans(x: Float32Array, n: number, d: number, c: Float32Array, iterations: number, rng: Rng): void {
  const perm = Array.from({ length: n }, (_, i) => i);
  rng.shuffle(perm);
  for (let k = 0; k < KSUB; k++) for (let j = 0; j < d; j++) c[k * d + j] = x[perm[k]! * d + j]!;
  const assign = new Int32Array(n);
  const sums = new Float64Array(KSUB * d);
  const counts = new Int32Array(KSUB);
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < n; i++) assign[i] = nearest(x, i * d, c, 0, d);
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const k = assign[i]!;
      counts[k]!++;
      for (let j = 0; j < d; j++) sums[k * d + j] += x[i * d + j]!;
    }
    for (let k = 0; k < KSUB; k++) if (counts[k]! > 0) for (let j = 0; j < d; j++) c[k * d + j] = sums[k * d + j]! / counts[k]!;
    // an empty cluster takes half of a cluster picked in proportion to its size (as fastText), nudged apart
    for (let k = 0; k < KSUB; k++) {
      if (counts[k] !== 0) continue;
      let m = 0;
      while (rng.next() * (n - KSUB) >= counts[m]! - 1) m = (m + 1) % KSUB;
      for (let j = 0; j < d; j++) {
        const sign = (j % 2) * 2 - 1;
        c[k * d + j] = c[m * d + j]! + sign * EPS;
        c[m * d + j] = c[m * d + j]! - sign * EPS;
      }
      counts[k] = counts[m]! >> 1;
      counts[m] = counts[m]! - counts[k]!;
    }
  }
}

/** The centroid (of 256, d values each, at c[base..]) nearest to x[xo..xo+d). */
function nearest(x: Float32Array, xo: number, c: Float32Array, base: number, d: number): number {
  let best = 0;
  let bestDist = Infinity;
  for (let k = 0; k < KSUB; k++) {
    let s = 0;
    const o = base + k * d;
    for (let j = 0; j < d; j++) {
      const t = x[xo + j]! - c[o + j]!;
      s += t * t;
    }
    if (s < bestDist) {
      bestDist = s;
      best = k;
    }
  }
  return best;
}

/** Product-quantize a matrix (rows decoded one at a time; only the sample is held whole). */
export function quantizeMatrix(m: Matrix, opts: QuantizeOptions = {}): QuantMatrix {
  const dim = m.cols;
  const rows = m.rows;
  const dsub = opts.dsub ?? 2;
  const iterations = opts.iterations ?? 25;
  if (!Number.isInteger(dsub) || dsub < 1 || dsub > dim) throw new WordloomError('E_PARAM', `dsub must be from 1 to dim (${dim}), got ${dsub}`, { param: 'dsub' });
  if (rows < KSUB) {
    throw new WordloomError('E_INPUT', `a matrix of ${rows} rows cannot be product-quantized: it needs at least ${KSUB} (one per centroid), as in fastText`, {}, 'quantize only the input matrix (no qout), or keep the model dense');
  }
  let nsubq = Math.floor(dim / dsub);
  let lastdsub = dim % dsub;
  if (lastdsub === 0) lastdsub = dsub;
  else nsubq++;
  const rng = new Rng(opts.seed ?? 1234);
  const np = Math.min(rows, opts.sample ?? KSUB * KSUB);
  const order = Array.from({ length: rows }, (_, i) => i);
  if (np < rows) rng.shuffle(order);
  const qnorm = opts.qnorm === true;
  const row = new Float32Array(dim);
  const norms = qnorm ? new Float32Array(rows) : undefined;
  const getRow = (r: number): Float32Array => {
    m.row(r, row);
    if (norms) {
      const nrm = norms[r]!;
      if (nrm > 0) for (let j = 0; j < dim; j++) row[j] = Math.fround(row[j]! / nrm);
    }
    return row;
  };
  let normPq: ProductQuantizer | undefined;
  let normCodes: Uint8Array | undefined;
  if (norms) {
    for (let r = 0; r < rows; r++) {
      m.row(r, row);
      let s = 0;
      for (let j = 0; j < dim; j++) s += row[j]! * row[j]!;
      norms[r] = Math.sqrt(s);
    }
    const cn = sharedFloat32(KSUB);
    kmeans(norms, rows, 1, cn, iterations, rng);
    normPq = new ProductQuantizer(1, 1, 1, 1, cn);
    normCodes = new Uint8Array(new SharedArrayBuffer(rows), 0, rows);
    for (let r = 0; r < rows; r++) normCodes[r] = nearest(norms, r, cn, 0, 1);
  }
  // the sample, whole
  const sample = new Float32Array(np * dim);
  for (let i = 0; i < np; i++) sample.set(getRow(order[i]!), i * dim);
  const centroids = sharedFloat32(dim * KSUB);
  const pq = new ProductQuantizer(dim, nsubq, dsub, lastdsub, centroids);
  for (let q = 0; q < nsubq; q++) {
    const d = q === nsubq - 1 ? lastdsub : dsub;
    const xs = new Float32Array(np * d);
    for (let i = 0; i < np; i++) for (let j = 0; j < d; j++) xs[i * d + j] = sample[i * dim + q * dsub + j]!;
    const c = new Float32Array(KSUB * d);
    kmeans(xs, np, d, c, iterations, rng);
    centroids.set(c, pq.centroidOffset(q, 0));
  }
  const codes = new Uint8Array(new SharedArrayBuffer(rows * nsubq), 0, rows * nsubq);
  for (let r = 0; r < rows; r++) {
    const x = getRow(r);
    for (let q = 0; q < nsubq; q++) {
      const d = q === nsubq - 1 ? lastdsub : dsub;
      codes[r * nsubq + q] = nearest(x, q * dsub, centroids, pq.centroidOffset(q, 0), d);
    }
  }
  return new QuantMatrix(rows, dim, pq, codes, qnorm, normCodes, normPq);
}

/** A dense model's parts with the input matrix (and with qout the output matrix) product-quantized: what a .ftz holds. */
export function quantizeModel(model: FastTextParts, opts: QuantizeOptions = {}): FastTextParts {
  if (model.input instanceof QuantMatrix) throw new WordloomError('E_INPUT', 'the model is quantized already', {}, 'quantize the dense .bin it was made from');
  if (opts.qout && !model.output) throw new WordloomError('E_INPUT', 'qout needs the output matrix (read the model with it)');
  const input = quantizeMatrix(model.input, opts);
  const output = opts.qout ? quantizeMatrix(model.output!, { ...opts, dsub: 2, seed: (opts.seed ?? 1234) + 1 }) : model.output;
  return { args: { ...model.args, qout: opts.qout === true }, dict: model.dict, input, output };
}
