/**
 * The linear learner's inner loops as a generated WebAssembly module.
 *
 * - `hinge`: a whole run of binary examples with the hinge loss and the normalized
 *   adaptive update (VW's default, the linear SVM): score, progressive loss and
 *   error, the per-feature state, the global multiplier, the importance-invariant
 *   step. One call per run of examples, so no JavaScript runs per example and the
 *   first pass does not wait for the JIT to warm up.
 * - `score`, `rates`, `applyRated`, `apply`: one example's loops, for the other
 *   losses and tasks, whose per-example logic stays in learn.ts.
 *
 * Every function computes in float64 and stores float32, in the order learn.ts's
 * TypeScript does, so both give bit-identical weights, globals and losses; a
 * learner uses this module where the weights live in a WebAssembly memory with a
 * scratch slot free for it, and its TypeScript loops elsewhere.
 *
 * Memory: the weights (each followed by its update state, `stride` floats a slot:
 * learn.ts) from byte 64 of a shared WebAssembly memory, the update rule's 4 float64
 * globals, a slot counter, then `slots` scratch slots. A slot holds the features of the examples being
 * learned (SLOT_FEATURES indices and values), their offsets, labels and importance
 * weights (SLOT_EXAMPLES), and out-cells. A learner claims a slot with an atomic add
 * on the counter; the examples are copied into it a run at a time.
 */
import { FnBuilder, ModuleBuilder, F64, I32, wasm, type WasmMemory } from '../kernels/wasm-asm.js';
import { MemoryPlan, sharedMemory, wasmSimdAvailable } from '../kernels/memory.js';

/** Features a scratch slot holds (an example with more is learned by the TypeScript loops). */
export const SLOT_FEATURES = 65536;
/** Examples a scratch slot holds. */
export const SLOT_EXAMPLES = 4096;
const OUT_CELLS = 4;
const SLOT_BYTES = SLOT_FEATURES * 8 + (SLOT_EXAMPLES + 1) * 4 + SLOT_EXAMPLES * 8 + OUT_CELLS * 8 + 64;
const X2_MIN = 1.1754944e-38; // FLT_MIN, as learn.ts
const X_MIN = Math.sqrt(X2_MIN);

export interface WeightsMemory {
  memory: WasmMemory;
  /** Byte address of the 4 float64 globals. */
  globalsAt: number;
  /** Byte address of the slot counter (an i32); the slots follow it. */
  slotsAt: number;
  slots: number;
}

const registry = new WeakMap<ArrayBufferLike, WeightsMemory>();

/**
 * n float32 weights and the 4 float64 globals in a shared WebAssembly memory with
 * `slots` scratch slots after them; undefined where WebAssembly cannot hold them
 * (over about 3.5 GiB, or no WebAssembly), so the caller allocates them plainly.
 */
export function weightsInMemory(n: number, slots: number): { weights: Float32Array; globals: Float64Array } | undefined {
  if (!wasmSimdAvailable()) return undefined;
  const plan = new MemoryPlan();
  const at = plan.alloc(n * 4, 64);
  const globalsAt = plan.alloc(4 * 8, 64);
  const slotsAt = plan.alloc(64 + slots * SLOT_BYTES, 64);
  if (!plan.fits || plan.bytes > 3.5 * 2 ** 30) return undefined;
  let memory: WasmMemory;
  try {
    memory = sharedMemory(plan, 'the linear weights');
  } catch {
    return undefined;
  }
  registry.set(memory.buffer, { memory, globalsAt, slotsAt, slots });
  return { weights: new Float32Array(memory.buffer, at, n), globals: new Float64Array(memory.buffer, globalsAt, 4) };
}

/** The WebAssembly memory that holds these weights (on the thread that made them or adopted them), if any. */
export function memoryOfWeights(w: Float32Array): WeightsMemory | undefined {
  return registry.get(w.buffer);
}

/** The globals beside these weights in their WebAssembly memory, if they are in one. */
export function globalsOfWeights(w: Float32Array): Float64Array | undefined {
  const wm = memoryOfWeights(w);
  return wm ? new Float64Array(wm.memory.buffer, wm.globalsAt, 4) : undefined;
}

