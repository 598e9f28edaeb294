/**
 * Seeded uniform initialisation of a region of a shared memory, in WebAssembly:
 * fastText's "uniform in [-a, a]" for the input matrices of word2vec and the
 * classifier. splitmix64 per value, its top 24 bits as a float in [0, 1). Ten
 * times the speed of the same loop in TypeScript (2M n-gram rows x 100 dimensions
 * take ~0.2 s instead of ~2 s), and the same values for the same seed everywhere.
 */
import { FnBuilder, ModuleBuilder, F32, I32, I64, wasm, type WasmMemory, type WasmModule } from './wasm-asm.js';
import { MAX_PAGES } from './plan.js';

interface FillExports {
  uniform: (at: number, n: number, scale: number, lo: number, hi: number) => void;
  uniformRows: (at: number, rows: number, dim: number, stride: number, scale: number, lo: number, hi: number) => void;
  copyRows: (dst: number, dstStride: number, src: number, srcStride: number, rowBytes: number, rows: number) => void;
  indexedRows: (dst: number, dstStride: number, src: number, srcStride: number, rowBytes: number, index: number, n: number, scatter: number) => void;
}
let module: WasmModule | undefined;
const instances = new WeakMap<WasmMemory, FillExports>();

function fillModule(): WasmModule {
  if (module) return module;
  // any shared memory of 1..MAX_PAGES pages can be imported
  const m = new ModuleBuilder({ minPages: 1, maxPages: MAX_PAGES, shared: true });
  const f = new FnBuilder([I32, I32, F32, I32, I32], []);
  const [AT, N, SCALE, LO, HI] = [0, 1, 2, 3, 4];
  const s = f.local(I64);
  const z = f.local(I64);
  const end = f.local(I32);
  f.get(HI).i64ExtendI32U().i64(32n).i64Shl().get(LO).i64ExtendI32U().i64Or().set(s);
  f.get(AT).get(N).i32(2).i32Shl().i32Add().set(end);
  f.block().loop();
  f.get(AT).get(end).i32GeU().brIf(1);
  f.get(s).i64(0x9e3779b97f4a7c15n).i64Add().tee(s).set(z);
  f.get(z).get(z).i64(30n).i64ShrU().i64Xor().i64(0xbf58476d1ce4e5b9n).i64Mul().set(z);
  f.get(z).get(z).i64(27n).i64ShrU().i64Xor().i64(0x94d049bb133111ebn).i64Mul().set(z);
  f.get(z).get(z).i64(31n).i64ShrU().i64Xor().set(z);
  // u = (z >> 40) / 2^24 in [0, 1); value = (2u - 1) * scale
  f.get(AT);
  f.get(z).i64(40n).i64ShrU().i32WrapI64().f32ConvertI32S().f32(2 / 16777216).f32Mul().f32(1).f32Sub().get(SCALE).f32Mul();
  f.f32Store(0);
  f.get(AT).i32(4).i32Add().set(AT);
  f.br(0).end().end();
  m.addFunction(f, 'uniform');
  // uniformRows(at, rows, dim, stride, scale, lo, hi): the same generator over the first
  // dim floats of `rows` rows `stride` bytes apart (the rest of each row untouched)
  {
    const u = new FnBuilder([I32, I32, I32, I32, F32, I32, I32], []);
    const [UAT, UROWS, UDIM, USTRIDE, USCALE, ULO, UHI] = [0, 1, 2, 3, 4, 5, 6];
    const us = u.local(I64);
    const uz = u.local(I64);
    const p = u.local(I32);
    const e = u.local(I32);
    u.get(UHI).i64ExtendI32U().i64(32n).i64Shl().get(ULO).i64ExtendI32U().i64Or().set(us);
    u.block().loop();
    u.get(UROWS).i32Eqz().brIf(1);
    u.get(UAT).set(p);
    u.get(UAT).get(UDIM).i32(2).i32Shl().i32Add().set(e);
    u.block().loop();
    u.get(p).get(e).i32GeU().brIf(1);
    u.get(us).i64(0x9e3779b97f4a7c15n).i64Add().tee(us).set(uz);
    u.get(uz).get(uz).i64(30n).i64ShrU().i64Xor().i64(0xbf58476d1ce4e5b9n).i64Mul().set(uz);
    u.get(uz).get(uz).i64(27n).i64ShrU().i64Xor().i64(0x94d049bb133111ebn).i64Mul().set(uz);
    u.get(uz).get(uz).i64(31n).i64ShrU().i64Xor().set(uz);
    u.get(p);
    u.get(uz).i64(40n).i64ShrU().i32WrapI64().f32ConvertI32S().f32(2 / 16777216).f32Mul().f32(1).f32Sub().get(USCALE).f32Mul();
    u.f32Store(0);
    u.get(p).i32(4).i32Add().set(p);
    u.br(0).end().end();
    u.get(UAT).get(USTRIDE).i32Add().set(UAT);
    u.get(UROWS).i32(1).i32Sub().set(UROWS);
    u.br(0).end().end();
    m.addFunction(u, 'uniformRows');
  }
  // copyRows(dst, dstStride, src, srcStride, rowBytes, rows): memory.copy row by row
  const g = new FnBuilder([I32, I32, I32, I32, I32, I32], []);
  const [DST, DS, SRC, SS, RB, ROWS] = [0, 1, 2, 3, 4, 5];
  g.block().loop();
  g.get(ROWS).i32Eqz().brIf(1);
  g.get(DST).get(SRC).get(RB).memoryCopy();
  g.get(DST).get(DS).i32Add().set(DST);
  g.get(SRC).get(SS).i32Add().set(SRC);
  g.get(ROWS).i32(1).i32Sub().set(ROWS);
  g.br(0).end().end();
  m.addFunction(g, 'copyRows');
  // indexedRows(dst, dstStride, src, srcStride, rowBytes, index, n, scatter): row i of
  // a dense list and row index[i] of a matrix; gather (scatter 0): dense <- matrix,
  // scatter (1): matrix <- dense
  {
    const h = new FnBuilder([I32, I32, I32, I32, I32, I32, I32, I32], []);
    const [HD, HDS, HS, HSS, HRB, HIDX, HN, HSC] = [0, 1, 2, 3, 4, 5, 6, 7];
    const i = h.local(I32);
    const r = h.local(I32);
    h.block().loop();
    h.get(i).get(HN).i32GeU().brIf(1);
    h.get(HIDX).get(i).i32(2).i32Shl().i32Add().i32Load(0).set(r);
    h.get(HD).get(r).get(i).get(HSC).select().get(HDS).i32Mul().i32Add();
    h.get(HS).get(i).get(r).get(HSC).select().get(HSS).i32Mul().i32Add();
    h.get(HRB).memoryCopy();
    h.get(i).i32(1).i32Add().set(i);
    h.br(0).end().end();
    m.addFunction(h, 'indexedRows');
  }
  module = new wasm.Module(m.encode());
  return module;
}

