/**
 * The `classify` operator: a fastText-style supervised text classifier (mean of
 * word and word n-gram embeddings, linear layer, softmax) trained with the routing
 * optimizer on a worker pool, Hogwild over the embedding rows.
 */
import { defineOp } from '../op.js';
import { classifyParamSpecs, type ClassifyParams } from './params.js';
import { trainClassifier, type ClassifierResult } from './train.js';

export { classifyParamSpecs, CLASSIFY_DEFAULTS, CLASSIFY_OPTIMIZERS } from './params.js';
export type { ClassifyParams, ClassifyOptimizer } from './params.js';
export { trainClassifier, fitClassifier, testClassifier, initModel, meanLoss, resolveClassifyParams } from './train.js';
export type { ClassifierResult, TestResult, FitOptions } from './train.js';
export { ClassifierModel, encodeExamples, wordHash, MODEL_MAGIC } from './model.js';
export type { Prediction, EncodedExamples } from './model.js';
export { readExamples, parseFastText, splitExamples } from './data.js';
export type { RawExample, ExampleSources } from './data.js';

export const classifyOp = defineOp<ClassifyParams, ClassifierResult>({
  name: 'classify',
  summary: 'train a fastText-style text classifier (word + n-gram embeddings, sparse/dense routed optimizer, Hogwild workers); test on a held-out split; save it',
  params: classifyParamSpecs,
  inputs: {},
  output: 'classifier',
  async run(_inputs, params, ctx) {
    return trainClassifier(params, ctx);
  },
});
