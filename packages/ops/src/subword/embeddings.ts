/**
 * A fastText model as a vectors artifact: the vectors of its vocabulary words (as
 * fastText computes them: each word's row averaged with its n-gram rows), and, for
 * a word outside the vocabulary, a vector from its character n-grams (`oov`).
 * knn, knn-graph, evaluate and the clustering ops take it like any Embeddings.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { Embeddings, sharedFloat32 } from '@wordloom/core';
import { readVectors, type ReadVectorsOptions } from '../io/vectors.js';
import { FASTTEXT_MAGIC, lossName, modelName } from './args.js';
import type { FastTextModel } from './model.js';
import { loadFastTextModel, readFastTextModel } from './reader.js';
import type { OkVocab } from '../evaluate/vocab.js';

export class SubwordEmbeddings extends Embeddings {
  readonly model: FastTextModel;

  constructor(words: readonly string[], dim: number, data: Float32Array, model: FastTextModel) {
    super(words, dim, data);
    this.model = model;
  }

  /**
   * The vectors of the model's first `limit` words (all words by default; labels
   * are not words), in the model's order (fastText sorts by count, most frequent first).
   */
  static fromModel(model: FastTextModel, opts: { limit?: number } = {}): SubwordEmbeddings {
    const n = Math.min(model.dict.nwords, opts.limit ?? Infinity);
    const dim = model.dim;
    const data = sharedFloat32(n * dim);
    const words: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      words[i] = model.dict.word(i);
      model.entryVector(i, data.subarray(i * dim, (i + 1) * dim));
    }
    return new SubwordEmbeddings(words, dim, data, model);
  }

  /**
   * The vector of a word the rows do not hold, from the model (its character
   * n-grams; the exact vector for a vocabulary word beyond a limit), or undefined
   * when no row of the model knows the word.
   */
  override oov(word: string): Float32Array | undefined {
    const r = this.model.wordVector(word);
    return r.rows > 0 ? r.vector : undefined;
  }

  override head(n: number): SubwordEmbeddings {
    const k = Math.min(n, this.words.length);
    return new SubwordEmbeddings(this.words.slice(0, k), this.dim, this.data.subarray(0, k * this.dim), this.model);
  }
}

/**
 * Whether a file is a fastText model: 'current' when it starts with the fastText
 * magic number, 'oldest' when its first 56 bytes read as the args of a model from
 * before the magic number (dim, ws, ... loss and model codes in range), else undefined.
 */
export function detectFastTextModel(file: string): 'current' | 'oldest' | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const b = Buffer.alloc(56);
    let n = 0;
    try {
      n = readSync(fd, b, 0, 56, 0);
    } catch {
      return undefined; // a directory, an unreadable file: the caller's reader reports it
    }
    if (n >= 4 && b.readInt32LE(0) === FASTTEXT_MAGIC) return 'current';
    if (n < 56) return undefined;
    const i = (k: number) => b.readInt32LE(4 * k);
    const ok = i(0) >= 1 && i(0) <= 100000 && i(1) >= 1 && i(1) <= 1000 && i(2) >= 0 && i(2) <= 100000 && i(3) >= 0 && i(4) >= 0 && i(4) <= 1000
      && i(5) >= 0 && i(5) <= 1000 && lossName(i(6)) !== undefined && modelName(i(7)) !== undefined && i(8) >= 0 && i(9) >= 0 && i(9) <= 1000 && i(10) >= 0 && i(10) <= 1000;
    return ok ? 'oldest' : undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Word vectors from a file: a fastText model (.bin/.ftz, recognised by its
 * contents) as SubwordEmbeddings, any other file through readVectors (GloVe,
 * word2vec, .vec).
 */
export async function loadVectors(file: string, opts: ReadVectorsOptions & { lazy?: boolean } = {}): Promise<Embeddings> {
  if (detectFastTextModel(file)) {
    const model = opts.lazy ? readFastTextModel(file, { output: false, lazy: true }) : await loadFastTextModel(file, { output: false });
    return SubwordEmbeddings.fromModel(model, { limit: opts.limit });
  }
  return readVectors(file, opts);
}

/**
 * `vectors` with rows appended for those of `words` it does not hold but can make
 * (oov); rows[i] is each word's row in the result, -1 for a word neither holds nor
 * makes. The original rows keep their places, so candidates limited to the first
 * N rows stay the same.
 */
export function withOovRows(vectors: Embeddings, words: readonly string[], id: (w: string) => number = (w) => vectors.id(w)): { vectors: Embeddings; rows: Int32Array; added: string[] } {
  const rows = new Int32Array(words.length);
  const extra: { word: string; v: Float32Array }[] = [];
  const seen = new Map<string, number>();
  words.forEach((w, i) => {
    const r = id(w);
    if (r >= 0) return void (rows[i] = r);
    const s = seen.get(w);
    if (s !== undefined) return void (rows[i] = s);
    const v = vectors.oov?.(w);
    if (!v) return void (rows[i] = -1);
    const row = vectors.size + extra.length;
    extra.push({ word: w, v: Float32Array.from(v) });
    seen.set(w, row);
    rows[i] = row;
  });
  if (extra.length === 0) return { vectors, rows, added: [] };
  const d = vectors.dim;
  const data = sharedFloat32((vectors.size + extra.length) * d);
  data.set(vectors.data.subarray(0, vectors.size * d));
  extra.forEach((e, k) => data.set(e.v, (vectors.size + k) * d));
  const words2 = [...vectors.words, ...extra.map((e) => e.word)];
  return { vectors: new Embeddings(words2, d, data), rows, added: extra.map((e) => e.word) };
}

/**
 * For evaluation with subword vectors: `vectors` and `vocab` extended with a row
 * for each of `words` whose key the vocabulary lacks but whose vector the vectors
 * can make (oov). The candidate rows (vocab.rows) stay the same: only questions
 * and pairs gain words.
 */
export function withOovVocab(vectors: Embeddings, vocab: OkVocab, words: Iterable<string>): { vectors: Embeddings; vocab: OkVocab; added: number } {
  if (!vectors.oov) return { vectors, vocab, added: 0 };
  const want: string[] = [];
  const keys = new Set<string>();
  for (const w of words) {
    const k = vocab.key(w);
    if (vocab.index.has(k) || keys.has(k)) continue;
    keys.add(k);
    want.push(w);
  }
  const ext = withOovRows(vectors, want, () => -1);
  if (ext.added.length === 0) return { vectors, vocab, added: 0 };
  const index = new Map(vocab.index);
  want.forEach((w, i) => {
    if (ext.rows[i]! >= 0) index.set(vocab.key(w), ext.rows[i]!);
  });
  return { vectors: ext.vectors, vocab: { ...vocab, index }, added: ext.added.length };
}

/** The words of analogy files (": section" lines skipped) and word-pair files (first two tab-separated fields; "#" comments skipped). */
export function evaluationWords(analogyTexts: readonly string[], pairTexts: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of analogyTexts) {
    for (const line of t.split(/\r?\n/)) {
      if (line.startsWith(':')) continue;
      for (const w of line.split(/\s+/)) if (w) out.push(w);
    }
  }
  for (const t of pairTexts) {
    for (const line of t.split(/\r?\n/)) {
      if (line.startsWith('#')) continue;
      const parts = line.split('\t');
      if (parts.length >= 3) out.push(parts[0]!, parts[1]!);
    }
  }
  return out;
}
