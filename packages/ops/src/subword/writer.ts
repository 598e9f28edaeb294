/**
 * Writing fastText model files: version 12, the layout reader.ts reads and fastText
 * 0.9 loads (magic, version, args, dictionary, quant_input flag, input matrix, qout
 * flag, output matrix). Dense matrices are written as float32 rows; product-quantized
 * ones (read from a .ftz) are written back as they are, so a .ftz stays a .ftz.
 *
 * The file is written atomically (temporary name, then rename) and streamed: a
 * matrix in memory goes out through views of its own bytes, a lazily read or
 * quantized one row by row, never copied whole into a second buffer.
 */
import { endianness } from 'node:os';
import { Embeddings, WordloomError, sharedFloat32 } from '@wordloom/core';
import { writeAtomic, type AtomicWriter } from '../io/atomic.js';
import { writeVectors, type VectorsFormat } from '../io/vectors.js';
import { encodeArgs, FASTTEXT_MAGIC, FASTTEXT_VERSION, type FastTextArgs } from './args.js';
import type { FastTextDictionary } from './dictionary.js';
import { DenseMatrix, FileDenseMatrix, type Matrix } from './matrix.js';
import { QuantMatrix, type ProductQuantizer } from './quant-matrix.js';
import type { FastTextModel } from './model.js';

/** What a model file holds: a FastTextModel has all of these. */
export interface FastTextParts {
  args: FastTextArgs;
  dict: FastTextDictionary;
  input: Matrix;
  /** Left out: a zero matrix of the right shape is written (fastText needs one to load; word vectors do not use it). */
  output?: Matrix;
}

/** Bytes per streamed piece of a matrix. */
const CHUNK_BYTES = 1 << 20;

/** Little-endian bytes of scalars, built up then handed to the writer in one piece. */
class Bytes {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;
  /** Make room for n more bytes (may replace buf and view: read them after calling). */
  private room(n: number): number {
    if (this.length + n > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < this.length + n) cap *= 2;
      const b = new Uint8Array(cap);
      b.set(this.buf.subarray(0, this.length));
      this.buf = b;
      this.view = new DataView(b.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  int32(v: number): this {
    const at = this.room(4);
    this.view.setInt32(at, v, true);
    return this;
  }
  int64(v: number): this {
    const at = this.room(8);
    const hi = Math.floor(v / 4294967296);
    this.view.setUint32(at, v - hi * 4294967296, true);
    this.view.setInt32(at + 4, hi, true);
    return this;
  }
  uint8(v: number): this {
    const at = this.room(1);
    this.buf[at] = v;
    return this;
  }
  bytes(b: Uint8Array): this {
    const at = this.room(b.length);
    this.buf.set(b, at);
    return this;
  }
  take(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    this.length = 0;
    return out;
  }
}

function checkEndian(): void {
  if (endianness() !== 'LE') throw new WordloomError('E_INTERNAL', 'writing model files needs a little-endian machine');
}

/** The bytes of a float32 array as a view (little-endian machines), no copy. */
function f32View(a: Float32Array, from: number, to: number): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset + from * 4, (to - from) * 4);
}

/**
 * Calls fn with consecutive pieces of rows [from, from + rows) of a matrix as float32
 * values (n rows each, about 1 MiB): views of an in-memory matrix, pieces read
 * straight from the file of a lazily read one, decoded rows otherwise (zeros when m
 * is undefined). The pieces are only valid during the call.
 */
export async function forEachRowChunk(m: Matrix | undefined, from: number, rows: number, cols: number, fn: (chunk: Float32Array, n: number) => Promise<void>): Promise<void> {
  const per = Math.max(1, Math.floor(CHUNK_BYTES / 4 / cols));
  if (m instanceof DenseMatrix) {
    for (let r = 0; r < rows; r += per) {
      const n = Math.min(per, rows - r);
      await fn(m.data.subarray((from + r) * cols, (from + r + n) * cols), n);
    }
    return;
  }
  const chunk = new Float32Array(per * cols);
  const row = new Float32Array(cols);
  const bytes = new Uint8Array(chunk.buffer);
  for (let r = 0; r < rows; r += per) {
    const n = Math.min(per, rows - r);
    if (m instanceof FileDenseMatrix) {
      const len = n * cols * 4;
      if (m.source.read(bytes, 0, len, m.offset + (from + r) * cols * 4) !== len) {
        throw new WordloomError('E_FILE', `rows ${from + r}..${from + r + n - 1} could not be read (the file changed since it was opened?)`, { file: m.source.name });
      }
    } else if (m) for (let k = 0; k < n; k++) chunk.set(m.row(from + r + k, row), k * cols);
    else chunk.fill(0);
    await fn(chunk.subarray(0, n * cols), n);
  }
}

/** Write rows x cols float32 values of a matrix (zeros when m is undefined), streamed. */
export async function writeDenseRows(w: AtomicWriter, m: Matrix | undefined, rows: number, cols: number, from = 0): Promise<void> {
  checkEndian();
  await forEachRowChunk(m, from, rows, cols, (chunk) => w.write(f32View(chunk, 0, chunk.length)));
}

function pqBytes(b: Bytes, pq: ProductQuantizer): void {
  b.int32(pq.dim).int32(pq.nsubq).int32(pq.dsub).int32(pq.lastdsub);
}

