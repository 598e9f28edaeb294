/**
 * Reading fastText model files (.bin, .ftz), every format fastText and gensim have written:
 *
 *   current (version 11 and 12): int32 magic 793712314, int32 version, args (56 bytes),
 *     dictionary, bool quant_input, input matrix, bool qout, output matrix;
 *   oldest (no magic): args, dictionary without the pruned-index size, input matrix,
 *     output matrix (no booleans).
 *
 *   dictionary: int32 size, int32 nwords, int32 nlabels, int64 ntokens,
 *     [int64 pruneidx_size, -1 when not pruned], then size entries (the word's bytes,
 *     a NUL, int64 count, int8 type 0 word / 1 label), then pruneidx_size pairs of
 *     int32 (bucket, new index).
 *   dense matrix: int64 rows, int64 cols, rows*cols float32.
 *   quantized matrix: bool qnorm, int64 rows, int64 cols, int32 codesize, codesize
 *     bytes, product quantizer; with qnorm also rows bytes of norm codes and the norm
 *     quantizer. product quantizer: int32 dim, nsubq, dsub, lastdsub, dim*256 float32.
 *
 * Everything is little-endian. Every value is checked; a file that ends early or
 * disagrees with itself fails with the file, the section and the byte offset.
 */
import { open } from 'node:fs/promises';
import { sharedFloat32, sharedFloat64, WordloomError } from '@wordloom/core';
import { ARGS_BYTES, FASTTEXT_MAGIC, LABEL_PREFIX, lossName, modelName, type FastTextArgs } from './args.js';
import { FastTextDictionary, ENTRY_LABEL } from './dictionary.js';
import { DenseMatrix, FileDenseMatrix, type Matrix } from './matrix.js';
import { KSUB, ProductQuantizer, QuantMatrix } from './quant-matrix.js';
import { Cursor, FileSource, MemorySource, type ByteSource } from './source.js';
import { FastTextModel } from './model.js';
import { isSubwordModel, readSubwordModelFrom } from './compact.js';

export interface ReadModelOptions {
  /**
   * Leave dense matrices in the file and read rows on demand (pread) instead of
   * reading them into memory; the model holds the file open until close().
   */
  lazy?: boolean;
  /** Read the output matrix (default true; word vectors do not need it). */
  output?: boolean;
  /** Label prefix of a supervised model (fastText's -label, not stored in the file); default "__label__". */
  label?: string;
}

/** Where the sections of a model file start (byte offsets). */
export interface ModelLayout {
  args: number;
  dictionary: number;
  input: number;
  output: number;
  end: number;
}

/** Open a fastText .bin/.ftz model file. */
export function readFastTextModel(file: string, opts: ReadModelOptions = {}): FastTextModel {
  const src = new FileSource(file);
  try {
    const m = readModel(src, opts);
    if (!opts.lazy || !m.lazy) src.close();
    return m;
  } catch (e) {
    src.close();
    throw e;
  }
}

/**
 * Open a model file without blocking the event loop for long: the header and
 * dictionary are read at once, the dense matrices in chunks between which progress
 * is reported and `signal` is checked (an aborted load throws the signal's reason).
 * The result is the same as readFastTextModel's.
 */
