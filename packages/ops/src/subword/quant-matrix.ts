/**
 * Product-quantized matrices (.ftz): each row is nsubq one-byte codes, code m
 * choosing one of 256 centroids of sub-quantizer m (dsub values each; the last
 * sub-quantizer covers the remaining lastdsub values). With quantized norms
 * (qnorm), rows were normalised before quantizing and a one-dimensional quantizer
 * holds their norms (one code per row). Rows stay quantized; they are decoded when used.
 */
import type { Matrix } from './matrix.js';

/** Centroids per sub-quantizer. */
export const KSUB = 256;

const fround = Math.fround;

export class ProductQuantizer {
  /**
   * centroids: dim * 256 float32 values; sub-quantizer m < nsubq-1 holds 256
   * centroids of dsub values at m*256*dsub, the last one 256 centroids of lastdsub values.
   */
  constructor(readonly dim: number, readonly nsubq: number, readonly dsub: number, readonly lastdsub: number, readonly centroids: Float32Array) {}

  /** Offset in `centroids` of centroid `code` of sub-quantizer m. */
  centroidOffset(m: number, code: number): number {
    return m === this.nsubq - 1 ? m * KSUB * this.dsub + code * this.lastdsub : (m * KSUB + code) * this.dsub;
  }

  /** x += alpha * decoded row t of `codes` (fastText's addcode). */
  addCode(x: Float32Array, codes: Uint8Array, t: number, alpha: number): void {
    const c = this.centroids;
    const base = this.nsubq * t;
    const af = fround(alpha);
    let d = this.dsub;
    for (let m = 0; m < this.nsubq; m++) {
      const o = this.centroidOffset(m, codes[base + m]!);
      if (m === this.nsubq - 1) d = this.lastdsub;
      const xo = m * this.dsub;
      for (let n = 0; n < d; n++) x[xo + n] += fround(af * c[o + n]!);
    }
  }

  /** alpha * (x . decoded row t), accumulated in float32 (fastText's mulcode). */
  mulCode(x: Float32Array, codes: Uint8Array, t: number, alpha: number): number {
    const c = this.centroids;
    const base = this.nsubq * t;
    let res = 0;
    let d = this.dsub;
    for (let m = 0; m < this.nsubq; m++) {
      const o = this.centroidOffset(m, codes[base + m]!);
      if (m === this.nsubq - 1) d = this.lastdsub;
      const xo = m * this.dsub;
      for (let n = 0; n < d; n++) res = fround(res + fround(x[xo + n]! * c[o + n]!));
    }
    return fround(res * fround(alpha));
  }
}

export class QuantMatrix implements Matrix {
  /**
   * codes: rows * pq.nsubq bytes; normCodes (qnorm only): one byte per row, decoded by npq
   * (a quantizer of dim 1).
   */
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly pq: ProductQuantizer,
    readonly codes: Uint8Array,
    readonly qnorm: boolean,
    readonly normCodes?: Uint8Array,
    readonly npq?: ProductQuantizer,
  ) {}

  /** The norm of row i (1 without qnorm). */
  norm(i: number): number {
    if (!this.qnorm) return 1;
    return this.npq!.centroids[this.npq!.centroidOffset(0, this.normCodes![i]!)]!;
  }
  addRowToVector(x: Float32Array, i: number, a?: number): void {
    const norm = this.norm(i);
    this.pq.addCode(x, this.codes, i, a === undefined ? norm : fround(fround(a) * norm));
  }
  dotRow(x: Float32Array, i: number): number {
    return this.pq.mulCode(x, this.codes, i, this.norm(i));
  }
  row(i: number, out: Float32Array): Float32Array {
    out.fill(0);
    this.addRowToVector(out, i);
    return out;
  }
}
