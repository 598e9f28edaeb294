/**
 * Where the GloVe model and its training records live in the one shared
 * WebAssembly memory that every worker updates (Hogwild).
 *
 * Parameters use a fused row per word: the vector, its squared-gradient sums and
 * the bias with its squared-gradient sum sit together, so one record touches two
 * contiguous, cache-line aligned rows (one in W, one in C) instead of four
 * scattered places.
 *
 *   row (rowFloats float32, a multiple of 16 = 64 bytes):
 *     [0, pad)           vector (dim values, then zeros up to pad = dim rounded up to 4)
 *     [pad, 2*pad)       AdaGrad squared-gradient sums of the vector (padding lanes 1.0)
 *     2*pad              bias
 *     2*pad + 1          AdaGrad squared-gradient sum of the bias
 *
 * Word rows (W) come first, rank by rank, then context rows (C). Training records
 * follow in two buffers (A and B, each pass reads one and scatters into the
 * other). A record is 12 bytes when the vocabulary has at most 65,536 words:
 * uint16 word rank and uint16 context rank (one int32, word in the low half),
 * float32 log(x), float32 f(x) = min(1, (x/x_max)^alpha); with more words, 16
 * bytes: int32 byte address of the word row, int32 byte address of the context
 * row, float32 log(x), float32 f(x). (The shuffle's two buffers are most of the
 * training's memory: 12-byte records cut it by a quarter.) Each
 * worker owns a contiguous run of records in each buffer (its share). Records are
 * dealt to the shares round-robin (record k of the sorted matrix goes to share
 * k % threads). Then one uint8 bucket id per record and, per share, the bucket
 * boundaries and cursors of the shuffle (see kernel.ts).
 */
import { WordloomError } from '@wordloom/core';

/** Bytes of a record: 12 (uint16 ranks) when the vocabulary allows it, else 16 (int32 row addresses). */
export const RECORD_BYTES = 16;
export const COMPACT_RECORD_BYTES = 12;
/** Most words for 12-byte records (ranks fit in uint16). */
export const MAX_COMPACT_VOCAB = 65536;
const PAGE = 65536;
/** wasm32 memories stop at 4 GiB (65536 pages). */
export const MAX_PAGES = 65536;

/** Largest number of buckets a share is split into for the shuffle (ids are uint8). */
export const MAX_BUCKETS = 256;
/** Records per bucket aimed at: 16,384 records = 256 KiB, well inside a core's L2 cache. */
const BUCKET_RECORDS = 16384;

export interface ShareLayout {
  /** Bytes of a record (12 or 16, as the layout's). */
  readonly recordBytes: number;
  /** First record index (into the packed records) and count. */
  readonly start: number;
  readonly count: number;
  /** Buckets used by the shuffle (a power of two, at most MAX_BUCKETS). */
  readonly buckets: number;
  /** Byte addresses of this share's records in the two record buffers. */
  readonly recA: number;
  readonly recB: number;
  /** Byte address of this share's bucket ids (one uint8 per record). */
  readonly ids: number;
  /** Byte addresses of two int32 bucket-boundary arrays (buckets + 1 each) and of the int32 cursors (buckets). */
  readonly boundsA: number;
  readonly boundsB: number;
  readonly cursor: number;
}

export interface GloveLayout {
  readonly dim: number;
  readonly vocabSize: number;
  /** dim rounded up to a multiple of 4 (one f32x4 lane group). */
  readonly pad: number;
  /** float32 values per fused row (multiple of 16). */
  readonly rowFloats: number;
  readonly rowBytes: number;
  /** Byte address of the first word row. */
  readonly wordBase: number;
  /** Byte address of the first context row. */
  readonly contextBase: number;
  /** Bytes of a record: 12 (uint16 ranks) or 16 (int32 row addresses). */
  readonly recordBytes: number;
  /** Byte address of the first record of buffer A (where records are packed). */
  readonly recordBase: number;
  readonly records: number;
  readonly shares: readonly ShareLayout[];
  readonly bytes: number;
  readonly pages: number;
}

const align64 = (x: number): number => Math.ceil(x / 64) * 64;

/** `recordBytes` 16 forces the wide records (for tests); by default 12 when the vocabulary allows it. */
export function makeLayout(dim: number, vocabSize: number, records: number, threads: number, recordBytes = vocabSize <= MAX_COMPACT_VOCAB ? COMPACT_RECORD_BYTES : RECORD_BYTES): GloveLayout {
  if (recordBytes !== RECORD_BYTES && !(recordBytes === COMPACT_RECORD_BYTES && vocabSize <= MAX_COMPACT_VOCAB)) {
    throw new WordloomError('E_INTERNAL', `glove: ${recordBytes}-byte records cannot hold ${vocabSize} words`);
  }
  const pad = Math.ceil(dim / 4) * 4;
  const rowFloats = Math.ceil((2 * pad + 2) / 16) * 16;
  const rowBytes = rowFloats * 4;
  const wordBase = 64;
  const contextBase = wordBase + vocabSize * rowBytes;
  const recordBase = contextBase + vocabSize * rowBytes;
  const recordBaseB = recordBase + records * recordBytes;
  const idsBase = align64(recordBaseB + records * recordBytes);
  let next = align64(idsBase + records);
  // Worker t gets the records k with k % threads === t (see the packing in the
  // worker), so each share samples every row of the sorted matrix rather than a
  // band of frequent words.
  const shares: ShareLayout[] = [];
  let start = 0;
  for (let t = 0; t < threads; t++) {
    const count = records > t ? Math.floor((records - t + threads - 1) / threads) : 0;
    let buckets = 1;
    while (buckets < MAX_BUCKETS && buckets * BUCKET_RECORDS < count) buckets *= 2;
    const boundsA = next;
    const boundsB = boundsA + (buckets + 1) * 4;
    const cursor = boundsB + (buckets + 1) * 4;
    next = align64(cursor + buckets * 4);
    shares.push({ recordBytes, start, count, buckets, recA: recordBase + start * recordBytes, recB: recordBaseB + start * recordBytes, ids: idsBase + start, boundsA, boundsB, cursor });
    start += count;
  }
  const bytes = next;
  const pages = Math.ceil(bytes / PAGE);
  if (pages > MAX_PAGES) {
    const gib = (bytes / 2 ** 30).toFixed(2);
    throw new WordloomError(
      'E_INPUT',
      `the model and ${records} co-occurrence records need ${gib} GiB, more than the 4 GiB a WebAssembly memory can hold`,
      {},
      'raise min_count or lower window_size (fewer records) or vector_size (smaller rows)',
    );
  }
  return { dim, vocabSize, pad, rowFloats, rowBytes, wordBase, contextBase, recordBytes, recordBase, records, shares, bytes, pages };
}