export async function loadFastTextModel(
  file: string,
  opts: Omit<ReadModelOptions, 'lazy'> & { signal?: AbortSignal; onProgress?: (done: number, total: number) => void; chunkBytes?: number } = {},
): Promise<FastTextModel> {
  const lazy = readFastTextModel(file, { ...opts, lazy: true });
  const dense = [lazy.input, lazy.output].filter((m): m is FileDenseMatrix => m instanceof FileDenseMatrix);
  if (dense.length === 0) return lazy;
  const total = dense.reduce((t, m) => t + m.rows * m.cols * 4, 0);
  let done = 0;
  const fh = await open(file, 'r');
  try {
    const loaded = new Map<FileDenseMatrix, DenseMatrix>();
    const chunk = opts.chunkBytes ?? 64 << 20;
    for (const m of dense) {
      const out = new DenseMatrix(m.rows, m.cols);
      const bytes = new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
      for (let o = 0; o < bytes.length; ) {
        opts.signal?.throwIfAborted();
        const n = Math.min(chunk, bytes.length - o);
        const { bytesRead } = await fh.read(bytes, o, n, m.offset + o);
        if (bytesRead <= 0) throw new WordloomError('E_FILE', `the file ended while reading a matrix at byte offset ${m.offset + o} (it changed since it was opened?)`, { file });
        o += bytesRead;
        done += bytesRead;
        opts.onProgress?.(done, total);
      }
      loaded.set(m, out);
    }
    const swap = (m: Matrix | undefined) => (m instanceof FileDenseMatrix ? loaded.get(m) : m);
    return new FastTextModel({ name: lazy.name, version: lazy.version, args: lazy.args, dict: lazy.dict, input: swap(lazy.input)!, output: swap(lazy.output), quantInput: lazy.quantInput, layout: lazy.layout });
  } finally {
    await fh.close();
    lazy.close();
  }
}

/** Read a model from bytes in memory; `name` names it in errors. */
export function readFastTextModelBytes(bytes: Uint8Array, name: string, opts: ReadModelOptions = {}): FastTextModel {
  return readModel(new MemorySource(name, bytes), opts);
}

const MAX_WORD_BYTES = 1 << 20;

function readModel(src: ByteSource, opts: ReadModelOptions): FastTextModel {
  const c = new Cursor(src);
  c.section = 'header';
  if (src.size < 8) {
    if (src.size === 0) throw c.error('the file is empty, not a fastText model', 0);
    throw c.cut('magic number and version', 8);
  }
  const head = new Uint8Array(Math.min(src.size, 64));
  src.read(head, 0, head.length, 0);
  if (isSubwordModel(head)) return readSubwordModelFrom(src, opts.label ?? LABEL_PREFIX); // wordloom's compact subword model (compact.ts)
  const magic = new DataView(head.buffer).getInt32(0, true);
  let version = 0;
  if (magic === FASTTEXT_MAGIC) {
    c.int32('magic number');
    version = c.int32('version');
    if (version !== 11 && version !== 12) {
      throw c.error(`unknown fastText file version ${version} (this reader knows versions 11 and 12)`, 4, 'write the model with fastText 0.9 or newer, or convert it with the fastText release that made it');
    }
  } else if (/^\d+ \d+ ?\r?\n/.test(new TextDecoder('latin1').decode(head.subarray(0, 40)))) {
    throw c.error(
      'this is a word2vec-format vectors file (it starts with a "count dim" line), not a fastText binary model',
      0,
      'read it as vectors (wordloom neighbors/eval take it directly; readVectors in code)',
    );
  } else if (looksLikeText(head)) {
    throw c.error(
      'this is a text file, not a fastText binary model (the first bytes are text)',
      0,
      'a .vec or GloVe/word2vec text file is read as vectors (readVectors, or name it as a vectors file); fastText models are the .bin/.ftz files',
    );
  }
  const layout: ModelLayout = { args: c.pos, dictionary: 0, input: 0, output: 0, end: 0 };
  c.section = 'args';
  const args = readArgs(c, version, magic, opts.label ?? LABEL_PREFIX);
  if (version === 11 && args.model === 'supervised') args.maxn = 0; // as fastText: version-11 supervised models have no character n-grams
  layout.dictionary = c.pos;
  c.section = 'dictionary';
  const dict = readDictionary(c, args, version > 0);
  layout.input = c.pos;
  c.section = 'input matrix';
  const quantInput = version > 0 ? c.bool('quant_input flag') : false;
  const inputRows = dict.inputRows;
  let input: Matrix;
  if (quantInput) input = readQuantMatrix(c, 'input', inputRows, args.dim);
  else {
    if (dict.isPruned) throw c.error('the dictionary is pruned but the input matrix is not quantized: fastText itself refuses such a file', layout.input, 'download the model again or quantize it with fastText');
    input = readDenseMatrix(c, 'input', inputRows, args.dim, opts.lazy ? 'lazy' : 'read')!;
  }
  layout.output = c.pos;
  c.section = 'output matrix';
  const qout = version > 0 ? c.bool('qout flag') : false;
  args.qout = qout;
  const outRows = args.model === 'supervised' ? dict.nlabels : dict.nwords;
  let output: Matrix | undefined;
  if (quantInput && qout) output = readQuantMatrix(c, 'output', outRows, args.dim);
  else {
    if (qout) throw c.error('the output matrix is marked quantized (qout) but the input matrix is not', layout.output);
    output = readDenseMatrix(c, 'output', outRows, args.dim, opts.output === false ? 'skip' : opts.lazy ? 'lazy' : 'read');
  }
  layout.end = c.pos;
  if (c.remaining > 0) {
    c.section = 'end of file';
    throw c.error(`${c.remaining} unexpected byte${c.remaining === 1 ? '' : 's'} after the output matrix (the dictionary and matrices end at byte ${c.pos})`, c.pos, 'the file is not a single fastText model (two files joined? a different format?)');
  }
  const lazy = input instanceof FileDenseMatrix || output instanceof FileDenseMatrix;
  return new FastTextModel({ name: src.name, version, args, dict, input, output, quantInput, layout, source: lazy ? src : undefined });
}