async function writeQuant(w: AtomicWriter, b: Bytes, m: QuantMatrix): Promise<void> {
  b.uint8(m.qnorm ? 1 : 0).int64(m.rows).int64(m.cols).int32(m.codes.length);
  await w.write(b.take());
  await w.write(m.codes);
  pqBytes(b, m.pq);
  await w.write(b.take());
  await w.write(f32View(m.pq.centroids, 0, m.pq.centroids.length));
  if (m.qnorm) {
    await w.write(m.normCodes!);
    pqBytes(b, m.npq!);
    await w.write(b.take());
    await w.write(f32View(m.npq!.centroids, 0, m.npq!.centroids.length));
  }
}

/** The header, args and dictionary of a model file (everything before the input matrix). */
export function encodeModelHead(args: FastTextArgs, dict: FastTextDictionary): Uint8Array {
  const b = new Bytes();
  b.int32(FASTTEXT_MAGIC).int32(FASTTEXT_VERSION);
  b.bytes(encodeArgs(args));
  b.int32(dict.size).int32(dict.nwords).int32(dict.nlabels).int64(dict.ntokens).int64(dict.pruneidxSize);
  for (let i = 0; i < dict.size; i++) {
    const wb = dict.wordBytes(i);
    if (wb.includes(0)) throw new WordloomError('E_INPUT', `dictionary entry ${i} contains a NUL byte, which a fastText dictionary cannot hold`, { word: dict.word(i) });
    b.bytes(wb).uint8(0).int64(dict.counts[i]!).uint8(dict.types[i]!);
  }
  for (let i = 0; i < dict.pruneFrom.length; i++) b.int32(dict.pruneFrom[i]!).int32(dict.pruneTo[i]!);
  return b.take();
}

/** Check that the parts make a model fastText can load (sizes agree). */
function checkParts(m: FastTextParts, file: string): void {
  const { args, dict, input, output } = m;
  const fail = (msg: string): never => {
    throw new WordloomError('E_INPUT', `cannot write the model: ${msg}`, { file });
  };
  if (input.cols !== args.dim) fail(`the input matrix has ${input.cols} columns but dim is ${args.dim}`);
  if (input.rows !== dict.inputRows) fail(`the input matrix has ${input.rows} rows but the dictionary needs ${dict.inputRows} (${dict.nwords} words + ${dict.isPruned ? dict.pruneidxSize : dict.params.bucket} n-gram rows)`);
  if (dict.params.bucket !== args.bucket || dict.params.minn !== args.minn || dict.params.maxn !== args.maxn || dict.params.wordNgrams !== args.wordNgrams) {
    fail('the dictionary hash parameters (minn, maxn, bucket, wordNgrams) differ from the args');
  }
  if (dict.isPruned && !(input instanceof QuantMatrix)) fail('a pruned dictionary needs a quantized input matrix (fastText refuses anything else)');
  const outRows = args.model === 'supervised' ? dict.nlabels : dict.nwords;
  if (output && (output.rows !== outRows || output.cols !== args.dim)) fail(`the output matrix is ${output.rows} x ${output.cols}, the model needs ${outRows} x ${args.dim}`);
  if (output instanceof QuantMatrix && !(input instanceof QuantMatrix)) fail('a quantized output matrix needs a quantized input matrix');
}

/** Write the model's bytes (version 12) to an open writer. */
export async function writeFastTextParts(w: AtomicWriter, m: FastTextParts, file = '(stream)'): Promise<void> {
  checkParts(m, file);
  const { args, dict, input, output } = m;
  const b = new Bytes();
  await w.write(encodeModelHead(args, dict));
  if (input instanceof QuantMatrix) {
    await w.write(b.uint8(1).take());
    await writeQuant(w, b, input);
  } else {
    await w.write(b.uint8(0).int64(input.rows).int64(input.cols).take());
    await writeDenseRows(w, input, input.rows, input.cols);
  }
  const outRows = args.model === 'supervised' ? dict.nlabels : dict.nwords;
  if (output instanceof QuantMatrix) {
    await w.write(b.uint8(1).take());
    await writeQuant(w, b, output);
  } else {
    await w.write(b.uint8(0).int64(outRows).int64(args.dim).take());
    await writeDenseRows(w, output, outRows, args.dim);
  }
}

/**
 * Write a fastText model file (version 12) atomically. `model` is a FastTextModel or
 * its parts (args, dictionary, input and output matrices); quantized matrices stay
 * quantized (a .ftz in, a .ftz out). Without an output matrix a zero one is written.
 */
export async function writeFastTextModel(model: FastTextParts, file: string): Promise<void> {
  checkParts(model, file);
  await writeAtomic(file, (w) => writeFastTextParts(w, model, file));
}

/**
 * The accumulated word matrix: each vocabulary word's final vector as fastText
 * computes it (the mean of its own row and its n-gram rows), in dictionary order,
 * `</s>` included, labels left out — what fastText saves as its .vec.
 */
export function vocabularyVectors(model: FastTextModel): Embeddings {
  const { dict, dim } = model;
  const n = dict.nwords;
  const data = sharedFloat32(n * dim);
  const words: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    words[i] = dict.word(i);
    model.entryVector(i, data.subarray(i * dim, (i + 1) * dim));
  }
  return new Embeddings(words, dim, data);
}

/** Write the accumulated word matrix as vectors: word2vec text (fastText's .vec), word2vec binary or GloVe text. */
export async function writeVocabularyVectors(model: FastTextModel, file: string, format: VectorsFormat): Promise<void> {
  await writeVectors(vocabularyVectors(model), file, format);
}
