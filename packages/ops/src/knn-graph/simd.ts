/**
 * The WebAssembly f32x4 dot-product kernel behind knn-graph and dbscan: a block of
 * dot products of queries (row-major, `dim` floats a row) with matrix rows stored
 * in "quads" (4 rows interleaved: [dim][4 lanes], so one v128 load gives the j-th
 * value of 4 rows). For 4 queries x 2 quads (8 rows) at a time it keeps 8 f32x4
 * accumulators: per dimension j, 2 row loads, 4 query splats, 8 multiply-adds.
 * The loop over dimensions is unrolled for the dimension, with constant offsets.
 *
 * Each score is accumulated in float32 in dimension order (as the gpu.js kernel),
 * so s(i, j) and s(j, i) are bit-identical: both are the same products added in
 * the same order.
 *
 * Memory: one shared WebAssembly.Memory per job (see SimdLayout), made on the
 * calling thread and passed to the workers, which instantiate the module over it.
 */
import { FnBuilder, ModuleBuilder, I32, F32, V128, wasm, type WasmMemory } from '../kernels/wasm-asm.js';

/** Queries per block (a multiple of 4). */
export const SIMD_QUERY_BLOCK = 64;
/** Rows per block (a multiple of 8): a 50-dim block of quads is 100 KB and the score block 128 KB, so both stay in L2 (measured faster than 1024 and 2048 rows at 20,000 x 50). */
export const SIMD_ROW_BLOCK = 512;

export interface DotsExports {
  /**
   * For `groups` groups of 4 queries starting at byte address q (row-major, dim
   * floats each, consecutive) and `pairs` pairs of quads starting at byte address t:
   * out[(4g + i) * stride + 8p + r] = dot(query 4g+i, row 8p+r); stride in bytes.
   */
  dots(q: number, groups: number, t: number, pairs: number, out: number, strideBytes: number): void;
  /**
   * The byte address of the first group of 4 floats in [p, end) (16-byte steps)
   * with one value > thr, or `end`: the top-k merge looks only at those.
   */
  above(p: number, end: number, thr: number): number;
  /** As above, each value against its own threshold, at address + delta. */
  aboveEach(p: number, end: number, delta: number): number;
}

