import { WordloomError } from './errors.js';

/**
 * A vocabulary: words by rank (0 = most frequent) with their counts, ordered as
 * GloVe's vocab_count orders them: count descending, ties by byte-wise comparison
 * of the UTF-8 encoded words.
 */
export class Vocab {
  readonly words: readonly string[];
  readonly counts: Float64Array;
  private readonly index: Map<string, number>;

  constructor(words: readonly string[], counts: ArrayLike<number>) {
    if (words.length !== counts.length) {
      throw new WordloomError('E_INTERNAL', `Vocab: ${words.length} words but ${counts.length} counts`);
    }
    this.words = words;
    this.counts = Float64Array.from(counts);
    this.index = new Map();
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (this.index.has(w)) throw new WordloomError('E_INPUT', `the word appears twice in the vocabulary (ranks ${this.index.get(w)! + 1} and ${i + 1})`, { word: w }, 'a vocabulary lists each word once');
      this.index.set(w, i);
    }
  }

  get size(): number {
    return this.words.length;
  }

  /** 0-based rank of a word, or -1 when it is not in the vocabulary. */
  id(word: string): number {
    const r = this.index.get(word);
    return r === undefined ? -1 : r;
  }

  has(word: string): boolean {
    return this.index.has(word);
  }

  word(rank: number): string {
    const w = this.words[rank];
    if (w === undefined) throw new RangeError(`rank ${rank} outside vocabulary of ${this.words.length}`);
    return w;
  }

  /** Total number of tokens counted. */
  totalCount(): number {
    let s = 0;
    for (let i = 0; i < this.counts.length; i++) s += this.counts[i]!;
    return s;
  }

  /**
   * Build a vocabulary from (word, count) candidates: drop words under minCount,
   * order by GloVe's rule, keep at most maxSize (0 = no limit).
   */
  static fromCounts(words: readonly string[], counts: ArrayLike<number>, minCount = 1, maxSize = 0): Vocab {
    const idx: number[] = [];
    for (let i = 0; i < words.length; i++) if (counts[i]! >= minCount && counts[i]! > 0) idx.push(i);
    const enc = new TextEncoder();
    const bytes: (Uint8Array | undefined)[] = new Array(words.length);
    const keyOf = (i: number): Uint8Array => (bytes[i] ??= enc.encode(words[i]!));
    idx.sort((a, b) => {
      const d = counts[b]! - counts[a]!;
      if (d !== 0) return d;
      return compareBytes(keyOf(a), keyOf(b));
    });
    const keep = maxSize > 0 ? idx.slice(0, maxSize) : idx;
    return new Vocab(
      keep.map((i) => words[i]!),
      keep.map((i) => counts[i]!),
    );
  }
}

/** Byte-wise comparison (as C's strcmp on UTF-8). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
