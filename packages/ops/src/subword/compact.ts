/**
 * wordloom's compact subword model: what a fastText model needs to give a vector to
 * any word, and nothing else — the n-gram rows with their hash parameters, the
 * vocabulary, and (optionally) the words' own rows. No output matrix, no labels.
 * Values in float32 or float16.
 *
 * File layout, version 1 (little-endian):
 *
 *   bytes 0-7    magic: 0x89 "WLSUB" 0x0D 0x0A
 *   bytes 8-11   uint32 format version (1)
 *   bytes 12-15  uint32 H, the length of the header
 *   H bytes      UTF-8 JSON header:
 *                  { dim, nwords, ngram_rows, dtype: "float32" | "float16",
 *                    word_rows: true | false, minn, maxn, bucket, word_ngrams,
 *                    pruned (-1, or the number of kept buckets), ntokens,
 *                    word_bytes, args: { fastText's args, for writing a .bin again } }
 *   then sections, each starting at a multiple of 8 bytes (zero padding before it):
 *     word offsets   uint32 x (nwords + 1): word i is bytes [off[i], off[i+1]) of
 *     word bytes     the words' UTF-8 bytes, concatenated (word_bytes bytes)
 *     counts         float64 x nwords
 *     pruned index   int32 x 2 x pruned: (bucket, n-gram row) pairs; only when pruned >= 0
 *     word rows      nwords x dim values (only when word_rows)
 *     n-gram rows    ngram_rows x dim values; ngram_rows = bucket, or pruned when pruned
 *   Values are float32, or IEEE 754 binary16 (float16) when dtype says so.
 *
 * A word's vector is computed as fastText computes it: the mean of its own row (a
 * vocabulary word, when the file has word rows) and its n-gram rows (hash mod bucket,
 * through the pruned index). The reader returns a FastTextModel, so everything that
 * takes a fastText model takes a subword model too.
 */
import { endianness } from 'node:os';
import { WordloomError, sharedFloat32 } from '@wordloom/core';
import { writeAtomic } from '../io/atomic.js';
import { LOSS_CODES, MODEL_CODES, LABEL_PREFIX, type FastTextArgs } from './args.js';
import { FastTextDictionary, ENTRY_WORD } from './dictionary.js';
import { DenseMatrix, type Matrix } from './matrix.js';
import { Cursor, FileSource, type ByteSource } from './source.js';
import { FastTextModel } from './model.js';
import { forEachRowChunk, writeDenseRows } from './writer.js';

export const SUBWORD_MAGIC = new Uint8Array([0x89, 0x57, 0x4c, 0x53, 0x55, 0x42, 0x0d, 0x0a]);
export const SUBWORD_VERSION = 1;

export type SubwordDtype = 'float32' | 'float16';

export interface WriteSubwordOptions {
  /** Store values as float16 (half the size; see bench/subword-float16.mjs for the effect). Default float32. */
  float16?: boolean;
  /** Keep the words' own rows (default true): vocabulary words then get exactly fastText's vectors. Without them every word's vector is the mean of its n-gram rows. */
  wordRows?: boolean;
}

interface SubwordHeader {
  dim: number;
  nwords: number;
  ngram_rows: number;
  dtype: SubwordDtype;
  word_rows: boolean;
  minn: number;
  maxn: number;
  bucket: number;
  word_ngrams: number;
  pruned: number;
  ntokens: number;
  word_bytes: number;
  args: Omit<FastTextArgs, 'qout'>;
}

// ---------------------------------------------------------------- float16

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float16 bits nearest to a number (round to nearest, ties to even; overflow to infinity). */
export function toFloat16(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 112; // rebias 127 -> 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // a subnormal float16 (or zero): value = m * 2^-24
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++; // a carry into the exponent is right (up to infinity)
  return sign | h;
}

/** The value of float16 bits. */
export function fromFloat16(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

let halfTable: Float32Array | undefined;
/** All 65536 float16 values as float32 (decoding is one lookup). */
function float16Table(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = fromFloat16(h);
  }
  return halfTable;
}

const fround = Math.fround;

