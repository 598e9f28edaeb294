/**
 * Supervised prediction as fastText computes it (predict, predict-prob, test):
 * the hidden vector is the mean of the line's input rows; the output layer is a
 * softmax, a hierarchical softmax over fastText's Huffman tree of label counts, or
 * one-vs-all sigmoids (through fastText's 512-entry sigmoid table). Scores are
 * log(p + 1e-5) in float32, so printed probabilities are p + 1e-5 as fastText prints them.
 */
import { WordloomError } from '@wordloom/core';
import { IntList } from './dictionary.js';
import { averageRows, type Matrix } from './matrix.js';
import type { FastTextModel } from './model.js';
import { formatG } from './format.js';

const fround = Math.fround;

/** fastText's std_log: log(x + 1e-5) in float32. */
export function stdLog(x: number): number {
  return fround(Math.log(fround(x) + 1e-5));
}

const SIGMOID_TABLE_SIZE = 512;
const MAX_SIGMOID = 8;
let sigmoidTable: Float32Array | undefined;

/** fastText's table sigmoid (used by one-vs-all prediction). */
export function tableSigmoid(x: number): number {
  if (!sigmoidTable) {
    sigmoidTable = new Float32Array(SIGMOID_TABLE_SIZE + 1);
    for (let i = 0; i <= SIGMOID_TABLE_SIZE; i++) {
      const xi = fround(fround((i * 2 * MAX_SIGMOID) / SIGMOID_TABLE_SIZE) - MAX_SIGMOID);
      sigmoidTable[i] = 1 / (1 + fround(Math.exp(-xi)));
    }
  }
  if (x < -MAX_SIGMOID) return 0;
  if (x > MAX_SIGMOID) return 1;
  const i = Math.trunc(fround(fround(fround(fround(x + MAX_SIGMOID) * SIGMOID_TABLE_SIZE) / MAX_SIGMOID) / 2));
  return sigmoidTable[i]!;
}

/** fastText's Huffman tree over label (or word) counts, sorted by count descending. */
export interface HuffmanTree {
  /** Leaves 0..n-1, inner nodes n..2n-2 (root 2n-2); -1 for none. */
  left: Int32Array;
  right: Int32Array;
  parent: Int32Array;
  /** true for the right child of its parent (the bit of its code). */
  binary: Uint8Array;
  count: Float64Array;
}

export function buildHuffmanTree(counts: ArrayLike<number>): HuffmanTree {
  const osz = counts.length;
  const nn = Math.max(1, 2 * osz - 1);
  const t: HuffmanTree = {
    left: new Int32Array(nn).fill(-1),
    right: new Int32Array(nn).fill(-1),
    parent: new Int32Array(nn).fill(-1),
    binary: new Uint8Array(nn),
    count: new Float64Array(nn).fill(1e15),
  };
  for (let i = 0; i < osz; i++) t.count[i] = counts[i]!;
  let leaf = osz - 1;
  let node = osz;
  for (let i = osz; i < 2 * osz - 1; i++) {
    const mini = [0, 0];
    for (let j = 0; j < 2; j++) {
      if (leaf >= 0 && t.count[leaf]! < t.count[node]!) mini[j] = leaf--;
      else mini[j] = node++;
    }
    t.left[i] = mini[0]!;
    t.right[i] = mini[1]!;
    t.count[i] = t.count[mini[0]!]! + t.count[mini[1]!]!;
    t.parent[mini[0]!] = i;
    t.parent[mini[1]!] = i;
    t.binary[mini[1]!] = 1;
  }
  // counts out of order or beyond fastText's 1e15 sentinel would make a node its own descendant
  for (let i = osz; i < 2 * osz - 1; i++) {
    if (!(t.left[i]! < i && t.right[i]! < i)) {
      throw new WordloomError('E_INPUT', `the counts of the ${osz} labels do not make a tree (a count is negative or beyond 1e15)`, {}, 'the model file is damaged');
    }
  }
  return t;
}

export interface FastTextPrediction {
  /** Label index (0-based among the labels). */
  index: number;
  label: string;
  /** exp(score): the probability plus 1e-5, as fastText prints it. */
  prob: number;
  /** log(p + 1e-5) in float32 (fastText's score). */
  score: number;
}

/**
 * The k best (score, index) pairs, kept in a heap exactly as fastText keeps them
 * (libstdc++'s push_heap / pop_heap / sort_heap with "greater score first"), so
 * that equal scores come out in fastText's order too.
 */
