/**
 * Packing the co-occurrence matrix into the GloVe kernel's training records
 * (layout.ts), on the calling thread.
 */
import type { Cooccurrences } from '@wordloom/core';
import type { WasmMemory } from '../kernels/wasm-asm.js';
import { COMPACT_RECORD_BYTES, type GloveLayout } from './layout.js';

/** Records packed between two shrinks of the matrix's buffers when it is let go while packing. */
const CHUNK = 1 << 20;

/**
 * Write the n records of the matrix into buffer A: record k goes to share
 * k % threads, at place floor(k / threads) (see layout.ts for the two record
 * formats). Nothing is written when a record is invalid (bad: the first one's
 * index; -1 when none). zeroCost: the cost of an all-zero model, sum of
 * 0.5 f(x) (log x)^2.
 *
 * With `release` (the caller is the matrix's last reader) the records are packed
 * from the end, a million at a time, and the matrix's resizable buffers are shrunk
 * behind them, so the arrays (16 bytes a record) and buffer A (12 or 16) are never
 * both whole in memory; the caller then calls releaseCooccurrences.
 */
export function packRecords(memory: WasmMemory, L: GloveLayout, cooc: Cooccurrences, xMax: number, alpha: number, release = false): { bad: number; zeroCost: number } {
  const n = L.records;
  const V = L.vocabSize;
  const bad = firstBadRecord(cooc, n, V);
  if (bad >= 0) return { bad, zeroCost: 0 };
  const i32 = new Int32Array(memory.buffer);
  const f32 = new Float32Array(memory.buffer);
  const buffers = [cooc.row, cooc.col, cooc.val].map((a) => a.buffer as ResizableBuffer);
  const shrink = release && [cooc.row, cooc.col, cooc.val].every((a) => a.byteOffset === 0) && buffers.every((b) => !(b instanceof SharedArrayBuffer) && b.resizable === true);
  // Views that follow the buffers as they shrink (the matrix's own have a fixed length).
  const row = shrink ? new Int32Array(buffers[0]!) : cooc.row;
  const col = shrink ? new Int32Array(buffers[1]!) : cooc.col;
  const val = shrink ? new Float64Array(buffers[2]!) : cooc.val;
  const { wordBase, contextBase, rowBytes } = L;
  const compact = L.recordBytes === COMPACT_RECORD_BYTES;
  const step = L.recordBytes >> 2;
  const threads = L.shares.length;
  const base = L.shares.map((s) => s.recA >> 2);
  let zeroCost = 0;
  for (let hi = n; hi > 0; ) {
    const lo = Math.max(0, hi - CHUNK);
    for (let k = lo; k < hi; k++) {
      const r = row[k]!;
      const c = col[k]!;
      const x = val[k]!;
      const t = k % threads;
      let o = base[t]! + ((k - t) / threads) * step;
      if (compact) {
        i32[o++] = r | (c << 16);
      } else {
        i32[o++] = wordBase + r * rowBytes;
        i32[o++] = contextBase + c * rowBytes;
      }
      const lx = Math.log(x);
      const fx = x >= xMax ? 1 : Math.pow(x / xMax, alpha);
      f32[o] = lx;
      f32[o + 1] = fx;
      zeroCost += 0.5 * fx * lx * lx;
    }
    if (shrink) {
      buffers[0]!.resize(lo * 4);
      buffers[1]!.resize(lo * 4);
      buffers[2]!.resize(lo * 8);
    }
    hi = lo;
  }
  return { bad: -1, zeroCost };
}

interface ResizableBuffer extends ArrayBuffer {
  readonly resizable?: boolean;
  resize(bytes: number): void;
}

/** Index of the first record with a rank outside [0, V) or a value that is not positive and finite; -1 when none. */
function firstBadRecord(cooc: Cooccurrences, n: number, V: number): number {
  const { row, col, val } = cooc;
  for (let k = 0; k < n; k++) {
    const r = row[k]!;
    const c = col[k]!;
    const x = val[k]!;
    // NaN fails x > 0
    if (!(r >= 0 && r < V && c >= 0 && c < V && x > 0 && x < Infinity)) return k;
  }
  return -1;
}
