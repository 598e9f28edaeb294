/**
 * The GloVe training kernel: one pass of AdaGrad over a worker's share of the
 * records, written as WebAssembly with f32x4 SIMD and generated for the layout
 * (vector size), so that the per-dimension loops are unrolled with constant
 * offsets. The update is glove.c's (Stanford GloVe, current version):
 *
 *   diff  = w·c + bw + bc - log x
 *   fdiff = f(x) * diff                       f(x) = min(1, (x/x_max)^alpha)
 *   cost += 0.5 * fdiff * diff
 *   for each dimension b:
 *     t1 = clip(fdiff * c[b], ±grad_clip) * eta     t2 = clip(fdiff * w[b], ±grad_clip) * eta
 *     w[b] -= t1 / sqrt(gw[b])                       c[b] -= t2 / sqrt(gc[b])
 *     gw[b] += t1²                                   gc[b] += t2²
 *   bw -= fdiff / sqrt(gbw);  bc -= fdiff / sqrt(gbc)    (as glove.c: no eta, no clip on biases)
 *   gbw += fdiff²;  gbc += fdiff²
 *
 * Both updates of a dimension read the old w[b] and c[b], as glove.c does. A
 * record whose diff is NaN or infinite is skipped (glove.c prints "Caught NaN in
 * diff" and skips it) and counted in the exported global `skipped`, so that the
 * caller can stop training and report the divergence.
 *
 * Order ("a fresh random order every iteration"): each worker permutes its own
 * share with a bucket shuffle (Rao-Sandelius). While training on pass e, every
 * record is also copied to a uniformly random one of B buckets (B up to 256, each
 * ~16K records = 256 KiB) of a second buffer, the bucket ids drawn before the pass;
 * pass e+1 Fisher-Yates shuffles each bucket in place (it fits in the core's L2)
 * and trains on it. A uniform random bucket assignment followed by a uniform
 * shuffle within each bucket is a uniformly random permutation, fresh each pass,
 * while every memory access to the records is sequential or cache-resident: a
 * plain Fisher-Yates over 150 MB of records costs a cache miss per swap and took
 * longer than the training itself. Random numbers: splitmix64, bounded draws by
 * Lemire's multiply-and-reject (unbiased).
 *
 * Training within a bucket is software-pipelined (emitRun): the diff of the next
 * record is computed before the current record's update is written, and computed
 * again in the rare case both records share a row, so a single thread still
 * performs exactly the sequential updates. (Optionally the rows of the record a
 * few places ahead are touched early, as wasm has no prefetch instruction; off by
 * default, see PREFETCH_DISTANCE.)
 */
import { FnBuilder, ModuleBuilder, I32, F32, F64, I64, V128, wasm, type WasmGlobal, type WasmMemory, type WasmModule } from '../kernels/wasm-asm.js';
import type { GloveLayout } from './layout.js';

export interface KernelExports {
  /**
   * Draw a bucket id in [0, mask] for each of n records (uint8 at ids + k; mask
   * at most 255) and count them into the int32 array at counts (zeroed first).
   */
  assign(ids: number, n: number, mask: number, counts: number, seedLo: number, seedHi: number): void;
  /**
   * One shuffled pass: for each of the nb buckets of the share at src (record
   * indices bounds[b]..bounds[b+1]), Fisher-Yates shuffle the bucket in place,
   * then train on its records in that order; with `scatter` set, also copy each
   * record to the next free slot of its bucket for the next pass (bucket ids[k] for
   * position k, slot addresses in the int32 array at cursor, advanced by the record size).
   * Returns the summed cost of the pass.
   */
  epochShuffled(src: number, bounds: number, nb: number, ids: number, cursor: number, scatter: number, seedLo: number, seedHi: number, eta: number, gradClip: number): number;
  /** Train on the n records at src in their stored order; returns the summed cost. */
  epochPlain(src: number, n: number, eta: number, gradClip: number): number;
  /** Copy the n records at src to their buckets (as epochShuffled's scatter), training nothing. */
  scatter(src: number, n: number, ids: number, cursor: number): void;
  /** Records skipped because their diff was NaN or infinite (reset by the caller). */
  skipped: WasmGlobal;
}

