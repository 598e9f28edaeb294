/**
 * The k-sparse autoencoder on MNIST digits, with its gradient gathered over the
 * units active in a batch (sparse rows), trained by Adam, SparseAdam or LazyAdam:
 * bench/ksparse.mjs measures the three over learning rates, with and without a
 * lifetime-sparsity constraint; the `ksparse` op and `wordloom ksparse` train one
 * that a user names.
 */
export { readDigits, sliceDigits, MNIST_PIXELS } from './data.js';
export type { Digits } from './data.js';
export { KSparseAutoencoder, KSPARSE_MAGIC } from './model.js';
export type { KSparseConfig, GradientMode } from './model.js';
export { trainKSparse, probe, resolveKSparseParams, KSPARSE_DEFAULTS } from './train.js';
export type { KSparseParams, KSparseResult, KSparseOptimizer, KSparseFitOptions } from './train.js';
export { ksparseOp, ksparseParamSpecs, runKSparse } from './op.js';
export type { KSparseOpParams, KSparseOpResult } from './op.js';
