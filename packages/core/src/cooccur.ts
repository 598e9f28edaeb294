/**
 * A sparse co-occurrence matrix in coordinate form over shared memory, sorted by
 * (row, col), each pair once. Rows and columns are 0-based vocabulary ranks
 * (GloVe's binary files store them 1-based). Values are float64 as in GloVe's CREC.
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
}
