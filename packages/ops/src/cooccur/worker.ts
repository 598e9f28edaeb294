/**
 * Piscina worker for cooccur: counts the rows of one task (see kernel.ts). The
 * accumulator is kept between tasks of the same vocabulary size.
 */
import { RowCounter } from './kernel.js';
import type { CountTask, CountResult } from './kernel.js';

let counter: RowCounter | undefined;

export default function countRows(task: CountTask): CountResult {
  if (!counter || counter.vocabSize !== task.vocabSize) counter = new RowCounter(task.vocabSize);
  return counter.run(task);
}
