/**
 * The values that flow along pipeline edges, by ArtifactKind:
 *   tokens        -> TokenStream
 *   vocab         -> Vocab (core)
 *   cooccurrences -> Cooccurrences (core)
 *   vectors       -> Embeddings (core)
 *   neighbors     -> NeighborsResult
 *   evaluation    -> EvaluationResult
 *   graph         -> GraphArtifact
 *   clusters      -> ClustersArtifact
 *   classifier    -> ClassifierResult (classify/train.ts)
 *   linear        -> LinearTrainResult (linear/train.ts)
 */
import type { Observable } from 'rxjs';
import type { Dictionary, Embeddings, TokenChunk } from '@wordloom/core';
import type { AnalogyResult, AnalogySectionResult } from './evaluate/analogy.js';
import type { PairsResult } from './evaluate/pairs.js';

export type { AnalogyResult, PairsResult };
/** Accuracy in one section of an analogy file. */
export type AnalogySection = AnalogySectionResult;

/**
 * A tokenized corpus: a replayable stream of token-id chunks. The first pass reads
 * the source files (with backpressure) and fills `dictionary`; later passes replay
 * the ids it recorded (in memory up to a budget, then from a temporary file), so a
 * second consumer (cooccur after vocab) does not tokenize the text again.
 */
export interface TokenStream {
  readonly dictionary: Dictionary;
  /** The files read, in order ("-" for stdin). */
  readonly sources: readonly string[];
  /** Pull-based iteration: the next chunk is produced when the consumer asks. */
  chunks(signal?: AbortSignal): AsyncIterable<TokenChunk>;
  /** The same chunks as a cold Observable (one pass per subscription). */
  observable(): Observable<TokenChunk>;
  /** Totals, known after the first complete pass. */
  /** `seconds`: how long the first reading of the text took (set with the rest when complete). */
  readonly stats: { tokens: number; documents: number; bytes: number; complete: boolean; seconds?: number };
  /** Release recorded ids (memory, temporary files). The executor calls it when the run ends. */
  dispose?(): Promise<void>;
}

export interface Neighbor {
  word: string;
  similarity: number;
}

export interface NeighborsResult {
  /** Which kernel ran ("gpu.js:webasm", "gpu.js:webgpu", "typescript"...). */
  backend: string;
  /** `match`: the word of the vectors that a query matched, when it differs from the query (case folded); missing: no vector for the word; oov: not in the vocabulary, its vector made from subwords (fastText models). */
  queries: { word: string; match?: string; neighbors: Neighbor[]; missing?: boolean; oov?: boolean }[];
}

/** What the evaluate op reports; the numbers follow gensim 4.2's evaluate_word_analogies / evaluate_word_pairs. */
export interface EvaluationResult {
  /** One entry per analogy file and method. */
  analogy?: AnalogyResult[];
  /** One entry per word-pair file. */
  similarity?: PairsResult[];
  /** Words the evaluation looked at (min(restrict_vocab, vocabulary size)) and whether case was folded. */
  restrictVocab?: number;
  caseInsensitive?: boolean;
  /** With the oov option: words outside the vocabulary that got vectors from their subwords. */
  oovWords?: number;
}

/**
 * A weighted graph over nodes 0..n-1 in CSR form: the edges of node i are
 * targets[offsets[i] .. offsets[i+1]) with weights at the same positions (for a
 * knn-graph, cosine similarities), targets ascending within a row. An undirected
 * graph stores every edge in both rows.
 */
export interface GraphArtifact {
  readonly n: number;
  /** n + 1 entries. */
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly weights: Float32Array;
  /** false: every edge i-j is stored in row i and in row j with the same weight. */
  readonly directed: boolean;
  /** Node names (words), when known. */
  readonly names?: readonly string[];
  /** The vectors the graph was built from (row i = node i), when it was built from vectors. */
  readonly vectors?: Embeddings;
  /** How it was made ("knn-graph N=30 on wasm-simd:2-threads", "edge list file.txt"...). */
  readonly source?: string;
}

/**
 * A partition of nodes (words, rows of a matrix): labels[i] is the cluster of node
 * i, -1 for noise. Clusters are numbered 0..count-1; sizes[c] is the size of c.
 */
export interface ClustersArtifact {
  readonly method: string;
  readonly labels: Int32Array;
  readonly sizes: Int32Array;
  readonly count: number;
  /** Nodes labelled -1. */
  readonly noise: number;
  readonly names?: readonly string[];
  readonly vectors?: Embeddings;
  /** Iterations run (chinese-whispers) and whether labels stopped changing. */
  readonly iterations?: number;
  readonly converged?: boolean;
  /** The HTML report written from these clusters (report op). */
  readonly report?: string;
}