/**
 * On a worker that got the weights, the globals and their memory in a task (each a
 * copy of the sender's object over the same shared bytes): views of that memory,
 * known to linearKernel on this thread.
 */
export function adoptWeightsMemory(w: Float32Array, m: WeightsMemory): { weights: Float32Array; globals: Float64Array } {
  registry.set(m.memory.buffer, m);
  return { weights: new Float32Array(m.memory.buffer, w.byteOffset, w.length), globals: new Float64Array(m.memory.buffer, m.globalsAt, 4) };
}

export interface LinearKernel {
  /**
   * The binary hinge + normalized rule over the staged run of n examples at rate lr;
   * the out-cells hold the running loss, errors and weight sums (set them first) and
   * are updated; the globals are updated in memory. Normalized models only.
   */
  hinge(n: number, lr: number): void;
  /** sum over features of the weight of slot base + idx times val, for scratch features [a, b). */
  score(base: number, a: number, b: number): number;
  /** The normalized rule's rates of block `base`'s features; returns ppu, the norm in out[0]. Normalized models only. */
  rates(base: number, a: number, b: number, g2: number): number;
  /** w += u * val * rate on the features' slots. Normalized models only. */
  applyRated(base: number, a: number, b: number, u: number): void;
  /** w += u * val on the features' slots. */
  apply(base: number, a: number, b: number, u: number): void;
  /** Scratch views: feature indices and values, example offsets (into them), labels and importance weights, out-cells. */
  idx: Int32Array;
  val: Float32Array;
  offsets: Int32Array;
  labels: Float32Array;
  weights: Float32Array;
  out: Float64Array;
  /** Whether these globals are the ones in the kernel's memory (hinge updates those). */
  ownsGlobals(g: Float64Array): boolean;
}

interface Addr {
  weightsAt: number;
  /** log2 of a slot's bytes: 2 (sgd: [w]), 3 (adagrad: [w, G]) or 4 (normalized: [w, G, N, rate]). */
  slotShift: number;
  globalsAt: number;
  idxAt: number;
  valAt: number;
  offAt: number;
  labAt: number;
  wtAt: number;
  outAt: number;
  pages: number;
}

/** Emit `z = sum W[base + idx[k]] * val[k]` for k in [a, b) (locals). */
function emitScore(f: FnBuilder, A: Addr, base: number, a: number, b: number, k: number, z: number): void {
  f.f64(0).set(z);
  f.get(a).set(k);
  f.block().loop();
  f.get(k).get(b).i32GeS().brIf(1);
  f.get(base).get(k).i32(2).i32Shl().i32Load(A.idxAt).i32Add().i32(A.slotShift).i32Shl().f32Load(A.weightsAt).f64PromoteF32();
  f.get(k).i32(2).i32Shl().f32Load(A.valAt).f64PromoteF32().f64Mul();
  f.get(z).f64Add().set(z);
  f.get(k).i32(1).i32Add().set(k).br(0);
  f.end().end();
}

interface RatesLocals { k: number; i: number; wi: number; x: number; x2: number; G: number; N: number; ax: number; rate: number; ppu: number; normX: number }

function ratesLocals(f: FnBuilder): RatesLocals {
  return {
    k: f.local(I32), i: f.local(I32), wi: f.local(I32),
    x: f.local(F64), x2: f.local(F64), G: f.local(F64), N: f.local(F64), ax: f.local(F64), rate: f.local(F64), ppu: f.local(F64), normX: f.local(F64),
  };
}