function looksLikeText(head: Uint8Array): boolean {
  let text = 0;
  for (const b of head) {
    if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 0x80) text++;
    else return false;
  }
  // every byte text-like (ASCII text or UTF-8): a .vec, a GloVe file, a corpus
  return text === head.length && head.length >= 8;
}

function readArgs(c: Cursor, version: number, magic: number, label: string): FastTextArgs {
  const start = c.pos;
  const at = (k: number) => start + 4 * k;
  // (in the oldest format there is no magic: the file starts here, with dim and ws)
  const dim = c.int32('dim');
  const ws = c.int32('ws');
  const epoch = c.int32('epoch');
  const minCount = c.int32('minCount');
  const neg = c.int32('neg');
  const wordNgrams = c.int32('wordNgrams');
  const lossCode = c.int32('loss');
  const modelCode = c.int32('model');
  const bucket = c.int32('bucket');
  const minn = c.int32('minn');
  const maxn = c.int32('maxn');
  const lrUpdateRate = c.int32('lrUpdateRate');
  const t = c.float64('t');
  const loss = lossName(lossCode);
  const model = modelName(modelCode);
  const bad = (what: string, k: number) => {
    if (version === 0) {
      return c.error(
        `wrong magic number ${magic} (a current fastText model starts with ${FASTTEXT_MAGIC}), and the bytes do not read as the args of an old model either (${what})`,
        start === 0 ? 0 : at(k),
        'this is not a fastText .bin/.ftz model',
      );
    }
    return c.error(what, at(k), 'the file is damaged or not a fastText model');
  };
  if (!(dim >= 1 && dim <= 100000)) throw bad(`dim ${dim} is not in 1..100000`, 0);
  if (!(ws >= 0 && ws <= 1000000)) throw bad(`ws ${ws} is out of range`, 1);
  if (!(epoch >= 0) || !(minCount >= 0) || !(neg >= 0)) throw bad(`epoch ${epoch}, minCount ${minCount}, neg ${neg}: negative`, 2);
  if (!(wordNgrams >= 0 && wordNgrams <= 1000)) throw bad(`wordNgrams ${wordNgrams} is out of range`, 5);
  if (!loss) throw bad(`loss code ${lossCode} is not one of 1 (hs), 2 (ns), 3 (softmax), 4 (ova)`, 6);
  if (!model) throw bad(`model code ${modelCode} is not one of 1 (cbow), 2 (skipgram), 3 (supervised)`, 7);
  if (!(bucket >= 0)) throw bad(`bucket ${bucket} is negative`, 8);
  if (!(minn >= 0 && minn <= 1000) || !(maxn >= 0 && maxn <= 1000)) throw bad(`minn ${minn} / maxn ${maxn} out of range`, 9);
  if (!Number.isFinite(t)) throw bad(`t (sampling threshold) is ${t}`, 12);
  if (start + ARGS_BYTES !== c.pos) throw new WordloomError('E_INTERNAL', 'args size mismatch');
  return { dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket, minn, maxn, lrUpdateRate, t, qout: false, label };
}

