/**
 * Word-vector files in the formats the reference tools write:
 *
 * - `glove`: GloVe's text output, one "word v1 v2 ... vd" line per word, no header.
 * - `word2vec-text` (also fastText's `.vec`, alias `vec`): a "count dim" header
 *   line, then lines as in GloVe's format (fastText ends each line with a space).
 * - `word2vec-binary`: a "count dim\n" header, then for each word its UTF-8 bytes,
 *   a space and `dim` little-endian float32 values; word2vec's C tool writes a "\n"
 *   after each vector, gensim writes none: both are read.
 *
 * Files are read in chunks (a multi-gigabyte file is never one string) into one
 * shared float32 matrix. A word that repeats keeps its first vector only (as gensim
 * does), so row i of the result is the i-th distinct word of the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { Embeddings, WordloomError, sharedFloat32 } from '@wordloom/core';
import { writeAtomic } from './atomic.js';

export type VectorsFormat = 'glove' | 'word2vec-text' | 'word2vec-binary';

export interface ReadVectorsOptions {
  /** 'auto' (default) looks at the header and the first record; 'vec' is word2vec-text. */
  format?: 'auto' | VectorsFormat | 'vec';
  /** Read at most this many vectors (the first ones: the most frequent words in a sorted file). */
  limit?: number;
  /** Bytes read at a time (default 4 MiB); tests use tiny chunks to cross every boundary. */
  chunkSize?: number;
}

export interface ReadVectorsInfo {
  /** The format that was read. */
  format: VectorsFormat;
  /** Words that repeated in the file and were dropped (the first vector was kept). */
  duplicates: number;
}

const CHUNK = 4 << 20;
const LITTLE_ENDIAN = endianness() === 'LE';

/** Read a vectors file; see the module comment for the formats. */
export async function readVectors(file: string, opts: ReadVectorsOptions = {}): Promise<Embeddings> {
  return (await readVectorsWithInfo(file, opts)).embeddings;
}

