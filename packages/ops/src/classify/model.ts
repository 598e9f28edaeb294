/**
 * The classifier: fastText's supervised model. An example is the mean of the
 * input rows of its words and hashed word n-grams; a linear layer gives one score
 * per label; softmax. Input rows: the words (vocabulary order), then `bucket` rows
 * that word n-grams hash into. Text means what it means to fastText: each example
 * ends with the `</s>` token fastText reads for the newline, words are hashed with
 * fastText's FNV-1a over their UTF-8 bytes, and word n-grams combine the hashes with
 * its 64-bit rule (h = h * 116049371 + hash, mod bucket) — the subword module's
 * hash, so a bucket here is the same bucket in a fastText supervised model.
 *
 * File format (little-endian), written atomically:
 *   bytes 0-7    "WLCLSF02" (WLCLSF01 files hashed n-grams differently; they are refused)
 *   bytes 8-11   uint32 H, length of the header
 *   H bytes      UTF-8 JSON: { dim, word_ngrams, bucket, label_prefix, labels: [...], words: [...] }
 *   zero padding to a multiple of 4 bytes
 *   float32 input matrix, (words + bucket) x dim, row-major
 *   float32 output matrix, labels x dim, row-major
 */
import { readFile } from 'node:fs/promises';
import { WordloomError, sharedFloat32, sharedInt32 } from '@wordloom/core';
import { writeAtomic } from '../io/atomic.js';
import { EOS, hashString, mod64, wordNgramStart, wordNgramStep } from '../subword/hash.js';
import { defaultArgs, FASTTEXT_MAGIC } from '../subword/args.js';
import { readFastTextModelBytes } from '../subword/reader.js';
import { FastTextDictionary } from '../subword/dictionary.js';
import { DenseMatrix } from '../subword/matrix.js';
import type { FastTextModel } from '../subword/model.js';
import { writeFastTextModel, type FastTextParts } from '../subword/writer.js';
import { MODEL_MAGIC } from './magic.js';

export { MODEL_MAGIC };
const OLD_MAGIC = 'WLCLSF01';

export interface Prediction {
  label: string;
  probability: number;
}

/** A word's hash as fastText computes it (FNV-1a over UTF-8, bytes sign-extended). */
export const wordHash = hashString;

export interface ModelShape {
  words: readonly string[];
  labels: readonly string[];
  dim: number;
  wordNgrams: number;
  bucket: number;
  labelPrefix: string;
}

export class ClassifierModel implements ModelShape {
  readonly wordIndex: Map<string, number>;
  readonly labelIndex: Map<string, number>;
  constructor(
    readonly words: readonly string[],
    readonly labels: readonly string[],
    readonly dim: number,
    readonly wordNgrams: number,
    readonly bucket: number,
    readonly labelPrefix: string,
    /** (words + bucket) x dim, shared. */
    readonly input: Float32Array = sharedFloat32((words.length + bucket) * dim),
    /** labels x dim, shared. */
    readonly output: Float32Array = sharedFloat32(labels.length * dim),
  ) {
    this.wordIndex = new Map(words.map((w, i) => [w, i]));
    this.labelIndex = new Map(labels.map((l, i) => [l, i]));
    if (input.length !== (words.length + bucket) * dim || output.length !== labels.length * dim) {
      throw new WordloomError('E_INPUT', 'classifier matrices do not match its words, labels, bucket and dim');
    }
  }

  private hashes?: Int32Array;
  /** fastText's hash of each vocabulary word (computed once). */
  private vocabHashes(): Int32Array {
    if (!this.hashes) {
      this.hashes = new Int32Array(this.words.length);
      for (let i = 0; i < this.words.length; i++) this.hashes[i] = hashString(this.words[i]!);
    }
    return this.hashes;
  }

  get inputRows(): number {
    return this.words.length + this.bucket;
  }

  /**
   * Input rows of a tokenized text (a line without its labels) as fastText's getLine
   * makes them: its known words and the `</s>` that ends the line, then the word
   * n-grams (2..word_ngrams words, `</s>` included) hashed into bucket rows.
   */
  encode(tokens: readonly string[], out: number[] = []): number[] {
    const V = this.words.length;
    const n = tokens.length + 1;
    const ngrams = this.wordNgrams > 1 && this.bucket > 0;
    const hashes = ngrams ? new Int32Array(n) : undefined;
    const known = ngrams ? this.vocabHashes() : undefined;
    for (let k = 0; k < n; k++) {
      const t = k < tokens.length ? tokens[k]! : EOS;
      const i = this.wordIndex.get(t);
      if (i !== undefined) out.push(i);
      if (hashes) hashes[k] = i !== undefined ? known![i]! : hashString(t);
    }
    if (hashes) {
      const st = new Float64Array(2);
      for (let i = 0; i < n; i++) {
        wordNgramStart(st, hashes[i]!);
        for (let j = i + 1; j < n && j < i + this.wordNgrams; j++) {
          wordNgramStep(st, hashes[j]!);
          out.push(V + mod64(st[0]!, st[1]!, this.bucket));
        }
      }
    }
    return out;
  }


