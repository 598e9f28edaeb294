/**
 * Where sorted co-occurrence records go: the in-memory result (resizable
 * buffers, so the result is built in place without a final copy) or a run file
 * on disk (spilled when the corpus is counted in segments), and the k-way merge
 * of run files.
 */
import { open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { WordloomError } from '@wordloom/core';
import type { Cooccurrences } from '@wordloom/core';
import { COOC_RECORD_BYTES, RecordBlock, readFully } from '../io/cooc-bin.js';
import { MAX_GROWABLE_BYTES } from './kernel.js';

export interface RecordSink {
  /**
   * Append complete rows lo, lo+1, ...: row lo+i has counts[i] records; their
   * columns and values are col[0..n) and val[0..n), in order.
   */
  appendRows(lo: number, counts: Int32Array, nRows: number, col: Int32Array, val: Float64Array, n: number): void | Promise<void>;
  /** Append records given one by one (row[i], col[i], val[i]) for i < n. */
  appendRecords(row: Int32Array, col: Int32Array, val: Float64Array, n: number): void | Promise<void>;
}

/** Most records an in-memory result can hold (float64 values in one 4 GiB buffer). */
export const MAX_RECORDS = Math.floor(MAX_GROWABLE_BYTES / 8);

/**
 * The result in memory. The three buffers are resizable ArrayBuffers (filled on
 * the main thread, read by one thread): their address space is reserved up front,
 * pages are committed as records arrive, the final arrays are views of exactly
 * `size` records, and releaseCooccurrences gives their memory back at once.
 */
export class MemorySink implements RecordSink {
  readonly vocabSize: number;
  private readonly rowBuf = resizableBuffer();
  private readonly colBuf = resizableBuffer();
  private readonly valBuf = resizableBuffer();
  size = 0;

  constructor(vocabSize: number) {
    this.vocabSize = vocabSize;
  }

  private reserve(n: number): number {
    const at = this.size;
    const total = at + n;
    if (total > MAX_RECORDS) {
      throw new WordloomError(
        'E_INPUT',
        `the co-occurrence matrix has more than ${MAX_RECORDS} records, more than one buffer holds`,
        {},
        'use a smaller vocabulary (a higher min_count or max_size) or a smaller window',
      );
    }
    this.rowBuf.resize(total * 4);
    this.colBuf.resize(total * 4);
    this.valBuf.resize(total * 8);
    this.size = total;
    return at;
  }

  appendRows(lo: number, counts: Int32Array, nRows: number, col: Int32Array, val: Float64Array, n: number): void {
    if (n === 0) return;
    const at = this.reserve(n);
    const rows = new Int32Array(this.rowBuf, at * 4, n);
    let o = 0;
    for (let i = 0; i < nRows; i++) {
      const k = counts[i]!;
      if (k > 0) {
        rows.fill(lo + i, o, o + k);
        o += k;
      }
    }
    if (o !== n) throw new WordloomError('E_INTERNAL', `cooccur: row counts add up to ${o}, expected ${n}`);
    new Int32Array(this.colBuf, at * 4, n).set(col.subarray(0, n));
    new Float64Array(this.valBuf, at * 8, n).set(val.subarray(0, n));
  }

  appendRecords(row: Int32Array, col: Int32Array, val: Float64Array, n: number): void {
    if (n === 0) return;
    const at = this.reserve(n);
    new Int32Array(this.rowBuf, at * 4, n).set(row.subarray(0, n));
    new Int32Array(this.colBuf, at * 4, n).set(col.subarray(0, n));
    new Float64Array(this.valBuf, at * 8, n).set(val.subarray(0, n));
  }

  result(settings?: Cooccurrences['settings']): Cooccurrences {
    const n = this.size;
    return {
      vocabSize: this.vocabSize,
      size: n,
      row: new Int32Array(this.rowBuf, 0, n),
      col: new Int32Array(this.colBuf, 0, n),
      val: new Float64Array(this.valBuf, 0, n),
      ...(settings ? { settings } : {}),
    };
  }
}

interface ResizableBuffer extends ArrayBuffer {
  readonly maxByteLength: number;
  resize(newByteLength: number): void;
}

function resizableBuffer(): ResizableBuffer {
  const Ctor = ArrayBuffer as unknown as new (len: number, opts: { maxByteLength: number }) => ResizableBuffer;
  return new Ctor(0, { maxByteLength: MAX_GROWABLE_BYTES });
}

/** A sorted run on disk: 16-byte records, 0-based ids, same layout as GloVe's file. */
export class RunWriter implements RecordSink {
  readonly file: string;
  records = 0;
  private readonly fh: FileHandle;
  private readonly block = new RecordBlock();
  private used = 0;
  private offset = 0;

  private constructor(file: string, fh: FileHandle) {
    this.file = file;
    this.fh = fh;
  }

  static async create(file: string): Promise<RunWriter> {
    let fh: FileHandle;
    try {
      fh = await open(file, 'w');
    } catch (e) {
      throw new WordloomError('E_FILE', `cannot write a temporary run file: ${(e as Error).message}`, { file }, 'check that the temporary directory exists and has free space');
    }
    return new RunWriter(file, fh);
  }

  private async flush(): Promise<void> {
    const len = this.used * COOC_RECORD_BYTES;
    let off = 0;
    while (off < len) {
      const { bytesWritten } = await this.fh.write(this.block.bytes, off, len - off, this.offset + off);
      off += bytesWritten;
    }
    this.offset += len;
    this.used = 0;
  }

  async appendRows(lo: number, counts: Int32Array, nRows: number, col: Int32Array, val: Float64Array, n: number): Promise<void> {
    const block = this.block;
    const cap = block.capacity;
    let j = 0;
    for (let i = 0; i < nRows; i++) {
      const r = lo + i;
      for (let k = counts[i]!; k > 0; k--) {
        if (this.used === cap) await this.flush();
        block.set(this.used++, r, col[j]!, val[j]!, 0);
        j++;
      }
    }
    if (j !== n) throw new WordloomError('E_INTERNAL', `cooccur: row counts add up to ${j}, expected ${n}`);
    this.records += n;
  }

  async appendRecords(row: Int32Array, col: Int32Array, val: Float64Array, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      if (this.used === this.block.capacity) await this.flush();
      this.block.set(this.used++, row[i]!, col[i]!, val[i]!, 0);
    }
    this.records += n;
  }

  async finish(): Promise<void> {
    try {
      await this.flush();
    } catch (e) {
      await this.abort();
      throw new WordloomError('E_FILE', `cannot write a temporary run file: ${(e as Error).message}`, { file: this.file }, 'check free space in the temporary directory');
    }
    await this.fh.close();
  }

  async abort(): Promise<void> {
    try {
      await this.fh.close();
    } catch {
      /* already closed */
    }
    await rm(this.file, { force: true });
  }
}

