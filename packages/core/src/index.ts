export * from './errors.js';
export * from './rng.js';
export * from './buffers.js';
export * from './vocab.js';
export * from './cooccur.js';
export * from './embeddings.js';
export * from './tokens.js';
export * from './optim/index.js';
export * as nn from './nn/index.js';
