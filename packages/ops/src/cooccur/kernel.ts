/**
 * The counting kernel, run inside pool workers (and usable inline).
 *
 * Work is split by rows: a task owns the rows lo..hi-1 and, for each row word r,
 * visits every occurrence p of r (from a positions index: the corpus positions
 * grouped by rank) and adds its window neighbours into a dense per-row
 * accumulator of vocabSize float64 (small enough to stay in cache), then emits the
 * row's non-zero cells in column order. Rows are complete when emitted, so the
 * output of consecutive tasks concatenates into the sorted matrix with no merge.
 *
 * GloVe's rule, seen from the row word at position p (positions count in-vocab
 * tokens; DOC_END stops a window):
 *   right neighbour q = p + d (1 <= d <= window):  (r, ranks[q]) += w(d)
 *   left  neighbour q = p - d, only if symmetric:  (r, ranks[q]) += w(d)
 * with w(d) = 1/d under distance weighting, else 1. A pair on the diagonal seen in
 * both directions is added twice, as GloVe does.
 */

/** A SharedArrayBuffer that can grow (ES2024); typed here because lib is ES2022. */
export interface GrowableShared extends SharedArrayBuffer {
  readonly growable: boolean;
  readonly maxByteLength: number;
  grow(newByteLength: number): void;
}

/** Bytes reserved (virtual only) for a growable buffer; V8 caps it at 4 GiB. */
export const MAX_GROWABLE_BYTES = 2 ** 32;

export function growableShared(initialBytes: number, maxBytes = MAX_GROWABLE_BYTES): GrowableShared {
  const Ctor = SharedArrayBuffer as unknown as new (len: number, opts: { maxByteLength: number }) => GrowableShared;
  return new Ctor(initialBytes, { maxByteLength: maxBytes });
}

/** Grow `buf` to at least `bytes` (rounded up geometrically); false if past its maximum. */
export function ensureBytes(buf: GrowableShared, bytes: number): boolean {
  if (buf.byteLength >= bytes) return true;
  if (bytes > buf.maxByteLength) return false;
  const target = Math.min(buf.maxByteLength, Math.max(bytes, Math.floor(buf.byteLength * 1.5), 1 << 16));
  buf.grow(target);
  return true;
}

/** DOC_END in a compact (Uint16Array) rank stream, used when vocabSize <= MAX_COMPACT_VOCAB. */
export const COMPACT_DOC_END = 0xffff;
export const MAX_COMPACT_VOCAB = 0xffff;

export interface CountTask {
  kind: 'count';
  /**
   * Rank stream (shared): ranks and DOC_END. Neighbours are read anywhere in it.
   * A Uint16Array (DOC_END = 0xffff) when vocabSize <= 65535, else an Int32Array
   * (DOC_END = -1).
   */
  ranks: Int32Array | Uint16Array;
  /** Positions (indices into `ranks`) of the counted occurrences, grouped by rank (shared). */
  pos: Int32Array;
  /** rowStart[r]..rowStart[r+1]-1 index the positions of rank r in `pos` (shared, vocabSize + 1). */
  rowStart: Int32Array;
  lo: number;
  hi: number;
  vocabSize: number;
  window: number;
  symmetric: boolean;
  weighted: boolean;
  /** Staging for the output: records per row (length >= hi - lo). */
  rowCounts: Int32Array;
  /** Staging for the output: columns (int32) and values (float64), grown as needed. */
  colBuf: GrowableShared;
  valBuf: GrowableShared;
}

export interface CountResult {
  records: number;
}

/**
 * Building the positions index of a segment in parallel, in two passes over
 * slices of it. `hist`: count the ranks of positions from..to-1 into `counts`
 * (this slice's vocabSize entries) and write the compact copy of copyFrom..copyTo-1
 * (the slice plus any context margin it owns). `scatter`: with `counts` turned
 * into this slice's first index per rank, write each position (relative to `lo`)
 * into `pos`. Slices are in position order, so every rank's positions come out
 * sorted.
 */
export interface IndexTask {
  kind: 'hist' | 'scatter';
  ranks: Int32Array;
  /** Compact copy of ranks lo.., or null for a large vocabulary. */
  compact: Uint16Array | null;
  lo: number;
  from: number;
  to: number;
  copyFrom: number;
  copyTo: number;
  counts: Int32Array;
  /** The positions index (scatter pass). */
  pos: Int32Array | null;
}

