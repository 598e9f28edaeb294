/**
 * vocab: count tokens and build the vocabulary in GloVe vocab_count's order
 * (count descending, ties by byte-wise comparison of the UTF-8 words).
 */
import { DOC_END, Vocab, WordloomError, type Dictionary } from '@wordloom/core';
import type { ParamSpecs, OpContext } from '../op.js';
import type { TokenStream } from '../artifacts.js';

export interface VocabParams {
  /** Keep words seen at least this often. */
  min_count: number;
  /** Keep at most this many words, most frequent first (0 = no limit). */
  max_size: number;
  /** Read the vocabulary from this GloVe vocab.txt instead of counting. */
  file?: string;
  /** Also write the vocabulary as GloVe vocab.txt here. */
  output?: string;
}

export const vocabParams: ParamSpecs = {
  min_count: { type: 'int', default: 1, min: 1, doc: 'drop words seen fewer times (GloVe vocab_count -min-count)' },
  max_size: { type: 'int', default: 0, min: 0, doc: 'keep at most this many words, most frequent first; 0 = no limit (-max-vocab)' },
  file: { type: 'path', optional: true, mustExist: true, doc: 'read this GloVe vocab.txt ("word count" lines) instead of counting the corpus' },
  output: { type: 'path', optional: true, output: true, doc: 'also write the vocabulary as GloVe vocab.txt' },
};

/** Count every dictionary id of a token stream (one pass). */
export async function countTokens(tokens: TokenStream, ctx?: Pick<OpContext, 'signal'>): Promise<Float64Array> {
  let counts = new Float64Array(1 << 16);
  for await (const chunk of tokens.chunks(ctx?.signal)) {
    const ids = chunk.ids;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === DOC_END) continue;
      if (id >= counts.length) {
        let n = counts.length * 2;
        while (n <= id) n *= 2;
        const c = new Float64Array(n);
        c.set(counts);
        counts = c;
      }
      counts[id]!++;
    }
  }
  return counts.subarray(0, tokens.dictionary.size);
}

export function vocabFromCounts(dictionary: Dictionary, counts: ArrayLike<number>, p: Pick<VocabParams, 'min_count' | 'max_size'>): Vocab {
  const vocab = Vocab.fromCounts(dictionary.words, counts, p.min_count, p.max_size);
  if (vocab.size === 0) {
    let max = 0;
    for (let i = 0; i < counts.length; i++) if (counts[i]! > max) max = counts[i]!;
    throw new WordloomError(
      'E_INPUT',
      `min_count ${p.min_count} leaves the vocabulary empty: the most frequent of ${dictionary.size} distinct words appears ${max} times`,
      { param: 'min_count' },
      `lower min_count to at most ${max}, or use a larger corpus`,
    );
  }
  return vocab;
}

/** Build the vocabulary of a token stream. */
export async function buildVocab(tokens: TokenStream, p: Pick<VocabParams, 'min_count' | 'max_size'>, ctx?: Pick<OpContext, 'signal'>): Promise<Vocab> {
  const counts = await countTokens(tokens, ctx);
  return vocabFromCounts(tokens.dictionary, counts, p);
}

/**
 * Map dictionary ids to vocabulary ranks: out[id] = rank, or -1 for a word not in
 * the vocabulary.
 */
export function rankMap(dictionary: Dictionary, vocab: Vocab): Int32Array {
  const map = new Int32Array(dictionary.size);
  const words = dictionary.words;
  for (let i = 0; i < words.length; i++) map[i] = vocab.id(words[i]!);
  return map;
}
