/**
 * Piscina worker of the linear operator: learns from one chunk of hashed examples
 * on the weights and globals the main thread shares (SharedArrayBuffer), without
 * locks (Hogwild).
 */
import { Learner, type ChunkResult, type ExampleChunk, type LearnConfig } from './learn.js';

export interface LinearTask {
  job: number;
  cfg: LearnConfig;
  weights: Float32Array;
  globals: Float64Array;
  chunk: ExampleChunk;
}

let cur: { job: number; learner: Learner } | undefined;

export default function run(t: LinearTask): ChunkResult {
  if (!cur || cur.job !== t.job) cur = { job: t.job, learner: new Learner(t.cfg, t.weights, t.globals) };
  return cur.learner.train(t.chunk);
}
