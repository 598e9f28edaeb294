/**
 * What every heavy operator shares: the WebAssembly module builder, the SIMD row
 * primitives emitted into generated kernels, shared-memory plans, and fastText's
 * lookup tables. An op folder keeps only its own update rule (glove/kernel.ts,
 * word2vec/kernel.ts, knn-graph/simd.ts, classify).
 */
export * from './wasm-asm.js';
export * from './vec.js';
export * from './memory.js';
export * from './tables.js';
export * from './fill.js';
export * from './pool.js';
