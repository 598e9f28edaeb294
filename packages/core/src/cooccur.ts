import { releaseArray } from './buffers.js';

/**
 * A sparse co-occurrence matrix in coordinate form, sorted by (row, col), each
 * pair once. Rows and columns are 0-based vocabulary ranks (GloVe's binary files
 * store them 1-based). Values are float64 as in GloVe's CREC. cooccur and
 * readCooccurrences put the arrays in resizable buffers of their own, read on one
 * thread (glove packs them on the main thread), so that releaseCooccurrences
 * frees them at once; toShared copies them for workers.
 */
export interface Cooccurrences {
  /** Number of vocabulary words (matrix is vocabSize x vocabSize). */
  readonly vocabSize: number;
  /** Number of stored records. */
  readonly size: number;
  readonly row: Int32Array;
  readonly col: Int32Array;
  readonly val: Float64Array;
  /** How it was counted, when known. */
  readonly settings?: { window: number; symmetric: boolean; distanceWeighting: boolean };
  /** Set when the arrays were released (see releaseCooccurrences): they are empty. */
  readonly released?: boolean;
}

/**
 * Free the arrays of a matrix that its last reader no longer needs (the object
 * stays, with empty arrays and `released` set), so that a pipeline does not hold
 * the records twice: once here and once packed for training. Arrays over
 * resizable buffers (as cooccur and readCooccurrences make them) are freed at
 * once; others when the garbage collector finds no other reference to them.
 */
export function releaseCooccurrences(c: Cooccurrences): void {
  const m = c as { row: Int32Array; col: Int32Array; val: Float64Array; released?: boolean };
  for (const a of [m.row, m.col, m.val]) releaseArray(a);
  m.row = new Int32Array(0);
  m.col = new Int32Array(0);
  m.val = new Float64Array(0);
  m.released = true;
}
