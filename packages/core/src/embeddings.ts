import { WordloomError } from './errors.js';

/**
 * Word vectors: one row of `dim` float32 values per word, row-major, usually over
 * shared memory. `words[i]` names row i.
 */
export class Embeddings {
  readonly words: readonly string[];
  readonly dim: number;
  readonly data: Float32Array;
  private indexCache?: Map<string, number>;
  /**
   * Optional: a vector for a word the rows do not hold (e.g. from the character
   * n-grams of a fastText model), or undefined when none can be made.
   */
  oov?(word: string): Float32Array | undefined;

  constructor(words: readonly string[], dim: number, data: Float32Array) {
    if (!Number.isInteger(dim) || dim <= 0) throw new WordloomError('E_PARAM', `vector dimension must be a positive integer, got ${dim}`, { param: 'dim' });
    if (data.length !== words.length * dim) {
      throw new WordloomError('E_INTERNAL', `Embeddings: ${words.length} words x ${dim} dims needs ${words.length * dim} values, got ${data.length}`);
    }
    this.words = words;
    this.dim = dim;
    this.data = data;
  }

  get size(): number {
    return this.words.length;
  }

  /** Row index of a word, or -1. The first occurrence wins if a word repeats. */
  id(word: string): number {
    if (!this.indexCache) {
      const m = new Map<string, number>();
      for (let i = 0; i < this.words.length; i++) if (!m.has(this.words[i]!)) m.set(this.words[i]!, i);
      this.indexCache = m;
    }
    const r = this.indexCache.get(word);
    return r === undefined ? -1 : r;
  }

  /** A view of row i (no copy). */
  row(i: number): Float32Array {
    return this.data.subarray(i * this.dim, (i + 1) * this.dim);
  }

  vector(word: string): Float32Array | undefined {
    const i = this.id(word);
    return i < 0 ? undefined : this.row(i);
  }

  /** A copy with every row scaled to unit L2 norm (zero rows stay zero). */
  normalized(): Embeddings {
    const out = new Float32Array(this.data.length);
    const d = this.dim;
    for (let i = 0; i < this.words.length; i++) {
      let s = 0;
      const o = i * d;
      for (let j = 0; j < d; j++) s += this.data[o + j]! * this.data[o + j]!;
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let j = 0; j < d; j++) out[o + j] = this.data[o + j]! * inv;
    }
    const e = new Embeddings(this.words, d, out);
    e.indexCache = this.indexCache;
    return e;
  }

  /** The first n rows (e.g. the n most frequent words of a frequency-sorted file). */
  head(n: number): Embeddings {
    const k = Math.min(n, this.words.length);
    return new Embeddings(this.words.slice(0, k), this.dim, this.data.subarray(0, k * this.dim));
  }
}