/** Emit learn.ts's normalizedRates loop: ppu and normX (locals) for features [a, b) of block `base` (slots [w, G, N, rate]). */
function emitRates(f: FnBuilder, A: Addr, L: RatesLocals, base: number, a: number, b: number, g2: number): void {
  const { k, i, wi, x, x2, G, N, ax, rate, ppu, normX } = L;
  const W = A.weightsAt;
  f.f64(0).set(ppu).f64(0).set(normX);
  f.get(a).set(k);
  f.block().loop();
  f.get(k).get(b).i32GeS().brIf(1);
  f.get(k).i32(2).i32Shl().f32Load(A.valAt).f64PromoteF32().tee(x);
  f.get(x).f64Mul().set(x2);
  // if (x2 < X2_MIN) { x = x > 0 ? X_MIN : -X_MIN; x2 = X2_MIN }
  f.get(x2).f64(X2_MIN).f64Lt().if_();
  f.f64(X_MIN).f64(-X_MIN).get(x).f64(0).f64Gt().select().set(x);
  f.f64(X2_MIN).set(x2);
  f.end();
  f.get(base).get(k).i32(2).i32Shl().i32Load(A.idxAt).i32Add().set(i);
  // wi: the slot's bytes, [w, G, N, rate] at +0, +4, +8, +12
  f.get(i).i32(4).i32Shl().set(wi);
  // G += g2 * x2
  f.get(wi);
  f.get(wi).f32Load(W + 4).f64PromoteF32().get(g2).get(x2).f64Mul().f64Add().f32DemoteF64();
  f.f32Store(W + 4);
  f.get(wi).f32Load(W + 4).f64PromoteF32().set(G);
  f.get(x).f64Abs().set(ax);
  f.get(wi).f32Load(W + 8).f64PromoteF32().set(N);
  f.get(ax).get(N).f64Gt().if_();
  f.get(N).f64(0).f64Gt().if_();
  f.get(wi);
  f.get(wi).f32Load(W).f64PromoteF32().get(N).get(ax).f64Div().f64Mul().f32DemoteF64();
  f.f32Store(W);
  f.end();
  f.get(wi).get(ax).f32DemoteF64().f32Store(W + 8);
  f.get(wi).f32Load(W + 8).f64PromoteF32().set(N);
  f.end();
  // normX += x2 / (N * N); rate = G > 0 ? 1 / (sqrt(G) * N) : 0; ppu += x2 * rate
  f.get(normX).get(x2).get(N).get(N).f64Mul().f64Div().f64Add().set(normX);
  f.f64(1).get(G).f64Sqrt().get(N).f64Mul().f64Div().f64(0).get(G).f64(0).f64Gt().select().set(rate);
  f.get(wi).get(rate).f32DemoteF64().f32Store(W + 12);
  f.get(ppu).get(x2).get(rate).f64Mul().f64Add().set(ppu);
  f.get(k).i32(1).i32Add().set(k).br(0);
  f.end().end();
}

/** Emit w += u * val (* rate when rated: slots [w, G, N, rate]) on the slots of features [a, b). */
function emitApply(f: FnBuilder, A: Addr, base: number, rated: boolean, a: number, b: number, u: number, k: number, i: number): void {
  f.get(a).set(k);
  f.block().loop();
  f.get(k).get(b).i32GeS().brIf(1);
  f.get(base).get(k).i32(2).i32Shl().i32Load(A.idxAt).i32Add().i32(A.slotShift).i32Shl().set(i);
  f.get(i);
  f.get(i).f32Load(A.weightsAt).f64PromoteF32();
  f.get(u).get(k).i32(2).i32Shl().f32Load(A.valAt).f64PromoteF32().f64Mul();
  if (rated) f.get(i).f32Load(A.weightsAt + 12).f64PromoteF32().f64Mul();
  f.f64Add().f32DemoteF64().f32Store(A.weightsAt);
  f.get(k).i32(1).i32Add().set(k).br(0);
  f.end().end();
}