  /** Label probabilities (softmax) for input rows; null when there are none. */
  probabilities(rows: ArrayLike<number>): Float64Array | null {
    const n = rows.length;
    if (n === 0) return null;
    const { dim, input, output } = this;
    const h = new Float64Array(dim);
    for (let k = 0; k < n; k++) {
      const o = rows[k]! * dim;
      for (let b = 0; b < dim; b++) h[b] += input[o + b]!;
    }
    for (let b = 0; b < dim; b++) h[b] /= n;
    const L = this.labels.length;
    const p = new Float64Array(L);
    let max = -Infinity;
    for (let j = 0; j < L; j++) {
      let s = 0;
      for (let b = 0; b < dim; b++) s += output[j * dim + b]! * h[b]!;
      p[j] = s;
      if (s > max) max = s;
    }
    let z = 0;
    for (let j = 0; j < L; j++) z += p[j] = Math.exp(p[j]! - max);
    for (let j = 0; j < L; j++) p[j]! /= z;
    return p;
  }

  /** The k most probable labels of a text (a string split on whitespace, or tokens), best first. */
  predict(text: string | readonly string[], k = 1, threshold = 0): Prediction[] {
    const toks = typeof text === 'string' ? text.split(/[ \t\n\v\f\r\0]+/).filter((t) => t && !t.startsWith(this.labelPrefix)) : text;
    const p = this.probabilities(this.encode(toks));
    if (!p) return [];
    if (p.some((x) => Number.isNaN(x))) {
      throw new WordloomError('E_INPUT', 'the classifier gives NaN probabilities: its weights hold NaN or infinite values', {}, 'train the model again (a lower lr if training diverged)');
    }
    return topK(p, k)
      .filter((j) => p[j]! >= threshold)
      .map((j) => ({ label: this.labels[j]!, probability: p[j]! }));
  }

  /**
   * The classifier as a fastText supervised model (softmax, no character n-grams):
   * the same rows and buckets, so fastText predicts with it what this model predicts.
   * Word counts are not kept by the classifier: each entry gets count 1.
   */
  toFastText(): FastTextParts {
    const args = defaultArgs({
      dim: this.dim, model: 'supervised', loss: 'softmax', wordNgrams: this.wordNgrams, bucket: this.bucket,
      minn: 0, maxn: 0, minCount: 1, epoch: 5, t: 1e-4, label: this.labelPrefix,
    });
    const entries = [...this.words, ...this.labels.map((l) => this.labelPrefix + l)];
    const dict = FastTextDictionary.fromEntries(entries, new Float64Array(entries.length).fill(1), {
      params: { minn: 0, maxn: 0, bucket: this.bucket, wordNgrams: this.wordNgrams, label: this.labelPrefix },
      nlabels: this.labels.length,
    });
    return {
      args, dict,
      input: new DenseMatrix(this.inputRows, this.dim, this.input),
      output: new DenseMatrix(this.labels.length, this.dim, this.output),
    };
  }

  /** Write the classifier as a fastText supervised .bin (version 12) that `fasttext predict` loads. */
  async saveFastText(file: string): Promise<void> {
    await writeFastTextModel(this.toFastText(), file);
  }

  /**
   * A classifier from a fastText supervised model with a softmax output and no
   * character n-grams (minn/maxn 0): the same words, labels, buckets and matrices.
   */
  static fromFastText(m: FastTextModel): ClassifierModel {
    const { args, dict } = m;
    const why = !m.supervised ? `a ${args.model} model` : args.loss !== 'softmax' ? `a ${args.loss} loss` : args.maxn > 0 ? 'character n-grams' : dict.isPruned ? 'a pruned dictionary' : !(m.input instanceof DenseMatrix) || !(m.output instanceof DenseMatrix) ? 'quantized or lazily read matrices' : '';
    if (why) {
      throw new WordloomError('E_INPUT', `a wordloom classifier is a softmax supervised model without character n-grams; this one has ${why}`, { file: m.name }, 'predict with the fastText model itself (FastTextPredictor)');
    }
    const prefix = args.label;
    const words = Array.from({ length: dict.nwords }, (_, i) => dict.word(i));
    const labels = Array.from({ length: dict.nlabels }, (_, l) => {
      const s = dict.label(l);
      return s.startsWith(prefix) ? s.slice(prefix.length) : s;
    });
    return new ClassifierModel(words, labels, args.dim, args.wordNgrams, args.bucket, prefix, (m.input as DenseMatrix).data, (m.output as DenseMatrix).data);
  }

  async save(file: string): Promise<void> {
    const header = Buffer.from(JSON.stringify({ dim: this.dim, word_ngrams: this.wordNgrams, bucket: this.bucket, label_prefix: this.labelPrefix, labels: this.labels, words: this.words }), 'utf8');
    const pre = Buffer.alloc(12);
    pre.write(MODEL_MAGIC, 0, 'latin1');
    pre.writeUInt32LE(header.length, 8);
    const pad = (4 - ((12 + header.length) % 4)) % 4;
    await writeAtomic(file, async (w) => {
      await w.write(pre);
      await w.write(header);
      await w.write(new Uint8Array(pad));
      await w.write(f32le(this.input));
      await w.write(f32le(this.output));
    });
  }