const GOLDEN = 0x9e3779b97f4a7c15n;
const MIX1 = 0xbf58476d1ce4e5b9n;
const MIX2 = 0x94d049bb133111ebn;
/**
 * Records ahead whose parameter rows are touched early (a software prefetch; 0 =
 * none). Measured on WikiText-2 (9.55M records, dim 50), touching 4 records ahead
 * made a pass ~10% slower: the pipelined diff of the next record already starts
 * its row loads early, and the extra loads cost more than they hide.
 */
export const PREFETCH_DISTANCE = 0;

interface Ctx {
  f: FnBuilder;
  pad: number;
  rowBytes: number;
  prefetch: number;
  /** Record size (layout.ts): 12 = packed uint16 ranks, 16 = int32 row addresses. */
  recordBytes: number;
  wordBase: number;
  contextBase: number;
}

/** Push the byte offset of record number `pushIndex` pushes (index * record size). */
function recordOffset(f: FnBuilder, recordBytes: number): void {
  if (recordBytes === 16) f.i32(4).i32Shl();
  else f.i32(recordBytes).i32Mul();
}

/** Store the record held in the v128 local `rec` at the address in the i32 local `addr` (12 or 16 bytes). */
function storeRecord(f: FnBuilder, recordBytes: number, addr: number, rec: number): void {
  if (recordBytes === 16) {
    f.get(addr).get(rec).v128Store();
  } else {
    f.get(addr).get(rec).i64x2ExtractLane(0).i64Store();
    f.get(addr).get(rec).i32x4ExtractLane(2).i32Store(8);
  }
}

/** Lanes of log x and f(x) in a record loaded as v128. */
const lxLane = (c: Ctx): number => (c.recordBytes === 16 ? 2 : 1);
const fxLane = (c: Ctx): number => (c.recordBytes === 16 ? 3 : 2);

/** From the record in v128 local `rec`: the byte addresses of its word row into `pw` and context row into `pc`. */
function emitRows(c: Ctx, rec: number, pw: number, pc: number): void {
  const { f } = c;
  if (c.recordBytes === 16) {
    f.get(rec).i32x4ExtractLane(0).set(pw);
    f.get(rec).i32x4ExtractLane(1).set(pc);
    return;
  }
  // ranks word | context << 16
  f.get(rec).i32x4ExtractLane(0).set(pc);
  f.get(pc).i32(0xffff).i32And().i32(c.rowBytes).i32Mul().i32(c.wordBase).i32Add().set(pw);
  f.get(pc).i32(16).i32ShrU().i32(c.rowBytes).i32Mul().i32(c.contextBase).i32Add().set(pc);
}

/** Locals for the splitmix64 generator and Lemire's bounded draw. */
interface RandLocals {
  s: number;
  z: number;
  m: number;
  r: number;
  low: number;
  thr: number;
}

function randLocals(f: FnBuilder): RandLocals {
  return { s: f.local(I64), z: f.local(I64), m: f.local(I64), r: f.local(I32), low: f.local(I32), thr: f.local(I32) };
}

function seedRand(f: FnBuilder, L: RandLocals, seedLo: number, seedHi: number): void {
  f.get(seedHi).i64ExtendI32U().i64(32n).i64Shl().get(seedLo).i64ExtendI32U().i64Or().set(L.s);
}

/** Leave the next 64-bit splitmix64 output in L.z. */
function next64(f: FnBuilder, L: RandLocals): void {
  f.get(L.s).i64(GOLDEN).i64Add().tee(L.s).set(L.z);
  f.get(L.z).get(L.z).i64(30n).i64ShrU().i64Xor().i64(MIX1).i64Mul().set(L.z);
  f.get(L.z).get(L.z).i64(27n).i64ShrU().i64Xor().i64(MIX2).i64Mul().set(L.z);
  f.get(L.z).get(L.z).i64(31n).i64ShrU().i64Xor().set(L.z);
}

/** Push a uniform integer in [0, L.r) (L.r >= 1), by Lemire's multiply-and-reject. */
function below(f: FnBuilder, L: RandLocals): void {
  const draw = (): void => {
    next64(f, L);
    f.get(L.z).i64(32n).i64ShrU().get(L.r).i64ExtendI32U().i64Mul().tee(L.m).i32WrapI64().set(L.low);
  };
  draw();
  f.get(L.low).get(L.r).i32LtU().if_();
  f.i32(0).get(L.r).i32Sub().get(L.r).i32RemU().set(L.thr); // 2^32 mod r
  f.block();
  f.loop();
  f.get(L.low).get(L.thr).i32GeU().brIf(1);
  draw();
  f.br(0);
  f.end();
  f.end();
  f.end();
  f.get(L.m).i64(32n).i64ShrU().i32WrapI64();
}

