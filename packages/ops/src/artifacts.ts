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

export interface AnalogySection {
  section: string;
  correct: number;
  /** Questions answered in this section (correct + incorrect). */
  total: number;
  accuracy: number;
}

/** What the evaluate op reports; the numbers follow gensim 4.2's evaluate_word_analogies / evaluate_word_pairs. */
export interface EvaluationResult {
  /** One entry per analogy file and method. */
  analogy?: {
    file: string;
    method: '3CosAdd' | '3CosMul';
    /** gensim's "Total accuracy": correct / (correct + incorrect) over all sections, questions fully in vocabulary. */
    accuracy: number;
    correct: number;
    /** Questions answered (all four words in vocabulary). */
    total: number;
    /** Questions skipped because a word was out of vocabulary. */
    skipped: number;
    /** Valid question lines (answered + skipped). */
    questions: number;
    /** skipped / questions, in percent. */
    oovRatio: number;
    sections: AnalogySection[];
    /** Which kernel ranked the answers. */
    backend: string;
  }[];
  similarity?: {
    file: string;
    pearson: number;
    spearman: number;
    /** Share of pairs with a word out of vocabulary, in percent (as gensim reports it). */
    oovRatio: number;
    /** Valid pair lines. */
    pairs: number;
    /** Pairs with both words in vocabulary (those correlated). */
    used: number;
  }[];
  /** Words the evaluation looked at (min(restrict_vocab, vocabulary size)) and whether case was folded. */
  restrictVocab?: number;
  caseInsensitive?: boolean;
}
