/**
 * A fastText model in memory: args, dictionary, input and output matrices, and word
 * vectors computed as fastText computes them.
 */
import type { FastTextArgs } from './args.js';
import { FastTextDictionary, IntList } from './dictionary.js';
import { averageRows, FileDenseMatrix, type Matrix } from './matrix.js';
import { QuantMatrix } from './quant-matrix.js';
import type { ByteSource } from './source.js';
import type { ModelLayout } from './reader.js';

export interface FastTextModelInit {
  name: string;
  /** File version: 11 or 12; 0 for the oldest format (no magic). */
  version: number;
  args: FastTextArgs;
  dict: FastTextDictionary;
  input: Matrix;
  output?: Matrix;
  quantInput: boolean;
  layout?: ModelLayout;
  /** The open file of a lazily read model. */
  source?: ByteSource;
  /**
   * Whether the input matrix holds the words' own rows (default true). A subword
   * model written without them has only n-gram rows: every word's vector is then
   * the mean of its n-gram rows.
   */
  wordRows?: boolean;
  /** The file format: a fastText .bin/.ftz, or wordloom's compact subword model (compact.ts). Default 'fasttext'. */
  format?: 'fasttext' | 'subword';
}

/** A word's vector and how it was made. */
export interface WordVector {
  vector: Float32Array;
  /** The word's entry id, -1 when it is not in the vocabulary. */
  id: number;
  /** Rows averaged (the word's own row and its n-gram rows); 0 means the zero vector: the model knows nothing of the word. */
  rows: number;
}

export class FastTextModel {
  readonly name: string;
  readonly version: number;
  readonly args: FastTextArgs;
  readonly dict: FastTextDictionary;
  readonly input: Matrix;
  readonly output?: Matrix;
  readonly quantInput: boolean;
  readonly layout?: ModelLayout;
  /** Whether the input matrix holds the words' own rows (false for a subword model written without them). */
  readonly wordRows: boolean;
  readonly format: 'fasttext' | 'subword';
  private source?: ByteSource;
  private scratch = new IntList(64);

  constructor(init: FastTextModelInit) {
    this.name = init.name;
    this.version = init.version;
    this.args = init.args;
    this.dict = init.dict;
    this.input = init.input;
    this.output = init.output;
    this.quantInput = init.quantInput;
    this.layout = init.layout;
    this.source = init.source;
    this.wordRows = init.wordRows ?? true;
    this.format = init.format ?? 'fasttext';
  }

  get dim(): number {
    return this.args.dim;
  }
  get supervised(): boolean {
    return this.args.model === 'supervised';
  }
  /** Whether the output matrix is product-quantized. */
  get quantOutput(): boolean {
    return this.output instanceof QuantMatrix;
  }
  /** Whether some matrix is read from the file on demand (close() releases it). */
  get lazy(): boolean {
    return this.input instanceof FileDenseMatrix || this.output instanceof FileDenseMatrix;
  }
  /** Whether words outside the vocabulary can get vectors (the model has character n-grams). */
  get hasSubwords(): boolean {
    return this.args.maxn > 0 && this.dict.inputRows > this.dict.nwords;
  }

  /**
   * A word's vector as fastText's getWordVector computes it: the mean of its own row
   * (vocabulary words) and its n-gram rows. `rows` 0 means no row knows the word:
   * the vector is zero.
   */
  wordVector(word: string, out: Float32Array = new Float32Array(this.dim)): WordVector {
    const rows = this.scratch;
    const id = this.dict.subwordRows(word, rows);
    const skip = id >= 0 && !this.wordRows ? 1 : 0;
    averageRows(this.input, skip ? rows.data.subarray(1) : rows.data, rows.length - skip, out);
    return { vector: out, id, rows: rows.length - skip };
  }

  /** The vector of dictionary entry i (word i). */
  entryVector(i: number, out: Float32Array = new Float32Array(this.dim)): Float32Array {
    const rows = this.scratch;
    this.dict.entryRows(i, rows);
    if (!this.wordRows) return averageRows(this.input, rows.data.subarray(1), rows.length - 1, out);
    return averageRows(this.input, rows.data, rows.length, out);
  }

  /** Input row r (a word's own row or an n-gram row), decoded. */
  inputRow(r: number, out: Float32Array = new Float32Array(this.dim)): Float32Array {
    return this.input.row(r, out);
  }

  /** Release the file of a lazily read model. */
  close(): void {
    this.source?.close();
    this.source = undefined;
  }
}
