/**
 * The classifier's training kernel: forward and backward of one example as
 * WebAssembly with f32x4 SIMD, generated for the dimension, the number of labels
 * and the optimizer, with the optimizer step fused into the backward pass (one
 * example a step, the classify op's default batch of 1). The math is the
 * TypeScript path's (worker.ts with core's optimizers):
 *
 *   forward:  h = (1/n) sum_k c_k E[r_k]     (the example's distinct rows r_k, c_k times each, n = sum c_k)
 *             z_j = O_j · h                  (the caller takes the softmax and writes g_j = p_j - [j = y])
 *   backward: gh = sum_j g_j O_j             (with the old O)
 *             O_j: gradient g_j h            (Adam, PyTorch's: m, v, x -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps); or SGD)
 *             E[r_k]: gradient (c_k/n) gh    (LazyAdam / SparseAdam on the rows present: x -= lr sqrt(bc2)/bc1 * m / (sqrt(v) + eps); or SGD)
 *
 * The caller passes the step sizes (they hold the bias corrections of the shared
 * step count and the linear learning-rate schedule). Rows are coalesced before
 * training (a row present twice gets one update with twice the gradient), as the
 * optimizers coalesce a sparse gradient.
 *
 * Memory (one shared WebAssembly.Memory, see ClassifyLayout): the input matrix,
 * its training rows (each fused with its moments for the Adam family), the output
 * matrix and its moments, the examples' rows and counts, and per thread h, gh, z
 * and g.
 */
import { FnBuilder, ModuleBuilder, I32, F32, V128, wasm, type WasmMemory, type WasmModule } from '../kernels/wasm-asm.js';
import { chunks, emitAxpy, emitDot, emitZero, vecLocals, type Ref } from '../kernels/vec.js';
import { MemoryPlan } from '../kernels/plan.js';

export type KernelOptimizer = 'lazy_adam' | 'sparse_adam' | 'sgd';

export interface ClassifyThreadScratch {
  h: number;
  gh: number;
  z: number;
  g: number;
}

export interface ClassifyLayout {
  dim: number;
  labels: number;
  inputRows: number;
  /**
   * The input matrix as the model keeps it (inputRows x dim, row-major). Without
   * moments (SGD) it is also where training happens (train === input).
   */
  input: number;
  /**
   * The rows that training updates, `trainRows` of them. With moments (Adam family)
   * only the rows that some example uses are here, numbered densely, each fused
   * with its two moments, [x (dim) | m (dim) | v (dim)], so that an update touches
   * one contiguous block (a few neighbouring cache lines, one page) and no memory
   * is spent on the moments of rows no example has. Their x parts are gathered from
   * the input matrix before training and scattered back after it (`index` holds
   * each training row's input row).
   */
  train: number;
  trainRows: number;
  index: number;
  /** Bytes between two training rows (dim * 4, or 3 * dim * 4 with moments). */
  trainRowBytes: number;
  output: number;
  /** Byte offsets of the moments within a training row (0 for sgd). */
  mIn: number;
  vIn: number;
  mOut: number;
  vOut: number;
  /** Coalesced rows of all examples (int32) and how many times each (float32). */
  rows: number;
  counts: number;
  rowCount: number;
  threads: ClassifyThreadScratch[];
  bytes: number;
  pages: number;
  fits: boolean;
}

export function classifyLayout(o: { dim: number; labels: number; inputRows: number; trainRows: number; rowCount: number; moments: boolean; threads: number }): ClassifyLayout {
  const plan = new MemoryPlan();
  const outBytes = o.labels * o.dim * 4;
  const trainRowBytes = (o.moments ? 3 : 1) * o.dim * 4;
  const input = plan.alloc(o.inputRows * o.dim * 4);
  const train = o.moments ? plan.alloc(o.trainRows * trainRowBytes) : input;
  const trainRows = o.moments ? o.trainRows : o.inputRows;
  const index = o.moments ? plan.alloc(trainRows * 4) : 0;
  const output = plan.alloc(outBytes);
  const mIn = o.moments ? o.dim * 4 : 0;
  const vIn = o.moments ? 2 * o.dim * 4 : 0;
  const mOut = o.moments ? plan.alloc(outBytes) : 0;
  const vOut = o.moments ? plan.alloc(outBytes) : 0;
  const rows = plan.alloc(o.rowCount * 4);
  const counts = plan.alloc(o.rowCount * 4);
  const threads: ClassifyThreadScratch[] = [];
  for (let t = 0; t < o.threads; t++) threads.push({ h: plan.alloc(o.dim * 4), gh: plan.alloc(o.dim * 4), z: plan.alloc(o.labels * 4), g: plan.alloc(o.labels * 4) });
  return { dim: o.dim, labels: o.labels, inputRows: o.inputRows, input, train, trainRows, index, trainRowBytes, output, mIn, vIn, mOut, vOut, rows, counts, rowCount: o.rowCount, threads, bytes: plan.bytes, pages: plan.pages, fits: plan.fits };
}

