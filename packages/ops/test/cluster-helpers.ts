import * as assert from 'uvu/assert';
import { Embeddings, Rng } from '@wordloom/core';

/** Assert that `fn` rejects (or throws) with an error satisfying `check`. */
export async function rejects(fn: () => unknown, check: (e: unknown) => boolean, msg?: string): Promise<void> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, msg ?? 'expected an error');
  assert.ok(check(err), `${msg ?? 'unexpected error'}: ${(err as Error)?.message ?? String(err)}`);
}

/** Gaussian noise matrix with words w0, w1, ... */
export function randomMatrix(rows: number, dim: number, seed: number): Embeddings {
  const rng = new Rng(seed);
  const d = new Float32Array(rows * dim);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  return new Embeddings(Array.from({ length: rows }, (_, i) => `w${i}`), dim, d);
}

/**
 * Planted clusters: `clusters` Gaussian blobs of `size` points in `dim`
 * dimensions (centres at distance ~`sep` apart, spread `sd`), then `noise` points
 * scattered uniformly in a wide box. Returns the vectors and the true labels
 * (-1 for the noise points), in a shuffled order.
 */
export function blobs(clusters: number, size: number, dim: number, noise: number, seed: number, sep = 10, sd = 0.5): { vectors: Embeddings; truth: Int32Array } {
  const rng = new Rng(seed);
  const n = clusters * size + noise;
  const centres = new Float64Array(clusters * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = rng.normal() * sep / Math.SQRT2;
  const data = new Float32Array(n * dim);
  const truth = new Int32Array(n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  rng.shuffle(order);
  for (let p = 0; p < n; p++) {
    const i = order[p]!;
    if (p < clusters * size) {
      const c = p % clusters;
      truth[i] = c;
      for (let j = 0; j < dim; j++) data[i * dim + j] = centres[c * dim + j]! + rng.normal() * sd;
    } else {
      truth[i] = -1;
      for (let j = 0; j < dim; j++) data[i * dim + j] = (rng.next() * 2 - 1) * sep * 2;
    }
  }
  return { vectors: new Embeddings(Array.from({ length: n }, (_, i) => `p${i}`), dim, data), truth };
}
