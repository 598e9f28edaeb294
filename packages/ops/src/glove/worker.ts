/**
 * Piscina worker of the glove operator. Every task carries the shared memory (the
 * model and the records, see layout.ts), the compiled kernel and one share; the
 * worker keeps the kernel instance of the current training job, so a task costs
 * no compilation. Workers write the shared parameters without locks (Hogwild).
 * The records are packed on the main thread (train.ts), so no worker sees the
 * co-occurrence arrays.
 */
import { instantiateKernel, type KernelExports } from './kernel.js';
import type { ShareLayout } from './layout.js';
import type { WasmMemory, WasmModule } from '../kernels/wasm-asm.js';

interface TaskBase {
  job: number;
  memory: WasmMemory;
  module: WasmModule;
  share: ShareLayout;
  /** Shared stop flag: when element 0 is non-zero the task returns at its next kernel call (the run was cancelled). */
  stop?: Int32Array;
}

const stopped = (t: TaskBase): boolean => t.stop !== undefined && Atomics.load(t.stop, 0) !== 0;

/** Deal a packed share into random buckets of buffer B (for the first shuffled pass). */
export interface ScatterTask extends TaskBase {
  kind: 'scatter';
  seed: [number, number];
}

/** One pass over the share. */
export interface EpochTask extends TaskBase {
  kind: 'epoch';
  shuffle: boolean;
  /** Shuffled passes alternate between buffers: read B on odd passes, A on even ones. */
  fromB: boolean;
  /** Scatter into the other buffer for the next pass. */
  scatter: boolean;
  /** Seeds of the bucket draw and of the in-bucket shuffles. */
  seedAssign: [number, number];
  seedShuffle: [number, number];
  eta: number;
  gradClip: number;
}

export interface EpochResult {
  cost: number;
  skipped: number;
  seconds: number;
}

/** Records per kernel call in stored-order passes, buckets per call in shuffled ones. */
const CALL_RECORDS = 1 << 16;
const CALL_BUCKETS = 4;

let current: { job: number; kernel: KernelExports; memory: WasmMemory } | undefined;

function kernelFor(t: TaskBase): { kernel: KernelExports; memory: WasmMemory } {
  if (!current || current.job !== t.job) current = { job: t.job, kernel: instantiateKernel(t.module, t.memory), memory: t.memory };
  return current;
}

/** Draw bucket ids for the share, turn their counts into the boundaries at `bounds` and point the cursors at `dst`. */
function planBuckets(kernel: KernelExports, memory: WasmMemory, share: ShareLayout, bounds: number, dst: number, seed: [number, number]): void {
  const nb = share.buckets;
  kernel.assign(share.ids, share.count, nb - 1, bounds, seed[0], seed[1]);
  const i32 = new Int32Array(memory.buffer);
  const b0 = bounds >> 2;
  const c0 = share.cursor >> 2;
  let acc = 0;
  for (let b = 0; b < nb; b++) {
    const n = i32[b0 + b]!;
    i32[b0 + b] = acc;
    i32[c0 + b] = dst + acc * share.recordBytes;
    acc += n;
  }
  i32[b0 + nb] = acc;
}

function scatter(t: ScatterTask): { seconds: number } {
  const t0 = performance.now();
  const { kernel, memory } = kernelFor(t);
  if (!stopped(t)) {
    planBuckets(kernel, memory, t.share, t.share.boundsB, t.share.recB, t.seed);
    kernel.scatter(t.share.recA, t.share.count, t.share.ids, t.share.cursor);
  }
  return { seconds: (performance.now() - t0) / 1000 };
}

function epoch(t: EpochTask): EpochResult {
  const t0 = performance.now();
  const { kernel, memory } = kernelFor(t);
  const s = t.share;
  kernel.skipped.value = 0;
  let cost = 0;
  // The pass is made of many short calls rather than one long one: V8 first runs
  // wasm on its baseline compiler and swaps in optimized code only for the next
  // call (there is no on-stack replacement), so one long call would run the whole
  // first pass unoptimized.
  if (!t.shuffle) {
    for (let k = 0; k < s.count; k += CALL_RECORDS) {
      if (stopped(t)) break;
      cost += kernel.epochPlain(s.recA + k * s.recordBytes, Math.min(CALL_RECORDS, s.count - k), t.eta, t.gradClip);
    }
  } else {
    const [src, srcBounds, dst, dstBounds] = t.fromB ? [s.recB, s.boundsB, s.recA, s.boundsA] : [s.recA, s.boundsA, s.recB, s.boundsB];
    if (t.scatter) planBuckets(kernel, memory, s, dstBounds, dst, t.seedAssign);
    for (let b = 0; b < s.buckets; b += CALL_BUCKETS) {
      if (stopped(t)) break;
      // each call its own random stream: splitmix64 seeded with the pass seed plus the call's first bucket
      const nb = Math.min(CALL_BUCKETS, s.buckets - b);
      cost += kernel.epochShuffled(src, srcBounds + b * 4, nb, s.ids, s.cursor, t.scatter ? 1 : 0, t.seedShuffle[0], (t.seedShuffle[1] + b) >>> 0, t.eta, t.gradClip);
    }
  }
  return { cost, skipped: kernel.skipped.value, seconds: (performance.now() - t0) / 1000 };
}

export default function run(task: ScatterTask | EpochTask): EpochResult | { seconds: number } {
  return task.kind === 'scatter' ? scatter(task) : epoch(task);
}