interface TrainLocals {
  cost: number;
  fdiff: number;
  gb: number;
  eta: number;
  acc0: number;
  acc1: number;
  fd4: number;
  clip4: number;
  nclip4: number;
  w1: number;
  w2: number;
  t1: number;
  t2: number;
  g: number;
  sink: number;
  tp: number;
  tp2: number;
  // the record being updated and the next one (software pipeline)
  rec: number;
  pw: number;
  pc: number;
  diff: number;
  recN: number;
  pwN: number;
  pcN: number;
  diffN: number;
}

function trainLocals(f: FnBuilder): TrainLocals {
  return {
    cost: f.local(F64),
    fdiff: f.local(F32), gb: f.local(F32), eta: f.local(F32), diff: f.local(F32), diffN: f.local(F32),
    pw: f.local(I32), pc: f.local(I32), pwN: f.local(I32), pcN: f.local(I32), sink: f.local(I32), tp: f.local(I32), tp2: f.local(I32),
    acc0: f.local(V128), acc1: f.local(V128), fd4: f.local(V128), clip4: f.local(V128), nclip4: f.local(V128),
    w1: f.local(V128), w2: f.local(V128), t1: f.local(V128), t2: f.local(V128), g: f.local(V128),
    rec: f.local(V128), recN: f.local(V128),
  };
}

function trainSetup(f: FnBuilder, T: TrainLocals, eta: number, clip: number): void {
  f.get(eta).set(T.eta);
  f.get(clip).get(eta).f32Mul().f32x4Splat().set(T.clip4);
  f.f32(0).f32x4Splat().get(T.clip4).f32x4Sub().set(T.nclip4);
  f.f64(0).set(T.cost);
  f.i32(0).set(T.sink);
}

/** Load one word of every cache line of both rows of the record whose address emitAddr pushes. */
function touchRows(c: Ctx, T: TrainLocals, emitAddr: () => void): void {
  const { f } = c;
  emitAddr();
  f.v128Load().set(T.g);
  emitRows(c, T.g, T.tp, T.tp2);
  for (const p of [T.tp, T.tp2]) {
    for (let o = 0; o < c.rowBytes; o += 64) f.get(T.sink).get(p).i32Load(o).i32Xor().set(T.sink);
  }
}

/** From the record in `rec`: its row addresses into pw, pc and diff = w·c + bw + bc - log x. */
function emitDiff(c: Ctx, T: TrainLocals, rec: number, pw: number, pc: number, diff: number): void {
  const { f, pad } = c;
  const chunks = pad / 4;
  const biasOff = pad * 8;
  emitRows(c, rec, pw, pc);
  // dot product, two accumulators
  for (let k = 0; k < chunks; k++) {
    f.get(pw).v128Load(k * 16).get(pc).v128Load(k * 16).f32x4Mul();
    if (k < 2) f.set(k === 0 ? T.acc0 : T.acc1);
    else f.get(k % 2 === 0 ? T.acc0 : T.acc1).f32x4Add().set(k % 2 === 0 ? T.acc0 : T.acc1);
  }
  if (chunks === 1) f.f32(0).f32x4Splat().set(T.acc1);
  f.get(T.acc0).get(T.acc1).f32x4Add().set(T.acc0);
  f.get(T.acc0).f32x4ExtractLane(0).get(T.acc0).f32x4ExtractLane(1).f32Add();
  f.get(T.acc0).f32x4ExtractLane(2).get(T.acc0).f32x4ExtractLane(3).f32Add().f32Add();
  f.get(pw).f32Load(biasOff).f32Add();
  f.get(pc).f32Load(biasOff).f32Add();
  f.get(rec).f32x4ExtractLane(lxLane(c)).f32Sub();
  f.set(diff);
}

