/**
 * How well predicted vectors stand in for true ones: for each word, the cosine
 * between its predicted and true vectors, and the overlap of their k nearest
 * neighbours among the vocabulary (cosine; the word itself excluded from both lists).
 */
import type { Embeddings } from '@wordloom/core';

export interface PredictionQuality {
  /** Words measured (those given that are in the vectors). */
  words: number;
  /** Words with no prediction (counted with cosine 0 and overlap 0). */
  missing: number;
  /** Mean cosine between predicted and true vectors. */
  cosine: number;
  /** Mean fraction of the k nearest neighbours that the predicted and true vectors share. */
  overlap: number;
  k: number;
}

/**
 * Compare `predict(word)` with the true vectors of `words`. Neighbours are searched
 * among the first `candidates` rows of `vectors` (all by default).
 */
export function predictionQuality(
  vectors: Embeddings,
  words: readonly string[],
  predict: (word: string) => Float32Array | Float64Array | undefined,
  opts: { k?: number; candidates?: number } = {},
): PredictionQuality {
  const k = opts.k ?? 10;
  const d = vectors.dim;
  const n = Math.min(vectors.size, opts.candidates ?? Infinity);
  const unit = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * d;
    for (let j = 0; j < d; j++) s += vectors.data[o + j]! * vectors.data[o + j]!;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < d; j++) unit[o + j] = vectors.data[o + j]! * inv;
  }
  const scores = new Float32Array(n);
  let measured = 0;
  let missing = 0;
  let cos = 0;
  let overlap = 0;
  for (const w of words) {
    const id = vectors.id(w);
    if (id < 0) continue;
    measured++;
    const t = vectors.row(id);
    const p = predict(w);
    if (!p) {
      missing++;
      continue;
    }
    cos += cosineOf(p, t);
    const a = topK(unit, n, d, t, id, k, scores);
    const b = topK(unit, n, d, p, id, k, scores);
    let shared = 0;
    for (const x of b) if (a.has(x)) shared++;
    overlap += shared / k;
  }
  return { words: measured, missing, cosine: measured ? cos / measured : NaN, overlap: measured ? overlap / measured : NaN, k };
}

function cosineOf(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let aa = 0;
  let bb = 0;
  let ab = 0;
  for (let j = 0; j < a.length; j++) {
    aa += a[j]! * a[j]!;
    bb += b[j]! * b[j]!;
    ab += a[j]! * b[j]!;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/** The k rows most similar to q (cosine ranks as the dot product with unit rows), without row `skip`. */
function topK(unit: Float32Array, n: number, d: number, q: ArrayLike<number>, skip: number, k: number, scores: Float32Array): Set<number> {
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * d;
    for (let j = 0; j < d; j++) s += unit[o + j]! * q[j]!;
    scores[i] = s;
  }
  scores[skip] = -Infinity;
  const best: number[] = [];
  const bestS: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (best.length === k && s <= bestS[k - 1]!) continue;
    let at = best.length;
    while (at > 0 && bestS[at - 1]! < s) at--;
    best.splice(at, 0, i);
    bestS.splice(at, 0, s);
    if (best.length > k) {
      best.pop();
      bestS.pop();
    }
  }
  return new Set(best);
}
