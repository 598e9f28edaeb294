/**
 * Streaming the examples: lines from files, globs or standard input (never a
 * whole file in memory), parsed and hashed into chunks of typed arrays, and the
 * cache of hashed chunks that passes after the first read (in memory or on disk).
 */
import { createReadStream } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { join } from 'node:path';
import { WordloomError, sharedFloat32, sharedInt32, type Rng } from '@wordloom/core';
import { expandGlobs } from '../io/glob.js';
import type { FeatureBuilder } from './features.js';
import type { ExampleChunk } from './learn.js';
import { LabelError, type LinearModel } from './model.js';
import { LineError, detectFormat, labelOf, parseLine, type LineFormat, type ParsedLine } from './parse.js';
import type { LinearFormat } from './params.js';

export interface SourceLine {
  file: string;
  line: number;
  text: string;
}

/** The inputs as streams of bytes, one after the other ("-" = standard input; a name ending in .gz is gunzipped). */
async function* openInputs(inputs: readonly string[], baseDir: string, stdin: NodeJS.ReadableStream): AsyncGenerator<{ file: string; name: string; stream: AsyncIterable<Buffer | string> }> {
  const files = expandGlobs(inputs, baseDir);
  if (!files.length) throw new WordloomError('E_FILE', `no input file matches ${inputs.map((i) => JSON.stringify(i)).join(', ')}`, { param: 'input' }, 'check the path or glob');
  for (const file of files) {
    let stream: AsyncIterable<Buffer | string>;
    if (file === '-') stream = stdin as AsyncIterable<Buffer | string>;
    else {
      const s = createReadStream(file, { highWaterMark: 1 << 16 });
      await new Promise<void>((res, rej) => {
        s.once('open', () => res());
        s.once('error', (e) => rej(new WordloomError('E_FILE', `cannot read the input: ${e.message}`, { file, param: 'input' }, 'check the path')));
      });
      // pipeline destroys the gunzip stream with the error of either side, so the reading loop sees it
      stream = file.endsWith('.gz') ? pipeline(s, createGunzip(), () => {}) : s;
    }
    yield { file, name: file === '-' ? '<stdin>' : file, stream };
  }
}

function readError(e: unknown, file: string, name: string, line: number): WordloomError {
  if (e instanceof WordloomError) return e;
  return new WordloomError('E_INPUT', `cannot read the input: ${(e as Error).message}`, { file: name, line, param: 'input' }, file.endsWith('.gz') ? 'a file ending in .gz must be gzip-compressed and whole' : 'check the file');
}

/** The lines of each input in turn ("-" = standard input; a name ending in .gz is gunzipped), with file and 1-based line number. */
export async function* readLines(inputs: readonly string[], baseDir: string, stdin: NodeJS.ReadableStream = process.stdin): AsyncGenerator<SourceLine> {
  for await (const { file, name, stream } of openInputs(inputs, baseDir, stdin)) {
    const dec = new StringDecoder('utf8');
    let rest = '';
    let n = 0;
    try {
      for await (const chunk of stream) {
        const text = rest + (typeof chunk === 'string' ? chunk : dec.write(chunk));
        let from = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
          n++;
          yield { file: name, line: n, text: text.charCodeAt(nl - 1) === 13 ? text.slice(from, nl - 1) : text.slice(from, nl) };
          from = nl + 1;
        }
        rest = text.slice(from);
      }
    } catch (e) {
      throw readError(e, file, name, n + 1);
    }
    rest += dec.end();
    if (rest) {
      n++;
      yield { file: name, line: n, text: rest.endsWith('\r') ? rest.slice(0, -1) : rest };
    }
  }
}

/** Whole lines of one input as bytes (each ending in a newline), the first being line `firstLine`. */
export interface LineBatch {
  file: string;
  firstLine: number;
  lines: number;
  bytes: Uint8Array;
}

/**
 * The inputs cut into batches of whole lines of about `size` bytes, without decoding them (the
 * workers do): a newline byte never falls inside a UTF-8 sequence. A last line without a newline
 * gets one.
 */
