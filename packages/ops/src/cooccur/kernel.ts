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

export interface CountTask {
  /** Rank stream (shared): ranks >= 0 and DOC_END (-1). Neighbours are read anywhere in it. */
  ranks: Int32Array;
  /** Positions of the counted occurrences, grouped by rank (shared). */
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
 * Dense accumulator for one row plus a two-level bitmap of touched columns: bit c of
 * `bits` marks column c, bit j of summary word s marks bitmap word 32*s + j. Emission
 * walks the summary, so a row costs vocabSize/1024 word reads plus its records.
 * Rows whose events are few against that (huge vocabularies) use a touched list
 * that is sorted instead.
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
    const { ranks, pos, rowStart, lo, hi, window, symmetric, rowCounts, colBuf, valBuf } = t;
    const V = this.vocabSize;
    const N = ranks.length;
    const wt = this.weightTable(window, t.weighted);
    const acc = this.acc;
    const bits = this.bits;
    const summary = this.summary;
    const touched = this.touched;
    const span = symmetric ? 2 * window : window;
    const summaryLen = summary.length;

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
      if (events * 4 >= summaryLen) {
        // Bitmap mode: no branch on first touch; emission walks the bitmaps.
        for (let i = start; i < end; i++) {
          const p = pos[i]!;
          if (symmetric) {
            const lim = p - window > 0 ? p - window : 0;
            for (let q = p - 1; q >= lim; q--) {
              const c = ranks[q]!;
              if (c < 0) break;
              acc[c] += wt[p - q]!;
              bits[c >>> 5] |= 1 << c;
              summary[c >>> 10] |= 1 << (c >>> 5);
            }
          }
          const lim = p + window < N ? p + window : N - 1;
          for (let q = p + 1; q <= lim; q++) {
            const c = ranks[q]!;
            if (c < 0) break;
            acc[c] += wt[q - p]!;
            bits[c >>> 5] |= 1 << c;
            summary[c >>> 10] |= 1 << (c >>> 5);
          }
        }
        for (let s = 0; s < summaryLen; s++) {
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
      } else {
        // List mode (few events, large vocabulary): record first touches, sort them.
        let k = 0;
        for (let i = start; i < end; i++) {
          const p = pos[i]!;
          if (symmetric) {
            const lim = p - window > 0 ? p - window : 0;
            for (let q = p - 1; q >= lim; q--) {
              const c = ranks[q]!;
              if (c < 0) break;
              const m = 1 << c;
              const wi = c >>> 5;
              const bw = bits[wi]!;
              if ((bw & m) === 0) {
                bits[wi] = bw | m;
                touched[k++] = c;
              }
              acc[c] += wt[p - q]!;
            }
          }
          const lim = p + window < N ? p + window : N - 1;
          for (let q = p + 1; q <= lim; q++) {
            const c = ranks[q]!;
            if (c < 0) break;
            const m = 1 << c;
            const wi = c >>> 5;
            const bw = bits[wi]!;
            if ((bw & m) === 0) {
              bits[wi] = bw | m;
              touched[k++] = c;
            }
            acc[c] += wt[q - p]!;
          }
        }
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
      }
      rowCounts[r - lo] = n - before;
    }
    return { records: n };
  }
}
