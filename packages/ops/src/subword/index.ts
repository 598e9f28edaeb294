export * from './args.js';
export * from './hash.js';
export * from './dictionary.js';
export * from './matrix.js';
export * from './quant-matrix.js';
export * from './source.js';
export * from './reader.js';
export * from './model.js';
