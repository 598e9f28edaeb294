/**
 * The `linear` operator: online linear models (hinge, logistic, squared;
 * binary, one-against-all, softmax, regression) on features hashed as Vowpal
 * Wabbit hashes them, learning from a stream with plain SGD, AdaGrad or VW's
 * normalized adaptive update, Hogwild workers over shared weights.
 */
import { defineOp } from '../op.js';
import { linearParamSpecs, type LinearParams } from './params.js';
import { trainLinear, type LinearTrainResult } from './train.js';

export { linearParamSpecs, LINEAR_DEFAULTS } from './params.js';
export type { LinearParams, LinearFormat } from './params.js';
export { trainLinear, testLinear, predictLinear, predictFeatures, heaviestFeatures, resolveLinearParams, newLinearModel } from './train.js';
export type { LinearTrainResult, LinearTestResult, LinearPrediction, LinearReadOptions } from './train.js';
export { LinearModel, LINEAR_MAGIC, LINEAR_VERSION } from './model.js';
export type { LinearHeader } from './model.js';
export { Learner, invariantUpdate, lambertWExpMinusX, lossOf, gradOf, strideOf } from './learn.js';
export type { Loss as LinearLoss, Task as LinearTask, Update as LinearUpdate, LearnConfig, ExampleChunk, ChunkResult } from './learn.js';
export { murmur3, murmur3String, vwHashString, vwHashAscii, namespaceHash, crossIndex, gramIndex, FNV_PRIME, GRAM_CONSTANT, CONSTANT_INDEX } from './hash.js';
export { FeatureBuilder } from './features.js';
export type { FeatureOptions } from './features.js';
export { parseLine, detectFormat, LineError, LINE_FORMATS } from './parse.js';
export type { LineFormat } from './parse.js';
export { readLines as readLinearLines, ExampleParser, ChunkBuilder, ChunkCache } from './data.js';

export const linearOp = defineOp<LinearParams, LinearTrainResult>({
  name: 'linear',
  summary: 'train an online linear model (hinge/logistic/squared; binary, one-against-all, softmax) on VW-hashed sparse features from a stream, Hogwild workers; save it',
  params: linearParamSpecs,
  inputs: {},
  output: 'linear',
  async run(_inputs, params, ctx) {
    return trainLinear(params, ctx);
  },
});
