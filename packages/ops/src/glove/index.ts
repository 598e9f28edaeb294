/**
 * The `glove` operator: Stanford GloVe's training over a co-occurrence matrix and
 * a vocabulary (AdaGrad, Hogwild threads), returning word vectors and optionally
 * writing them in GloVe / word2vec formats.
 */
import type { Cooccurrences, Embeddings, Vocab } from '@wordloom/core';
import { defineOp, type OpContext } from '../op.js';
import { collectGarbage } from '../kernels/memory.js';
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
    const embeddings = await trainVectors(inputs.cooccurrences as Cooccurrences, inputs.vocab as Vocab, params, ctx);
    // Nothing refers to the training's memory now (the model and both record buffers,
    // about 16 bytes a co-occurrence): give it back before the next nodes run.
    await collectGarbage();
    return embeddings;
  },
});

/** The vectors alone: once this returns, the rest of the training result is garbage. */
async function trainVectors(cooc: Cooccurrences, vocab: Vocab, params: GloveParams, ctx: OpContext): Promise<Embeddings> {
  return (await trainGlove(cooc, vocab, resolveGloveParams(params), ctx)).embeddings;
}