export async function* readLineBatches(inputs: readonly string[], baseDir: string, size: number, stdin: NodeJS.ReadableStream = process.stdin): AsyncGenerator<LineBatch> {
  for await (const { file, name, stream } of openInputs(inputs, baseDir, stdin)) {
    let parts: Buffer[] = [];
    let held = 0;
    let lines = 0;
    let line = 1;
    const take = (upto: Buffer | undefined): LineBatch => {
      const bytes = Buffer.concat(upto ? [...parts, upto] : parts);
      const out: LineBatch = { file: name, firstLine: line, lines, bytes };
      line += lines;
      parts = [];
      held = 0;
      lines = 0;
      return out;
    };
    try {
      for await (const c of stream) {
        const buf = typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
        let last = -1;
        for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) {
          lines++;
          last = i;
        }
        if (last < 0) {
          parts.push(buf);
          held += buf.length;
          continue;
        }
        if (held + last + 1 >= size) {
          yield take(buf.subarray(0, last + 1));
          if (last + 1 < buf.length) {
            parts.push(buf.subarray(last + 1));
            held = buf.length - last - 1;
          }
        } else {
          parts.push(buf);
          held += buf.length;
        }
        // lines counted so far that belong to the bytes held (the tail after the last newline has none)
      }
    } catch (e) {
      throw readError(e, file, name, line + lines);
    }
    if (held) {
      const tail = parts.length ? parts[parts.length - 1]! : undefined;
      if (tail && tail[tail.length - 1] !== 10) {
        parts.push(Buffer.from('\n'));
        lines++;
      }
      yield take(undefined);
    }
  }
}

/** Growable buffers of hashed examples, taken as chunks. */
export class ChunkBuilder {
  private labels: Float32Array;
  private weights: Float32Array;
  private offsets: Int32Array;
  private idx: Int32Array;
  private val: Float32Array;
  n = 0;
  private nnz = 0;

  constructor(readonly capacity: number, private shared: boolean) {
    this.labels = new Float32Array(capacity);
    this.weights = new Float32Array(capacity);
    this.offsets = new Int32Array(capacity + 1);
    this.idx = new Int32Array(capacity * 32);
    this.val = new Float32Array(capacity * 32);
  }

  add(label: number, weight: number, b: FeatureBuilder): void {
    if (this.nnz + b.n > this.idx.length) {
      const size = Math.max(this.idx.length * 2, this.nnz + b.n);
      const i = new Int32Array(size);
      i.set(this.idx.subarray(0, this.nnz));
      this.idx = i;
      const v = new Float32Array(size);
      v.set(this.val.subarray(0, this.nnz));
      this.val = v;
    }
    this.idx.set(b.idx.subarray(0, b.n), this.nnz);
    this.val.set(b.val.subarray(0, b.n), this.nnz);
    this.labels[this.n] = label;
    this.weights[this.n] = weight;
    this.nnz += b.n;
    this.n++;
    this.offsets[this.n] = this.nnz;
  }

  get full(): boolean {
    return this.n >= this.capacity;
  }

  /** The examples added since the last take, as a chunk of exactly-sized arrays (shared memory when asked). */
  take(): ExampleChunk {
    const n = this.n;
    const nnz = this.nnz;
    const f32 = (a: Float32Array, len: number): Float32Array => {
      const o = this.shared ? sharedFloat32(len) : new Float32Array(len);
      o.set(a.subarray(0, len));
      return o;
    };
    const i32 = (a: Int32Array, len: number): Int32Array => {
      const o = this.shared ? sharedInt32(len) : new Int32Array(len);
      o.set(a.subarray(0, len));
      return o;
    };
    const chunk: ExampleChunk = { n, labels: f32(this.labels, n), weights: f32(this.weights, n), offsets: i32(this.offsets, n + 1), idx: i32(this.idx, nnz), val: f32(this.val, nnz) };
    this.n = 0;
    this.nnz = 0;
    return chunk;
  }
}

export interface ParseOptions {
  format: LinearFormat;
  labelPrefix: string;
  onError: 'skip' | 'fail';
  /** Learning: new label names get classes; a line without a label is malformed. */
  learn: boolean;
  log?: (m: string) => void;
}

export interface ParsedExample {
  src: SourceLine;
  parsed: ParsedLine;
  /** The learning label (±1, class, value); NaN when the line has none or (testing) an unknown one. */
  label: number;
}

/** Parses lines into the builder; skips or fails at malformed lines, counting them. */
export class ExampleParser {
  skipped = 0;
  private formats = new Map<string, LineFormat>();
  private named = 0;

  constructor(private model: LinearModel, readonly b: FeatureBuilder, private o: ParseOptions) {}

  /** The format of a (non-blank) line's file: the one asked for, or guessed from the file's first line. */
  formatOf(src: SourceLine): LineFormat {
    let fmt = this.o.format === 'auto' ? this.formats.get(src.file) : this.o.format;
    if (!fmt) {
      fmt = detectFormat(src.text, this.o.labelPrefix);
      this.formats.set(src.file, fmt);
      this.o.log?.(`${src.file}: ${fmt} format`);
    }
    return fmt;
  }

  /** Numbers the label of a line (main thread, while workers parse the features); errors name file:line. */
  numberLabel(src: SourceLine, fmt: LineFormat): void {
    const tok = labelOf(fmt, src.text, this.o.labelPrefix);
    if (tok === undefined) return;
    try {
      this.model.encodeLabel(tok, true);
    } catch (e) {
      if (!(e instanceof LabelError)) throw e;
      throw new WordloomError('E_INPUT', e.message, { file: src.file, line: src.line, param: 'task' }, e.hint);
    }
  }

