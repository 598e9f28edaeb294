/**
 * Packing the co-occurrence matrix into the GloVe kernel's training records
 * (layout.ts), on the calling thread.
 */
import type { Cooccurrences } from '@wordloom/core';
import type { WasmMemory } from '../kernels/wasm-asm.js';
import { COMPACT_RECORD_BYTES, type GloveLayout } from './layout.js';

/**
 * Write the n records of the matrix into buffer A: record k goes to share
 * k % threads, in order (see layout.ts for the two record formats). Stops at the
 * first invalid record (bad: its index; -1 when none). zeroCost: the cost of an
 * all-zero model, sum of 0.5 f(x) (log x)^2 (summed share by share).
 */
export function packRecords(memory: WasmMemory, L: GloveLayout, cooc: Cooccurrences, xMax: number, alpha: number): { bad: number; zeroCost: number } {
  const i32 = new Int32Array(memory.buffer);
  const f32 = new Float32Array(memory.buffer);
  const { row, col, val } = cooc;
  const n = L.records;
  const V = L.vocabSize;
  const { wordBase, contextBase, rowBytes } = L;
  const compact = L.recordBytes === COMPACT_RECORD_BYTES;
  const step = L.recordBytes >> 2;
  const threads = L.shares.length;
  const out = L.shares.map((s) => s.recA >> 2);
  const sums = new Float64Array(threads);
  for (let k = 0; k < n; k++) {
    const r = row[k]!;
    const c = col[k]!;
    const x = val[k]!;
    // NaN fails x > 0
    if (!(r >= 0 && r < V && c >= 0 && c < V && x > 0 && x < Infinity)) return { bad: k, zeroCost: 0 };
    const t = k % threads;
    let o = out[t]!;
    out[t] = o + step;
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
    sums[t] += 0.5 * fx * lx * lx;
  }
  let zeroCost = 0;
  for (let t = 0; t < threads; t++) zeroCost += sums[t]!;
  return { bad: -1, zeroCost };
}
