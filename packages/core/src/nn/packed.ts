/**
 * A packed batch of variable-length sequences, as PyTorch's pack_sequence makes
 * one: the sequences sorted by length (longest first, ties in their given order),
 * then laid out time-major, so that step t holds the first batchSizes[t] sorted
 * sequences, those longer than t. A recurrent layer runs step t over a block of
 * contiguous rows, and a sequence's last state is left in place at its own length.
 *
 * Reading right to left (`reverse`) packs element len-1-t of each sequence at step
 * t: each sequence is read from its own end, not padded.
 *
 * One PackedBatch is reused from batch to batch (reset), so a training loop does
 * not allocate per step.
 */
import { WordloomError } from '../errors.js';
import { grow, growInt } from './util.js';

export class PackedBatch {
  /** Sequences in the batch. */
  size = 0;
  /** Longest length (steps of the recurrence). */
  steps = 0;
  /** Elements in all sequences: rows of the packed layout. */
  total = 0;
  reverse = false;
  /** Length of each sequence, in the caller's order. */
  lengths = new Int32Array(0);
  /** order[s]: the caller's index of the s-th longest sequence. */
  order = new Int32Array(0);
  /** rank[i]: the sorted position of the caller's sequence i. */
  rank = new Int32Array(0);
  /** batchSizes[t]: sequences longer than t (PyTorch's batch_sizes). */
  batchSizes = new Int32Array(0);
  /** offsets[t]: first packed row of step t (offsets[steps] = total). */
  offsets = new Int32Array(1);
  private keys = new Float64Array(0);

  /** A packed layout for sequences of these lengths. */
  static of(lengths: ArrayLike<number>, opts: { reverse?: boolean; maxLength?: number } = {}): PackedBatch {
    return new PackedBatch().reset(lengths, opts);
  }

  /** Lay out a new batch: every length must be a positive integer (at most maxLength when given). */
  reset(lengths: ArrayLike<number>, opts: { reverse?: boolean; maxLength?: number } = {}): this {
    const B = lengths.length;
    if (B === 0) throw new WordloomError('E_INPUT', 'a packed batch needs at least one sequence');
    const maxLength = opts.maxLength ?? Infinity;
    this.lengths = growInt(this.lengths, B);
    let steps = 0;
    let total = 0;
    for (let i = 0; i < B; i++) {
      const L = lengths[i]!;
      if (!Number.isInteger(L) || L < 1) {
        throw new WordloomError('E_INPUT', `sequence ${i} of the batch is ${L === 0 ? 'empty' : `of length ${L}`}`, {}, 'every sequence needs at least one element: drop empty ones (or give them a placeholder symbol) before batching');
      }
      if (L > maxLength) {
        throw new WordloomError('E_INPUT', `sequence ${i} of the batch has ${L} elements, more than the limit of ${maxLength}`, { param: 'max_length' }, 'raise the length limit or cut long sequences before batching');
      }
      this.lengths[i] = L;
      if (L > steps) steps = L;
      total += L;
    }
    this.size = B;
    this.steps = steps;
    this.total = total;
    this.reverse = opts.reverse ?? false;
    // sort by length, longest first, stable: key (steps - L) * B + i, exact in a double for any real batch
    if (this.keys.length < B) this.keys = new Float64Array(B * 2);
    const keys = this.keys.subarray(0, B);
    for (let i = 0; i < B; i++) keys[i] = (steps - this.lengths[i]!) * B + i;
    keys.sort();
    this.order = growInt(this.order, B);
    this.rank = growInt(this.rank, B);
    for (let s = 0; s < B; s++) {
      const i = keys[s]! % B;
      this.order[s] = i;
      this.rank[i] = s;
    }
    this.batchSizes = growInt(this.batchSizes, steps);
    this.offsets = growInt(this.offsets, steps + 1);
    let s = B;
    let off = 0;
    for (let t = 0; t < steps; t++) {
      while (s > 0 && this.lengths[this.order[s - 1]!]! <= t) s--;
      this.batchSizes[t] = s;
      this.offsets[t] = off;
      off += s;
    }
    this.offsets[steps] = off;
    return this;
  }

  /** The packed row of element `pos` of the caller's sequence i. */
  row(i: number, pos: number): number {
    const L = this.lengths[i]!;
    const t = this.reverse ? L - 1 - pos : pos;
    return this.offsets[t]! + this.rank[i]!;
  }

  /** Ids of the sequences in packed order (into `out`, grown as needed; returns the first `total`). */
  packIds(seqs: ArrayLike<ArrayLike<number>>, out: Int32Array = new Int32Array(0)): Int32Array {
    const o = growInt(out, this.total);
    this.checkCount(seqs.length);
    for (let i = 0; i < this.size; i++) {
      const q = seqs[i]!;
      this.checkLength(i, q.length);
      for (let p = 0; p < q.length; p++) o[this.row(i, p)] = q[p]!;
    }
    return o.subarray(0, this.total);
  }

  /** Vectors of `width` values per element (sequence i: lengths[i] x width, row-major) in packed order. */
  packVectors(seqs: ArrayLike<Float32Array>, width: number, out: Float32Array = new Float32Array(0)): Float32Array {
    const o = grow(out, this.total * width);
    this.checkCount(seqs.length);
    for (let i = 0; i < this.size; i++) {
      const q = seqs[i]!;
      if (q.length !== this.lengths[i]! * width) {
        throw new WordloomError('E_INPUT', `sequence ${i} has ${q.length} values, not a whole number of vectors of ${width} (expected ${this.lengths[i]! * width})`);
      }
      for (let p = 0; p < this.lengths[i]!; p++) o.set(q.subarray(p * width, (p + 1) * width), this.row(i, p) * width);
    }
    return o.subarray(0, this.total * width);
  }

  /** Packed rows back to one array per sequence, in the caller's order and each sequence's own element order. */
  unpackVectors(packed: Float32Array, width: number): Float32Array[] {
    const out: Float32Array[] = [];
    for (let i = 0; i < this.size; i++) {
      const L = this.lengths[i]!;
      const q = new Float32Array(L * width);
      for (let p = 0; p < L; p++) {
        const r = this.row(i, p) * width;
        q.set(packed.subarray(r, r + width), p * width);
      }
      out.push(q);
    }
    return out;
  }

  private checkCount(n: number): void {
    if (n !== this.size) throw new WordloomError('E_STATE', `the batch was laid out for ${this.size} sequences, got ${n}`);
  }
  private checkLength(i: number, n: number): void {
    if (n !== this.lengths[i]) throw new WordloomError('E_STATE', `sequence ${i} has ${n} elements; the batch was laid out for ${this.lengths[i]}`);
  }
}