export interface ClassifyKernelSpec {
  layout: ClassifyLayout;
  optimizer: KernelOptimizer;
  betas: [number, number];
  /** eps of the sparse optimizer (LazyAdam 1e-7, SparseAdam 1e-8) and of Adam (1e-8). */
  epsIn: number;
  epsOut: number;
}

export interface ClassifyKernel {
  /** h and the scores z of the example whose coalesced rows are [a, b), n = the sum of their counts. */
  forward(h: number, z: number, a: number, b: number, invN: number): void;
  /**
   * The update from g (written by the caller): stepOut/stepIn are the step sizes
   * (Adam: lr / bc1 and lr sqrt(bc2) / bc1; SGD: lr), invBc2 = 1 / sqrt(bc2) for Adam.
   */
  backward(h: number, gh: number, g: number, a: number, b: number, invN: number, stepOut: number, invBc2: number, stepIn: number): void;
}

export function classifyModuleBytes(spec: ClassifyKernelSpec): Uint8Array {
  const { layout: Lo, optimizer } = spec;
  const dim = Lo.dim;
  const L = Lo.labels;
  const rowBytes = dim * 4;
  const adam = optimizer !== 'sgd';
  const [b1, b2] = spec.betas;
  const m = new ModuleBuilder({ minPages: Lo.pages, maxPages: Lo.pages, shared: true });

  // forward(h, z, a, b, invN)
  {
    const f = new FnBuilder([I32, I32, I32, I32, F32], []);
    const [H, Z, A, B, INV] = [0, 1, 2, 3, 4];
    const V = vecLocals(f);
    const k = f.local(I32);
    const r = f.local(I32);
    const c = f.local(F32);
    const o = f.local(I32);
    const hRef: Ref = { local: H, base: 0 };
    emitZero(f, hRef, dim, V);
    f.get(A).set(k);
    f.block().loop();
    f.get(k).get(B).i32GeU().brIf(1);
    f.get(k).i32(2).i32Shl().i32Load(Lo.rows).i32(Lo.trainRowBytes).i32Mul().set(r);
    f.get(k).i32(2).i32Shl().f32Load(Lo.counts).set(c);
    emitAxpy(f, hRef, c, { local: r, base: Lo.train }, dim, V);
    f.get(k).i32(1).i32Add().set(k);
    f.br(0).end().end();
    // h *= invN
    f.get(INV).f32x4Splat().set(V.v);
    chunks(dim, (off, wide) => {
      f.get(H).get(H);
      if (wide) f.v128Load(off).get(V.v).f32x4Mul().v128Store(off);
      else f.f32Load(off).get(INV).f32Mul().f32Store(off);
    });
    for (let j = 0; j < L; j++) {
      f.i32(j * rowBytes).set(o);
      f.get(Z);
      emitDot(f, { local: o, base: Lo.output }, hRef, dim, V);
      f.f32Store(4 * j);
    }
    m.addFunction(f, 'forward');
  }

  // backward(h, gh, g, a, b, invN, stepOut, invBc2, stepIn)
  {
    const f = new FnBuilder([I32, I32, I32, I32, I32, F32, F32, F32, F32], []);
    const [H, GH, G, A, B, INV, SOUT, IBC2, SIN] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const V = vecLocals(f);
    const k = f.local(I32);
    const r = f.local(I32);
    const c = f.local(F32);
    const gj = f.local(F32);
    const o = f.local(I32);
    const d = f.local(V128);
    const mm = f.local(V128);
    const vv = f.local(V128);
    const ds = f.local(F32);
    const ms = f.local(F32);
    const vs = f.local(F32);
    const ghRef: Ref = { local: GH, base: 0 };
    // gh = sum_j g_j O_j (old O)
    emitZero(f, ghRef, dim, V);
    for (let j = 0; j < L; j++) {
      f.get(G).f32Load(4 * j).set(gj);
      f.i32(j * rowBytes).set(o);
      emitAxpy(f, ghRef, gj, { local: o, base: Lo.output }, dim, V);
    }
    /**
     * One row update: x at (addr local + base), gradient = s * src (s an f32 local,
     * src a Ref); Adam moments at the same offset from mBase / vBase.
     */
    const rowUpdate = (addr: number, base: number, mBase: number, vBase: number, s: number, src: Ref, step: number, eps: number, invBc2: number | undefined): void => {
      chunks(dim, (off, wide) => {
        if (wide) {
          f.get(src.local).v128Load(src.base + off).get(s).f32x4Splat().f32x4Mul().set(d);
          if (!adam) {
            f.get(addr).get(addr).v128Load(base + off).get(d).get(step).f32x4Splat().f32x4Mul().f32x4Sub().v128Store(base + off);
            return;
          }
          // m = b1 m + (1 - b1) d
          f.get(addr).v128Load(mBase + off).f32(b1).f32x4Splat().f32x4Mul().get(d).f32(1 - b1).f32x4Splat().f32x4Mul().f32x4Add().set(mm);
          f.get(addr).get(mm).v128Store(mBase + off);
          // v = b2 v + (1 - b2) d d
          f.get(addr).v128Load(vBase + off).f32(b2).f32x4Splat().f32x4Mul().get(d).get(d).f32x4Mul().f32(1 - b2).f32x4Splat().f32x4Mul().f32x4Add().set(vv);
          f.get(addr).get(vv).v128Store(vBase + off);
          // x -= step * m / (sqrt(v) [* invBc2] + eps)
          f.get(addr).get(addr).v128Load(base + off);
          f.get(step).f32x4Splat().get(mm).f32x4Mul();
          f.get(vv).f32x4Sqrt();
          if (invBc2 !== undefined) f.get(invBc2).f32x4Splat().f32x4Mul();
          f.f32(eps).f32x4Splat().f32x4Add().f32x4Div();
          f.f32x4Sub().v128Store(base + off);
        } else {
          f.get(src.local).f32Load(src.base + off).get(s).f32Mul().set(ds);
          if (!adam) {
            f.get(addr).get(addr).f32Load(base + off).get(ds).get(step).f32Mul().f32Sub().f32Store(base + off);
            return;
          }
          f.get(addr).f32Load(mBase + off).f32(b1).f32Mul().get(ds).f32(1 - b1).f32Mul().f32Add().set(ms);
          f.get(addr).get(ms).f32Store(mBase + off);
          f.get(addr).f32Load(vBase + off).f32(b2).f32Mul().get(ds).get(ds).f32Mul().f32(1 - b2).f32Mul().f32Add().set(vs);
          f.get(addr).get(vs).f32Store(vBase + off);
          f.get(addr).get(addr).f32Load(base + off);
          f.get(step).get(ms).f32Mul();
          f.get(vs).f32Sqrt();
          if (invBc2 !== undefined) f.get(invBc2).f32Mul();
          f.f32(eps).f32Add().f32Div();
          f.f32Sub().f32Store(base + off);
        }
      });
    };
    // the output layer: gradient g_j h
    for (let j = 0; j < L; j++) {
      f.get(G).f32Load(4 * j).set(gj);
      f.i32(j * rowBytes).set(o);
      rowUpdate(o, Lo.output, Lo.mOut, Lo.vOut, gj, { local: H, base: 0 }, SOUT, spec.epsOut, IBC2);
    }
    // the input rows present: gradient (c_k / n) gh
    f.get(A).set(k);
    f.block().loop();
    f.get(k).get(B).i32GeU().brIf(1);
    f.get(k).i32(2).i32Shl().i32Load(Lo.rows).i32(Lo.trainRowBytes).i32Mul().set(r);
    f.get(k).i32(2).i32Shl().f32Load(Lo.counts).get(INV).f32Mul().set(c);
    rowUpdate(r, Lo.train, Lo.train + Lo.mIn, Lo.train + Lo.vIn, c, ghRef, SIN, spec.epsIn, undefined);
    f.get(k).i32(1).i32Add().set(k);
    f.br(0).end().end();
    m.addFunction(f, 'backward');
  }
  return m.encode();
}

export function compileClassifyKernel(spec: ClassifyKernelSpec): WasmModule {
  return new wasm.Module(classifyModuleBytes(spec));
}

export function instantiateClassifyKernel(module: WasmModule, memory: WasmMemory): ClassifyKernel {
  return new wasm.Instance(module, { env: { memory } }).exports as unknown as ClassifyKernel;
}