/** A rows x cols matrix of float16 values (shared memory), decoded as rows are used. */
export class HalfMatrix implements Matrix {
  private table = float16Table();
  constructor(readonly rows: number, readonly cols: number, readonly data: Uint16Array) {
    if (data.length !== rows * cols) throw new RangeError(`HalfMatrix ${rows}x${cols} needs ${rows * cols} values, got ${data.length}`);
  }
  addRowToVector(x: Float32Array, i: number, a?: number): void {
    const d = this.data;
    const t = this.table;
    const n = this.cols;
    const o = i * n;
    if (a === undefined) for (let j = 0; j < n; j++) x[j] += t[d[o + j]!]!;
    else {
      const af = fround(a);
      for (let j = 0; j < n; j++) x[j] += fround(af * t[d[o + j]!]!);
    }
  }
  dotRow(x: Float32Array, i: number): number {
    const d = this.data;
    const t = this.table;
    const o = i * this.cols;
    let s = 0;
    for (let j = 0; j < this.cols; j++) s = fround(s + fround(t[d[o + j]!]! * x[j]!));
    return s;
  }
  row(i: number, out: Float32Array): Float32Array {
    const d = this.data;
    const t = this.table;
    const o = i * this.cols;
    for (let j = 0; j < this.cols; j++) out[j] = t[d[o + j]!]!;
    return out;
  }
}

/** Rows offset..offset+base.rows-1 of a model's input matrix when the rows before them (the words' own) are not stored. */
export class OffsetMatrix implements Matrix {
  readonly rows: number;
  constructor(readonly base: Matrix, readonly offset: number) {
    this.rows = base.rows + offset;
  }
  get cols(): number {
    return this.base.cols;
  }
  private at(i: number): number {
    if (i < this.offset) throw new WordloomError('E_INTERNAL', `row ${i} is a word's own row, which this subword model does not store`);
    return i - this.offset;
  }
  addRowToVector(x: Float32Array, i: number, a?: number): void {
    this.base.addRowToVector(x, this.at(i), a);
  }
  dotRow(x: Float32Array, i: number): number {
    return this.base.dotRow(x, this.at(i));
  }
  row(i: number, out: Float32Array): Float32Array {
    return this.base.row(this.at(i), out);
  }
}

// ---------------------------------------------------------------- writing

function pad8(n: number): number {
  return (8 - (n % 8)) % 8;
}

/** The parts of a model a subword file is made from (a FastTextModel has them). */
export interface SubwordSource {
  args: FastTextArgs;
  dict: FastTextDictionary;
  input: Matrix;
  /** false when the input matrix has no word rows (a model read from a subword file without them). */
  wordRows?: boolean;
}

