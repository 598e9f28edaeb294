/**
 * fastText's lookup tables for the logistic function and the logarithm
 * (loss.cc, model.cc): 512 steps over [-8, 8] for the sigmoid, 512 over [0, 1]
 * for the log. The generated kernels read them from memory, as fastText does,
 * instead of computing exp and log (WebAssembly has neither instruction).
 */
export const SIGMOID_TABLE_SIZE = 512;
export const MAX_SIGMOID = 8;
export const LOG_TABLE_SIZE = 512;

/** t[i] = sigmoid(-8 + 16 i / 512), i = 0..512. */
export function sigmoidTable(): Float32Array {
  const t = new Float32Array(SIGMOID_TABLE_SIZE + 1);
  for (let i = 0; i <= SIGMOID_TABLE_SIZE; i++) {
    const x = (i * 2 * MAX_SIGMOID) / SIGMOID_TABLE_SIZE - MAX_SIGMOID;
    t[i] = 1 / (1 + Math.exp(-x));
  }
  return t;
}

/** t[i] = log((i + 1e-5) / 512), i = 0..512. */
export function logTable(): Float32Array {
  const t = new Float32Array(LOG_TABLE_SIZE + 1);
  for (let i = 0; i <= LOG_TABLE_SIZE; i++) t[i] = Math.log((i + 1e-5) / LOG_TABLE_SIZE);
  return t;
}