function build(A: Addr): Uint8Array {
  const m = new ModuleBuilder({ minPages: A.pages, maxPages: A.pages, shared: true });
  // hinge(n, lr), for normalized models
  if (A.slotShift === 4) {
    const f = new FnBuilder([I32, F64], []);
    const [n, lr] = [0, 1];
    const e = f.local(I32);
    const a = f.local(I32);
    const b = f.local(I32);
    const zero = f.local(I32);
    const y = f.local(F64);
    const imp = f.local(F64);
    const z = f.local(F64);
    const l = f.local(F64);
    const d = f.local(F64);
    const g2 = f.local(F64);
    const mult = f.local(F64);
    const ppu = f.local(F64);
    const scale = f.local(F64);
    const err = f.local(F64);
    const upd = f.local(F64);
    const loss = f.local(F64);
    const errors = f.local(F64);
    const weight = f.local(F64);
    const L = ratesLocals(f);
    const G = A.globalsAt;
    f.i32(0).set(zero);
    f.i32(0).f64Load(A.outAt).set(loss);
    f.i32(0).f64Load(A.outAt + 8).set(errors);
    f.i32(0).f64Load(A.outAt + 16).set(weight);
    f.i32(0).set(e);
    f.block().loop();
    f.get(e).get(n).i32GeS().brIf(1);
    f.block(); // the example; br 0 = next example
    f.get(e).i32(2).i32Shl().i32Load(A.offAt).set(a);
    f.get(e).i32(2).i32Shl().i32Load(A.offAt + 4).set(b);
    f.get(e).i32(2).i32Shl().f32Load(A.labAt).f64PromoteF32().set(y);
    f.get(e).i32(2).i32Shl().f32Load(A.wtAt).f64PromoteF32().set(imp);
    f.get(weight).get(imp).f64Add().set(weight);
    // imp === 0: counted, not learned (nor added to the examples seen)
    f.get(imp).f64(0).f64Eq().brIf(0);
    emitScore(f, A, zero, a, b, L.k, z);
    // loss += imp * max(0, 1 - y z)
    f.f64(0).f64(1).get(y).get(z).f64Mul().f64Sub().f64Max().set(l);
    f.get(loss).get(imp).get(l).f64Mul().f64Add().set(loss);
    // (z > 0 ? 1 : -1) !== y: an error
    f.f64(1).f64(-1).get(z).f64(0).f64Gt().select().get(y).f64Ne().if_();
    f.get(errors).get(imp).f64Add().set(errors);
    f.end();
    f.block(); // the update; br 0 = no update
    f.get(l).f64(0).f64Gt().i32Eqz().brIf(0);
    // d = y z < 1 ? -y : 0; g2 = imp d d
    f.get(y).f64Neg().f64(0).get(y).get(z).f64Mul().f64(1).f64Lt().select().set(d);
    f.get(imp).get(d).f64Mul().get(d).f64Mul().set(g2);
    emitRates(f, A, L, zero, a, b, g2);
    // globals: g1 += normX imp; g2 += imp; mult = g1 > 0 ? sqrt(g2 / g1) : 1
    f.i32(0).i32(0).f64Load(G + 8).get(L.normX).get(imp).f64Mul().f64Add().f64Store(G + 8);
    f.i32(0).i32(0).f64Load(G + 16).get(imp).f64Add().f64Store(G + 16);
    f.i32(0).f64Load(G + 16).i32(0).f64Load(G + 8).f64Div().f64Sqrt().f64(1).i32(0).f64Load(G + 8).f64(0).f64Gt().select().set(mult);
    f.get(L.ppu).get(mult).f64Mul().set(ppu);
    // the invariant hinge step: y z >= 1: none; else y (scale ppu < err ? scale : err / ppu), times mult
    f.get(lr).get(imp).f64Mul().set(scale);
    f.f64(0);
    f.f64(1).get(y).get(z).f64Mul().f64Sub().set(err);
    f.get(y).get(scale).get(err).get(ppu).f64Div().get(scale).get(ppu).f64Mul().get(err).f64Lt().select().f64Mul();
    f.get(y).get(z).f64Mul().f64(1).f64Ge().select();
    f.get(mult).f64Mul().set(upd);
    emitApply(f, A, zero, true, a, b, upd, L.k, L.i);
    f.end();
    // examples seen += imp
    f.i32(0).i32(0).f64Load(G).get(imp).f64Add().f64Store(G);
    f.end();
    f.get(e).i32(1).i32Add().set(e).br(0);
    f.end().end();
    f.i32(0).get(loss).f64Store(A.outAt);
    f.i32(0).get(errors).f64Store(A.outAt + 8);
    f.i32(0).get(weight).f64Store(A.outAt + 16);
    m.addFunction(f, 'hinge');
  }
  // score(base, a, b) -> f64
  {
    const f = new FnBuilder([I32, I32, I32], [F64]);
    const k = f.local(I32);
    const z = f.local(F64);
    emitScore(f, A, 0, 1, 2, k, z);
    f.get(z);
    m.addFunction(f, 'score');
  }
  if (A.slotShift === 4) {
    // rates(base, a, b, g2) -> ppu; normX to out[0]
    {
      const f = new FnBuilder([I32, I32, I32, F64], [F64]);
      const L = ratesLocals(f);
      emitRates(f, A, L, 0, 1, 2, 3);
      f.i32(0).get(L.normX).f64Store(A.outAt);
      f.get(L.ppu);
      m.addFunction(f, 'rates');
    }
    // applyRated(base, a, b, u)
    {
      const f = new FnBuilder([I32, I32, I32, F64], []);
      emitApply(f, A, 0, true, 1, 2, 3, f.local(I32), f.local(I32));
      m.addFunction(f, 'applyRated');
    }
  }
  // apply(base, a, b, u)
  {
    const f = new FnBuilder([I32, I32, I32, F64], []);
    emitApply(f, A, 0, false, 1, 2, 3, f.local(I32), f.local(I32));
    m.addFunction(f, 'apply');
  }
  return Uint8Array.from(m.encode());
}