  /** Read a classifier: the wordloom format, or a fastText softmax model without character n-grams (as saveFastText writes). */
  static async load(file: string): Promise<ClassifierModel> {
    let buf: Buffer;
    try {
      buf = await readFile(file);
    } catch (e) {
      throw new WordloomError('E_FILE', `cannot read the classifier: ${(e as Error).message}`, { file });
    }
    if (buf.length >= 4 && buf.readInt32LE(0) === FASTTEXT_MAGIC) return ClassifierModel.fromFastText(readFastTextModelBytes(buf, file));
    if (buf.length >= 12 && buf.toString('latin1', 0, 8) === OLD_MAGIC) {
      throw new WordloomError('E_INPUT', 'this classifier was saved by an older wordloom that hashed word n-grams into other buckets than fastText does', { file }, 'train it again (the classify op or `wordloom classify train`)');
    }
    if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MODEL_MAGIC) {
      throw new WordloomError('E_INPUT', 'not a wordloom classifier file (no WLCLSF02 header)', { file }, 'train one with `wordloom classify train` or the classify op (output param)');
    }
    const H = buf.readUInt32LE(8);
    let h: { dim: number; word_ngrams: number; bucket: number; label_prefix: string; labels: string[]; words: string[] };
    try {
      h = JSON.parse(buf.toString('utf8', 12, 12 + H));
    } catch (e) {
      throw new WordloomError('E_INPUT', `the classifier header is not valid JSON: ${(e as Error).message}`, { file });
    }
    const off = 12 + H + ((4 - ((12 + H) % 4)) % 4);
    const nIn = (h.words.length + h.bucket) * h.dim;
    const nOut = h.labels.length * h.dim;
    if (buf.length !== off + 4 * (nIn + nOut)) {
      throw new WordloomError('E_INPUT', `the classifier file has ${buf.length} bytes, its header describes ${off + 4 * (nIn + nOut)}`, { file }, 'the file is truncated or damaged: train it again');
    }
    const input = sharedFloat32(nIn);
    const output = sharedFloat32(nOut);
    readF32(buf, off, input);
    readF32(buf, off + 4 * nIn, output);
    checkFinite(input, h.dim, (row) => (row < h.words.length ? `the input vector of word "${h.words[row]}"` : `input row ${row} (word n-gram bucket ${row - h.words.length})`), file);
    checkFinite(output, h.dim, (row) => `the output vector of label "${h.labels[row]}"`, file);
    return new ClassifierModel(h.words, h.labels, h.dim, h.word_ngrams, h.bucket, h.label_prefix, input, output);
  }
}

/** A model whose weights hold NaN or infinities predicts nothing useful (an empty or arbitrary label): refuse it at load. */
function checkFinite(a: Float32Array, dim: number, what: (row: number) => string, file: string): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v - v !== 0) {
      throw new WordloomError('E_INPUT', `the classifier is damaged: ${what(Math.floor(i / dim))} holds ${v}`, { file }, 'train the model again (a lower lr if training diverged)');
    }
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function f32le(a: Float32Array): Uint8Array {
  // the bytes as they are in memory on little-endian machines (all that Node runs on in practice)
  if (LITTLE_ENDIAN) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = Buffer.alloc(a.length * 4);
  for (let i = 0; i < a.length; i++) out.writeFloatLE(a[i]!, i * 4);
  return out;
}

function readF32(buf: Buffer, off: number, into: Float32Array): void {
  if (LITTLE_ENDIAN) {
    new Uint8Array(into.buffer, into.byteOffset, into.byteLength).set(buf.subarray(off, off + into.byteLength));
    return;
  }
  for (let i = 0; i < into.length; i++) into[i] = buf.readFloatLE(off + i * 4);
}

export function topK(p: Float64Array, k: number): number[] {
  const idx = Array.from(p.keys());
  idx.sort((a, b) => p[b]! - p[a]! || a - b);
  return idx.slice(0, Math.min(k, idx.length));
}

/** Examples encoded for training: the input rows of all examples in one shared array, with offsets and one label each. */
export interface EncodedExamples {
  rows: Int32Array;
  offsets: Int32Array;
  /** The first label of each example (training target). */
  labels: Int32Array;
  count: number;
}

export function encodeExamples(model: ClassifierModel, examples: readonly { tokens: string[]; labels: string[] }[]): EncodedExamples {
  const all: number[] = [];
  const offsets = sharedInt32(examples.length + 1);
  const labels = sharedInt32(examples.length);
  examples.forEach((e, i) => {
    model.encode(e.tokens, all);
    offsets[i + 1] = all.length;
    labels[i] = model.labelIndex.get(e.labels[0]!) ?? -1;
  });
  const rows = sharedInt32(all.length);
  rows.set(all);
  return { rows, offsets, labels, count: examples.length };
}