/** AdaGrad step for the record in T.rec (rows T.pw, T.pc) with its T.diff. */
function emitUpdate(c: Ctx, T: TrainLocals): void {
  const { f, pad } = c;
  const chunks = pad / 4;
  const gradOff = pad * 4;
  const biasOff = pad * 8;
  const gbiasOff = biasOff + 4;
  f.block(); // br 0 = skip this record
  // NaN or infinite: count and skip
  f.get(T.diff).get(T.diff).f32Sub().f32(0).f32Ne().if_();
  f.gget(SKIPPED).i32(1).i32Add().gset(SKIPPED);
  f.br(1);
  f.end();
  f.get(T.rec).f32x4ExtractLane(fxLane(c)).get(T.diff).f32Mul().set(T.fdiff);
  f.get(T.cost).f64(0.5).get(T.fdiff).f64PromoteF32().f64Mul().get(T.diff).f64PromoteF32().f64Mul().f64Add().set(T.cost);
  // fd4 = fdiff * eta; clip(fdiff * v, ±C) * eta = clip(fd4 * v, ±C*eta) as eta > 0
  f.get(T.fdiff).get(T.eta).f32Mul().f32x4Splat().set(T.fd4);
  for (let k = 0; k < chunks; k++) {
    const o = k * 16;
    f.get(T.pw).v128Load(o).set(T.w1);
    f.get(T.pc).v128Load(o).set(T.w2);
    // t1 = clip(fdiff * c) * eta ; t2 = clip(fdiff * w) * eta
    f.get(T.clip4).get(T.nclip4).get(T.fd4).get(T.w2).f32x4Mul().f32x4Pmax().f32x4Pmin().set(T.t1);
    f.get(T.clip4).get(T.nclip4).get(T.fd4).get(T.w1).f32x4Mul().f32x4Pmax().f32x4Pmin().set(T.t2);
    // w -= t1 / sqrt(gw) ; gw += t1^2 (and the same for c)
    for (const [p, w, t] of [[T.pw, T.w1, T.t1], [T.pc, T.w2, T.t2]] as const) {
      f.get(p).v128Load(gradOff + o).set(T.g);
      f.get(p).get(w).get(t).get(T.g).f32x4Sqrt().f32x4Div().f32x4Sub().v128Store(o);
      f.get(p).get(T.g).get(t).get(t).f32x4Mul().f32x4Add().v128Store(gradOff + o);
    }
  }
  // biases: glove.c steps them by fdiff / sqrt(gradsq), without eta or clipping
  for (const p of [T.pw, T.pc]) {
    f.get(p).f32Load(gbiasOff).set(T.gb);
    f.get(p).get(p).f32Load(biasOff).get(T.fdiff).get(T.gb).f32Sqrt().f32Div().f32Sub().f32Store(biasOff);
    f.get(p).get(T.gb).get(T.fdiff).get(T.fdiff).f32Mul().f32Add().f32Store(gbiasOff);
  }
  f.end();
}

/**
 * Train on the records at src, positions [start, end), in order, sequentially
 * exact but software-pipelined: the diff of record i+1 is computed before record
 * i's update is written (so the two dependency chains overlap), and computed again
 * after it in the rare case the two records share a word row or a context row.
 * `after` emits extra work per record (the scatter), with the position in `i`.
 */
function emitRun(c: Ctx, T: TrainLocals, src: number, start: number, end: number, i: number, after?: () => void): void {
  const { f } = c;
  const recAt = (pos: () => void): void => {
    f.get(src);
    pos();
    recordOffset(f, c.recordBytes);
    f.i32Add().v128Load();
  };
  f.get(start).set(i);
  f.get(i).get(end).i32LtS().if_();
  recAt(() => f.get(i));
  f.set(T.rec);
  emitDiff(c, T, T.rec, T.pw, T.pc, T.diff);
  f.end();
  f.block().loop();
  f.get(i).get(end).i32GeS().brIf(1);
  if (c.prefetch > 0) {
    f.get(i).i32(c.prefetch).i32Add().get(end).i32LtS().if_();
    touchRows(c, T, () => {
      f.get(src).get(i).i32(c.prefetch).i32Add();
      recordOffset(f, c.recordBytes);
      f.i32Add();
    });
    f.end();
  }
  f.get(i).i32(1).i32Add().get(end).i32LtS().if_();
  recAt(() => f.get(i).i32(1).i32Add());
  f.set(T.recN);
  emitDiff(c, T, T.recN, T.pwN, T.pcN, T.diffN);
  f.end();
  emitUpdate(c, T);
  if (after) after();
  // next record shares a row with the one just updated: its diff is stale
  f.get(i).i32(1).i32Add().get(end).i32LtS();
  f.get(T.pwN).get(T.pw).i32Eq().get(T.pcN).get(T.pc).i32Eq().i32Or().i32And().if_();
  emitDiff(c, T, T.recN, T.pwN, T.pcN, T.diffN);
  f.end();
  f.get(T.recN).set(T.rec);
  f.get(T.pwN).set(T.pw);
  f.get(T.pcN).set(T.pc);
  f.get(T.diffN).set(T.diff);
  f.get(i).i32(1).i32Add().set(i).br(0);
  f.end().end();
}

