/**
 * Correlations as scipy 1.10 computes them: pearsonr (mean-centred vectors scaled
 * to unit norm, then their dot product, clipped to [-1, 1]) and spearmanr (the
 * Pearson correlation of the ranks, ties given their average rank).
 */

/** Pearson's r; NaN when either input is constant or shorter than 2. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n !== y.length) throw new RangeError(`pearson: lengths differ (${n} and ${y.length})`);
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i]! - mx;
    const b = y[i]! - my;
    sxx += a * a;
    syy += b * b;
  }
  const nx = Math.sqrt(sxx);
  const ny = Math.sqrt(syy);
  if (nx === 0 || ny === 0) return NaN;
  let r = 0;
  for (let i = 0; i < n; i++) r += ((x[i]! - mx) / nx) * ((y[i]! - my) / ny);
  return Math.max(-1, Math.min(1, r));
}

/** 1-based ranks, ties getting the average of the ranks they span (scipy rankdata 'average'). */
export function rankAverage(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => x[a]! - x[b]! || a - b);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]!] === x[order[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) ranks[order[t]!] = avg;
    i = j + 1;
  }
  return ranks;
}

/** Spearman's rho (with average ranks for ties). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearson(rankAverage(x), rankAverage(y));
}
