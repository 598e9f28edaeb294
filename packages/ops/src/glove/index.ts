/**
 * The `glove` operator: Stanford GloVe's training over a co-occurrence matrix and
 * a vocabulary (AdaGrad, Hogwild threads), returning word vectors and optionally
 * writing them in GloVe / word2vec formats.
 */
import type { Cooccurrences, Embeddings, Vocab } from '@wordloom/core';
import { defineOp } from '../op.js';
import { gloveParamSpecs, resolveGloveParams, type GloveParams } from './params.js';
import { trainGlove } from './train.js';

export { trainGlove } from './train.js';
export type { GloveResult, GloveModel } from './train.js';
export { gloveParamSpecs, resolveGloveParams, GLOVE_DEFAULTS } from './params.js';
export type { GloveParams, GloveSave } from './params.js';

export const gloveOp = defineOp<GloveParams, Embeddings>({
  name: 'glove',
  summary: 'train GloVe word vectors on co-occurrences (AdaGrad, Hogwild worker threads, WebAssembly SIMD kernel), as Stanford glove does',
  params: gloveParamSpecs,
  inputs: {
    cooccurrences: { kind: 'cooccurrences', doc: 'the co-occurrence matrix (from cooccur)' },
    vocab: { kind: 'vocab', doc: 'the vocabulary the matrix was counted with: names the vectors' },
  },
  output: 'vectors',
  // 2: each pass's shuffle seeds come from the seed and the iteration (so that a resumed run draws the same ones)
  version: 2,
  async run(inputs, params, ctx) {
    const result = await trainGlove(inputs.cooccurrences as Cooccurrences, inputs.vocab as Vocab, resolveGloveParams(params), ctx);
    return result.embeddings;
  },
});