function readDictionary(c: Cursor, args: FastTextArgs, hasPruneidx: boolean): FastTextDictionary {
  const start = c.pos;
  const size = c.int32('dictionary size');
  const nwords = c.int32('number of words');
  const nlabels = c.int32('number of labels');
  const ntokens = c.int64('number of tokens');
  const pruneidxSize = hasPruneidx ? c.int64('pruned index size') : -1;
  if (size < 0 || nwords < 0 || nlabels < 0 || nwords + nlabels !== size) {
    throw c.error(`the dictionary sizes disagree: ${size} entries, ${nwords} words, ${nlabels} labels (entries must be words + labels)`, start);
  }
  // each entry takes at least 10 bytes (NUL, int64 count, int8 type)
  if (size * 10 > c.remaining) {
    throw c.error(`the dictionary claims ${size} entries but only ${c.remaining} bytes follow (each entry takes at least 10)`, start, 'the file is truncated or not a fastText model');
  }
  if (ntokens < 0) throw c.error(`number of tokens ${ntokens} is negative`, start + 12);
  if (pruneidxSize < -1 || pruneidxSize * 8 > c.remaining) throw c.error(`pruned index size ${pruneidxSize} is impossible here`, start + 20);
  let bytes = new Uint8Array(Math.max(1024, size * 8));
  let used = 0;
  const offsets = new Uint32Array(new SharedArrayBuffer(4 * (size + 1)));
  const counts = sharedFloat64(size);
  const types = new Uint8Array(new SharedArrayBuffer(Math.max(1, size)), 0, size);
  const sink = (b: Uint8Array, s: number, e: number) => {
    const n = e - s;
    if (used + n > bytes.length) {
      let cap = bytes.length * 2;
      while (cap < used + n) cap *= 2;
      const nb = new Uint8Array(cap);
      nb.set(bytes.subarray(0, used));
      bytes = nb;
    }
    bytes.set(b.subarray(s, e), used);
    used += n;
  };
  for (let i = 0; i < size; i++) {
    const entryAt = c.pos;
    c.cstring(`word of entry ${i}`, sink, MAX_WORD_BYTES);
    offsets[i + 1] = used;
    const count = c.int64(`count of entry ${i}`);
    if (count < 0) throw c.error(`entry ${i} has a negative count ${count}`, c.pos - 8);
    counts[i] = count;
    const type = c.uint8(`type of entry ${i}`);
    if (type > 1) throw c.error(`entry ${i} has type ${type} (0 word or 1 label expected)`, c.pos - 1);
    if ((type === ENTRY_LABEL) !== i >= nwords) {
      throw c.error(`entry ${i} is a ${type === ENTRY_LABEL ? 'label' : 'word'} but the dictionary header says ${nwords} words come before ${nlabels} labels`, entryAt);
    }
    types[i] = type;
  }
  let pruneFrom: Int32Array | undefined;
  let pruneTo: Int32Array | undefined;
  if (pruneidxSize >= 0) {
    pruneFrom = new Int32Array(pruneidxSize);
    pruneTo = new Int32Array(pruneidxSize);
    for (let i = 0; i < pruneidxSize; i++) {
      const at = c.pos;
      const from = c.int32('pruned index');
      const to = c.int32('pruned index');
      if (from < 0 || from >= Math.max(1, args.bucket) || to < 0 || to >= pruneidxSize) {
        throw c.error(`pruned index pair ${i} maps bucket ${from} to row ${to}; buckets are 0..${args.bucket - 1} and rows 0..${pruneidxSize - 1}`, at);
      }
      pruneFrom[i] = from;
      pruneTo[i] = to;
    }
  }
  return new FastTextDictionary({
    params: { minn: args.minn, maxn: args.maxn, bucket: args.bucket, wordNgrams: args.wordNgrams, label: args.label },
    bytes: sharedBytes(bytes.subarray(0, used)), offsets, counts, types, nwords, nlabels, ntokens, pruneidxSize, pruneFrom, pruneTo,
  });
}

