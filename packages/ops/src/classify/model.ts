/**
 * The classifier: fastText's supervised model. An example is the mean of the
 * input rows of its words and hashed word n-grams; a linear layer gives one score
 * per label; softmax. Input rows: the words (vocabulary order), then `bucket` rows
 * that word n-grams hash into (FNV-1a of each word, combined as fastText combines
 * them, h = h * 116049371 + hash, but in 32 bits).
 *
 * File format (little-endian), written atomically:
 *   bytes 0-7    "WLCLSF01"
 *   bytes 8-11   uint32 H, length of the header
 *   H bytes      UTF-8 JSON: { dim, word_ngrams, bucket, label_prefix, labels: [...], words: [...] }
 *   zero padding to a multiple of 4 bytes
 *   float32 input matrix, (words + bucket) x dim, row-major
 *   float32 output matrix, labels x dim, row-major
 */
import { readFile } from 'node:fs/promises';
import { WordloomError, sharedFloat32, sharedInt32 } from '@wordloom/core';
import { writeAtomic } from '../io/atomic.js';

export const MODEL_MAGIC = 'WLCLSF01';

export interface Prediction {
  label: string;
  probability: number;
}

export function wordHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

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

  get inputRows(): number {
    return this.words.length + this.bucket;
  }

  /** Input rows of a tokenized text: its known words, then its hashed word n-grams (2..word_ngrams). */
  encode(tokens: readonly string[], out: number[] = []): number[] {
    const V = this.words.length;
    for (const t of tokens) {
      const i = this.wordIndex.get(t);
      if (i !== undefined) out.push(i);
    }
    if (this.wordNgrams > 1) {
      const hashes = tokens.map(wordHash);
      for (let i = 0; i < hashes.length; i++) {
        let h = hashes[i]!;
        for (let j = i + 1; j < hashes.length && j < i + this.wordNgrams; j++) {
          h = (Math.imul(h, 116049371) + hashes[j]!) >>> 0;
          out.push(V + (h % this.bucket));
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

  static async load(file: string): Promise<ClassifierModel> {
    let buf: Buffer;
    try {
      buf = await readFile(file);
    } catch (e) {
      throw new WordloomError('E_FILE', `cannot read the classifier: ${(e as Error).message}`, { file });
    }
    if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MODEL_MAGIC) {
      throw new WordloomError('E_INPUT', 'not a wordloom classifier file (no WLCLSF01 header)', { file }, 'train one with `wordloom classify train` or the classify op (output param)');
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

function f32le(a: Float32Array): Uint8Array {
  const out = Buffer.alloc(a.length * 4);
  for (let i = 0; i < a.length; i++) out.writeFloatLE(a[i]!, i * 4);
  return out;
}

function readF32(buf: Buffer, off: number, into: Float32Array): void {
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
