/**
 * Agreement of a clustering with known labels, as scikit-learn computes them
 * (sklearn.metrics): adjusted Rand index, normalized mutual information with the
 * arithmetic mean of the entropies (sklearn's default), and purity. Labels are any
 * integers; -1 (noise) counts as one more label, as in sklearn.
 */
import { WordloomError } from '@wordloom/core';

type Labels = ArrayLike<number>;

interface Table {
  n: number;
  /** Non-zero cells as counts, with their row (truth) and column (prediction). */
  cells: number[];
  cellRow: number[];
  cellCol: number[];
  rowSums: number[];
  colSums: number[];
}

function contingency(truth: Labels, pred: Labels): Table {
  if (truth.length !== pred.length) throw new WordloomError('E_PARAM', `label arrays differ in length: ${truth.length} vs ${pred.length}`);
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  const rowSums: number[] = [];
  const colSums: number[] = [];
  const cellIndex = new Map<number, number>();
  const cells: number[] = [];
  const cellRow: number[] = [];
  const cellCol: number[] = [];
  const n = truth.length;
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    let r = rows.get(truth[i]!);
    if (r === undefined) {
      r = rowSums.length;
      rows.set(truth[i]!, r);
      rowSums.push(0);
    }
    let c = cols.get(pred[i]!);
    if (c === undefined) {
      c = colSums.length;
      cols.set(pred[i]!, c);
      colSums.push(0);
    }
    rowSums[r]!++;
    colSums[c]!++;
    ids.push(r, c);
  }
  const nc = colSums.length;
  for (let i = 0; i < n; i++) {
    const r = ids[2 * i]!;
    const c = ids[2 * i + 1]!;
    const key = r * nc + c;
    let x = cellIndex.get(key);
    if (x === undefined) {
      x = cells.length;
      cellIndex.set(key, x);
      cells.push(0);
      cellRow.push(r);
      cellCol.push(c);
    }
    cells[x]!++;
  }
  return { n, cells, cellRow, cellCol, rowSums, colSums };
}

/** Adjusted Rand index (Hubert & Arabie), sklearn's adjusted_rand_score: 1 = same partition, ~0 = chance. */
export function adjustedRandIndex(truth: Labels, pred: Labels): number {
  const t = contingency(truth, pred);
  const n = t.n;
  // sklearn's pair confusion matrix (ordered pairs).
  let sumSq = 0;
  for (const c of t.cells) sumSq += c * c;
  let sumRow = 0;
  for (const r of t.rowSums) sumRow += r * r;
  let sumCol = 0;
  for (const c of t.colSums) sumCol += c * c;
  const tp = sumSq - n;
  const fp = sumCol - sumSq; // pairs together in pred, apart in truth
  const fn = sumRow - sumSq;
  const tn = n * n - fp - fn - sumSq;
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

function entropy(sums: number[], n: number): number {
  let h = 0;
  for (const s of sums) if (s > 0) h -= (s / n) * Math.log(s / n);
  return h;
}

/** Normalized mutual information, arithmetic normalisation: sklearn's normalized_mutual_info_score default. */
export function normalizedMutualInfo(truth: Labels, pred: Labels): number {
  const t = contingency(truth, pred);
  const n = t.n;
  if ((t.rowSums.length === 1 && t.colSums.length === 1) || n === 0) return 1;
  let mi = 0;
  for (let x = 0; x < t.cells.length; x++) {
    const c = t.cells[x]!;
    const a = t.rowSums[t.cellRow[x]!]!;
    const b = t.colSums[t.cellCol[x]!]!;
    mi += (c / n) * (Math.log(c) + Math.log(n) - Math.log(a) - Math.log(b));
  }
  mi = Math.max(mi, 0);
  const hu = entropy(t.rowSums, n);
  const hv = entropy(t.colSums, n);
  const norm = Math.max((hu + hv) / 2, Number.EPSILON);
  return mi / norm;
}

/** Purity: each predicted cluster counts its most common true label; the share of points so counted. */
export function purity(truth: Labels, pred: Labels): number {
  const t = contingency(truth, pred);
  if (t.n === 0) return 1;
  const best = new Array<number>(t.colSums.length).fill(0);
  for (let x = 0; x < t.cells.length; x++) best[t.cellCol[x]!] = Math.max(best[t.cellCol[x]!]!, t.cells[x]!);
  return best.reduce((s, v) => s + v, 0) / t.n;
}

export interface ClusterQuality {
  ari: number;
  nmi: number;
  purity: number;
}

export function clusterQuality(truth: Labels, pred: Labels): ClusterQuality {
  return { ari: adjustedRandIndex(truth, pred), nmi: normalizedMutualInfo(truth, pred), purity: purity(truth, pred) };
}
