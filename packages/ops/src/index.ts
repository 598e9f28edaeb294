export * from './op.js';
export * from './artifacts.js';
export * from './registry.js';
export * from './io/vectors.js';
