/**
 * The `char-gru` operator: a character-level GRU text classifier (embedding ->
 * GRU over packed variable-length batches -> linear softmax), PyTorch's layers
 * written out in @wordloom/core's nn, trained with the routing optimizer.
 */
import { defineOp } from '../op.js';
import { charGruParamSpecs, type CharGRUParams } from './params.js';
import { trainCharGRU, type CharGRUResult } from './train.js';

export { charGruParamSpecs, CHAR_GRU_DEFAULTS, resolveCharGRUParams } from './params.js';
export type { CharGRUParams, CharGRUSparseOptimizer } from './params.js';
export { trainCharGRU, fitCharGRU, testCharGRU, buildAlphabet, exampleText } from './train.js';
export type { CharGRUResult, CharGRUTestResult, CharGRUFitOptions } from './train.js';
export { CharGRUModel, CHAR_GRU_MAGIC } from './model.js';
export type { CharGRUConfig, CharPrediction } from './model.js';

export const charGruOp = defineOp<CharGRUParams, CharGRUResult>({
  name: 'char-gru',
  summary: 'train a character-level GRU text classifier (embedding -> GRU over packed batches, optionally right to left -> linear softmax; SparseAdam/LazyAdam + Adam); test accuracy on a held-out split; save it',
  params: charGruParamSpecs,
  inputs: {},
  output: 'char-classifier',
  async run(_inputs, params, ctx) {
    return trainCharGRU(params, ctx);
  },
});
