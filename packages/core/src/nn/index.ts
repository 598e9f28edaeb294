/**
 * Neural network layers with hand-written forward and backward passes over
 * Parameters, trained by the optimizers in ../optim (AutoOptimizer routes the
 * embedding's sparse rows and the dense layers). Each layer keeps its buffers and
 * reuses them from step to step; a forward returns views of them, valid until the
 * layer's next forward, and its backward adds to the parameters' gradients as
 * PyTorch's do (until the optimizer's zeroGrad). Gradients are checked against
 * PyTorch 1.13 (scripts/make_nn_fixtures.py).
 */
export { Linear, type LinearOptions } from './linear.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { GRU, type GRUOptions } from './gru.js';
export { PackedBatch } from './packed.js';
export { Tanh, ReLU, Dropout } from './activations.js';
export { SoftmaxCrossEntropy, CosineTripletMarginLoss, cos } from './losses.js';
export { matmulTransB, matmulAcc, matmulTransAAcc, useKernels, kernels, typescriptKernels, type MatmulKernels } from './matmul.js';
export { checkFinite } from './util.js';