export function runIndexTask(t: IndexTask): number {
  const { ranks, lo, from, to, counts } = t;
  if (t.kind === 'hist') {
    const compact = t.compact;
    if (compact) {
      for (let i = t.copyFrom; i < from; i++) {
        const r = ranks[i]!;
        compact[i - lo] = r < 0 ? COMPACT_DOC_END : r;
      }
      for (let i = from; i < to; i++) {
        const r = ranks[i]!;
        if (r >= 0) {
          counts[r]++;
          compact[i - lo] = r;
        } else {
          compact[i - lo] = COMPACT_DOC_END;
        }
      }
      for (let i = to; i < t.copyTo; i++) {
        const r = ranks[i]!;
        compact[i - lo] = r < 0 ? COMPACT_DOC_END : r;
      }
    } else {
      for (let i = from; i < to; i++) {
        const r = ranks[i]!;
        if (r >= 0) counts[r]++;
      }
    }
  } else {
    const pos = t.pos!;
    for (let i = from; i < to; i++) {
      const r = ranks[i]!;
      if (r >= 0) pos[counts[r]++] = i - lo;
    }
  }
  return 0;
}

// The hot loops, one copy per rank array type so that each stays monomorphic.
// "Bits" loops mark every touched column in a bitmap (no branch on first touch);
// "list" loops record first touches for rows with few events.

function accBits16(ranks: Uint16Array, pos: Int32Array, start: number, end: number, W: number, sym: boolean, wt: Float64Array, acc: Float64Array, bits: Int32Array): void {
  const N = ranks.length;
  for (let i = start; i < end; i++) {
    const p = pos[i]!;
    if (sym) {
      const lim = p - W > 0 ? p - W : 0;
      for (let q = p - 1; q >= lim; q--) {
        const c = ranks[q]!;
        if (c === COMPACT_DOC_END) break;
        acc[c] += wt[p - q]!;
        bits[c >>> 5] |= 1 << c;
      }
    }
    const lim = p + W < N ? p + W : N - 1;
    for (let q = p + 1; q <= lim; q++) {
      const c = ranks[q]!;
      if (c === COMPACT_DOC_END) break;
      acc[c] += wt[q - p]!;
      bits[c >>> 5] |= 1 << c;
    }
  }
}

function accBits32(ranks: Int32Array, pos: Int32Array, start: number, end: number, W: number, sym: boolean, wt: Float64Array, acc: Float64Array, bits: Int32Array, summary: Int32Array): void {
  const N = ranks.length;
  for (let i = start; i < end; i++) {
    const p = pos[i]!;
    if (sym) {
      const lim = p - W > 0 ? p - W : 0;
      for (let q = p - 1; q >= lim; q--) {
        const c = ranks[q]!;
        if (c < 0) break;
        acc[c] += wt[p - q]!;
        bits[c >>> 5] |= 1 << c;
        summary[c >>> 10] |= 1 << (c >>> 5);
      }
    }
    const lim = p + W < N ? p + W : N - 1;
    for (let q = p + 1; q <= lim; q++) {
      const c = ranks[q]!;
      if (c < 0) break;
      acc[c] += wt[q - p]!;
      bits[c >>> 5] |= 1 << c;
      summary[c >>> 10] |= 1 << (c >>> 5);
    }
  }
}

