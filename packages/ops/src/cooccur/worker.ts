/**
 * Piscina worker for cooccur: builds slices of the positions index or counts the
 * rows of one task (see kernel.ts). The accumulator is kept between tasks of the
 * same vocabulary size.
 */
import { RowCounter, runIndexTask } from './kernel.js';
import type { CountTask, CountResult, IndexTask } from './kernel.js';

let counter: RowCounter | undefined;

export default function cooccurTask(task: CountTask | IndexTask): CountResult | number {
  if (task.kind !== 'count') return runIndexTask(task);
  if (!counter || counter.vocabSize !== task.vocabSize) counter = new RowCounter(task.vocabSize);
  return counter.run(task);
}
