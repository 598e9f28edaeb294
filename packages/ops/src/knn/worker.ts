/**
 * Worker module for the knn and evaluate kernels (loaded by Piscina from
 * dist/src/knn/worker.js). Matrices and result lists arrive as views over
 * SharedArrayBuffers, so workers read and write them in place.
 */
import { analogyMerge, dotBlock, topKRange, ROW_BLOCK } from './kernel.js';

export interface TopKTask {
  kind: 'topk';
  e: Float32Array;
  dim: number;
  rows: number;
  qv: Float32Array;
  q0: number;
  q1: number;
  k: number;
  idx: Int32Array;
  sc: Float32Array;
  exclude?: Int32Array;
  ew: number;
}

/**
 * Analogy scores over rows [r0, r1): cosines of the U distinct question words
 * (`uv`, unit rows) with those rows, merged into this part's top-k lists
 * (one list set per objective, k per question).
 */
export interface AnalogyTask {
  kind: 'analogy';
  e: Float32Array;
  dim: number;
  r0: number;
  r1: number;
  uv: Float32Array;
  u: number;
  abc: Int32Array;
  excl: Int32Array;
  nq: number;
  k: number;
  /** One list set per objective (THREE_COS_ADD, THREE_COS_MUL): k entries per question. */
  lists: { method: number; idx: Int32Array; sc: Float64Array }[];
}

export type KernelTask = TopKTask | AnalogyTask;

export default function run(task: KernelTask): number {
  if (task.kind === 'topk') {
    topKRange(task.e, task.dim, task.rows, task.qv, task.q0, task.q1, task.k, task.idx, task.sc, task.exclude, task.ew);
    return task.q1 - task.q0;
  }
  analogyRange(task);
  return task.r1 - task.r0;
}

/** Row block for analogy cosines: U x this many floats of scratch (3.7 MB for 900 words). */
export const ANALOGY_ROW_BLOCK = 1024;

export function analogyRange(t: Omit<AnalogyTask, 'kind'>, scratch?: Float32Array): void {
  const rb = Math.min(ANALOGY_ROW_BLOCK, ROW_BLOCK);
  const cos = scratch && scratch.length >= t.u * rb ? scratch : new Float32Array(Math.max(1, t.u * rb));
  const aux = t.lists.some((l) => l.method !== 0) ? new Float64Array(Math.max(1, 2 * t.u * rb)) : undefined;
  for (let r0 = t.r0; r0 < t.r1; r0 += rb) {
    const r1 = Math.min(t.r1, r0 + rb);
    dotBlock(t.uv, 0, t.u, t.e, r0, r1, t.dim, cos, rb);
    for (const l of t.lists) analogyMerge(cos, rb, r1 - r0, r0, t.abc, t.excl, 0, t.nq, l.method, t.k, l.idx, l.sc, aux, t.u);
  }
}