// accList16 and accList32 are one loop written twice on purpose: each sees a single
// typed-array type (and its own end-of-document marker), so V8 keeps the hot loop
// monomorphic instead of handling Uint16Array | Int32Array in one body.
function accList16(ranks: Uint16Array, pos: Int32Array, start: number, end: number, W: number, sym: boolean, wt: Float64Array, acc: Float64Array, bits: Int32Array, touched: Int32Array): number {
  const N = ranks.length;
  let k = 0;
  for (let i = start; i < end; i++) {
    const p = pos[i]!;
    if (sym) {
      const lim = p - W > 0 ? p - W : 0;
      for (let q = p - 1; q >= lim; q--) {
        const c = ranks[q]!;
        if (c === COMPACT_DOC_END) break;
        const m = 1 << c;
        const bw = bits[c >>> 5]!;
        if ((bw & m) === 0) {
          bits[c >>> 5] = bw | m;
          touched[k++] = c;
        }
        acc[c] += wt[p - q]!;
      }
    }
    const lim = p + W < N ? p + W : N - 1;
    for (let q = p + 1; q <= lim; q++) {
      const c = ranks[q]!;
      if (c === COMPACT_DOC_END) break;
      const m = 1 << c;
      const bw = bits[c >>> 5]!;
      if ((bw & m) === 0) {
        bits[c >>> 5] = bw | m;
        touched[k++] = c;
      }
      acc[c] += wt[q - p]!;
    }
  }
  return k;
}

function accList32(ranks: Int32Array, pos: Int32Array, start: number, end: number, W: number, sym: boolean, wt: Float64Array, acc: Float64Array, bits: Int32Array, touched: Int32Array): number {
  const N = ranks.length;
  let k = 0;
  for (let i = start; i < end; i++) {
    const p = pos[i]!;
    if (sym) {
      const lim = p - W > 0 ? p - W : 0;
      for (let q = p - 1; q >= lim; q--) {
        const c = ranks[q]!;
        if (c < 0) break;
        const m = 1 << c;
        const bw = bits[c >>> 5]!;
        if ((bw & m) === 0) {
          bits[c >>> 5] = bw | m;
          touched[k++] = c;
        }
        acc[c] += wt[p - q]!;
      }
    }
    const lim = p + W < N ? p + W : N - 1;
    for (let q = p + 1; q <= lim; q++) {
      const c = ranks[q]!;
      if (c < 0) break;
      const m = 1 << c;
      const bw = bits[c >>> 5]!;
      if ((bw & m) === 0) {
        bits[c >>> 5] = bw | m;
        touched[k++] = c;
      }
      acc[c] += wt[q - p]!;
    }
  }
  return k;
}

/** Emit the marked columns in order by scanning the whole bitmap; clears what it reads. */
function emitBits(bits: Int32Array, acc: Float64Array, outCol: Int32Array, outVal: Float64Array, n: number): number {
  for (let wi = 0, nw = bits.length; wi < nw; wi++) {
    let bw = bits[wi]!;
    if (bw === 0) continue;
    bits[wi] = 0;
    const base = wi << 5;
    while (bw !== 0) {
      const bl = bw & -bw;
      bw ^= bl;
      const c = base + 31 - Math.clz32(bl);
      outCol[n] = c;
      outVal[n++] = acc[c]!;
      acc[c] = 0;
    }
  }
  return n;
}

/** Emit the marked columns in order through the summary bitmap; clears what it reads. */
function emitSummary(summary: Int32Array, bits: Int32Array, acc: Float64Array, outCol: Int32Array, outVal: Float64Array, n: number): number {
  for (let s = 0, ns = summary.length; s < ns; s++) {
    let sw = summary[s]!;
    if (sw === 0) continue;
    summary[s] = 0;
    while (sw !== 0) {
      const sl = sw & -sw;
      sw ^= sl;
      const wi = (s << 5) + 31 - Math.clz32(sl);
      let bw = bits[wi]!;
      bits[wi] = 0;
      const base = wi << 5;
      while (bw !== 0) {
        const bl = bw & -bw;
        bw ^= bl;
        const c = base + 31 - Math.clz32(bl);
        outCol[n] = c;
        outVal[n++] = acc[c]!;
        acc[c] = 0;
      }
    }
  }
  return n;
}

/** Sort the k touched columns and emit them; clears their bitmap words. */
function emitList(touched: Int32Array, k: number, bits: Int32Array, acc: Float64Array, outCol: Int32Array, outVal: Float64Array, n: number): number {
  if (k <= 32) {
    for (let i = 1; i < k; i++) {
      const x = touched[i]!;
      let j = i - 1;
      while (j >= 0 && touched[j]! > x) {
        touched[j + 1] = touched[j]!;
        j--;
      }
      touched[j + 1] = x;
    }
  } else {
    touched.subarray(0, k).sort();
  }
  for (let i = 0; i < k; i++) {
    const c = touched[i]!;
    outCol[n] = c;
    outVal[n++] = acc[c]!;
    acc[c] = 0;
    bits[c >>> 5] = 0;
  }
  return n;
}

