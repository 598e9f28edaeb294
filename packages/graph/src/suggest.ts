/**
 * "Did you mean" suggestions: the closest candidate by edit distance, comparing
 * names case-insensitively with camelCase and dashes folded to snake_case (so
 * `minCount` and `min-count` find `min_count`).
 */

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
    }
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[n]!;
}

function fold(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();
}

/**
 * The candidate closest to `word`, or undefined when none is close enough to be a
 * plausible typo (distance above max(2, a third of the word's length)).
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = fold(word);
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, fold(c));
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(w.length / 3));
  return bestD <= limit ? best : undefined;
}

/** ` did you mean "x"?` or the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : `; did you mean "${c}"?`;
}

/** "a", "b" and "c" — for hints listing the valid choices. */
export function listOf(items: readonly string[], max = 20): string {
  const q = items.slice(0, max).map((s) => `"${s}"`);
  if (items.length > max) q.push(`... (${items.length - max} more)`);
  if (q.length <= 1) return q.join('');
  return q.slice(0, -1).join(', ') + ' and ' + q[q.length - 1];
}