/** Copy the v128 record `rec` at position `pos` to the next slot of bucket ids[pos]. */
function scatterRecord(f: FnBuilder, recordBytes: number, rec: number, pos: number, ids: number, cursor: number, slot: number, caddr: number): void {
  f.get(cursor).get(ids).get(pos).i32Add().i32Load8U().i32(2).i32Shl().i32Add().tee(caddr).i32Load().set(slot);
  storeRecord(f, recordBytes, slot, rec);
  f.get(caddr).get(slot).i32(recordBytes).i32Add().i32Store();
}

const SKIPPED = 0; // global index
const SINK = 1;

function buildAssign(): FnBuilder {
  // assign(ids, n, mask, counts, seedLo, seedHi)
  const f = new FnBuilder([I32, I32, I32, I32, I32, I32], []);
  const [IDS, N, MASK, COUNTS, SLO, SHI] = [0, 1, 2, 3, 4, 5];
  const k = f.local(I32);
  const id = f.local(I32);
  const caddr = f.local(I32);
  const L = randLocals(f);
  seedRand(f, L, SLO, SHI);
  // zero the counts
  f.i32(0).set(k);
  f.block().loop();
  f.get(k).get(MASK).i32GtU().brIf(1);
  f.get(COUNTS).get(k).i32(2).i32Shl().i32Add().i32(0).i32Store();
  f.get(k).i32(1).i32Add().set(k).br(0);
  f.end().end();
  f.i32(0).set(k);
  f.block().loop();
  f.get(k).get(N).i32GeU().brIf(1);
  next64(f, L);
  f.get(L.z).i64(32n).i64ShrU().i32WrapI64().get(MASK).i32And().set(id);
  f.get(IDS).get(k).i32Add().get(id).i32Store8();
  f.get(COUNTS).get(id).i32(2).i32Shl().i32Add().tee(caddr).get(caddr).i32Load().i32(1).i32Add().i32Store();
  f.get(k).i32(1).i32Add().set(k).br(0);
  f.end().end();
  return f;
}

function buildEpochShuffled(c0: Omit<Ctx, 'f'>): FnBuilder {
  // epochShuffled(src, bounds, nb, ids, cursor, scatter, seedLo, seedHi, eta, clip) -> cost
  const f = new FnBuilder([I32, I32, I32, I32, I32, I32, I32, I32, F32, F32], [F64]);
  const c: Ctx = { ...c0, f };
  const [SRC, BOUNDS, NB, IDS, CURSOR, SCATTER, SLO, SHI, ETA, CLIP] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const bk = f.local(I32);
  const start = f.local(I32);
  const end = f.local(I32);
  const i = f.local(I32);
  const j = f.local(I32);
  const a = f.local(I32);
  const b = f.local(I32);
  const slot = f.local(I32);
  const caddr = f.local(I32);
  const tmp = f.local(V128);
  const tmp2 = f.local(V128);
  const L = randLocals(f);
  const T = trainLocals(f);
  seedRand(f, L, SLO, SHI);
  trainSetup(f, T, ETA, CLIP);
  f.i32(0).set(bk);
  f.block().loop(); // buckets
  f.get(bk).get(NB).i32GeU().brIf(1);
  f.get(BOUNDS).get(bk).i32(2).i32Shl().i32Add().i32Load().set(start);
  f.get(BOUNDS).get(bk).i32(2).i32Shl().i32Add().i32Load(4).set(end);
  // Fisher-Yates over [start, end): for i = end-1 down to start+1, j uniform in [start, i]
  f.get(end).i32(1).i32Sub().set(i);
  f.block().loop();
  f.get(i).get(start).i32LeS().brIf(1);
  f.get(i).get(start).i32Sub().i32(1).i32Add().set(L.r);
  below(f, L);
  f.get(start).i32Add().set(j);
  f.get(SRC).get(i);
  recordOffset(f, c.recordBytes);
  f.i32Add().set(a);
  f.get(SRC).get(j);
  recordOffset(f, c.recordBytes);
  f.i32Add().set(b);
  // 16-byte loads of 12-byte records read 4 bytes of the next one; only the record is stored back
  f.get(a).v128Load().set(tmp);
  f.get(b).v128Load().set(tmp2);
  storeRecord(f, c.recordBytes, a, tmp2);
  storeRecord(f, c.recordBytes, b, tmp);
  f.get(i).i32(1).i32Sub().set(i).br(0);
  f.end().end();
  // train over the bucket in its new order, then scatter each record for the next pass
  emitRun(c, T, SRC, start, end, i, () => {
    f.get(SCATTER).if_();
    scatterRecord(f, c.recordBytes, T.rec, i, IDS, CURSOR, slot, caddr);
    f.end();
  });
  f.get(bk).i32(1).i32Add().set(bk).br(0);
  f.end().end();
  f.gget(SINK).get(T.sink).i32Xor().gset(SINK);
  f.get(T.cost);
  return f;
}