/**
 * Dense accumulator for one row plus a bitmap of touched columns (bit c marks
 * column c). Emission walks the bitmap in column order: vocabSize/32 words a row.
 * Past 65535 words a summary bitmap (bit j of word s marks bitmap word 32*s + j)
 * keeps that walk at vocabSize/1024 words. Rows with few events against the walk
 * (rare words of a large vocabulary) record first touches in a list instead and
 * sort it.
 */
export class RowCounter {
  readonly vocabSize: number;
  private readonly acc: Float64Array;
  private readonly bits: Int32Array;
  private readonly summary: Int32Array;
  private readonly touched: Int32Array;
  private weights = new Float64Array(0);
  private wKey = '';

  constructor(vocabSize: number) {
    this.vocabSize = vocabSize;
    this.acc = new Float64Array(vocabSize);
    this.bits = new Int32Array((vocabSize + 31) >>> 5);
    this.summary = new Int32Array((this.bits.length + 31) >>> 5);
    this.touched = new Int32Array(vocabSize);
  }

  private weightTable(window: number, weighted: boolean): Float64Array {
    const key = `${window}:${weighted}`;
    if (key !== this.wKey) {
      const w = new Float64Array(window + 1);
      for (let d = 1; d <= window; d++) w[d] = weighted ? 1.0 / d : 1.0;
      this.weights = w;
      this.wKey = key;
    }
    return this.weights;
  }

  run(t: CountTask): CountResult {
    const { pos, rowStart, lo, hi, window: W, symmetric: sym, rowCounts, colBuf, valBuf } = t;
    const V = this.vocabSize;
    const r16 = t.ranks instanceof Uint16Array ? t.ranks : null;
    const r32 = t.ranks instanceof Int32Array ? t.ranks : null;
    if (r16 && V > MAX_COMPACT_VOCAB) throw new RangeError(`cooccur: a Uint16 rank stream needs vocabSize <= ${MAX_COMPACT_VOCAB}`);
    const wt = this.weightTable(W, t.weighted);
    const { acc, bits, summary, touched } = this;
    const span = sym ? 2 * W : W;
    // Words a bitmap walk reads for one row.
    const walk = r16 ? bits.length : summary.length;

    let cap = Math.min(colBuf.byteLength >>> 2, valBuf.byteLength >>> 3);
    let outCol = new Int32Array(colBuf, 0, cap);
    let outVal = new Float64Array(valBuf, 0, cap);
    let n = 0;

    for (let r = lo; r < hi; r++) {
      const start = rowStart[r]!;
      const end = rowStart[r + 1]!;
      if (start === end) {
        rowCounts[r - lo] = 0;
        continue;
      }
      const events = (end - start) * span;
      const bound = events < V ? events : V;
      if (n + bound > cap) {
        const need = n + bound;
        if (!ensureBytes(colBuf, need * 4) || !ensureBytes(valBuf, need * 8)) {
          throw new RangeError(`cooccur: more than ${Math.floor(MAX_GROWABLE_BYTES / 8)} records in one task`);
        }
        cap = Math.min(colBuf.byteLength >>> 2, valBuf.byteLength >>> 3);
        outCol = new Int32Array(colBuf, 0, cap);
        outVal = new Float64Array(valBuf, 0, cap);
      }
      const before = n;
      if (events * 4 >= walk) {
        if (r16) {
          accBits16(r16, pos, start, end, W, sym, wt, acc, bits);
          n = emitBits(bits, acc, outCol, outVal, n);
        } else {
          accBits32(r32!, pos, start, end, W, sym, wt, acc, bits, summary);
          n = emitSummary(summary, bits, acc, outCol, outVal, n);
        }
      } else {
        const k = r16 ? accList16(r16, pos, start, end, W, sym, wt, acc, bits, touched) : accList32(r32!, pos, start, end, W, sym, wt, acc, bits, touched);
        n = emitList(touched, k, bits, acc, outCol, outVal, n);
      }
      rowCounts[r - lo] = n - before;
    }
    return { records: n };
  }
}
