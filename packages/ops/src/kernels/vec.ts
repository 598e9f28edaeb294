/**
 * SIMD primitives over rows of floats, emitted inline into a generated kernel:
 * fill, copy, add, scale, dot and axpy over `dim` float32 values, fully unrolled
 * (dim / 4 f32x4 steps, then the dim % 4 tail as scalars) with every chunk's
 * offset a constant in the instruction.
 *
 * A row is named by a `Ref`: a local holding a byte address plus a constant base,
 * so that a matrix row is `{ local: row * rowBytes, base: matrixAddress }` and a
 * scratch vector `{ local: scratchAddress, base: 0 }`. Rows need no alignment
 * (WebAssembly loads do not require it), so matrices keep their plain row-major
 * layout (stride = dim) and the readers and writers of model files see ordinary
 * Float32Array views.
 */
import { F32, V128, type FnBuilder } from './wasm-asm.js';

export interface Ref {
  /** Local holding a byte address (i32). */
  local: number;
  /** Constant byte offset added to it. */
  base: number;
}

/** Scratch locals the primitives share (declare once per function with vecLocals). */
export interface VecLocals {
  a0: number;
  a1: number;
  s: number;
  v: number;
}

export function vecLocals(f: FnBuilder): VecLocals {
  return { a0: f.local(V128), a1: f.local(V128), s: f.local(F32), v: f.local(V128) };
}

/** Call body(byteOffset, wide) for each f32x4 chunk (wide) and each tail float. */
export function chunks(dim: number, body: (offset: number, wide: boolean) => void): void {
  const n4 = dim >> 2;
  for (let k = 0; k < n4; k++) body(16 * k, true);
  for (let j = n4 * 4; j < dim; j++) body(4 * j, false);
}

const load = (f: FnBuilder, r: Ref, off: number, wide: boolean): void => {
  f.get(r.local);
  if (wide) f.v128Load(r.base + off);
  else f.f32Load(r.base + off);
};

/** y = 0. */
export function emitZero(f: FnBuilder, y: Ref, dim: number, L: VecLocals): void {
  f.f32(0).f32x4Splat().set(L.v);
  chunks(dim, (off, wide) => {
    f.get(y.local);
    if (wide) f.get(L.v).v128Store(y.base + off);
    else f.f32(0).f32Store(y.base + off);
  });
}

/** y = x. */
export function emitCopy(f: FnBuilder, y: Ref, x: Ref, dim: number): void {
  chunks(dim, (off, wide) => {
    f.get(y.local);
    load(f, x, off, wide);
    if (wide) f.v128Store(y.base + off);
    else f.f32Store(y.base + off);
  });
}

/** y += x. */
export function emitAdd(f: FnBuilder, y: Ref, x: Ref, dim: number): void {
  chunks(dim, (off, wide) => {
    f.get(y.local);
    load(f, y, off, wide);
    load(f, x, off, wide);
    if (wide) f.f32x4Add().v128Store(y.base + off);
    else f.f32Add().f32Store(y.base + off);
  });
}

/** y *= s (s an f32 local). */
export function emitScale(f: FnBuilder, y: Ref, s: number, dim: number, L: VecLocals): void {
  f.get(s).f32x4Splat().set(L.v);
  chunks(dim, (off, wide) => {
    f.get(y.local);
    load(f, y, off, wide);
    if (wide) f.get(L.v).f32x4Mul().v128Store(y.base + off);
    else f.get(s).f32Mul().f32Store(y.base + off);
  });
}

/** y += a * x (a an f32 local). */
export function emitAxpy(f: FnBuilder, y: Ref, a: number, x: Ref, dim: number, L: VecLocals): void {
  f.get(a).f32x4Splat().set(L.v);
  chunks(dim, (off, wide) => {
    f.get(y.local);
    load(f, y, off, wide);
    load(f, x, off, wide);
    if (wide) f.get(L.v).f32x4Mul().f32x4Add().v128Store(y.base + off);
    else f.get(a).f32Mul().f32Add().f32Store(y.base + off);
  });
}

/**
 * Push x · y (f32). Two vector accumulators (even and odd chunks) halve the chain
 * of dependent adds; the lanes are summed at the end, then the tail.
 */
export function emitDot(f: FnBuilder, x: Ref, y: Ref, dim: number, L: VecLocals): void {
  const n4 = dim >> 2;
  if (n4 > 0) {
    f.f32(0).f32x4Splat().set(L.a0);
    f.f32(0).f32x4Splat().set(L.a1);
    for (let k = 0; k < n4; k++) {
      const acc = k & 1 ? L.a1 : L.a0;
      f.get(acc);
      load(f, x, 16 * k, true);
      load(f, y, 16 * k, true);
      f.f32x4Mul().f32x4Add().set(acc);
    }
    f.get(L.a0).get(L.a1).f32x4Add().set(L.a0);
    f.get(L.a0).f32x4ExtractLane(0).get(L.a0).f32x4ExtractLane(1).f32Add();
    f.get(L.a0).f32x4ExtractLane(2).get(L.a0).f32x4ExtractLane(3).f32Add().f32Add();
  } else {
    f.f32(0);
  }
  for (let j = n4 * 4; j < dim; j++) {
    load(f, x, 4 * j, false);
    load(f, y, 4 * j, false);
    f.f32Mul().f32Add();
  }
}

/**
 * The update of one binary logistic unit with output row w, input h and gradient
 * accumulator g, for a step a (an f32 local): g += a * w; w += a * h, both reading
 * the old w (fastText's BinaryLogisticLoss::binaryLogistic).
 */
export function emitLogisticStep(f: FnBuilder, g: Ref, w: Ref, h: Ref, a: number, dim: number, L: VecLocals): void {
  f.get(a).f32x4Splat().set(L.v);
  chunks(dim, (off, wide) => {
    if (wide) {
      load(f, w, off, true);
      f.set(L.a0);
      f.get(g.local);
      load(f, g, off, true);
      f.get(L.a0).get(L.v).f32x4Mul().f32x4Add().v128Store(g.base + off);
      f.get(w.local).get(L.a0);
      load(f, h, off, true);
      f.get(L.v).f32x4Mul().f32x4Add().v128Store(w.base + off);
    } else {
      load(f, w, off, false);
      f.set(L.s);
      f.get(g.local);
      load(f, g, off, false);
      f.get(L.s).get(a).f32Mul().f32Add().f32Store(g.base + off);
      f.get(w.local).get(L.s);
      load(f, h, off, false);
      f.get(a).f32Mul().f32Add().f32Store(w.base + off);
    }
  });
}
