/**
 * The word2vec training kernel: one line (up to 1,024 kept words) of skip-gram or
 * CBOW with negative sampling or hierarchical softmax, as WebAssembly with f32x4
 * SIMD, generated per job so that the per-dimension loops are unrolled and every
 * table and matrix address is a constant in the instruction. The update rules are
 * fastText's (fasttext.cc skipgram/cbow, model.cc update, loss.cc):
 *
 *   hidden = mean of the input rows (a word's own row and its n-gram rows for
 *            skip-gram; those of every context word for CBOW)
 *   for the target (label 1) and `neg` negatives drawn from the unigram table
 *   (label 0), or for each node of the target's Huffman path (label = its code):
 *     score = sigmoid(output[u] · hidden)            (fastText's 512-step table)
 *     alpha = lr * (label - score)
 *     grad += alpha * output[u];  output[u] += alpha * hidden
 *     loss += -log(label ? score : 1 - score)      (fastText's log table)
 *   every input row += grad
 *
 * Skip-gram pairs the center word with each word of its window; by default
 * (fastText) the center's rows predict the context word, with skipgramInput
 * 'context' (word2vec C, gensim) the context word's rows predict the center.
 *
 * The window of each position is drawn from 1..ws with a per-thread xorshift32;
 * negatives are read from the shuffled table at a per-thread position that
 * advances; one equal to the target is drawn again (fastText) or, with negTarget
 * 'skip', dropped (word2vec C, gensim). A NaN or infinite score makes the returned loss
 * NaN, so that the caller stops a diverging run.
 *
 * Memory (one shared WebAssembly.Memory, see Word2VecLayout): the input and output
 * matrices (row-major, stride dim), each word's input rows, the negative table,
 * the Huffman paths and codes, the two lookup tables, and per thread the hidden
 * and gradient vectors, the line and the CBOW row buffer.
 */
import { FnBuilder, ModuleBuilder, I32, F32, F64, wasm, type WasmMemory, type WasmModule, type WasmGlobal } from '../kernels/wasm-asm.js';
import { emitAdd, emitCopy, emitDot, emitLogisticStep, emitScale, emitZero, vecLocals, type Ref, type VecLocals } from '../kernels/vec.js';
import { MemoryPlan } from '../kernels/plan.js';
import { LOG_TABLE_SIZE, MAX_SIGMOID, SIGMOID_TABLE_SIZE } from '../kernels/tables.js';

/** Words per line, as fastText's MAX_LINE_SIZE. */
export const MAX_LINE = 1024;

export interface ThreadScratch {
  hidden: number;
  grad: number;
  line: number;
  bow: number;
}

export interface Word2VecLayout {
  dim: number;
  nwords: number;
  inputRows: number;
  input: number;
  output: number;
  rowOffsets: number;
  rows: number;
  rowCount: number;
  negTable: number;
  negSize: number;
  pathOffsets: number;
  paths: number;
  codes: number;
  pathCount: number;
  sigmoid: number;
  log: number;
  /** Input rows the CBOW buffer of a thread holds. */
  bowCapacity: number;
  threads: ThreadScratch[];
  bytes: number;
  pages: number;
  fits: boolean;
}

export function word2vecLayout(o: {
  dim: number; nwords: number; inputRows: number; rowCount: number; negSize: number; pathCount: number; bowCapacity: number; threads: number;
}): Word2VecLayout {
  const plan = new MemoryPlan();
  const input = plan.alloc(o.inputRows * o.dim * 4);
  const output = plan.alloc(o.nwords * o.dim * 4);
  const rowOffsets = plan.alloc((o.nwords + 1) * 4);
  const rows = plan.alloc(o.rowCount * 4);
  const negTable = plan.alloc(o.negSize * 4);
  const pathOffsets = plan.alloc((o.nwords + 1) * 4);
  const paths = plan.alloc(o.pathCount * 4);
  const codes = plan.alloc(o.pathCount);
  const sigmoid = plan.alloc((SIGMOID_TABLE_SIZE + 1) * 4);
  const log = plan.alloc((LOG_TABLE_SIZE + 1) * 4);
  const threads: ThreadScratch[] = [];
  for (let t = 0; t < o.threads; t++) {
    threads.push({ hidden: plan.alloc(o.dim * 4), grad: plan.alloc(o.dim * 4), line: plan.alloc(MAX_LINE * 4), bow: plan.alloc(o.bowCapacity * 4) });
  }
  return {
    dim: o.dim, nwords: o.nwords, inputRows: o.inputRows, input, output, rowOffsets, rows, rowCount: o.rowCount, negTable, negSize: o.negSize,
    pathOffsets, paths, codes, pathCount: o.pathCount, sigmoid, log, bowCapacity: o.bowCapacity, threads, bytes: plan.bytes, pages: plan.pages, fits: plan.fits,
  };
}