  /** The example of a line into the builder, or undefined for a blank or skipped line. */
  parse(src: SourceLine): ParsedExample | undefined {
    const text = src.text;
    if (!text.trim()) return undefined;
    const fmt = this.formatOf(src);
    const b = this.b;
    b.reset();
    let parsed: ParsedLine;
    try {
      parsed = parseLine(fmt, text, b, this.o.labelPrefix);
      if (this.o.learn && parsed.labels.length === 0) throw new LineError('no label');
      b.finish();
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      return this.malformed(src, e.message, fmt);
    }
    let label = NaN;
    if (parsed.labels.length) {
      try {
        label = this.model.encodeLabel(parsed.labels[0]!, this.o.learn);
      } catch (e) {
        if (!(e instanceof LabelError)) throw e;
        throw new WordloomError('E_INPUT', e.message, { file: src.file, line: src.line, param: 'task' }, e.hint);
      }
      if (label === -2 && !this.o.learn) label = NaN;
    }
    return { src, parsed, label };
  }

  private malformed(src: SourceLine, why: string, fmt: LineFormat): undefined {
    if (this.o.onError === 'fail') {
      throw new WordloomError('E_INPUT', `malformed ${fmt} line: ${why}`, { file: src.file, line: src.line }, 'fix the line, or pass on_error skip (--skip-malformed) to skip such lines');
    }
    this.skipped++;
    if (this.named < 5) {
      this.named++;
      this.o.log?.(`${src.file}:${src.line}: skipped a malformed ${fmt} line: ${why}`);
    }
    return undefined;
  }
}

/** Hashed chunks kept for the passes after the first: in memory, or in a file of the temporary directory. */
export class ChunkCache {
  private mem: ExampleChunk[] = [];
  private fh?: FileHandle;
  private file?: string;
  private offsets: { pos: number; n: number; nnz: number }[] = [];
  private end = 0;

  constructor(private kind: 'memory' | 'disk', private tmpDir: string) {}

  async add(c: ExampleChunk): Promise<void> {
    if (this.kind === 'memory') {
      this.mem.push(c);
      return;
    }
    if (!this.fh) {
      this.file = join(this.tmpDir, `wordloom-linear-cache-${process.pid}-${Date.now()}.bin`);
      try {
        this.fh = await open(this.file, 'w+');
      } catch (e) {
        throw new WordloomError('E_FILE', `cannot write the example cache: ${(e as Error).message}`, { file: this.file }, 'set a writable temporary directory (TMPDIR) or use cache memory');
      }
    }
    const nnz = c.offsets[c.n]!;
    const parts = [c.labels, c.weights, c.offsets, c.idx, c.val];
    let pos = this.end;
    this.offsets.push({ pos, n: c.n, nnz });
    for (const p of parts) {
      const bytes = new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
      let off = 0;
      while (off < bytes.length) off += (await this.fh.write(bytes, off, bytes.length - off, pos + off)).bytesWritten;
      pos += bytes.length;
    }
    this.end = pos;
  }

  /** The cached chunks in order, or in a random order drawn from rng. */
  async *chunks(shared: boolean, rng?: Rng): AsyncGenerator<ExampleChunk> {
    const count = this.kind === 'memory' ? this.mem.length : this.offsets.length;
    const order = Array.from({ length: count }, (_, i) => i);
    if (rng) for (let i = count - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    if (this.kind === 'memory') {
      for (const i of order) yield this.mem[i]!;
      return;
    }
    for (const i of order) {
      const { pos, n, nnz } = this.offsets[i]!;
      const f32 = (len: number): Float32Array => (shared ? sharedFloat32(len) : new Float32Array(len));
      const i32 = (len: number): Int32Array => (shared ? sharedInt32(len) : new Int32Array(len));
      const c: ExampleChunk = { n, labels: f32(n), weights: f32(n), offsets: i32(n + 1), idx: i32(nnz), val: f32(nnz) };
      let p = pos;
      for (const a of [c.labels, c.weights, c.offsets, c.idx, c.val]) {
        const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
        let off = 0;
        while (off < bytes.length) {
          const r = (await this.fh!.read(bytes, off, bytes.length - off, p + off)).bytesRead;
          if (r === 0) throw new WordloomError('E_FILE', 'the example cache file ended early', { file: this.file });
          off += r;
        }
        p += bytes.length;
      }
      yield c;
    }
  }

  async close(): Promise<void> {
    this.mem = [];
    if (this.fh) {
      await this.fh.close();
      await rm(this.file!, { force: true });
      this.fh = undefined;
    }
  }
}