function buildEpochPlain(c0: Omit<Ctx, 'f'>): FnBuilder {
  // epochPlain(src, n, eta, clip) -> cost
  const f = new FnBuilder([I32, I32, F32, F32], [F64]);
  const c: Ctx = { ...c0, f };
  const [SRC, N, ETA, CLIP] = [0, 1, 2, 3];
  const i = f.local(I32);
  const T = trainLocals(f);
  trainSetup(f, T, ETA, CLIP);
  const zero = f.local(I32);
  f.i32(0).set(zero);
  emitRun(c, T, SRC, zero, N, i);
  f.gget(SINK).get(T.sink).i32Xor().gset(SINK);
  f.get(T.cost);
  return f;
}

function buildScatter(recordBytes: number): FnBuilder {
  // scatter(src, n, ids, cursor)
  const f = new FnBuilder([I32, I32, I32, I32], []);
  const [SRC, N, IDS, CURSOR] = [0, 1, 2, 3];
  const i = f.local(I32);
  const slot = f.local(I32);
  const caddr = f.local(I32);
  const rec = f.local(V128);
  f.i32(0).set(i);
  f.block().loop();
  f.get(i).get(N).i32GeU().brIf(1);
  f.get(SRC).get(i);
  recordOffset(f, recordBytes);
  f.i32Add().v128Load().set(rec);
  scatterRecord(f, recordBytes, rec, i, IDS, CURSOR, slot, caddr);
  f.get(i).i32(1).i32Add().set(i).br(0);
  f.end().end();
  return f;
}

type KernelLayout = Pick<GloveLayout, 'pad' | 'rowBytes' | 'pages' | 'recordBytes' | 'wordBase' | 'contextBase'>;

/** WebAssembly binary of the kernel for this layout (vector size, record format, row bases and memory size). */
export function kernelBinary(layout: KernelLayout, prefetch = PREFETCH_DISTANCE): Uint8Array {
  const c = { pad: layout.pad, rowBytes: layout.rowBytes, prefetch, recordBytes: layout.recordBytes, wordBase: layout.wordBase, contextBase: layout.contextBase };
  const mod = new ModuleBuilder({ minPages: layout.pages, maxPages: Math.max(layout.pages, 1), shared: true });
  mod.addGlobal({ type: I32, mutable: true, init: 0, export: 'skipped' });
  mod.addGlobal({ type: I32, mutable: true, init: 0, export: 'sink' });
  mod.addFunction(buildAssign(), 'assign');
  mod.addFunction(buildEpochShuffled(c), 'epochShuffled');
  mod.addFunction(buildEpochPlain(c), 'epochPlain');
  mod.addFunction(buildScatter(layout.recordBytes), 'scatter');
  return mod.encode();
}

const compiled = new Map<string, WasmModule>();

/** Compile (once per layout: vector size, record format, row bases, memory size) the kernel module. */
export function kernelModule(layout: KernelLayout): WasmModule {
  const key = `${layout.pad}:${layout.rowBytes}:${layout.pages}:${layout.recordBytes}:${layout.wordBase}:${layout.contextBase}`;
  let m = compiled.get(key);
  if (!m) {
    m = new wasm.Module(kernelBinary(layout));
    compiled.set(key, m);
    if (compiled.size > 8) compiled.delete(compiled.keys().next().value!);
  }
  return m;
}

export function instantiateKernel(module: WasmModule, memory: WasmMemory): KernelExports {
  const inst = new wasm.Instance(module, { env: { memory } });
  return inst.exports as unknown as KernelExports;
}
