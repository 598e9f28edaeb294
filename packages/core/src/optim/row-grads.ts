/**
 * A sparse gradient gathered a few rows at a time, as embedding models make it:
 * each example's rows share one gradient vector (the mean of the rows takes the
 * same gradient, scaled). The buffers grow as needed and are reused from step
 * to step, so a worker's inner loop allocates nothing.
 */
import type { Parameter } from './param.js';

export class RowGradients {
  rows: Int32Array;
  values: Float32Array;
  count = 0;

  constructor(readonly width: number, capacity = 1024) {
    this.rows = new Int32Array(capacity);
    this.values = new Float32Array(capacity * width);
  }

  clear(): void {
    this.count = 0;
  }

  /** Rows `rows[start .. start + n)` each get `grad * scale`. */
  addShared(rows: ArrayLike<number>, start: number, n: number, grad: ArrayLike<number>, scale: number): void {
    const w = this.width;
    if (this.rows.length < this.count + n) {
      const cap = (this.count + n) * 2;
      const r = new Int32Array(cap);
      r.set(this.rows);
      this.rows = r;
      const v = new Float32Array(cap * w);
      v.set(this.values);
      this.values = v;
    }
    const rb = this.rows;
    const vb = this.values;
    let c = this.count;
    for (let k = 0; k < n; k++) {
      rb[c] = rows[start + k]!;
      const o = c * w;
      for (let b = 0; b < w; b++) vb[o + b] = grad[b]! * scale;
      c++;
    }
    this.count = c;
  }

  /** Give the gathered rows to `param` as its sparse gradient (repeated rows are summed there). */
  applyTo(param: Parameter): void {
    param.setSparseGrad(this.rows.subarray(0, this.count), this.values.subarray(0, this.count * this.width), this.count);
  }

  /** Add the gathered rows into a dense gradient table `d` (rows x width). */
  addTo(d: Float32Array): void {
    const w = this.width;
    for (let k = 0; k < this.count; k++) {
      const o = this.rows[k]! * w;
      for (let b = 0; b < w; b++) d[o + b] = d[o + b]! + this.values[k * w + b]!;
    }
  }

  /** Zero in `d` the rows gathered (undoing addTo after the step). */
  zeroIn(d: Float32Array): void {
    const w = this.width;
    for (let k = 0; k < this.count; k++) d.fill(0, this.rows[k]! * w, (this.rows[k]! + 1) * w);
  }
}
