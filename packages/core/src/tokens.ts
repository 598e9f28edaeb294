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

/**
 * The string <-> id table a tokenizer fills as it reads. Ids are dense, in order of
 * first appearance; they are not vocabulary ranks (the vocab operator maps them).
 */
export class Dictionary {
  private readonly map = new Map<string, number>();
  readonly words: string[] = [];

  get size(): number {
    return this.words.length;
  }

  /** The id of a word, adding it if new. */
  intern(word: string): number {
    let id = this.map.get(word);
    if (id === undefined) {
      id = this.words.length;
      this.map.set(word, id);
      this.words.push(word);
    }
    return id;
  }

  get(word: string): number {
    const id = this.map.get(word);
    return id === undefined ? -1 : id;
  }
}
