/**
 * GloVe's binary co-occurrence file (what Stanford `cooccur` writes and `shuffle` /
 * `glove` read): a flat array of 16-byte little-endian records
 *   int32 word1, int32 word2 (1-based vocabulary ranks), float64 value.
 * `cooccur` writes them sorted by (word1, word2), each pair once.
 *
 * In memory a `Cooccurrences` is 0-based; these functions add / remove the 1.
 */
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { WordloomError, releasableFloat64, releasableInt32 } from '@wordloom/core';
import type { Cooccurrences } from '@wordloom/core';
import { openAtomic } from './atomic.js';

/** Bytes per record. */
export const COOC_RECORD_BYTES = 16;

/** Records per I/O block (1 MiB). */
const BLOCK_RECORDS = 1 << 16;

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * A reusable block of encoded records, aligned so that typed views can be used on
 * little-endian hosts (a DataView is used elsewhere).
 */
export class RecordBlock {
  readonly capacity: number;
  readonly bytes: Uint8Array;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly dv: DataView;

  constructor(capacity = BLOCK_RECORDS) {
    this.capacity = capacity;
    const buf = new ArrayBuffer(capacity * COOC_RECORD_BYTES);
    this.bytes = new Uint8Array(buf);
    this.i32 = new Int32Array(buf);
    this.f64 = new Float64Array(buf);
    this.dv = new DataView(buf);
  }

  /** Encode record i of the block. `base` is added to the ids (1 for GloVe files). */
  set(i: number, row: number, col: number, val: number, base: number): void {
    if (LITTLE_ENDIAN) {
      this.i32[4 * i] = row + base;
      this.i32[4 * i + 1] = col + base;
      this.f64[2 * i + 1] = val;
    } else {
      const o = i * COOC_RECORD_BYTES;
      this.dv.setInt32(o, row + base, true);
      this.dv.setInt32(o + 4, col + base, true);
      this.dv.setFloat64(o + 8, val, true);
    }
  }

  /** Encode `n` records from parallel arrays starting at `from`. */
  encode(row: Int32Array, col: Int32Array, val: Float64Array, from: number, n: number, base: number): void {
    if (LITTLE_ENDIAN) {
      const i32 = this.i32;
      const f64 = this.f64;
      for (let i = 0; i < n; i++) {
        i32[4 * i] = row[from + i]! + base;
        i32[4 * i + 1] = col[from + i]! + base;
        f64[2 * i + 1] = val[from + i]!;
      }
    } else {
      for (let i = 0; i < n; i++) this.set(i, row[from + i]!, col[from + i]!, val[from + i]!, base);
    }
  }

  row(i: number): number {
    return LITTLE_ENDIAN ? this.i32[4 * i]! : this.dv.getInt32(i * COOC_RECORD_BYTES, true);
  }
  col(i: number): number {
    return LITTLE_ENDIAN ? this.i32[4 * i + 1]! : this.dv.getInt32(i * COOC_RECORD_BYTES + 4, true);
  }
  val(i: number): number {
    return LITTLE_ENDIAN ? this.f64[2 * i + 1]! : this.dv.getFloat64(i * COOC_RECORD_BYTES + 8, true);
  }
}

