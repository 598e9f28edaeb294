/**
 * The subwords operator's output: the original vectors (same words, same rows)
 * plus a fastText model whose character n-gram rows were learned from them, so
 * that a word outside the vocabulary gets a vector (`oov`): the mean of its n-gram
 * rows, as fastText computes it. Vocabulary words keep their own vectors exactly,
 * in the rows and in the model (each word's own row is set so that fastText's mean
 * of the word row and its n-gram rows gives the original vector).
 */
import { Embeddings } from '@wordloom/core';
import { IntList } from '../subword/dictionary.js';
import { EOS, wrapWord } from '../subword/hash.js';
import { averageRows } from '../subword/matrix.js';
import type { FastTextModel } from '../subword/model.js';

/** How the n-gram rows were learned (the subwords op). */
export interface SubwordsInfo {
  /** Distinct words in the model's dictionary. */
  words: number;
  /** Words the n-gram rows were learned from (the others were held out or have no n-gram). */
  trained: number;
  /** Words without any character n-gram (minn longer than <word>): their vector is their own row alone. */
  noNgrams: number;
  /** Distinct n-gram rows the training words use. */
  rowsUsed: number;
  /** Held-out words (hidden while learning), in vocabulary order, and the mean cosine between their predicted and true vectors. */
  heldOut: string[];
  heldOutCosine?: number;
  epochs: number;
  /** Mean loss of each epoch, as seen while learning. */
  losses: number[];
  loss: string;
  /** Whether the vectors' mean was taken out while learning and added to every n-gram row. */
  centered: boolean;
  optimizer: string;
  threads: number;
  seconds: number;
  /** Files written (the .bin). */
  files: string[];
}

export class SubwordVectors extends Embeddings {
  private scratch = new IntList(64);
  constructor(
    words: readonly string[],
    dim: number,
    data: Float32Array,
    /** fastText model: args (minn, maxn, bucket), a dictionary of the words, nwords + bucket input rows. */
    readonly model: FastTextModel,
    readonly info: SubwordsInfo,
  ) {
    super(words, dim, data);
  }

  /**
   * The vector of a word the rows do not hold: fastText's vector from the model (the
   * mean of the word's n-gram rows), or undefined when the word has no n-gram.
   */
  override oov(word: string): Float32Array | undefined {
    const r = this.model.wordVector(word);
    return r.rows > 0 ? r.vector : undefined;
  }

  /**
   * The mean of a word's character n-gram rows alone (without its own row, even for
   * a vocabulary word): what the model predicts for it as if it were unseen.
   * Undefined when the word has no n-gram.
   */
  ngramVector(word: string, out: Float32Array = new Float32Array(this.dim)): Float32Array | undefined {
    const rows = this.scratch;
    rows.clear();
    if (word === EOS) return undefined;
    this.model.dict.addCharNgramRows(wrapWord(word), rows);
    if (rows.length === 0) return undefined;
    return averageRows(this.model.input, rows.data, rows.length, out);
  }

  override head(n: number): SubwordVectors {
    const k = Math.min(n, this.words.length);
    return new SubwordVectors(this.words.slice(0, k), this.dim, this.data.subarray(0, k * this.dim), this.model, this.info);
  }
}