const moduleCache = new Map<string, unknown>();

/**
 * A kernel over the weights' memory (slots of `stride` floats) with a scratch slot
 * of its own, or undefined when every slot is taken (the caller keeps its TypeScript
 * loops). hinge, rates and applyRated exist for normalized models (stride 4) only.
 */
export function linearKernel(w: Float32Array, stride: 1 | 2 | 4): LinearKernel | undefined {
  const wm = memoryOfWeights(w);
  if (!wm) return undefined;
  const counter = new Int32Array(wm.memory.buffer, wm.slotsAt, 1);
  const slot = Atomics.add(counter, 0, 1);
  if (slot >= wm.slots) return undefined;
  const slotAt = wm.slotsAt + 64 + slot * SLOT_BYTES;
  const A: Addr = {
    weightsAt: w.byteOffset,
    slotShift: stride === 1 ? 2 : stride === 2 ? 3 : 4,
    globalsAt: wm.globalsAt,
    idxAt: slotAt,
    valAt: slotAt + SLOT_FEATURES * 4,
    offAt: slotAt + SLOT_FEATURES * 8,
    labAt: slotAt + SLOT_FEATURES * 8 + (SLOT_EXAMPLES + 1) * 4,
    wtAt: slotAt + SLOT_FEATURES * 8 + (SLOT_EXAMPLES + 1) * 4 + SLOT_EXAMPLES * 4,
    outAt: 0,
    pages: wm.memory.buffer.byteLength / 65536,
  };
  A.outAt = Math.ceil((A.wtAt + SLOT_EXAMPLES * 4) / 8) * 8;
  // one module per set of addresses: they are constants in its code
  const key = JSON.stringify(A);
  let mod = moduleCache.get(key);
  if (!mod) {
    mod = new wasm.Module(build(A));
    moduleCache.set(key, mod);
  }
  const e = new wasm.Instance(mod as never, { env: { memory: wm.memory } }).exports as unknown as Pick<LinearKernel, 'hinge' | 'score' | 'rates' | 'applyRated' | 'apply'>;
  const buf = wm.memory.buffer;
  return {
    hinge: e.hinge, score: e.score, rates: e.rates, applyRated: e.applyRated, apply: e.apply,
    idx: new Int32Array(buf, A.idxAt, SLOT_FEATURES),
    val: new Float32Array(buf, A.valAt, SLOT_FEATURES),
    offsets: new Int32Array(buf, A.offAt, SLOT_EXAMPLES + 1),
    labels: new Float32Array(buf, A.labAt, SLOT_EXAMPLES),
    weights: new Float32Array(buf, A.wtAt, SLOT_EXAMPLES),
    out: new Float64Array(buf, A.outAt, OUT_CELLS),
    ownsGlobals: (g) => g.buffer === buf && g.byteOffset === wm.globalsAt,
  };
}