export interface Word2VecKernelSpec {
  model: 'skipgram' | 'cbow';
  loss: 'ns' | 'hs';
  /** Skip-gram: the input rows are the center word's (fastText) or each context word's, predicting the center (word2vec, gensim). */
  skipgramInput?: 'center' | 'context';
  /** A negative drawn equal to the target: drawn again (fastText) or skipped, one negative fewer (word2vec C, gensim). */
  negTarget?: 'redraw' | 'skip';
  ws: number;
  neg: number;
  layout: Word2VecLayout;
}

export interface Word2VecKernel {
  /** Point this instance at a thread's scratch and seed its generator and negative-table position. */
  init(hidden: number, grad: number, line: number, bow: number, seed: number, negPos: number): void;
  /** Train on the n words in the line buffer at learning rate lr; returns the summed loss (NaN when a score was not finite). */
  line(n: number, lr: number): number;
  /** Updates (loss terms averaged by fastText's printed loss) made by the last line call. */
  updates: WasmGlobal;
}

export function word2vecModuleBytes(spec: Word2VecKernelSpec): Uint8Array {
  const { layout: Lo, ws, neg, model, loss } = spec;
  const fromContext = spec.skipgramInput === 'context';
  const skipNegTarget = spec.negTarget === 'skip';
  const dim = Lo.dim;
  const rowBytes = dim * 4;
  const m = new ModuleBuilder({ minPages: Lo.pages, maxPages: Lo.pages, shared: true });
  const gHidden = m.addGlobal({ type: I32, mutable: true, init: 0 });
  const gGrad = m.addGlobal({ type: I32, mutable: true, init: 0 });
  const gLine = m.addGlobal({ type: I32, mutable: true, init: 0 });
  const gBow = m.addGlobal({ type: I32, mutable: true, init: 0 });
  const gRng = m.addGlobal({ type: I32, mutable: true, init: 1 });
  const gNeg = m.addGlobal({ type: I32, mutable: true, init: 0 });
  const gUpdates = m.addGlobal({ type: I32, mutable: true, init: 0, export: 'updates' });

  // init(hidden, grad, line, bow, seed, negPos)
  const init = new FnBuilder([I32, I32, I32, I32, I32, I32], []);
  init.get(0).gset(gHidden).get(1).gset(gGrad).get(2).gset(gLine).get(3).gset(gBow);
  // xorshift32 must not start at 0
  init.get(4).get(4).i32Eqz().i32Or().gset(gRng);
  init.get(5).gset(gNeg);
  m.addFunction(init, 'init');

  // line(n, lr) -> f64
  const f = new FnBuilder([I32, F32], [F64]);
  const N = 0;
  const LR = 1;
  const V: VecLocals = vecLocals(f);
  const hA = f.local(I32);
  const gA = f.local(I32);
  const lA = f.local(I32);
  const bA = f.local(I32);
  const x = f.local(I32); // rng state
  const negPos = f.local(I32);
  const w = f.local(I32);
  const bnd = f.local(I32);
  const c = f.local(I32);
  const t = f.local(I32);
  const word = f.local(I32);
  const a = f.local(I32);
  const b = f.local(I32);
  const k = f.local(I32);
  const r = f.local(I32);
  const inv = f.local(F32);
  const lossAcc = f.local(F64);
  const cnt = f.local(I32);
  const i = f.local(I32);
  const target = f.local(I32);
  const negative = f.local(I32);
  const label = f.local(I32);
  const dot = f.local(F32);
  const score = f.local(F32);
  const alpha = f.local(F32);
  const p = f.local(F32);
  const nb = f.local(I32);
  const e = f.local(I32);

  const hidden: Ref = { local: hA, base: 0 };
  const grad: Ref = { local: gA, base: 0 };
  const inRow: Ref = { local: r, base: Lo.input };
  const outRow: Ref = { local: r, base: Lo.output };

  f.gget(gHidden).set(hA).gget(gGrad).set(gA).gget(gLine).set(lA).gget(gBow).set(bA).gget(gRng).set(x).gget(gNeg).set(negPos);
  f.f64(0).set(lossAcc);
  f.i32(0).set(cnt);

  /** x = xorshift32(x); push x % ws + 1. */
  const drawWindow = (): void => {
    f.get(x).get(x).i32(13).i32Shl().i32Xor().set(x);
    f.get(x).get(x).i32(17).i32ShrU().i32Xor().set(x);
    f.get(x).get(x).i32(5).i32Shl().i32Xor().set(x);
    f.get(x).i32(ws).i32RemU().i32(1).i32Add();
  };
  /** Emit `for (k = from; k < to; k++) body()` with from/to already in locals. */
  const forK = (from: () => void, to: number, body: () => void): void => {
    from();
    f.set(k);
    f.block().loop();
    f.get(k).get(to).i32GeS().brIf(1);
    body();
    f.get(k).i32(1).i32Add().set(k);
    f.br(0).end().end();
  };
  /** r = byte offset of the input row whose index is at position k of the row list. */
  const rowAt = (): void => {
    if (model === 'skipgram') f.get(k).i32(2).i32Shl().i32Load(Lo.rows);
    else f.get(bA).get(k).i32(2).i32Shl().i32Add().i32Load(0);
    f.i32(rowBytes).i32Mul().set(r);
  };
  /** One logistic unit on output row `unit` (local) with label (a constant, or a local when labelLocal). */
  const unitUpdate = (unit: number, labelConst: 0 | 1 | undefined): void => {
    f.get(unit).i32(rowBytes).i32Mul().set(r);
    emitDot(f, outRow, hidden, dim, V);
    f.set(dot);
    // score = sigmoid(dot) by fastText's table
    f.get(dot).f32(-MAX_SIGMOID).f32Lt().if_();
    f.f32(0).set(score);
    f.else_();
    f.get(dot).f32(MAX_SIGMOID).f32Gt().if_();
    f.f32(1).set(score);
    f.else_();
    f.get(dot).f32(MAX_SIGMOID).f32Add().f32(SIGMOID_TABLE_SIZE / MAX_SIGMOID / 2).f32Mul().i32TruncSatF32S().i32(2).i32Shl().f32Load(Lo.sigmoid).set(score);
    f.end().end();
    // alpha = lr * (label - score); p = label ? score : 1 - score
    if (labelConst === undefined) {
      f.get(label).f32ConvertI32S();
      f.get(score).f32(1).get(score).f32Sub().get(label).select().set(p);
    } else {
      f.f32(labelConst);
      if (labelConst === 1) f.get(score).set(p);
      else f.f32(1).get(score).f32Sub().set(p);
    }
    f.get(score).f32Sub().get(LR).f32Mul().set(alpha);
    emitLogisticStep(f, grad, outRow, hidden, alpha, dim, V);
    // loss -= log(p + 1e-5) by the table; + (dot - dot) is NaN when dot is not finite
    f.get(lossAcc);
    f.get(p).f32(LOG_TABLE_SIZE).f32Mul().i32TruncSatF32S().i32(2).i32Shl().f32Load(Lo.log).f32Neg();
    f.get(dot).get(dot).f32Sub().f32Add();
    f.f64PromoteF32().f64Add().set(lossAcc);
  };
  /** hidden = mean of rows [0 or a, nb or b); the loss units; rows += grad. */
  const update = (from: () => void, to: number): void => {
    // hidden
    from();
    f.set(k);
    rowAt();
    emitCopy(f, hidden, inRow, dim);
    forK(() => { from(); f.i32(1).i32Add(); }, to, () => {
      rowAt();
      emitAdd(f, hidden, inRow, dim);
    });
    f.f32(1).get(to);
    from();
    f.i32Sub().f32ConvertI32S().f32Div().set(inv);
    emitScale(f, hidden, inv, dim, V);
    emitZero(f, grad, dim, V);
    if (loss === 'ns') {
      unitUpdate(target, 1);
      f.i32(0).set(i);
      f.block().loop();
      f.get(i).i32(neg).i32GeS().brIf(1);
      if (!skipNegTarget) f.loop();
      f.get(negPos).i32(2).i32Shl().i32Load(Lo.negTable).set(negative);
      f.get(negPos).i32(1).i32Add().set(negPos);
      f.get(negPos).i32(Lo.negSize).i32Eq().if_().i32(0).set(negPos).end();
      if (skipNegTarget) {
        f.get(negative).get(target).i32Ne().if_();
        unitUpdate(negative, 0);
        f.end();
      } else {
        if (Lo.nwords > 1) f.get(negative).get(target).i32Eq().brIf(0);
        f.end();
        unitUpdate(negative, 0);
      }
      f.get(i).i32(1).i32Add().set(i);
      f.br(0).end().end();
    } else {
      f.get(target).i32(2).i32Shl().i32Load(Lo.pathOffsets).set(t);
      f.get(target).i32(2).i32Shl().i32Load(Lo.pathOffsets + 4).set(e);
      f.block().loop();
      f.get(t).get(e).i32GeS().brIf(1);
      f.get(t).i32(2).i32Shl().i32Load(Lo.paths).set(negative);
      f.get(t).i32Load8U(Lo.codes).set(label);
      unitUpdate(negative, undefined);
      f.get(t).i32(1).i32Add().set(t);
      f.br(0).end().end();
    }
    forK(from, to, () => {
      rowAt();
      emitAdd(f, inRow, grad, dim);
    });
    f.get(cnt).i32(1).i32Add().set(cnt);
  };

  // for (w = 0; w < n; w++)
  f.i32(0).set(w);
  f.block().loop();
  f.get(w).get(N).i32GeS().brIf(1);
  drawWindow();
  f.set(bnd);
  if (model === 'skipgram') {
    f.get(lA).get(w).i32(2).i32Shl().i32Add().i32Load(0).set(word);
    f.get(word).i32(2).i32Shl().i32Load(Lo.rowOffsets).set(a);
    f.get(word).i32(2).i32Shl().i32Load(Lo.rowOffsets + 4).set(b);
    f.i32(0).get(bnd).i32Sub().set(c);
    f.block().loop();
    f.get(c).get(bnd).i32GtS().brIf(1);
    f.get(w).get(c).i32Add().set(t);
    f.get(c).i32(0).i32Ne().get(t).i32(0).i32GeS().i32And().get(t).get(N).i32LtS().i32And().if_();
    if (fromContext) {
      // word2vec's direction: the context word's rows predict the center word
      f.get(lA).get(t).i32(2).i32Shl().i32Add().i32Load(0).set(target);
      f.get(target).i32(2).i32Shl().i32Load(Lo.rowOffsets).set(a);
      f.get(target).i32(2).i32Shl().i32Load(Lo.rowOffsets + 4).set(b);
      f.get(word).set(target);
    } else {
      f.get(lA).get(t).i32(2).i32Shl().i32Add().i32Load(0).set(target);
    }
    update(() => f.get(a), b);
    f.end();
    f.get(c).i32(1).i32Add().set(c);
    f.br(0).end().end();
  } else {
    // gather the context words' rows into the bow buffer
    f.i32(0).set(nb);
    f.i32(0).get(bnd).i32Sub().set(c);
    f.block().loop();
    f.get(c).get(bnd).i32GtS().brIf(1);
    f.get(w).get(c).i32Add().set(t);
    f.get(c).i32(0).i32Ne().get(t).i32(0).i32GeS().i32And().get(t).get(N).i32LtS().i32And().if_();
    f.get(lA).get(t).i32(2).i32Shl().i32Add().i32Load(0).set(word);
    f.get(word).i32(2).i32Shl().i32Load(Lo.rowOffsets).set(a);
    f.get(word).i32(2).i32Shl().i32Load(Lo.rowOffsets + 4).set(b);
    f.block().loop();
    f.get(a).get(b).i32GeS().brIf(1);
    f.get(bA).get(nb).i32(2).i32Shl().i32Add();
    f.get(a).i32(2).i32Shl().i32Load(Lo.rows).i32Store(0);
    f.get(nb).i32(1).i32Add().set(nb);
    f.get(a).i32(1).i32Add().set(a);
    f.br(0).end().end();
    f.end();
    f.get(c).i32(1).i32Add().set(c);
    f.br(0).end().end();
    f.get(nb).i32(0).i32GtS().if_();
    f.get(lA).get(w).i32(2).i32Shl().i32Add().i32Load(0).set(target);
    update(() => f.i32(0), nb);
    f.end();
  }
  f.get(w).i32(1).i32Add().set(w);
  f.br(0).end().end();

  f.get(x).gset(gRng).get(negPos).gset(gNeg).get(cnt).gset(gUpdates);
  f.get(lossAcc);
  m.addFunction(f, 'line');
  return m.encode();
}

export function compileWord2VecKernel(spec: Word2VecKernelSpec): WasmModule {
  return new wasm.Module(word2vecModuleBytes(spec));
}

export function instantiateWord2VecKernel(module: WasmModule, memory: WasmMemory): Word2VecKernel {
  const inst = new wasm.Instance(module, { env: { memory } });
  return inst.exports as unknown as Word2VecKernel;
}
