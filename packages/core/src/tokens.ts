/**
 * A tokenized corpus travels as chunks of Int32 token ids. The value DOC_END (-1)
 * marks the end of a document (a line, in GloVe's reading of text): no context
 * window crosses it. Chunks always end at a document boundary, so that chunks can
 * be counted independently.
 */
export const DOC_END = -1;

export interface TokenChunk {
  /** Token ids and DOC_END markers. */
  readonly ids: Int32Array;
  /** Number of tokens (ids that are not DOC_END). */
  readonly tokens: number;
  /** Bytes of source text this chunk covers (for progress). */
  readonly bytes: number;
}

/** FNV-1a over UTF-16 code units: the hash the Dictionary uses (tokenizers compute it while scanning). */
export const FNV_OFFSET = 0x811c9dc5;
export function fnvStep(h: number, code: number): number {
  return Math.imul(h ^ code, 0x01000193);
}
export function hashString(s: string, start = 0, end = s.length): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * The string <-> id table a tokenizer fills as it reads. Ids are dense, in order of
 * first appearance; they are not vocabulary ranks (the vocab operator maps them).
 * An open-addressing table over Int32Array finds a word given as a range of a larger
 * string and its hash, so the hot path allocates no string for words already seen.
 */
export class Dictionary {
  readonly words: string[] = [];
  private slots = new Int32Array(1 << 12); // id + 1, 0 = empty
  private hashes = new Uint32Array(1 << 10);

  get size(): number {
    return this.words.length;
  }

  /** The id of a word, adding it if new. */
  intern(word: string): number {
    return this.internRange(word, 0, word.length, hashString(word));
  }

  /**
   * The id of text[start, end), adding it if new; `hash` must be
   * hashString(text, start, end).
   */
  internRange(text: string, start: number, end: number, hash: number): number {
    const len = end - start;
    const mask = this.slots.length - 1;
    let i = hash & mask;
    for (;;) {
      const v = this.slots[i]!;
      if (v === 0) break;
      const id = v - 1;
      if (this.hashes[id] === hash >>> 0) {
        const w = this.words[id]!;
        if (w.length === len && text.startsWith(w, start)) return id;
      }
      i = (i + 1) & mask;
    }
    const id = this.words.length;
    this.words.push(start === 0 && end === text.length ? text : text.slice(start, end));
    if (id >= this.hashes.length) {
      const h = new Uint32Array(this.hashes.length * 2);
      h.set(this.hashes);
      this.hashes = h;
    }
    this.hashes[id] = hash >>> 0;
    this.slots[i] = id + 1;
    if (2 * (id + 1) > this.slots.length) this.grow();
    return id;
  }

  /** The id of a word, or -1. */
  get(word: string): number {
    const hash = hashString(word);
    const mask = this.slots.length - 1;
    let i = hash & mask;
    for (;;) {
      const v = this.slots[i]!;
      if (v === 0) return -1;
      if (this.hashes[v - 1] === hash >>> 0 && this.words[v - 1] === word) return v - 1;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.words.length; id++) {
      let i = this.hashes[id]! & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
    this.slots = slots;
  }
}
