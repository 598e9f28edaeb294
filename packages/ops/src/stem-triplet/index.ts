/**
 * The `stem-triplet` operator: word vectors from characters (embedding -> dropout ->
 * GRU, right to left by default -> linear) trained with a cosine triplet margin loss
 * so that words sharing a Porter stem are near; measured on held-out stems.
 */
import type { Embeddings } from '@wordloom/core';
import { defineOp } from '../op.js';
import { stemTripletParamSpecs, type StemTripletParams } from './params.js';
import { trainStemTriplet } from './train.js';

export { stemTripletParamSpecs, STEM_TRIPLET_DEFAULTS, resolveStemTripletParams } from './params.js';
export type { StemTripletParams } from './params.js';
export { fitStemTriplet, trainStemTriplet, stemMetrics } from './train.js';
export type { StemTripletResult, StemMetrics } from './train.js';
export { countWords, groupByStem } from './data.js';
export type { StemGroups } from './data.js';
export { StemEncoder } from './model.js';
export type { StemEncoderConfig } from './model.js';

export const stemTripletOp = defineOp<StemTripletParams, Embeddings>({
  name: 'stem-triplet',
  summary: "word vectors from a word's characters (embedding -> dropout -> GRU -> linear) trained with a cosine triplet margin loss so that words sharing a Porter stem are near; precision@1 and ROC AUC on held-out stems",
  params: stemTripletParamSpecs,
  inputs: {},
  output: 'vectors',
  async run(_inputs, params, ctx) {
    return (await trainStemTriplet(params, ctx)).vectors;
  },
});
