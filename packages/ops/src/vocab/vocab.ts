/**
 * vocab: count tokens and build the vocabulary in GloVe vocab_count's order
 * (count descending, ties by GloVe's signed-char comparison of the UTF-8 words;
 * with max_size, the words tied at the cut that vocab_count's hash table yields
 * first), or with ties in unsigned byte order (order: bytes).
 */
import { DOC_END, Vocab, WordloomError, type Dictionary } from '@wordloom/core';
import type { ParamSpecs, OpContext } from '../op.js';
import type { TokenStream } from '../artifacts.js';

export interface VocabParams {
  /** Keep words seen at least this often. */
  min_count: number;
  /** Keep at most this many words, most frequent first (0 = no limit). */
  max_size: number;
  /** Tie order: exactly GloVe vocab_count's ('glove'), or unsigned bytes ('bytes'). */
  order?: 'glove' | 'bytes';
  /** Read the vocabulary from this GloVe vocab.txt instead of counting. */
  file?: string;
  /** Also write the vocabulary as GloVe vocab.txt here. */
  output?: string;
}

export const vocabParams: ParamSpecs = {
  min_count: { type: 'int', default: 1, min: 1, doc: 'drop words seen fewer times (GloVe vocab_count -min-count)' },
  max_size: { type: 'int', default: 0, min: 0, doc: 'keep at most this many words, most frequent first; 0 = no limit (-max-vocab)' },
  order: {
    type: 'enum',
    values: ['glove', 'bytes'],
    default: 'glove',
    doc: 'ties on count: glove = exactly vocab_count (words compared as signed C chars, so non-ASCII before ASCII; at a max_size cut, the tied words its hash table yields first); bytes = unsigned byte order, and the max_size cut keeps the first in that order',
  },
  file: { type: 'path', optional: true, mustExist: true, doc: 'read this GloVe vocab.txt ("word count" lines) instead of counting the corpus' },
  output: { type: 'path', optional: true, output: true, doc: 'also write the vocabulary as GloVe vocab.txt' },
};

/** Count every dictionary id of a token stream (one pass). */
export async function countTokens(tokens: TokenStream, ctx?: Pick<OpContext, 'signal'>): Promise<Float64Array> {
  return (await countTokensInOrder(tokens, ctx, false)).counts;
}

/**
 * Count every dictionary id of a token stream and, when asked, note the position
 * (token index, DOC_END not counted) of each id's last occurrence: what GloVe's
 * vocab_count hash order depends on.
 */
export async function countTokensInOrder(
  tokens: TokenStream,
  ctx?: Pick<OpContext, 'signal'>,
  withLastSeen = true,
): Promise<{ counts: Float64Array; lastSeen?: Float64Array }> {
  let counts = new Float64Array(1 << 16);
  let last = withLastSeen ? new Float64Array(1 << 16) : undefined;
  let pos = 0;
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
        if (last) {
          const l = new Float64Array(n);
          l.set(last);
          last = l;
        }
      }
      counts[id]!++;
      if (last) last[id] = pos;
      pos++;
    }
  }
  const size = tokens.dictionary.size;
  return last ? { counts: counts.subarray(0, size), lastSeen: last.subarray(0, size) } : { counts: counts.subarray(0, size) };
}

export function vocabFromCounts(
  dictionary: Dictionary,
  counts: ArrayLike<number>,
  p: Pick<VocabParams, 'min_count' | 'max_size' | 'order'>,
  lastSeen?: ArrayLike<number>,
): Vocab {
  const vocab = Vocab.fromCounts(dictionary.words, counts, p.min_count, p.max_size, { order: p.order ?? 'glove', ...(lastSeen ? { lastSeen } : {}) });
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
export async function buildVocab(tokens: TokenStream, p: Pick<VocabParams, 'min_count' | 'max_size' | 'order'>, ctx?: Pick<OpContext, 'signal'>): Promise<Vocab> {
  // Positions matter only to GloVe's choice among words tied at a max_size cut.
  const { counts, lastSeen } = await countTokensInOrder(tokens, ctx, p.max_size > 0 && (p.order ?? 'glove') === 'glove');
  return vocabFromCounts(tokens.dictionary, counts, p, lastSeen);
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
