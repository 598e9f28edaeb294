/**
 * The values that flow along pipeline edges, by ArtifactKind:
 *   tokens        -> TokenStream
 *   vocab         -> Vocab (core)
 *   cooccurrences -> Cooccurrences (core)
 *   vectors       -> Embeddings (core)
 *   neighbors     -> NeighborsResult
 *   evaluation    -> EvaluationResult
 */
import type { Observable } from 'rxjs';
import type { Dictionary, TokenChunk } from '@wordloom/core';
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
  readonly stats: { tokens: number; documents: number; bytes: number; complete: boolean };
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
  queries: { word: string; neighbors: Neighbor[]; missing?: boolean }[];
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
}
