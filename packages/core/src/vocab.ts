import { WordloomError } from './errors.js';

/**
 * A vocabulary: words by rank (0 = most frequent) with their counts, ordered as
 * GloVe's vocab_count orders them: count descending, ties by GloVe's comparison of
 * the UTF-8 words as signed C chars ({@link compareGlove}).
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
   * order them, keep at most maxSize (0 = no limit).
   *
   * order 'glove' (the default) reproduces GloVe's vocab_count exactly: count
   * descending, ties by {@link compareGlove}; with maxSize, the words kept among
   * those tied on count at the cut are the ones vocab_count's hash table yields
   * first (see {@link gloveHashOrder}), which needs `lastSeen` (the position of each
   * word's last occurrence in the token stream; without it, words of one hash bucket
   * are taken in index order). order 'bytes' breaks ties by unsigned byte order
   * ({@link compareBytes}) and cuts the list sorted that way.
   */
  static fromCounts(words: readonly string[], counts: ArrayLike<number>, minCount = 1, maxSize = 0, options: VocabOrderOptions = {}): Vocab {
    const order = options.order ?? 'glove';
    const lastSeen = options.lastSeen;
    if (lastSeen !== undefined && lastSeen.length < words.length) {
      throw new WordloomError('E_INTERNAL', `Vocab.fromCounts: ${words.length} words but ${lastSeen.length} last-seen positions`);
    }
    let idx: number[] = [];
    for (let i = 0; i < words.length; i++) if (counts[i]! >= minCount && counts[i]! > 0) idx.push(i);
    const enc = new TextEncoder();
    const bytes: (Uint8Array | undefined)[] = new Array(words.length);
    const keyOf = (i: number): Uint8Array => (bytes[i] ??= enc.encode(words[i]!));
    const tie = order === 'bytes' ? compareBytes : compareGlove;
    const byCountThenTie = (a: number, b: number): number => {
      const d = counts[b]! - counts[a]!;
      if (d !== 0) return d;
      return tie(keyOf(a), keyOf(b));
    };
    if (order === 'glove' && maxSize > 0 && idx.length > maxSize) {
      // vocab_count: a stable sort by count alone of the words in hash-table order,
      // truncation, then the sort with the tie-break. Only the words tied on count at
      // the cut depend on the hash order.
      idx.sort((a, b) => counts[b]! - counts[a]!);
      const cutCount = counts[idx[maxSize - 1]!]!;
      if (counts[idx[maxSize]!]! === cutCount) {
        let lo = maxSize - 1;
        while (lo > 0 && counts[idx[lo - 1]!]! === cutCount) lo--;
        let hi = maxSize;
        while (hi < idx.length && counts[idx[hi]!]! === cutCount) hi++;
        const group = idx.slice(lo, hi);
        const inHashOrder = gloveHashOrder(group.map(keyOf), group.map((i) => counts[i]!), lastSeen ? group.map((i) => lastSeen[i]!) : undefined);
        idx = idx.slice(0, lo).concat(inHashOrder.slice(0, maxSize - lo).map((k) => group[k]!));
      } else {
        idx.length = maxSize;
      }
      idx.sort(byCountThenTie);
    } else {
      idx.sort(byCountThenTie);
      if (maxSize > 0 && idx.length > maxSize) idx.length = maxSize;
    }
    return new Vocab(
      idx.map((i) => words[i]!),
      idx.map((i) => counts[i]!),
    );
  }
}

export interface VocabOrderOptions {
  /** 'glove' (default): exactly GloVe vocab_count's order; 'bytes': ties by unsigned byte order. */
  order?: 'glove' | 'bytes';
  /** Per word, the position (any increasing token index) of its last occurrence in the corpus. */
  lastSeen?: ArrayLike<number>;
}

/** Byte-wise comparison (unsigned bytes, as memcmp on UTF-8; a prefix sorts first). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * GloVe's word comparison (scmp in its common.c): the words as C `char` strings,
 * and `char` is signed on x86-64, so a byte >= 0x80 counts as negative. Bytes of
 * non-ASCII UTF-8 characters therefore sort before ASCII, and a word sorts after
 * its extensions by such bytes ("aé" < "a" < "ab"), the string end counting as 0.
 */
export function compareGlove(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; ; i++) {
    const ca = i < a.length ? (a[i]! << 24) >> 24 : 0;
    const cb = i < b.length ? (b[i]! << 24) >> 24 : 0;
    if (ca === 0 || ca !== cb) return ca - cb;
  }
}

/** Number of buckets in GloVe's hash table (TSIZE). */
export const GLOVE_HASH_SIZE = 1048576;

/**
 * GloVe's bucket for a word (bitwisehash in its common.c, seed 1159241): per byte,
 * as a signed char, h ^= (h << 5) + c + (h >> 2) in 32-bit unsigned arithmetic;
 * bucket = (h & 0x7fffffff) % TSIZE.
 */
export function gloveHash(word: Uint8Array): number {
  let h = 1159241;
  for (let i = 0; i < word.length; i++) {
    const c = (word[i]! << 24) >> 24;
    h = (h ^ (((h << 5) + c + (h >>> 2)) >>> 0)) >>> 0;
  }
  return (h & 0x7fffffff) % GLOVE_HASH_SIZE;
}

/**
 * The order in which GloVe's vocab_count reads words out of its hash table:
 * buckets in index order; within a bucket, its move-to-front chain. A new word is
 * appended to its chain and a word seen again moves to the front, so a chain ends
 * up as the words seen more than once (last occurrence latest first), then the
 * words seen once (in corpus order). Returns indices into the given arrays.
 * Without lastSeen, words of one bucket keep their given order.
 */
export function gloveHashOrder(words: readonly Uint8Array[], counts: ArrayLike<number>, lastSeen?: ArrayLike<number>): number[] {
  const bucket = words.map(gloveHash);
  const order = words.map((_, i) => i);
  order.sort((a, b) => {
    const d = bucket[a]! - bucket[b]!;
    if (d !== 0) return d;
    if (lastSeen === undefined) return a - b;
    const ra = counts[a]! > 1 ? 0 : 1;
    const rb = counts[b]! > 1 ? 0 : 1;
    if (ra !== rb) return ra - rb;
    return ra === 0 ? lastSeen[b]! - lastSeen[a]! : lastSeen[a]! - lastSeen[b]!;
  });
  return order;
}
