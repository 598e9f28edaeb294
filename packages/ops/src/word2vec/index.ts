/**
 * The `word2vec` operator: word vectors trained as fastText (subword skip-gram and
 * CBOW) and word2vec do, Hogwild on worker threads; the model saved in fastText's
 * .bin format and as .vec.
 */
import type { Embeddings, Vocab } from '@wordloom/core';
import type { TokenStream } from '../artifacts.js';
import { defineOp } from '../op.js';
import { word2vecParamSpecs, type Word2VecParams } from './params.js';
import { trainWord2VecTokens } from './train.js';

export { trainWord2Vec, trainWord2VecTokens, corpusRanks, negativeTable, huffmanPaths, NEGATIVE_TABLE_SIZE } from './train.js';
export type { Word2VecResult } from './train.js';
export { word2vecParamSpecs, resolveWord2VecParams } from './params.js';
export type { Word2VecParams, ResolvedWord2VecParams, Word2VecModel, Word2VecLoss, Word2VecPreset } from './params.js';

export const word2vecOp = defineOp<Word2VecParams, Embeddings>({
  name: 'word2vec',
  summary: 'train word vectors as fastText and word2vec do: skip-gram or CBOW, negative sampling or hierarchical softmax, character n-grams for unseen words (Hogwild worker threads); saves fastText .bin and .vec',
  params: word2vecParamSpecs,
  inputs: {
    tokens: { kind: 'tokens', doc: 'the tokenized corpus (documents end at DOC_END)' },
    vocab: { kind: 'vocab', doc: 'the vocabulary (min_count applied): its words are the model\'s words, its counts drive subsampling, negatives and the Huffman tree' },
  },
  output: 'vectors',
  // 2: each epoch's seeds come from the seed and the epoch (so that a resumed run draws the same ones)
  version: 2,
  async run(inputs, params, ctx) {
    const r = await trainWord2VecTokens(inputs.tokens as TokenStream, inputs.vocab as Vocab, params, ctx);
    return r.embeddings;
  },
});
