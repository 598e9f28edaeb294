export * from './param.js';
export * from './optimizer.js';
export * from './algorithms.js';
export * from './router.js';
export * from './schedule.js';
export * from './row-grads.js';