/** As readVectors, also saying which format was found and how many duplicate words were dropped. */
export async function readVectorsWithInfo(file: string, opts: ReadVectorsOptions = {}): Promise<{ embeddings: Embeddings } & ReadVectorsInfo> {
  const requested = opts.format ?? 'auto';
  if (!['auto', 'glove', 'word2vec-text', 'word2vec-binary', 'vec'].includes(requested)) {
    throw new WordloomError('E_PARAM', `unknown vectors format "${requested}"`, { param: 'format' }, "use 'auto', 'glove', 'word2vec-text', 'word2vec-binary' or 'vec'");
  }
  const limit = opts.limit ?? Infinity;
  if (!(limit >= 0)) throw new WordloomError('E_PARAM', `limit must be a non-negative number, got ${opts.limit}`, { param: 'limit' });
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new WordloomError('E_FILE', `cannot read the vectors file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file }, 'check the path');
  }
  try {
    // open() succeeds on a directory; reading it would fail with a bare EISDIR.
    if ((await fh.stat()).isDirectory()) {
      throw new WordloomError('E_FILE', 'the vectors path is a directory, not a file', { file }, 'name a vectors file (GloVe text, word2vec text/binary, .vec) inside it');
    }
    const src = new Source(fh, opts.chunkSize ?? CHUNK);
    await src.fill(1);
    if (src.available() === 0) throw new WordloomError('E_INPUT', 'the vectors file is empty', { file }, 'expected word vectors in GloVe or word2vec format');
    // The first line decides whether there is a word2vec header.
    const first = await src.peekLine();
    const header = first === undefined ? undefined : parseHeader(first.text);
    let format: VectorsFormat;
    if (requested === 'auto') {
      if (!header) format = 'glove';
      else format = (await looksLikeText(src, first!.next, header.dim)) ? 'word2vec-text' : 'word2vec-binary';
    } else {
      format = requested === 'vec' ? 'word2vec-text' : requested;
    }
    if (format !== 'glove' && !header) {
      const line = first === undefined ? '' : first.text;
      throw new WordloomError(
        'E_INPUT',
        `expected a "count dim" header line for the ${format} format, got ${JSON.stringify(line.slice(0, 60))}`,
        { file, line: 1 },
        "a word2vec or fastText .vec file starts with the number of words and the dimension; for GloVe's headerless text use format 'glove' or 'auto'",
      );
    }
    const out = new Builder(file, header && format !== 'glove' ? Math.min(header.count, limit) : -1, header && format !== 'glove' ? header.dim : -1);
    if (format === 'word2vec-binary') {
      src.consume(first!.next);
      await readBinary(src, file, header!, limit, out);
    } else {
      if (format === 'word2vec-text') src.consume(first!.next);
      await readText(src, file, format === 'word2vec-text' ? header! : undefined, limit, out);
    }
    if (out.rows === 0) {
      throw new WordloomError('E_INPUT', limit === 0 ? 'limit 0: no vectors read' : 'the vectors file has no vectors', { file }, limit === 0 ? 'use a positive limit' : 'expected word vectors in GloVe or word2vec format');
    }
    return { embeddings: out.finish(), format, duplicates: out.duplicates };
  } finally {
    await fh.close();
  }
}

/** Write vectors atomically (temporary name, then rename). */
export async function writeVectors(emb: Embeddings, file: string, format: VectorsFormat): Promise<void> {
  if (format !== 'glove' && format !== 'word2vec-text' && format !== 'word2vec-binary') {
    throw new WordloomError('E_PARAM', `unknown vectors format "${format}"`, { param: 'format' }, "use 'glove', 'word2vec-text' or 'word2vec-binary'");
  }
  const { dim, data, words } = emb;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '' || /[ \t\n\r]/.test(w)) {
      throw new WordloomError('E_INPUT', `cannot write a word that is empty or contains a space, tab or line break`, { file, word: w }, 'vector files separate words from values by a space');
    }
  }
  await writeAtomic(file, async (w) => {
    if (format !== 'glove') await w.write(`${words.length} ${dim}\n`);
    if (format === 'word2vec-binary') {
      const rowBytes = new Uint8Array(dim * 4);
      const dv = new DataView(rowBytes.buffer);
      const nl = new Uint8Array([10]);
      for (let i = 0; i < words.length; i++) {
        await w.write(words[i]! + ' ');
        const o = i * dim;
        for (let j = 0; j < dim; j++) dv.setFloat32(j * 4, data[o + j]!, true);
        await w.write(rowBytes);
        await w.write(nl);
      }
      return;
    }
    let buf = '';
    for (let i = 0; i < words.length; i++) {
      let line = words[i]!;
      const o = i * dim;
      for (let j = 0; j < dim; j++) line += ' ' + formatFloat32(data[o + j]!);
      buf += line + '\n';
      if (buf.length > 1 << 16) {
        await w.write(buf);
        buf = '';
      }
    }
    await w.write(buf);
  });
}

/**
 * The shortest decimal string that reads back as the same float32 (for values
 * that need fewer than 6 significant digits, those digits without trailing zeros).
 */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v)) {
    throw new WordloomError('E_INPUT', `cannot write the non-finite value ${v}`, {}, 'the vectors contain NaN or infinity: training probably diverged');
  }
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  // Most float32 values need 8 significant digits, some 7 or 9, few 6 or less; a
  // value that round-trips with 6 digits prints its shortest form once trailing
  // zeros go. Descend from 8 while shorter still reads back.
  const ok = (s: string): boolean => Math.fround(Number(s)) === v;
  const s8 = v.toPrecision(8);
  if (!ok(s8)) return stripZeros(v.toPrecision(9));
  const s7 = v.toPrecision(7);
  if (!ok(s7)) return stripZeros(s8);
  const s6 = v.toPrecision(6);
  return stripZeros(ok(s6) ? s6 : s7);
}

function stripZeros(s: string): string {
  const e = s.indexOf('e');
  let mant = e < 0 ? s : s.slice(0, e);
  const exp = e < 0 ? '' : s.slice(e);
  if (mant.includes('.')) {
    let end = mant.length;
    while (mant.charCodeAt(end - 1) === 48) end--;
    if (mant.charCodeAt(end - 1) === 46) end--;
    mant = mant.slice(0, end);
  }
  return mant + exp;
}

// ---------------------------------------------------------------------------

interface Header {
  count: number;
  dim: number;
}

function parseHeader(line: string): Header | undefined {
  const m = /^[ \t]*(\d+)[ \t]+(\d+)[ \t\r]*$/.exec(line);
  if (!m) return undefined;
  const count = Number(m[1]);
  const dim = Number(m[2]);
  if (!(dim > 0)) return undefined;
  return { count, dim };
}

/** Is the record after the header a text line of `dim` numbers? */
async function looksLikeText(src: Source, from: number, dim: number): Promise<boolean> {
  const line = await src.peekLine(from);
  if (line === undefined) return true; // nothing after the header: no way to tell, text is the harmless answer
  const fields = line.text.replace(/^[ \t]+|[ \t\r]+$/g, '').split(/[ \t]+/);
  if (fields.length !== dim + 1) return false;
  for (let j = 1; j < fields.length; j++) if (!isNumberToken(fields[j]!)) return false;
  return true;
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$/i;
function isNumberToken(s: string): boolean {
  return NUMBER_RE.test(s);
}

/** Buffered reading of a file handle. Holds bytes [pos, end) of `buf`. */
class Source {
  buf: Buffer;
  pos = 0;
  end = 0;
  eof = false;
  /** File offset of buf[0]. */
  base = 0;
  constructor(
    private readonly fh: FileHandle,
    private readonly chunk: number,
  ) {
    if (!(chunk >= 1)) throw new WordloomError('E_PARAM', `chunkSize must be positive, got ${chunk}`, { param: 'chunkSize' });
    this.buf = Buffer.allocUnsafe(chunk);
  }

  available(): number {
    return this.end - this.pos;
  }

  /** Make at least n bytes available unless the file ends first. */
  async fill(n: number): Promise<void> {
    while (this.end - this.pos < n && !this.eof) {
      if (this.pos > 0) {
        this.buf.copy(this.buf, 0, this.pos, this.end);
        this.base += this.pos;
        this.end -= this.pos;
        this.pos = 0;
      }
      if (this.buf.length - this.end < Math.min(this.chunk, n)) {
        const nb = Buffer.allocUnsafe(Math.max(this.buf.length * 2, n + this.chunk));
        this.buf.copy(nb, 0, 0, this.end);
        this.buf = nb;
      }
      const { bytesRead } = await this.fh.read(this.buf, this.end, Math.min(this.chunk, this.buf.length - this.end), null);
      if (bytesRead === 0) this.eof = true;
      this.end += bytesRead;
    }
  }

  consume(n: number): void {
    this.pos += n;
  }

  /** Index (absolute in buf) of the next '\n' at or after pos + from, reading more as needed; -1 at EOF. */
  async findNewline(from = 0): Promise<number> {
    let scanned = from;
    for (;;) {
      const i = this.buf.indexOf(10, this.pos + scanned);
      if (i >= 0 && i < this.end) return i;
      scanned = this.end - this.pos;
      if (this.eof) return -1;
      await this.fill(scanned + this.chunk);
      if (this.end - this.pos === scanned) return -1;
    }
  }

  /** The line starting at pos + from, without consuming; `next` is the offset just after it. */
  async peekLine(from = 0): Promise<{ text: string; next: number } | undefined> {
    await this.fill(from + 1);
    if (this.end - this.pos <= from) return undefined;
    const nl = await this.findNewline(from);
    const stop = nl < 0 ? this.end : nl;
    let textEnd = stop;
    if (textEnd > this.pos + from && this.buf[textEnd - 1] === 13) textEnd--;
    return { text: this.buf.toString('utf8', this.pos + from, textEnd), next: (nl < 0 ? this.end : nl + 1) - this.pos };
  }
}

/** Accumulates rows; with a known count they go straight into shared memory. */
class Builder {
  words: string[] = [];
  rows = 0;
  duplicates = 0;
  dim: number;
  private data: Float32Array;
  private readonly seen = new Set<string>();
  private readonly known: boolean;

  constructor(
    private readonly file: string,
    count: number,
    dim: number,
  ) {
    this.dim = dim;
    this.known = count >= 0;
    this.data = count >= 0 ? sharedFloat32(count * dim) : new Float32Array(0);
  }

  setDim(dim: number): void {
    this.dim = dim;
    if (!this.known) this.data = new Float32Array(1024 * dim);
  }

  /** The row to fill for `word`, or undefined when the word repeats (its vector is then ignored). */
  add(word: string): Float32Array | undefined {
    if (this.seen.has(word)) {
      this.duplicates++;
      return undefined;
    }
    this.seen.add(word);
    const d = this.dim;
    if ((this.rows + 1) * d > this.data.length) {
      if (this.known) throw new WordloomError('E_INTERNAL', 'more rows than the header announced', { file: this.file });
      const nd = new Float32Array(Math.max(this.data.length * 2, (this.rows + 1) * d));
      nd.set(this.data);
      this.data = nd;
    }
    this.words.push(word);
    const row = this.data.subarray(this.rows * d, (this.rows + 1) * d);
    this.rows++;
    return row;
  }

  finish(): Embeddings {
    const n = this.rows * this.dim;
    let data: Float32Array;
    if (this.data.buffer instanceof SharedArrayBuffer) {
      data = n === this.data.length ? this.data : this.data.subarray(0, n);
    } else {
      data = sharedFloat32(n);
      data.set(this.data.subarray(0, n));
    }
    return new Embeddings(this.words, this.dim, data);
  }
}

async function readText(src: Source, file: string, header: Header | undefined, limit: number, out: Builder): Promise<void> {
  const want = header ? Math.min(header.count, limit) : limit;
  let lineNo = header ? 1 : 0;
  let dim = header ? header.dim : -1;
  const fmt = header ? 'word2vec/fastText text' : 'GloVe text';
  let read = 0;
  const scratch: number[] = [];
  while (read < want) {
    await src.fill(1);
    if (src.available() === 0) break;
    const nl = await src.findNewline();
    const stop = nl < 0 ? src.end : nl;
    let textEnd = stop;
    if (textEnd > src.pos && src.buf[textEnd - 1] === 13) textEnd--;
    const line = src.buf.toString('utf8', src.pos, textEnd);
    src.pos = nl < 0 ? src.end : nl + 1;
    lineNo++;
    // Split on spaces/tabs, ignoring leading and trailing ones (fastText ends lines with a
    // space). Only space and tab separate: a word may hold other Unicode spaces (U+FEFF, U+00A0).
    const trimmed = line.replace(/^[ \t]+|[ \t]+$/g, '');
    if (trimmed === '') continue;
    const where = { file, line: lineNo };
    const fields = trimmed.split(/[ \t]+/);
    if (dim < 0) {
      dim = fields.length - 1;
      if (dim < 1) {
        throw new WordloomError('E_INPUT', `expected a word followed by its values, got ${JSON.stringify(line.slice(0, 60))}`, where, `a ${fmt} line is "word v1 v2 ... vd"`);
      }
      if (parseHeader(line)) {
        throw new WordloomError('E_INPUT', `the first line looks like a word2vec "count dim" header`, where, "read it with format 'auto' or 'word2vec-text'");
      }
      out.setDim(dim);
    }
    let word: string;
    let firstValue: number;
    if (fields.length === dim + 1) {
      word = fields[0]!;
      firstValue = 1;
    } else if (fields.length > dim + 1 && !fields.slice(1, fields.length - dim).some(isNumberToken)) {
      // A word containing spaces (GloVe 840B has a few): the last `dim` fields are the values.
      word = fields.slice(0, fields.length - dim).join(' ');
      firstValue = fields.length - dim;
    } else {
      const got = fields.length - 1;
      const hint =
        read === 0 && header
          ? `the header says dimension ${dim}; check the header or the format`
          : `every line must have the same number of values (${dim}${read === 0 ? '' : ', as on the first vector line'})`;
      throw new WordloomError('E_INPUT', `expected ${dim} values after the word, got ${got}`, { ...where, word: fields[0] }, hint);
    }
    scratch.length = 0;
    for (let j = firstValue; j < fields.length; j++) {
      const s = fields[j]!;
      const v = Number(s);
      if (!Number.isFinite(v) || s === '') {
        if (isNumberToken(s) || /^[+-]?(nan|inf)/i.test(s)) {
          throw new WordloomError('E_INPUT', `value ${j - firstValue + 1} is ${s}: NaN or infinite values are not allowed`, { ...where, word }, 'the vectors are broken (training probably diverged); retrain or fix the file');
        }
        throw new WordloomError('E_INPUT', `value ${j - firstValue + 1} is not a number: ${JSON.stringify(s.slice(0, 40))}`, { ...where, word }, `a ${fmt} line is "word v1 v2 ... vd" with decimal numbers`);
      }
      scratch.push(v);
    }
    const row = out.add(word);
    if (row) for (let j = 0; j < dim; j++) row[j] = scratch[j]!;
    read++;
  }
  if (header && read < want) {
    throw new WordloomError('E_INPUT', `the header announces ${header.count} vectors but the file ends after ${read}`, { file, line: lineNo }, 'the file is truncated or the header count is wrong');
  }
}

async function readBinary(src: Source, file: string, header: Header, limit: number, out: Builder): Promise<void> {
  const { dim, count } = header;
  const want = Math.min(count, limit);
  const bytes = dim * 4;
  const dec = new TextDecoder('utf-8', { ignoreBOM: true });
  const tmp = new Uint8Array(bytes);
  const tmpF = new Float32Array(tmp.buffer);
  const dv = new DataView(tmp.buffer);
  for (let i = 0; i < want; i++) {
    // Skip the newline word2vec's C tool writes after each vector (gensim writes none).
    for (;;) {
      await src.fill(1);
      if (src.available() === 0) break;
      const c = src.buf[src.pos]!;
      if (c === 10 || c === 13) src.pos++;
      else break;
    }
    const at = src.base + src.pos;
    if (src.available() === 0) {
      throw new WordloomError('E_INPUT', `truncated binary file: the header announces ${count} vectors but the file ends after ${i}`, { file }, 'the file was cut short (an interrupted copy or download?)');
    }
    // The word: bytes up to a space.
    let sp = -1;
    let scanned = 0;
    for (;;) {
      const j = src.buf.indexOf(32, src.pos + scanned);
      if (j >= 0 && j < src.end) {
        sp = j;
        break;
      }
      scanned = src.available();
      if (src.eof || scanned > 1 << 16) break;
      await src.fill(scanned + 4096);
    }
    if (sp < 0) {
      throw new WordloomError(
        'E_INPUT',
        src.eof ? `truncated binary file: vector ${i + 1} of ${count} (byte ${at}) has a word but no values` : `vector ${i + 1} (byte ${at}): no space after the word within 64 KiB`,
        { file },
        src.eof ? 'the file was cut short (an interrupted copy or download?)' : "this does not look like word2vec's binary format; try format 'auto'",
      );
    }
    const word = dec.decode(src.buf.subarray(src.pos, sp));
    src.pos = sp + 1;
    await src.fill(bytes);
    if (src.available() < bytes) {
      throw new WordloomError('E_INPUT', `truncated binary file: vector ${i + 1} of ${count} ("${word}", byte ${at}) has ${src.available()} of its ${bytes} bytes`, { file, word }, 'the file was cut short (an interrupted copy or download?)');
    }
    tmp.set(src.buf.subarray(src.pos, src.pos + bytes));
    src.pos += bytes;
    if (!LITTLE_ENDIAN) for (let j = 0; j < dim; j++) tmpF[j] = dv.getFloat32(j * 4, true);
    for (let j = 0; j < dim; j++) {
      if (!Number.isFinite(tmpF[j]!)) {
        throw new WordloomError('E_INPUT', `vector ${i + 1} (byte ${at}) value ${j + 1} is ${tmpF[j]}: NaN or infinite values are not allowed`, { file, word }, 'the vectors are broken (training probably diverged); retrain or fix the file');
      }
    }
    if (word === '') {
      throw new WordloomError('E_INPUT', `vector ${i + 1} (byte ${at}) has an empty word`, { file }, "the file is damaged or not in word2vec's binary format");
    }
    const row = out.add(word);
    if (row) row.set(tmpF);
  }
}
