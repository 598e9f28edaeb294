/**
 * The matrices of a fastText model. Arithmetic follows fastText's float32 code
 * step by step (Math.fround after each product and sum), so vectors and scores
 * come out as fastText computes them, not merely close.
 *
 * - DenseMatrix: rows x cols float32, row-major, over shared memory.
 * - FileDenseMatrix: the same layout left in the model file; rows are read on demand (pread).
 * - QuantMatrix (quant-matrix.ts): product-quantized rows, decoded on demand.
 */
import { sharedFloat32, WordloomError } from '@wordloom/core';
import type { ByteSource } from './source.js';

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** x += a * row i (fastText's addRowToVector; a = 1 when left out). */
  addRowToVector(x: Float32Array, i: number, a?: number): void;
  /** The dot product of row i and x, accumulated in float32 as fastText does. */
  dotRow(x: Float32Array, i: number): number;
  /** Row i decoded into out (cols values). */
  row(i: number, out: Float32Array): Float32Array;
}

const fround = Math.fround;

export class DenseMatrix implements Matrix {
  readonly data: Float32Array;
  constructor(readonly rows: number, readonly cols: number, data?: Float32Array) {
    this.data = data ?? sharedFloat32(rows * cols);
    if (this.data.length !== rows * cols) throw new RangeError(`DenseMatrix ${rows}x${cols} needs ${rows * cols} values, got ${this.data.length}`);
  }
  addRowToVector(x: Float32Array, i: number, a?: number): void {
    const d = this.data;
    const n = this.cols;
    const o = i * n;
    if (a === undefined) for (let j = 0; j < n; j++) x[j] += d[o + j]!;
    else {
      const af = fround(a);
      for (let j = 0; j < n; j++) x[j] += fround(af * d[o + j]!);
    }
  }
  dotRow(x: Float32Array, i: number): number {
    const d = this.data;
    const n = this.cols;
    const o = i * n;
    let s = 0;
    for (let j = 0; j < n; j++) s = fround(s + fround(d[o + j]! * x[j]!));
    return s;
  }
  row(i: number, out: Float32Array): Float32Array {
    out.set(this.data.subarray(i * this.cols, (i + 1) * this.cols));
    return out;
  }
}

/** A dense float32 matrix stored in a file at `offset`; each row access reads it (no cache). */
export class FileDenseMatrix implements Matrix {
  private scratch: Float32Array;
  private scratchBytes: Uint8Array;
  constructor(readonly source: ByteSource, readonly offset: number, readonly rows: number, readonly cols: number) {
    this.scratch = new Float32Array(cols);
    this.scratchBytes = new Uint8Array(this.scratch.buffer);
    this.cacheRows = Math.floor(FileDenseMatrix.cacheBytes / Math.max(1, cols * 4));
  }
  /**
   * Rows read lately: words share most of their n-grams (a word and its inflections,
   * a misspelling and the word), so a row is often asked for again. Bounded by
   * `cacheBytes`; emptied when full.
   */
  private cache = new Map<number, Float32Array>();
  private cacheRows: number;
  static cacheBytes = 64 << 20;
  private load(i: number): Float32Array {
    const hit = this.cache.get(i);
    if (hit) return hit;
    const n = this.cols * 4;
    const got = this.source.read(this.scratchBytes, 0, n, this.offset + i * n);
    if (got !== n) {
      throw new WordloomError('E_FILE', `row ${i} of the matrix at byte offset ${this.offset + i * n} could not be read (the file changed since it was opened?)`, { file: this.source.name }, 'open the model again');
    }
    if (this.cacheRows > 0) {
      if (this.cache.size >= this.cacheRows) this.cache.clear();
      this.cache.set(i, this.scratch.slice());
    }
    return this.scratch;
  }
  addRowToVector(x: Float32Array, i: number, a?: number): void {
    const d = this.load(i);
    const n = this.cols;
    if (a === undefined) for (let j = 0; j < n; j++) x[j] += d[j]!;
    else {
      const af = fround(a);
      for (let j = 0; j < n; j++) x[j] += fround(af * d[j]!);
    }
  }
  dotRow(x: Float32Array, i: number): number {
    const d = this.load(i);
    let s = 0;
    for (let j = 0; j < this.cols; j++) s = fround(s + fround(d[j]! * x[j]!));
    return s;
  }
  row(i: number, out: Float32Array): Float32Array {
    out.set(this.load(i));
    return out;
  }
  /** Read every row into a DenseMatrix over shared memory. */
  toDense(): DenseMatrix {
    const m = new DenseMatrix(this.rows, this.cols);
    this.source.read(new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength), 0, this.rows * this.cols * 4, this.offset);
    return m;
  }
}

/** Mean of rows (fastText's getWordVector/computeHidden): x = (sum of rows) * float32(1/n); x is zeroed first. */
export function averageRows(m: Matrix, rows: Int32Array, count: number, x: Float32Array): Float32Array {
  x.fill(0);
  for (let k = 0; k < count; k++) m.addRowToVector(x, rows[k]!);
  if (count > 0) {
    const inv = fround(1 / count);
    for (let j = 0; j < x.length; j++) x[j] = fround(x[j]! * inv);
  }
  return x;
}