function sharedBytes(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(Math.max(1, b.length)), 0, b.length);
  out.set(b);
  return out;
}

function readDims(c: Cursor, which: string, rows: number, dim: number): void {
  const at = c.pos;
  const m = c.int64(`${which} matrix rows`);
  const n = c.int64(`${which} matrix columns`);
  if (n !== dim) throw c.error(`the ${which} matrix has ${n} columns but the args say dim ${dim}`, at + 8, 'the file is damaged');
  if (m !== rows) {
    throw c.error(`the ${which} matrix has ${m} rows but the dictionary and args need ${rows}`, at, 'the dictionary disagrees with the matrix sizes: the file is damaged');
  }
}

function readDenseMatrix(c: Cursor, which: string, rows: number, dim: number, mode: 'read' | 'lazy' | 'skip'): Matrix | undefined {
  readDims(c, which, rows, dim);
  const bytes = rows * dim * 4;
  if (bytes > c.remaining) throw c.cut(`${which} matrix (${rows} x ${dim} float32)`, bytes);
  if (mode === 'skip') {
    c.skip(bytes, `${which} matrix`);
    return undefined;
  }
  if (mode === 'lazy') {
    const m = new FileDenseMatrix(c.src, c.pos, rows, dim);
    c.skip(bytes, `${which} matrix`);
    return m;
  }
  const data = sharedFloat32(rows * dim);
  c.bytes(new Uint8Array(data.buffer, 0, bytes), `${which} matrix values`);
  return new DenseMatrix(rows, dim, data);
}

function readPQ(c: Cursor, what: string, dim: number): ProductQuantizer {
  const at = c.pos;
  const d = c.int32(`${what} dim`);
  const nsubq = c.int32(`${what} nsubq`);
  const dsub = c.int32(`${what} dsub`);
  const lastdsub = c.int32(`${what} lastdsub`);
  if (d !== dim || dsub < 1 || dsub > dim || nsubq !== Math.ceil(dim / dsub) || lastdsub !== dim - (nsubq - 1) * dsub) {
    throw c.error(`impossible ${what}: dim ${d}, ${nsubq} sub-quantizers of ${dsub} (last ${lastdsub}) for vectors of ${dim}`, at, 'the file is damaged');
  }
  const centroids = sharedFloat32(dim * KSUB);
  c.bytes(new Uint8Array(centroids.buffer, 0, dim * KSUB * 4), `${what} centroids`);
  return new ProductQuantizer(d, nsubq, dsub, lastdsub, centroids);
}

function readQuantMatrix(c: Cursor, which: string, rows: number, dim: number): QuantMatrix {
  const qnorm = c.bool(`${which} qnorm flag`);
  readDims(c, which, rows, dim);
  const at = c.pos;
  const codesize = c.int32(`${which} code size`);
  if (codesize < 0 || codesize > c.remaining) {
    if (codesize > c.remaining && codesize <= rows * dim) throw c.cut(`${which} matrix codes`, codesize);
    throw c.error(`impossible code size ${codesize} for ${rows} rows of ${dim}`, at);
  }
  const codes = new Uint8Array(new SharedArrayBuffer(Math.max(1, codesize)), 0, codesize);
  c.bytes(codes, `${which} matrix codes`);
  const pq = readPQ(c, `${which} product quantizer`, dim);
  if (codesize !== rows * pq.nsubq) {
    throw c.error(`the ${which} matrix has ${codesize} code bytes but ${rows} rows x ${pq.nsubq} sub-quantizers need ${rows * pq.nsubq}`, at, 'the file is damaged');
  }
  if (!qnorm) return new QuantMatrix(rows, dim, pq, codes, false);
  const normCodes = new Uint8Array(new SharedArrayBuffer(Math.max(1, rows)), 0, rows);
  c.bytes(normCodes, `${which} norm codes`);
  const npq = readPQ(c, `${which} norm quantizer`, 1);
  return new QuantMatrix(rows, dim, pq, codes, true, normCodes, npq);
}