/** Write a model's words and n-gram rows as a compact subword model (atomically, streamed). */
export async function writeSubwordModel(model: SubwordSource, file: string, opts: WriteSubwordOptions = {}): Promise<void> {
  if (endianness() !== 'LE') throw new WordloomError('E_INTERNAL', 'writing model files needs a little-endian machine');
  const { args, dict, input } = model;
  const keepWords = opts.wordRows ?? true;
  const hasWords = model.wordRows ?? true;
  if (keepWords && !hasWords) {
    throw new WordloomError('E_PARAM', 'the model has no word rows to keep (it is a subword model written without them)', { file }, 'write it without word rows');
  }
  const nwords = dict.nwords;
  const ngramRows = dict.inputRows - nwords;
  if (input.rows !== dict.inputRows || input.cols !== args.dim) {
    throw new WordloomError('E_INPUT', `cannot write the subword model: the input matrix is ${input.rows} x ${input.cols}, the dictionary needs ${dict.inputRows} x ${args.dim}`, { file });
  }
  const dtype: SubwordDtype = opts.float16 ? 'float16' : 'float32';
  const wordBytes = dict.offsets[nwords]!;
  const { qout: _q, ...storedArgs } = args;
  const header: SubwordHeader = {
    dim: args.dim, nwords, ngram_rows: ngramRows, dtype, word_rows: keepWords, minn: args.minn, maxn: args.maxn,
    bucket: args.bucket, word_ngrams: args.wordNgrams, pruned: dict.pruneidxSize, ntokens: dict.ntokens, word_bytes: wordBytes, args: storedArgs,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  await writeAtomic(file, async (w) => {
    let pos = 0;
    const put = async (b: Uint8Array): Promise<void> => {
      await w.write(b);
      pos += b.length;
    };
    const align = async (): Promise<void> => {
      const p = pad8(pos);
      if (p) await put(new Uint8Array(p));
    };
    const pre = new Uint8Array(16);
    pre.set(SUBWORD_MAGIC);
    const dv = new DataView(pre.buffer);
    dv.setUint32(8, SUBWORD_VERSION, true);
    dv.setUint32(12, json.length, true);
    await put(pre);
    await put(json);
    await align();
    const offs = new Uint32Array(nwords + 1);
    const base = dict.offsets[0]!;
    for (let i = 0; i <= nwords; i++) offs[i] = dict.offsets[i]! - base;
    await put(new Uint8Array(offs.buffer));
    await put(dict.bytes.subarray(base, base + wordBytes));
    await align();
    await put(new Uint8Array(dict.counts.slice(0, nwords).buffer));
    if (dict.isPruned) {
      const pairs = new Int32Array(2 * dict.pruneidxSize);
      for (let i = 0; i < dict.pruneidxSize; i++) {
        pairs[2 * i] = dict.pruneFrom[i]!;
        pairs[2 * i + 1] = dict.pruneTo[i]!;
      }
      await put(new Uint8Array(pairs.buffer));
    }
    await align();
    const from = keepWords ? 0 : nwords;
    const rows = dict.inputRows - from;
    const dim = args.dim;
    if (dtype === 'float32') {
      await writeDenseRows(w, input, rows, dim, from);
      pos += rows * dim * 4;
    } else {
      let half = new Uint16Array(0);
      await forEachRowChunk(input, from, rows, dim, async (chunk) => {
        if (half.length < chunk.length) half = new Uint16Array(chunk.length);
        for (let j = 0; j < chunk.length; j++) half[j] = toFloat16(chunk[j]!);
        await put(new Uint8Array(half.buffer, 0, chunk.length * 2));
      });
    }
  });
}

// ---------------------------------------------------------------- reading

/** Whether bytes start with the subword model's magic. */
export function isSubwordModel(head: Uint8Array): boolean {
  if (head.length < SUBWORD_MAGIC.length) return false;
  for (let i = 0; i < SUBWORD_MAGIC.length; i++) if (head[i] !== SUBWORD_MAGIC[i]) return false;
  return true;
}

/** Open a compact subword model file. */
export function readSubwordModel(file: string): FastTextModel {
  const src = new FileSource(file);
  try {
    return readSubwordModelFrom(src);
  } finally {
    src.close();
  }
}

function isInt(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min;
}

/** Read a subword model from a source (the model keeps nothing open). */
export function readSubwordModelFrom(src: ByteSource, label = LABEL_PREFIX): FastTextModel {
  if (endianness() !== 'LE') throw new WordloomError('E_INTERNAL', 'reading subword models needs a little-endian machine');
  const c = new Cursor(src);
  c.section = 'subword model header';
  const magic = new Uint8Array(8);
  c.bytes(magic, 'magic number');
  if (!isSubwordModel(magic)) throw c.error('not a wordloom subword model (wrong magic number)', 0);
  const version = c.int32('format version');
  if (version !== SUBWORD_VERSION) {
    throw c.error(`unknown subword model version ${version} (this reader knows version ${SUBWORD_VERSION})`, 8, 'write the model again with this wordloom (wordloom convert <model> <out> --format subword)');
  }
  const hlen = c.int32('header length');
  if (hlen < 2 || hlen > c.remaining) {
    if (hlen > c.remaining) throw c.cut('JSON header', hlen);
    throw c.error(`header length ${hlen} is impossible`, 12);
  }
  const hb = new Uint8Array(hlen);
  c.bytes(hb, 'JSON header');
  let h: SubwordHeader;
  try {
    h = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(hb)) as SubwordHeader;
  } catch (e) {
    throw c.error(`the JSON header does not parse: ${(e as Error).message}`, 16, 'the file is damaged: write it again');
  }
  const a = h?.args as Partial<FastTextArgs> | undefined;
  const bad = (what: string): never => {
    throw c.error(`the header's ${what} is missing or impossible`, 16, 'the file is damaged: write it again');
  };
  if (!h || typeof h !== 'object') bad('content');
  if (!isInt(h.dim, 1) || h.dim > 100000) bad('dim');
  if (!isInt(h.nwords, 0)) bad('nwords');
  if (!isInt(h.ngram_rows, 0)) bad('ngram_rows');
  if (h.dtype !== 'float32' && h.dtype !== 'float16') bad('dtype (float32 or float16)');
  if (typeof h.word_rows !== 'boolean') bad('word_rows');
  if (!isInt(h.minn, 0) || !isInt(h.maxn, 0) || !isInt(h.bucket, 0) || !isInt(h.word_ngrams, 0)) bad('hash parameters (minn, maxn, bucket, word_ngrams)');
  if (!isInt(h.pruned, -1)) bad('pruned');
  if (!isInt(h.ntokens, 0)) bad('ntokens');
  if (!isInt(h.word_bytes, 0)) bad('word_bytes');
  if (!a || typeof a !== 'object' || !(a.loss! in LOSS_CODES) || !(a.model! in MODEL_CODES)) bad('args');
  if (h.ngram_rows !== (h.pruned >= 0 ? h.pruned : h.bucket)) bad(`ngram_rows (${h.ngram_rows}; the bucket ${h.bucket} and pruned ${h.pruned} need ${h.pruned >= 0 ? h.pruned : h.bucket})`);
  const skipPad = (): void => {
    const p = pad8(c.pos);
    if (p) c.skip(p, 'padding');
  };
  skipPad();
  c.section = 'vocabulary';
  const nwords = h.nwords;
  if ((nwords + 1) * 4 + h.word_bytes > c.remaining) throw c.cut('vocabulary', (nwords + 1) * 4 + h.word_bytes);
  const offsets = new Uint32Array(nwords + 1);
  const offAt = c.pos;
  c.bytes(new Uint8Array(offsets.buffer), 'word offsets');
  for (let i = 0; i < nwords; i++) {
    if (offsets[i + 1]! < offsets[i]! || offsets[i + 1]! > h.word_bytes) throw c.error(`the offset of word ${i + 1} (${offsets[i + 1]}) is out of order or past the ${h.word_bytes} word bytes`, offAt + 4 * (i + 1));
  }
  if (offsets[0] !== 0 || offsets[nwords] !== h.word_bytes) throw c.error('the word offsets do not span the word bytes', offAt);
  const bytes = new Uint8Array(h.word_bytes);
  c.bytes(bytes, 'word bytes');
  skipPad();
  const counts = new Float64Array(nwords);
  c.bytes(new Uint8Array(counts.buffer), 'word counts');
  let pruneFrom: Int32Array | undefined;
  let pruneTo: Int32Array | undefined;
  if (h.pruned >= 0) {
    c.section = 'pruned index';
    const pairs = new Int32Array(2 * h.pruned);
    const at = c.pos;
    c.bytes(new Uint8Array(pairs.buffer), 'pruned index');
    pruneFrom = new Int32Array(h.pruned);
    pruneTo = new Int32Array(h.pruned);
    for (let i = 0; i < h.pruned; i++) {
      const f = pairs[2 * i]!;
      const t = pairs[2 * i + 1]!;
      if (f < 0 || f >= Math.max(1, h.bucket) || t < 0 || t >= h.pruned) throw c.error(`pruned index pair ${i} maps bucket ${f} to row ${t}; buckets are 0..${h.bucket - 1} and rows 0..${h.pruned - 1}`, at + 8 * i);
      pruneFrom[i] = f;
      pruneTo[i] = t;
    }
  }
  skipPad();
  c.section = 'matrix';
  const rows = (h.word_rows ? nwords : 0) + h.ngram_rows;
  const n = rows * h.dim;
  const width = h.dtype === 'float16' ? 2 : 4;
  if (n * width > c.remaining) throw c.cut(`${rows} x ${h.dim} ${h.dtype} matrix`, n * width);
  let m: Matrix;
  if (h.dtype === 'float16') {
    const data = new Uint16Array(new SharedArrayBuffer(Math.max(2, n * 2)), 0, n);
    c.bytes(new Uint8Array(data.buffer, 0, n * 2), 'matrix values');
    m = new HalfMatrix(rows, h.dim, data);
  } else {
    const data = sharedFloat32(n);
    c.bytes(new Uint8Array(data.buffer, 0, n * 4), 'matrix values');
    m = new DenseMatrix(rows, h.dim, data);
  }
  if (c.remaining > 0) {
    c.section = 'end of file';
    throw c.error(`${c.remaining} unexpected byte${c.remaining === 1 ? '' : 's'} after the matrix`, c.pos, 'the file is not a single subword model');
  }
  const args: FastTextArgs = { ...(a as FastTextArgs), dim: h.dim, minn: h.minn, maxn: h.maxn, bucket: h.bucket, wordNgrams: h.word_ngrams, qout: false, label };
  const dict = new FastTextDictionary({
    params: { minn: h.minn, maxn: h.maxn, bucket: h.bucket, wordNgrams: h.word_ngrams, label },
    bytes, offsets, counts, types: new Uint8Array(nwords).fill(ENTRY_WORD), nwords, nlabels: 0, ntokens: h.ntokens,
    pruneidxSize: h.pruned, pruneFrom, pruneTo,
  });
  const input = h.word_rows ? m : new OffsetMatrix(m, nwords);
  return new FastTextModel({ name: src.name, version: 0, args, dict, input, quantInput: false, wordRows: h.word_rows, format: 'subword' });
}
