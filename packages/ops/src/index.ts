export * from './op.js';
export * from './artifacts.js';