/** Sequential reader of a run file; `row`, `col`, `val`, `key` describe the current record. */
class RunReader {
  row = 0;
  col = 0;
  val = 0;
  key = 0;
  private i = 0;
  private k = 0;
  private next = 0;
  private readonly block: RecordBlock;

  constructor(
    private readonly fh: FileHandle,
    private readonly total: number,
    private readonly vocabSize: number,
    blockRecords: number,
  ) {
    this.block = new RecordBlock(blockRecords);
  }

  static async open(file: string, vocabSize: number, blockRecords: number): Promise<RunReader> {
    const fh = await open(file, 'r');
    const { size } = await fh.stat();
    return new RunReader(fh, size / COOC_RECORD_BYTES, vocabSize, blockRecords);
  }

  /** Move to the next buffered record; false when the block is used up (call refill). */
  step(): boolean {
    if (this.i >= this.k) return false;
    const b = this.block;
    const i = this.i++;
    this.row = b.row(i);
    this.col = b.col(i);
    this.val = b.val(i);
    this.key = this.row * this.vocabSize + this.col;
    return true;
  }

  /** Read the next block and step into it; false at end of file. */
  async refill(): Promise<boolean> {
    const k = Math.min(this.block.capacity, this.total - this.next);
    if (k <= 0) return false;
    const got = await readFully(this.fh, this.block.bytes, k * COOC_RECORD_BYTES, this.next * COOC_RECORD_BYTES);
    if (got !== k * COOC_RECORD_BYTES) throw new WordloomError('E_INTERNAL', 'a temporary run file ended early');
    this.next += k;
    this.i = 0;
    this.k = k;
    return this.step();
  }

  async advance(): Promise<boolean> {
    return this.step() || this.refill();
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

export interface MergeOptions {
  /** Records buffered per run while merging. */
  blockRecords?: number;
  signal?: AbortSignal;
  /** Called now and then with records read from the runs. */
  progress?: (read: number) => void;
}

/**
 * k-way merge of sorted runs into `sink`, summing records of the same pair. Runs
 * are read through a binary heap keyed by row * vocabSize + col (exact in a
 * double for any vocabulary that fits in memory).
 */
export async function mergeRuns(files: readonly string[], vocabSize: number, sink: RecordSink, opts: MergeOptions = {}): Promise<number> {
  const blockRecords = opts.blockRecords ?? 1 << 14;
  const readers: RunReader[] = [];
  try {
    for (const f of files) readers.push(await RunReader.open(f, vocabSize, blockRecords));
    const heap: RunReader[] = [];
    for (const r of readers) if (await r.refill()) heap.push(r);
    const down = (i: number): void => {
      const n = heap.length;
      const x = heap[i]!;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && heap[c + 1]!.key < heap[c]!.key) c++;
        if (heap[c]!.key >= x.key) break;
        heap[i] = heap[c]!;
        i = c;
      }
      heap[i] = x;
    };
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);

    const B = 1 << 14;
    const oRow = new Int32Array(B);
    const oCol = new Int32Array(B);
    const oVal = new Float64Array(B);
    let m = 0;
    let read = 0;
    let written = 0;
    while (heap.length > 0) {
      const top = heap[0]!;
      const key = top.key;
      const row = top.row;
      const col = top.col;
      let v = 0;
      do {
        const t = heap[0]!;
        v += t.val;
        read++;
        if (!t.step() && !(await t.refill())) {
          const last = heap.pop()!;
          if (heap.length === 0) break;
          heap[0] = last;
        }
        down(0);
      } while (heap.length > 0 && heap[0]!.key === key);
      oRow[m] = row;
      oCol[m] = col;
      oVal[m++] = v;
      if (m === B) {
        opts.signal?.throwIfAborted();
        await sink.appendRecords(oRow, oCol, oVal, m);
        written += m;
        m = 0;
        opts.progress?.(read);
      }
    }
    if (m > 0) await sink.appendRecords(oRow, oCol, oVal, m);
    written += m;
    opts.progress?.(read);
    return written;
  } finally {
    for (const r of readers) await r.close().catch(() => {});
  }
}
