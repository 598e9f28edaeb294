/**
 * The `subwords` operator: character n-gram vectors for vectors that have none
 * (GloVe, word2vec), learned so that the mean of a word's n-gram rows reproduces
 * its vector; the output answers for words outside the vocabulary (`oov`) and
 * holds a fastText model (`model`) that the .bin writer saves.
 */
import type { Embeddings } from '@wordloom/core';
import { defineOp } from '../op.js';
import { vectorsFrom } from '../knn-graph/index.js';
import { subwordsParamSpecs, type SubwordsParams } from './params.js';
import { learnSubwords } from './learn.js';
import type { SubwordVectors } from './embeddings.js';

export { subwordsParamSpecs, SUBWORDS_DEFAULTS, SUBWORDS_LOSSES, SUBWORDS_OPTIMIZERS } from './params.js';
export type { SubwordsParams, SubwordsLoss, SubwordsOptimizer } from './params.js';
export { learnSubwords, resolveSubwordsParams, setWordRows } from './learn.js';
export { SubwordVectors, type SubwordsInfo } from './embeddings.js';
export { predictionQuality, type PredictionQuality } from './quality.js';

export const subwordsOp = defineOp<SubwordsParams, SubwordVectors>({
  name: 'subwords',
  summary: 'learn character n-gram vectors (fastText hash) whose mean reproduces each word vector, so that words outside the vocabulary get vectors; optionally save a fastText .bin',
  params: subwordsParamSpecs,
  inputs: { vectors: { kind: 'vectors', optional: true, doc: 'the word vectors (or name a file in the vectors param)' } },
  output: 'vectors',
  async run(inputs, params, ctx) {
    const vectors = await vectorsFrom(inputs.vectors as Embeddings | undefined, params.vectors, params.limit, ctx.baseDir, ctx.node, 'subwords');
    const out = await learnSubwords(vectors, params, ctx);
    const i = out.info;
    ctx.progress({
      phase: 'done',
      metrics: { words: i.words, learned: i.trained, 'rows used': i.rowsUsed, loss: Math.round(i.losses[i.losses.length - 1]! * 1e5) / 1e5, ...(i.heldOutCosine !== undefined ? { 'held-out cosine': Math.round(i.heldOutCosine * 1e4) / 1e4 } : {}) },
    });
    return out;
  },
});
