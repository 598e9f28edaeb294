/**
 * Piscina worker of the classify operator. It attaches the shared optimizer (the
 * embedding rows, the linear layer and their optimizer state are shared memory),
 * then runs its slice of examples: forward, softmax cross-entropy, a sparse
 * gradient for the embedding rows and a dense one for the linear layer, and an
 * optimizer step per batch. Workers step at the same time without locks (Hogwild).
 */
// core (the optimizers) is loaded only by the TypeScript path: a kernel worker starts without it
import type { MultiOptimizer, Optimizer, Parameter, RowGradients, SharedMulti, SharedOptimizer } from '@wordloom/core';
let core: typeof import('@wordloom/core') | undefined;
import type { WasmMemory, WasmModule } from '../kernels/wasm-asm.js';
import { instantiateClassifyKernel, type ClassifyKernel, type ClassifyThreadScratch } from './kernel.js';
import { fillUniformRows, indexedRows } from '../kernels/fill.js';

/** One share of an epoch on the generated kernel (kernel.ts), one example a step. */
export interface KernelTask {
  kind: 'kernel';
  job: number;
  module: WasmModule;
  memory: WasmMemory;
  scratch: ClassifyThreadScratch;
  /** Coalesced rows of example e: [exOffsets[e], exOffsets[e + 1]) in the kernel's memory. */
  exOffsets: Int32Array;
  /** Uncoalesced row offsets (n = the example's row count). */
  offsets: Int32Array;
  labels: Int32Array;
  order: Int32Array;
  from: number;
  to: number;
  labelsCount: number;
  adam: boolean;
  betas: [number, number];
  lr: number;
  linear: boolean;
  /** Shared: [0] examples processed by all workers, [1] optimizer steps taken. */
  counter: Int32Array;
  total: number;
}

export interface TrainTask {
  job: number;
  shared: SharedMulti | SharedOptimizer;
  /** Step the embedding with a dense gradient (the whole table): for optimizers without a sparse path. */
  densify: boolean;
  rows: Int32Array;
  offsets: Int32Array;
  labels: Int32Array;
  order: Int32Array;
  from: number;
  to: number;
  dim: number;
  nLabels: number;
  batch: number;
  /** Learning rate of each parameter group at the start, and the schedule. */
  baseLrs: number[];
  linear: boolean;
  /** Examples processed so far by all workers (shared), and the total for the linear schedule. */
  counter: Int32Array;
  total: number;
}

export interface TrainResult {
  loss: number;
  examples: number;
}

interface Attached {
  job: number;
  opt: Optimizer<any> | MultiOptimizer;
  emb: Parameter;
  lin: Parameter;
  dense?: Float32Array;
  grads: RowGradients;
  gOut: Float32Array;
}
let cur: Attached | undefined;
const COUNTER_BATCH = 64;

function attach(t: TrainTask): Attached {
  if (cur && cur.job === t.job) return cur;
  const opt = core!.attachOptimizer(t.shared as SharedMulti) as Optimizer<any> | MultiOptimizer;
  const emb = opt.params.find((p) => p.name === 'input')!;
  const lin = opt.params.find((p) => p.name === 'output')!;
  cur = {
    job: t.job, opt, emb, lin,
    dense: t.densify ? new Float32Array(emb.size) : undefined,
    grads: new core!.RowGradients(t.dim), gOut: new Float32Array(lin.size),
  };
  return cur;
}

let kernelOf: { job: number; kernel: ClassifyKernel } | undefined;

/** One share on the kernel: in a worker, or on the main thread, which trains a share too. */
export function runKernelTask(t: KernelTask): TrainResult {
  if (!kernelOf || kernelOf.job !== t.job) kernelOf = { job: t.job, kernel: instantiateClassifyKernel(t.module, t.memory) };
  const k = kernelOf.kernel;
  const { h, gh, z, g } = t.scratch;
  const L = t.labelsCount;
  const zs = new Float32Array(t.memory.buffer, z, L);
  const gs = new Float32Array(t.memory.buffer, g, L);
  const p = new Float64Array(L);
  const [b1, b2] = t.betas;
  const { exOffsets, offsets, labels, order, counter, total } = t;
  let loss = 0;
  let seen = 0;
  let pending = 0;
  let known = Atomics.load(counter, 0);
  for (let q = t.from; q < t.to; q++) {
    const e = order[q]!;
    const n = offsets[e + 1]! - offsets[e]!;
    const y = labels[e]!;
    pending++;
    if (pending >= COUNTER_BATCH || q + 1 >= t.to) {
      known = Atomics.add(counter, 0, pending) + pending;
      pending = 0;
    }
    if (n === 0 || y < 0) continue;
    const a = exOffsets[e]!;
    const b = exOffsets[e + 1]!;
    const inv = 1 / n;
    k.forward(h, z, a, b, inv);
    let max = -Infinity;
    for (let j = 0; j < L; j++) if (zs[j]! > max) max = zs[j]!;
    let sum = 0;
    for (let j = 0; j < L; j++) sum += p[j] = Math.exp(zs[j]! - max);
    for (let j = 0; j < L; j++) {
      const pj = p[j]! / sum;
      gs[j] = pj - (j === y ? 1 : 0);
      if (j === y) loss -= Math.log(Math.max(pj, 1e-300));
    }
    seen++;
    const f = t.linear ? Math.max(0, 1 - (known + pending) / total) : 1;
    const lr = t.lr * f;
    if (t.adam) {
      const step = Atomics.add(counter, 1, 1) + 1;
      const bc1 = 1 - b1 ** step;
      const bc2 = Math.sqrt(1 - b2 ** step);
      k.backward(h, gh, g, a, b, inv, lr / bc1, 1 / bc2, (lr * bc2) / bc1);
    } else {
      k.backward(h, gh, g, a, b, inv, lr, 1, lr);
    }
  }
  return { loss, examples: seen };
}