function uleb(out: number[], v: number): void {
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

/** v128.load32_splat with a constant offset (not in the shared assembler). */
function load32Splat(f: FnBuilder, offset: number): void {
  f.code.push(0xfd, 0x09, 2);
  uleb(f.code, offset);
}

/** The kernel module for vectors of `dim` values over a memory of `pages` 64 KiB pages. */
export function dotsModuleBytes(dim: number, pages: number, shared: boolean): Uint8Array {
  const f = new FnBuilder([I32, I32, I32, I32, I32, I32], []);
  const [q, groups, t, pairs, out, stride] = [0, 1, 2, 3, 4, 5];
  const tp = f.local(I32);
  const op = f.local(I32);
  const p = f.local(I32);
  const o1 = f.local(I32);
  const o2 = f.local(I32);
  const o3 = f.local(I32);
  const acc: number[] = [];
  for (let i = 0; i < 8; i++) acc.push(f.local(V128));
  const a = f.local(V128);
  const b = f.local(V128);
  const s = f.local(V128);
  const quadBytes = dim * 16;

  f.block().loop();
  f.get(groups).i32Eqz().brIf(1);
  f.get(t).set(tp);
  f.get(out).set(op);
  f.get(pairs).set(p);
  f.block().loop();
  f.get(p).i32Eqz().brIf(1);
  for (let j = 0; j < dim; j++) {
    f.get(tp).v128Load(j * 16).set(a);
    f.get(tp).v128Load(quadBytes + j * 16).set(b);
    for (let i = 0; i < 4; i++) {
      f.get(q);
      load32Splat(f, (i * dim + j) * 4);
      f.set(s);
      if (j === 0) {
        f.get(s).get(a).f32x4Mul().set(acc[2 * i]!);
        f.get(s).get(b).f32x4Mul().set(acc[2 * i + 1]!);
      } else {
        f.get(acc[2 * i]!).get(s).get(a).f32x4Mul().f32x4Add().set(acc[2 * i]!);
        f.get(acc[2 * i + 1]!).get(s).get(b).f32x4Mul().f32x4Add().set(acc[2 * i + 1]!);
      }
    }
  }
  f.get(op).get(stride).i32Add().set(o1);
  f.get(o1).get(stride).i32Add().set(o2);
  f.get(o2).get(stride).i32Add().set(o3);
  const rowsOut = [op, o1, o2, o3];
  for (let i = 0; i < 4; i++) {
    f.get(rowsOut[i]!).get(acc[2 * i]!).v128Store(0);
    f.get(rowsOut[i]!).get(acc[2 * i + 1]!).v128Store(16);
  }
  f.get(tp).i32(2 * quadBytes).i32Add().set(tp);
  f.get(op).i32(32).i32Add().set(op);
  f.get(p).i32(1).i32Sub().set(p);
  f.br(0);
  f.end().end();
  f.get(q).i32(16 * dim).i32Add().set(q);
  f.get(out).get(stride).i32(4).i32Mul().i32Add().set(out);
  f.get(groups).i32(1).i32Sub().set(groups);
  f.br(0);
  f.end().end();

  const m = new ModuleBuilder({ minPages: pages, maxPages: pages, shared });
  m.addFunction(f, 'dots');
  m.addFunction(aboveFn(false), 'above');
  m.addFunction(aboveFn(true), 'aboveEach');
  return m.encode();
}

function aboveFn(each: boolean): FnBuilder {
  const f = new FnBuilder([I32, I32, each ? I32 : F32], [I32]);
  const [p, end, arg] = [0, 1, 2];
  const t = f.local(V128);
  if (!each) f.get(arg).f32x4Splat().set(t);
  f.block().loop();
  f.get(p).get(end).i32GeU().brIf(1);
  f.get(p).v128Load(0);
  if (each) f.get(p).get(arg).i32Add().v128Load(0);
  else f.get(t);
  f.code.push(0xfd, 0x44); // f32x4.gt
  f.code.push(0xfd, 0x53); // v128.any_true
  f.if_().get(p).return_().end();
  f.get(p).i32(16).i32Add().set(p);
  f.br(0);
  f.end().end();
  f.get(end);
  return f;
}

/** Whether this runtime runs WebAssembly SIMD (checked once by validating a tiny kernel). */
let simdOk: boolean | undefined;
export function simdAvailable(): boolean {
  if (simdOk === undefined) {
    try {
      simdOk = !!wasm && wasm.validate(dotsModuleBytes(4, 1, true));
    } catch {
      simdOk = false;
    }
  }
  return simdOk;
}

/**
 * Where things are in a job's memory (byte addresses, 16-aligned):
 *   q:       the matrix row-major, rowsQ = rows rounded up to a multiple of 4 (zero rows after)
 *   t:       the matrix as quads, rowsT = rows rounded up to a multiple of 8 (zero rows after)
 *   scratch: `lanes` score blocks of SIMD_QUERY_BLOCK x SIMD_ROW_BLOCK floats
 *   thr:     `lanes` rows of SIMD_ROW_BLOCK floats (per-column thresholds)
 */
export interface SimdLayout {
  dim: number;
  rows: number;
  q: number;
  t: number;
  scratch: number;
  thr: number;
  lanes: number;
  pages: number;
}

const align16 = (x: number): number => Math.ceil(x / 16) * 16;

export function simdLayout(rows: number, dim: number, lanes: number): SimdLayout {
  const rowsQ = Math.ceil(rows / 4) * 4;
  const rowsT = Math.ceil(rows / 8) * 8;
  const q = 0;
  const t = align16(q + rowsQ * dim * 4);
  const scratch = align16(t + rowsT * dim * 4);
  const thr = scratch + lanes * SIMD_QUERY_BLOCK * SIMD_ROW_BLOCK * 4;
  const end = thr + lanes * SIMD_ROW_BLOCK * 4;
  const pages = Math.ceil(end / 65536) + 1;
  if (pages > 65536) {
    throw new RangeError(`a ${rows} x ${dim} matrix needs ${Math.round(end / 2 ** 20)} MiB of WebAssembly memory (at most 4 GiB)`);
  }
  return { dim, rows, q, t, scratch, thr, lanes, pages };
}

/** A shared memory holding `data` (rows x dim, row-major) in both layouts. */
export function simdMemory(data: Float32Array, rows: number, dim: number, lanes: number): { memory: WasmMemory; layout: SimdLayout } {
  const layout = simdLayout(rows, dim, lanes);
  const W = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory } }).WebAssembly;
  const memory = new W.Memory({ initial: layout.pages, maximum: layout.pages, shared: true });
  const f = new Float32Array(memory.buffer);
  f.set(data.subarray(0, rows * dim), layout.q / 4);
  const t0 = layout.t / 4;
  for (let r = 0; r < rows; r++) {
    const dst = t0 + (r >> 2) * dim * 4 + (r & 3);
    const src = r * dim;
    for (let j = 0; j < dim; j++) f[dst + j * 4] = data[src + j]!;
  }
  return { memory, layout };
}

const modules = new Map<string, unknown>();
let current: { job: string; exports: DotsExports } | undefined;

/**
 * The kernel instantiated over `memory` for job `job` (cached: the compiled module
 * per dimension and size, so that V8's optimized code is reused; the instance per job).
 */
export function dotsKernel(job: string, memory: WasmMemory, layout: SimdLayout): DotsExports {
  if (current && current.job === job) return current.exports;
  const key = `${layout.dim}:${layout.pages}`;
  let mod = modules.get(key);
  if (!mod) {
    mod = new wasm.Module(dotsModuleBytes(layout.dim, layout.pages, true));
    modules.set(key, mod);
  }
  const inst = new wasm.Instance(mod as never, { env: { memory } });
  current = { job, exports: inst.exports as unknown as DotsExports };
  return current.exports;
}

/**
 * Scores of queries [qa, qa + nq) (nq <= SIMD_QUERY_BLOCK) with rows [r0, r1)
 * (r0 a multiple of 8, r1 - r0 <= SIMD_ROW_BLOCK) into scratch lane `lane`: score
 * of query qa + i with row r0 + x at float index (scratch/4) + i * SIMD_ROW_BLOCK + x.
 */
export function dotsBlock(k: DotsExports, layout: SimdLayout, lane: number, qa: number, nq: number, r0: number, r1: number): number {
  const dim = layout.dim;
  const groups = Math.ceil(nq / 4);
  const pairs = Math.ceil((r1 - r0) / 8);
  const out = layout.scratch + lane * SIMD_QUERY_BLOCK * SIMD_ROW_BLOCK * 4;
  k.dots(layout.q + qa * dim * 4, groups, layout.t + (r0 >> 2) * dim * 16, pairs, out, SIMD_ROW_BLOCK * 4);
  return out / 4;
}