class TopK {
  s: number[] = [];
  i: number[] = [];
  constructor(readonly k: number) {}
  get full(): boolean {
    return this.s.length === this.k;
  }
  /** The smallest score kept (the heap's front). */
  get min(): number {
    return this.s[0]!;
  }
  // comp(a, b) = score a > score b
  private siftUp(hole: number, top: number, vs: number, vi: number): void {
    let parent = (hole - 1) >> 1;
    while (hole > top && this.s[parent]! > vs) {
      this.s[hole] = this.s[parent]!;
      this.i[hole] = this.i[parent]!;
      hole = parent;
      parent = (hole - 1) >> 1;
    }
    this.s[hole] = vs;
    this.i[hole] = vi;
  }
  private adjust(hole: number, len: number, vs: number, vi: number): void {
    const top = hole;
    let child = hole;
    while (child < ((len - 1) >> 1)) {
      child = 2 * (child + 1);
      if (this.s[child]! > this.s[child - 1]!) child--;
      this.s[hole] = this.s[child]!;
      this.i[hole] = this.i[child]!;
      hole = child;
    }
    if ((len & 1) === 0 && child === ((len - 2) >> 1)) {
      child = 2 * (child + 1);
      this.s[hole] = this.s[child - 1]!;
      this.i[hole] = this.i[child - 1]!;
      hole = child - 1;
    }
    this.siftUp(hole, top, vs, vi);
  }
  /** Move the front to position last-1 and restore the heap on [0, last-1). */
  private popTo(last: number): void {
    if (last <= 1) return;
    const r = last - 1;
    const vs = this.s[r]!;
    const vi = this.i[r]!;
    this.s[r] = this.s[0]!;
    this.i[r] = this.i[0]!;
    this.adjust(0, r, vs, vi);
  }
  push(score: number, index: number): void {
    this.s.push(score);
    this.i.push(index);
    this.siftUp(this.s.length - 1, 0, score, index);
    if (this.s.length > this.k) {
      this.popTo(this.s.length);
      this.s.pop();
      this.i.pop();
    }
  }
  sorted(): { score: number; index: number }[] {
    for (let last = this.s.length; last > 1; last--) this.popTo(last);
    return this.s.map((score, j) => ({ score, index: this.i[j]! }));
  }
}

export class FastTextPredictor {
  readonly model: FastTextModel;
  private wo: Matrix;
  private tree?: HuffmanTree;
  private hidden: Float32Array;
  private output: Float32Array;
  private rows = new IntList(256);
  private labels = new IntList(8);

  constructor(model: FastTextModel) {
    if (!model.supervised) {
      throw new WordloomError('E_INPUT', `this is a ${model.args.model} model: only supervised models predict labels`, { file: model.name }, 'train one with `fasttext supervised` or `wordloom classify train`');
    }
    if (!model.output) throw new WordloomError('E_STATE', 'the model was read without its output matrix (output: false)', { file: model.name });
    if (model.dict.nlabels === 0) throw new WordloomError('E_INPUT', 'this supervised model has no labels to predict', { file: model.name });
    this.model = model;
    this.wo = model.output;
    this.hidden = new Float32Array(model.dim);
    this.output = new Float32Array(model.dict.nlabels);
    if (model.args.loss === 'hs') {
      try {
        this.tree = buildHuffmanTree(model.dict.labelCounts());
      } catch (e) {
        throw new WordloomError('E_INPUT', `dictionary: ${(e as Error).message.split('\n')[0]}`, { file: model.name }, 'the model file is damaged');
      }
    }
    if (model.args.loss === 'ns') {
      throw new WordloomError('E_INPUT', 'a supervised model with negative sampling loss cannot predict (fastText does not either)', { file: model.name });
    }
  }

  /**
   * The k best labels of the input rows (scores >= threshold), best first, as
   * fastText's predict gives them. Empty input gives no predictions.
   */
  predictRows(rows: Int32Array, count: number, k: number, threshold = 0): FastTextPrediction[] {
    if (count === 0) return [];
    const nl = this.model.dict.nlabels;
    if (k === -1) k = nl; // fastText: -1 means every label
    else if (!Number.isInteger(k) || k <= 0) throw new WordloomError('E_PARAM', `k must be 1 or higher (or -1 for every label), got ${k}`, { param: 'k' });
    k = Math.min(k, Math.max(1, nl));
    averageRows(this.model.input, rows, count, this.hidden);
    const top = new TopK(k);
    const loss = this.model.args.loss;
    if (loss === 'hs') {
      this.dfs(top, threshold, 2 * nl - 2, 0);
    } else {
      const out = this.output;
      for (let i = 0; i < nl; i++) out[i] = this.wo.dotRow(this.hidden, i);
      if (loss === 'softmax') {
        let max = out[0]!;
        for (let i = 0; i < nl; i++) if (out[i]! > max) max = out[i]!;
        let z = 0;
        for (let i = 0; i < nl; i++) {
          out[i] = fround(Math.exp(fround(out[i]! - max)));
          z = fround(z + out[i]!);
        }
        for (let i = 0; i < nl; i++) out[i] = fround(out[i]! / z);
      } else {
        for (let i = 0; i < nl; i++) out[i] = tableSigmoid(out[i]!);
      }
      for (let i = 0; i < nl; i++) {
        if (out[i]! < threshold) continue;
        const s = stdLog(out[i]!);
        if (top.full && s < top.min) continue;
        top.push(s, i);
      }
    }
    return top.sorted().map(({ score, index }) => ({ index, score, label: this.model.dict.label(index), prob: fround(Math.exp(score)) }));
  }