/**
 * A part of the kernel's set-up, done by a worker beside the main thread: the input
 * matrix's initial values for rows [from, to), or the gathering of training rows
 * [from, to) from it. Fresh memory costs a page fault a page, so two threads halve it.
 */
export interface SetupTask {
  kind: 'fill' | 'gather';
  memory: WasmMemory;
  layout: { input: number; train: number; trainRowBytes: number; index: number; inputRows: number; trainRows: number; dim: number };
  seed: number;
  from: number;
  to: number;
}

export function runSetupTask(t: SetupTask): void {
  const L = t.layout;
  if (t.kind === 'fill') fillUniformRows(t.memory, L.input, L.inputRows, L.dim, L.dim * 4, 1 / L.dim, t.seed, t.from, t.to);
  else indexedRows(t.memory, 'gather', L.train, L.trainRowBytes, L.input, L.dim * 4, L.dim * 4, L.index, L.trainRows, t.from, t.to);
}

export default async function run(t: TrainTask | KernelTask | SetupTask): Promise<TrainResult | undefined> {
  if ('kind' in t && t.kind === 'kernel') return runKernelTask(t);
  if ('kind' in t && (t.kind === 'fill' || t.kind === 'gather')) return runSetupTask(t), undefined;
  core ??= await import('@wordloom/core');
  return runTypeScript(t as TrainTask);
}

function runTypeScript(t: TrainTask): TrainResult {
  const a = attach(t);
  const { dim, nLabels: L, rows, offsets, labels, order, batch } = t;
  const E = a.emb.data;
  const O = a.lin.data;
  const h = new Float64Array(dim);
  const gh = new Float64Array(dim);
  const p = new Float64Array(L);
  const groups = a.opt.paramGroups;
  let loss = 0;
  let seen = 0;
  let pending = 0;
  let known = Atomics.load(t.counter, 0);
  for (let start = t.from; start < t.to; start += batch) {
    const end = Math.min(t.to, start + batch);
    const inv = 1 / (end - start);
    const gOut = a.gOut;
    gOut.fill(0);
    a.grads.clear();
    for (let q = start; q < end; q++) {
      const e = order[q]!;
      const s = offsets[e]!;
      const n = offsets[e + 1]! - s;
      const y = labels[e]!;
      if (n === 0 || y < 0) continue;
      h.fill(0);
      for (let k = 0; k < n; k++) {
        const o = rows[s + k]! * dim;
        for (let b = 0; b < dim; b++) h[b] += E[o + b]!;
      }
      for (let b = 0; b < dim; b++) h[b] /= n;
      let max = -Infinity;
      for (let j = 0; j < L; j++) {
        let z = 0;
        const o = j * dim;
        for (let b = 0; b < dim; b++) z += O[o + b]! * h[b]!;
        p[j] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let j = 0; j < L; j++) sum += p[j] = Math.exp(p[j]! - max);
      for (let j = 0; j < L; j++) p[j]! /= sum;
      loss -= Math.log(Math.max(p[y]!, 1e-300));
      seen++;
      gh.fill(0);
      for (let j = 0; j < L; j++) {
        const g = (p[j]! - (j === y ? 1 : 0)) * inv;
        const o = j * dim;
        for (let b = 0; b < dim; b++) {
          gOut[o + b] = gOut[o + b]! + g * h[b]!;
          gh[b] += g * O[o + b]!;
        }
      }
      a.grads.addShared(rows, s, n, gh, 1 / n);
    }
    // the shared counter is advanced every COUNTER_BATCH examples (one contended cache line less per example)
    pending += end - start;
    if (pending >= COUNTER_BATCH || end >= t.to) {
      known = Atomics.add(t.counter, 0, pending) + pending;
      pending = 0;
    }
    if (t.linear) {
      const f = Math.max(0, 1 - (known + pending) / t.total);
      for (let g = 0; g < groups.length; g++) groups[g]!.options.lr = t.baseLrs[g]! * f;
    }
    if (a.grads.count === 0) continue;
    if (a.dense) {
      a.grads.addTo(a.dense);
      a.emb.setGrad(a.dense);
    } else a.grads.applyTo(a.emb);
    a.lin.setGrad(gOut);
    a.opt.step();
    if (a.dense) a.grads.zeroIn(a.dense);
  }
  return { loss, examples: seen };
}