function fillInstance(memory: WasmMemory): FillExports {
  let inst = instances.get(memory);
  if (!inst) {
    inst = new wasm.Instance(fillModule(), { env: { memory } }).exports as unknown as FillExports;
    instances.set(memory, inst);
  }
  return inst;
}

/**
 * Copy `rows` rows of `rowBytes` bytes from `src` (rows `srcStride` bytes apart) to
 * `dst` (rows `dstStride` apart) within one memory: interleaving a matrix with
 * other per-row data and back, at memory.copy's speed.
 */
export function copyRows(memory: WasmMemory, dst: number, dstStride: number, src: number, srcStride: number, rowBytes: number, rows: number): void {
  const inst = fillInstance(memory);
  const STEP = 4096;
  for (let r = 0; r < rows; r += STEP) {
    const n = Math.min(STEP, rows - r);
    inst.copyRows(dst + r * dstStride, dstStride, src + r * srcStride, srcStride, rowBytes, n);
  }
}

/**
 * Copy rows between a dense list and a matrix by an index (int32s at byte address
 * `index` of the memory): gather, dense row i <- matrix row index[i]; or scatter,
 * matrix row index[i] <- dense row i. Strides are the two layouts' row sizes in bytes.
 */
export function indexedRows(memory: WasmMemory, mode: 'gather' | 'scatter', dense: number, denseStride: number, matrix: number, matrixStride: number, rowBytes: number, index: number, n: number, from = 0, to = n): void {
  const inst = fillInstance(memory);
  const STEP = 4096;
  for (let k = from; k < to; k += STEP) {
    const c = Math.min(STEP, to - k);
    if (mode === 'gather') inst.indexedRows(dense + k * denseStride, denseStride, matrix, matrixStride, rowBytes, index + 4 * k, c, 0);
    else inst.indexedRows(matrix, matrixStride, dense + k * denseStride, denseStride, rowBytes, index + 4 * k, c, 1);
  }
}

const GAMMA = 0x9e3779b97f4a7c15n;
const MASK64 = (1n << 64n) - 1n;

/**
 * Fill the first `dim` floats of `rows` rows (`stride` bytes apart, from byte
 * address `at`) with uniform values in [-scale, scale): one splitmix64 sequence
 * over the values in row order, seeded (its state after k values is seed + k
 * gamma, so the work splits into calls without changing the values).
 */
export function fillUniformRows(memory: WasmMemory, at: number, rows: number, dim: number, stride: number, scale: number, seed: number, from = 0, to = rows): void {
  const inst = fillInstance(memory);
  const s0 = (BigInt(seed >>> 0) * 0x2545f4914f6cdd1dn + 0x632be59bd9b4e019n) & MASK64;
  const STEP = Math.max(1, Math.floor(65536 / Math.max(1, dim)));
  // rows [from, to) only (threads may fill a matrix in parts: the values are those of the whole fill)
  for (let r = from; r < to; r += STEP) {
    const n = Math.min(STEP, to - r);
    const s = (s0 + BigInt(r * dim) * GAMMA) & MASK64;
    inst.uniformRows(at + r * stride, n, dim, stride, scale, Number(s & 0xffffffffn) | 0, Number(s >> 32n) | 0);
  }
}

/** Fill the n float32 values at byte address `at` of `memory` with uniform values in [-scale, scale), seeded. */
export function fillUniform(memory: WasmMemory, at: number, n: number, scale: number, seed: number): void {
  const inst = fillInstance(memory);
  // many short calls rather than one long one: V8 runs a WebAssembly function's
  // baseline code until the function is called again after its optimized tier is
  // ready (there is no on-stack replacement), so one long call would run unoptimized
  const STEP = 1 << 16;
  let k = 0;
  let part = 0;
  while (k < n) {
    const c = Math.min(STEP, n - k);
    inst.uniform(at + k * 4, c, scale, (seed ^ Math.imul(part, 0x9e3779b1)) | 0, (Math.imul(seed, 7) + part) | 0);
    k += c;
    part++;
  }
}