  /** fastText's depth-first search of the tree, with an explicit stack (left child first, as its recursion). */
  private dfs(top: TopK, threshold: number, root: number, rootScore: number): void {
    const t = this.tree!;
    const nl = this.model.dict.nlabels;
    const minScore = stdLog(threshold);
    const nodes: number[] = [root];
    const scores: number[] = [rootScore];
    while (nodes.length) {
      const node = nodes.pop()!;
      const score = scores.pop()!;
      if (score < minScore) continue;
      if (top.full && score < top.min) continue;
      if (t.left[node] === -1 && t.right[node] === -1) {
        top.push(score, node);
        continue;
      }
      const d = this.wo.dotRow(this.hidden, node - nl);
      const f = fround(1 / fround(1 + fround(Math.exp(-d))));
      nodes.push(t.right[node]!, t.left[node]!);
      scores.push(fround(score + stdLog(f)), fround(score + stdLog(1 - f)));
    }
  }

  /** Predictions for one line of text (UTF-8 bytes without its newline); `eos` adds the `</s>` fastText reads for the newline. */
  predictLine(line: Uint8Array, k = 1, threshold = 0, eos = true): FastTextPrediction[] {
    this.model.dict.lineRows(line, eos, this.rows, this.labels);
    return this.predictRows(this.rows.data, this.rows.length, k, threshold);
  }

  /** The line's input rows and gold labels (fastText's getLine), e.g. for test. */
  line(line: Uint8Array, eos: boolean): { rows: IntList; labels: IntList } {
    this.model.dict.lineRows(line, eos, this.rows, this.labels);
    return { rows: this.rows, labels: this.labels };
  }
}

/** Each line of a text (UTF-8 bytes) as [start, end, endsWithNewline]; a last line without newline counts when not empty. */
export function* textLines(data: Uint8Array): Generator<[number, number, boolean]> {
  let s = 0;
  while (s < data.length) {
    let e = data.indexOf(0x0a, s);
    if (e < 0) {
      yield [s, data.length, false];
      return;
    }
    yield [s, e, true];
    s = e + 1;
  }
}

/** Lines as `fasttext predict` / `predict-prob` prints them ("__label__a 0.9 __label__b 0.1"). */
export function formatPredictions(preds: FastTextPrediction[], withProb: boolean): string {
  return preds.map((p) => (withProb ? `${p.label} ${formatG(p.prob, 6)}` : p.label)).join(' ');
}

export interface FastTextTestResult {
  /** Lines with at least one known label and one input row. */
  n: number;
  k: number;
  precision: number;
  recall: number;
  /** Counts behind the figures. */
  predicted: number;
  gold: number;
  predictedGold: number;
}

/** fastText's test: precision and recall at k over the labelled lines of `data`. */
export function testSupervised(predictor: FastTextPredictor, data: Uint8Array, k = 1, threshold = 0): FastTextTestResult {
  let n = 0;
  let predicted = 0;
  let gold = 0;
  let predictedGold = 0;
  for (const [s, e, nl] of textLines(data)) {
    const { rows, labels } = predictor.line(data.subarray(s, e), nl);
    if (labels.length === 0 || rows.length === 0) continue;
    const gl = labels.toArray();
    const preds = predictor.predictRows(rows.data, rows.length, k, threshold);
    n++;
    gold += gl.length;
    predicted += preds.length;
    for (const p of preds) if (gl.includes(p.index)) predictedGold++;
  }
  return { n, k, precision: predicted ? predictedGold / predicted : NaN, recall: gold ? predictedGold / gold : NaN, predicted, gold, predictedGold };
}

/** The three lines `fasttext test` prints. */
export function formatTestResult(r: FastTextTestResult): string {
  return `N\t${r.n}\nP@${r.k}\t${formatG(r.precision, 3)}\nR@${r.k}\t${formatG(r.recall, 3)}\n`;
}