/** Read exactly `length` bytes at `position` (fewer only at end of file). */
export async function readFully(fh: FileHandle, into: Uint8Array, length: number, position: number): Promise<number> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(into, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

export interface WriteCooccurrencesOptions {
  /** Called after each block with records written so far. */
  progress?: (written: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Write a co-occurrence matrix as a GloVe binary file (1-based ids), atomically:
 * the file appears under its name only once complete.
 */
export async function writeCooccurrences(cooc: Cooccurrences, file: string, opts: WriteCooccurrencesOptions = {}): Promise<void> {
  const w = await openAtomic(file);
  try {
    const block = new RecordBlock();
    const n = cooc.size;
    for (let from = 0; from < n; from += block.capacity) {
      opts.signal?.throwIfAborted();
      const k = Math.min(block.capacity, n - from);
      block.encode(cooc.row, cooc.col, cooc.val, from, k, 1);
      await w.write(block.bytes.subarray(0, k * COOC_RECORD_BYTES));
      opts.progress?.(from + k, n);
    }
  } catch (e) {
    await w.abort();
    throw e;
  }
  await w.commit();
}

export interface ReadCooccurrencesOptions {
  /**
   * Size of the vocabulary the file was counted with. Every id must lie in
   * 1..vocabSize. Without it, the largest id seen is taken as the size.
   */
  vocabSize?: number;
  signal?: AbortSignal;
}

/**
 * Read a GloVe binary co-occurrence file into memory (0-based ids; resizable buffers that releaseCooccurrences frees at once). A file
 * not sorted by (word1, word2), such as `shuffle`'s output, is sorted, and records
 * repeating a pair are summed, so the result always meets the `Cooccurrences`
 * contract.
 */
export async function readCooccurrences(file: string, opts: ReadCooccurrencesOptions = {}): Promise<Cooccurrences> {
  const vocabLimit = opts.vocabSize;
  if (vocabLimit !== undefined && (!Number.isInteger(vocabLimit) || vocabLimit < 1)) {
    throw new WordloomError('E_PARAM', `vocabSize must be a positive integer, got ${vocabLimit}`, { param: 'vocabSize' });
  }
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    throw new WordloomError('E_FILE', `cannot read the co-occurrence file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file }, 'check the path');
  }
  if (size % COOC_RECORD_BYTES !== 0) {
    throw new WordloomError(
      'E_INPUT',
      `the file is ${size} bytes, not a multiple of ${COOC_RECORD_BYTES} (a record is int32 word1, int32 word2, float64 value): it is truncated or not a GloVe co-occurrence file`,
      { file },
      'write it again (e.g. rerun cooccur); a copy interrupted midway leaves a partial last record',
    );
  }
  const n = size / COOC_RECORD_BYTES;
  const row = releasableInt32(n);
  const col = releasableInt32(n);
  const val = releasableFloat64(n);
  const fh = await open(file, 'r');
  let maxId = 0;
  let sorted = true;
  let prevR = -1;
  let prevC = -1;
  try {
    const block = new RecordBlock();
    for (let from = 0; from < n; from += block.capacity) {
      opts.signal?.throwIfAborted();
      const k = Math.min(block.capacity, n - from);
      const got = await readFully(fh, block.bytes, k * COOC_RECORD_BYTES, from * COOC_RECORD_BYTES);
      if (got !== k * COOC_RECORD_BYTES) {
        throw new WordloomError('E_INPUT', `the file ended early (read ${from * COOC_RECORD_BYTES + got} of ${size} bytes)`, { file }, 'the file changed while it was read');
      }
      if (from === 0 && k > 0) {
        const text = looksLikeText(block.bytes.subarray(0, COOC_RECORD_BYTES));
        if (text) {
          throw new WordloomError(
            'E_INPUT',
            `the file starts with text (${JSON.stringify(text)}), not with a binary record`,
            { file },
            'messages written to the terminal were saved into it (e.g. stderr redirected with stdout); rerun cooccur writing only stdout to the file',
          );
        }
      }
      for (let i = 0; i < k; i++) {
        const r = block.row(i);
        const c = block.col(i);
        const v = block.val(i);
        const hi = r > c ? r : c;
        const lo = r < c ? r : c;
        if (lo < 1 || (vocabLimit !== undefined && hi > vocabLimit)) {
          const bad = lo < 1 ? lo : hi;
          const range = vocabLimit !== undefined ? `1..${vocabLimit}` : '1 or more';
          const text = looksLikeText(block.bytes.subarray(i * COOC_RECORD_BYTES, (i + 1) * COOC_RECORD_BYTES));
          throw new WordloomError(
            'E_INPUT',
            `record ${from + i + 1} (byte ${(from + i) * COOC_RECORD_BYTES}) has word id ${bad}, outside ${range}` +
              (text ? ` (the bytes read as text: ${JSON.stringify(text)})` : ''),
            { file },
            text
              ? 'the file contains text: messages written to the terminal may have been saved into it (e.g. stderr redirected with stdout); rerun cooccur writing only stdout to the file'
              : vocabLimit !== undefined
                ? 'the file was counted with a different (larger) vocabulary; use the vocab file it was made with'
                : 'ids in a GloVe co-occurrence file are 1-based vocabulary ranks',
          );
        }
        if (!Number.isFinite(v)) {
          throw new WordloomError('E_INPUT', `record ${from + i + 1} (words ${r}, ${c}) has value ${v}`, { file }, 'co-occurrence values must be finite numbers');
        }
        if (hi > maxId) maxId = hi;
        const o = from + i;
        row[o] = r - 1;
        col[o] = c - 1;
        val[o] = v;
        if (sorted && (r - 1 < prevR || (r - 1 === prevR && c - 1 <= prevC))) sorted = false;
        prevR = r - 1;
        prevC = c - 1;
      }
    }
  } finally {
    await fh.close();
  }
  const vocabSize = vocabLimit ?? maxId;
  if (sorted) return { vocabSize, size: n, row, col, val };
  return sortAndMerge(vocabSize, row, col, val);
}

/**
 * Sort records by (row, col) and sum records repeating a pair. An LSD radix sort
 * on 16-bit digits (col low, col high, row low, row high): linear time, memory
 * independent of the id range.
 */
export function sortAndMerge(vocabSize: number, row: Int32Array, col: Int32Array, val: Float64Array): Cooccurrences {
  const n = row.length;
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let tmp = new Int32Array(n);
  const count = new Int32Array(65537);
  for (const [key, shift] of [[col, 0], [col, 16], [row, 0], [row, 16]] as const) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[((key[i]! >>> shift) & 0xffff) + 1]++;
    if (count[1] === n) continue; // this digit is 0 everywhere
    for (let d = 0; d < 65536; d++) count[d + 1] += count[d]!;
    for (let i = 0; i < n; i++) {
      const j = order[i]!;
      tmp[count[(key[j]! >>> shift) & 0xffff]!++] = j;
    }
    const t = order;
    order = tmp;
    tmp = t;
  }
  let m = 0;
  for (let i = 0; i < n; i++) {
    const j = order[i]!;
    if (i === 0 || row[j] !== row[order[i - 1]!] || col[j] !== col[order[i - 1]!]) m++;
  }
  const r2 = releasableInt32(m);
  const c2 = releasableInt32(m);
  const v2 = releasableFloat64(m);
  let o = -1;
  for (let i = 0; i < n; i++) {
    const j = order[i]!;
    if (o >= 0 && r2[o] === row[j] && c2[o] === col[j]) {
      v2[o] += val[j]!;
    } else {
      o++;
      r2[o] = row[j]!;
      c2[o] = col[j]!;
      v2[o] = val[j]!;
    }
  }
  return { vocabSize, size: m, row: r2, col: c2, val: v2 };
}

/** The bytes as text when they are all printable ASCII (or newline, tab, escape), else ''. */
function looksLikeText(b: Uint8Array): string {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (!(c === 0x0a || c === 0x09 || c === 0x1b || (c >= 0x20 && c < 0x7f))) return '';
  }
  return Buffer.from(b).toString('latin1');
}
