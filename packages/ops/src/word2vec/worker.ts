/**
 * Piscina worker of the word2vec operator: trains on one share of the corpus for
 * all epochs, updating the shared input and output matrices without locks
 * (Hogwild), with fastText's update rules (fasttext.cc, model.cc, loss.cc):
 *
 * - hidden = mean of the input rows of the inputs (a word's own row and its n-gram
 *   rows for skip-gram: the center word's as fastText, or with skipgramInput
 *   'context' each context word's, predicting the center, as word2vec and gensim;
 *   all those of the context words for CBOW);
 * - the loss adds to grad and updates the output rows: negative sampling (one
 *   positive, `neg` negatives from the unigram table), hierarchical softmax (the
 *   binary codes of the target's path in the Huffman tree) or full softmax;
 * - grad is added to every input row (not divided by their number, as fastText
 *   does for unsupervised models).
 *
 * The learning rate is lr - (lr - minLr) * progress, progress counted over all
 * threads' words: to 0 as fastText does (minLr 0), or to gensim's min_alpha. No allocation per token: every buffer is made once.
 */

import type { WasmMemory, WasmModule } from '../kernels/wasm-asm.js';
import { instantiateWord2VecKernel, MAX_LINE, type ThreadScratch, type Word2VecKernel } from './kernel.js';

/** The generated kernel of a job (see kernel.ts): when given, the lines are trained by it. */
export interface Word2VecWasm {
  job: number;
  module: WasmModule;
  memory: WasmMemory;
  scratch: ThreadScratch;
}

export interface Word2VecTask {
  /** Input matrix: rows x dim (words, then n-gram buckets). */
  input: Float32Array;
  /** Output matrix: nwords x dim. */
  output: Float32Array;
  dim: number;
  /** Vocabulary ranks with DOC_END (-1) between documents. */
  corpus: Int32Array;
  start: number;
  end: number;
  /** Input rows of each word: rows[offsets[w] .. offsets[w+1]). */
  rowOffsets: Int32Array;
  rows: Int32Array;
  /** Probability of keeping each word (subsampling). */
  keep: Float32Array;
  model: 'skipgram' | 'cbow';
  /** Skip-gram: the center word's rows predict the context word (fastText) or the context word's the center (word2vec). */
  skipgramInput: 'center' | 'context';
  loss: 'ns' | 'hs' | 'softmax';
  ws: number;
  neg: number;
  /** A negative drawn equal to the target: drawn again (fastText) or dropped (word2vec C, gensim). */
  negTarget: 'redraw' | 'skip';
  lr: number;
  /** The learning rate at the end of training (0 as fastText; gensim's min_alpha). */
  minLr: number;
  /** Passes over the share in this task (the op runs one task per thread and epoch). */
  epoch: number;
  negTable: Int32Array;
  /** Hierarchical softmax: for word w, its path's output rows and codes at pathOffsets[w] .. pathOffsets[w+1]. */
  pathOffsets: Int32Array;
  paths: Int32Array;
  codes: Uint8Array;
  /** Words of the whole corpus times epochs (the progress denominator). */
  totalWords: number;
  /** Per thread at index*3: words processed in all tasks so far, then this task's loss sum and count. */
  stats: Float64Array;
  index: number;
  seed: number;
  /** Non-zero: stop (cancelled, or another thread diverged). */
  stop: Int32Array;
  wasm?: Word2VecWasm;
}

const SIGMOID_CLAMP = 8;
const DOC_END = -1;

let current: { job: number; kernel: Word2VecKernel } | undefined;

export default function train(task: Word2VecTask): { diverged: boolean } {
  return task.wasm ? trainWasm(task, task.wasm) : trainTypeScript(task);
}

/** xorshift128+ style generator in 32-bit halves (deterministic per seed and thread). */
function generator(seed: number, index: number): () => number {
  let r0 = (seed ^ 0x9e3779b9) | 0;
  let r1 = (Math.imul(seed + index + 1, 0x85ebca6b) ^ 0x27d4eb2f) | 0;
  if (r0 === 0 && r1 === 0) r1 = 1;
  return (): number => {
    let x = r0;
    const y = r1;
    r0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    r1 = x;
    return (r1 + y) >>> 0;
  };
}

/** The same loop as trainTypeScript, each line trained by the generated kernel. */
function trainWasm(task: Word2VecTask, w: Word2VecWasm): { diverged: boolean } {
  if (!current || current.job !== w.job) current = { job: w.job, kernel: instantiateWord2VecKernel(w.module, w.memory) };
  const kernel = current.kernel;
  const nextU32 = generator(task.seed, task.index);
  const uniform = (): number => nextU32() / 4294967296;
  kernel.init(w.scratch.hidden, w.scratch.grad, w.scratch.line, w.scratch.bow, nextU32() | 0, nextU32() % task.negTable.length);
  const line = new Int32Array(w.memory.buffer, w.scratch.line, MAX_LINE);
  const loss = { sum: 0, count: 0 };
  return runLines(task, line, uniform, loss, (n, lr) => {
    if (n === 0) return;
    loss.sum += kernel.line(n, lr);
    loss.count += kernel.updates.value;
  });
}

function trainTypeScript(task: Word2VecTask): { diverged: boolean } {
  const { input, output, dim, rowOffsets, rows, ws, neg, negTable, pathOffsets, paths, codes } = task;
  const cbow = task.model === 'cbow';
  const fromContext = task.skipgramInput === 'context';
  const skipNegTarget = task.negTarget === 'skip';
  const lossKind = task.loss === 'ns' ? 0 : task.loss === 'hs' ? 1 : 2;
  const nwords = rowOffsets.length - 1;
  const hidden = new Float32Array(dim);
  const grad = new Float32Array(dim);
  const line = new Int32Array(MAX_LINE);
  const bow = new Int32Array(1024 * 2);
  let bowRows = bow;
  const scores = lossKind === 2 ? new Float32Array(nwords) : new Float32Array(0);
  const tableSize = negTable.length;
  const nextU32 = generator(task.seed, task.index);
  const uniform = (): number => nextU32() / 4294967296;
  let negPos = nextU32() % tableSize;

  const loss = { sum: 0, count: 0 };
  let lr = task.lr;

  // One binary logistic unit (fastText's BinaryLogisticLoss::binaryLogistic).
  const binaryLogistic = (target: number, label: boolean): number => {
    const o = target * dim;
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += output[o + j]! * hidden[j]!;
    const score = dot < -SIGMOID_CLAMP ? 0 : dot > SIGMOID_CLAMP ? 1 : 1 / (1 + Math.exp(-dot));
    const alpha = lr * ((label ? 1 : 0) - score);
    for (let j = 0; j < dim; j++) {
      const w = output[o + j]!;
      grad[j] += alpha * w;
      output[o + j] = w + alpha * hidden[j]!;
    }
    return label ? -Math.log(score + 1e-5) : -Math.log(1 - score + 1e-5);
  };

  const update = (inRows: Int32Array, from: number, to: number, target: number): void => {
    hidden.fill(0);
    const nIn = to - from;
    for (let k = from; k < to; k++) {
      const o = inRows[k]! * dim;
      for (let j = 0; j < dim; j++) hidden[j] += input[o + j]!;
    }
    const inv = 1 / nIn;
    for (let j = 0; j < dim; j++) hidden[j] *= inv;
    grad.fill(0);
    let unitLoss = 0;
    if (lossKind === 0) {
      unitLoss += binaryLogistic(target, true);
      for (let n = 0; n < neg; n++) {
        let negative: number;
        if (skipNegTarget) {
          negative = negTable[negPos]!;
          negPos = negPos + 1 === tableSize ? 0 : negPos + 1;
          if (negative === target) continue;
        } else {
          do {
            negative = negTable[negPos]!;
            negPos = negPos + 1 === tableSize ? 0 : negPos + 1;
          } while (negative === target && nwords > 1);
        }
        unitLoss += binaryLogistic(negative, false);
      }
    } else if (lossKind === 1) {
      for (let k = pathOffsets[target]!, e = pathOffsets[target + 1]!; k < e; k++) unitLoss += binaryLogistic(paths[k]!, codes[k] === 1);
    } else {
      let max = -Infinity;
      for (let i = 0; i < nwords; i++) {
        const o = i * dim;
        let dot = 0;
        for (let j = 0; j < dim; j++) dot += output[o + j]! * hidden[j]!;
        scores[i] = dot;
        if (dot > max) max = dot;
      }
      let z = 0;
      for (let i = 0; i < nwords; i++) {
        const v = Math.exp(scores[i]! - max);
        scores[i] = v;
        z += v;
      }
      for (let i = 0; i < nwords; i++) {
        const p = scores[i]! / z;
        const alpha = lr * ((i === target ? 1 : 0) - p);
        const o = i * dim;
        for (let j = 0; j < dim; j++) {
          const w = output[o + j]!;
          grad[j] += alpha * w;
          output[o + j] = w + alpha * hidden[j]!;
        }
      }
      unitLoss = -Math.log(scores[target]! / z + 1e-5);
    }
    loss.sum += unitLoss;
    loss.count++;
    for (let k = from; k < to; k++) {
      const o = inRows[k]! * dim;
      for (let j = 0; j < dim; j++) input[o + j] += grad[j]!;
    }
  };

  return runLines(task, line, uniform, loss, (n, lrNow) => {
    lr = lrNow;
    if (cbow) {
      for (let w = 0; w < n; w++) {
        const boundary = 1 + (nextU32() % ws);
        let nb = 0;
        for (let c = -boundary; c <= boundary; c++) {
          if (c === 0 || w + c < 0 || w + c >= n) continue;
          const word = line[w + c]!;
          const a = rowOffsets[word]!;
          const b = rowOffsets[word + 1]!;
          if (nb + b - a > bowRows.length) {
            const bigger = new Int32Array(Math.max(bowRows.length * 2, nb + b - a));
            bigger.set(bowRows.subarray(0, nb));
            bowRows = bigger;
          }
          for (let k = a; k < b; k++) bowRows[nb++] = rows[k]!;
        }
        if (nb > 0) update(bowRows, 0, nb, line[w]!);
      }
    } else {
      for (let w = 0; w < n; w++) {
        const boundary = 1 + (nextU32() % ws);
        const word = line[w]!;
        const a = rowOffsets[word]!;
        const b = rowOffsets[word + 1]!;
        for (let c = -boundary; c <= boundary; c++) {
          if (c === 0 || w + c < 0 || w + c >= n) continue;
          const other = line[w + c]!;
          if (fromContext) update(rows, rowOffsets[other]!, rowOffsets[other + 1]!, word);
          else update(rows, a, b, other);
        }
      }
    }
  });
}

/**
 * The loop both kernels share: task.epoch passes over the share, a line at a time
 * (read and subsampled, learning rate lr - (lr - minLr) * progress over all threads' words,
 * then trainLine), words and loss published in stats after each line; a NaN loss
 * stops every thread.
 */
function runLines(task: Word2VecTask, line: Int32Array, uniform: () => number, loss: { sum: number; count: number }, trainLine: (n: number, lr: number) => void): { diverged: boolean } {
  const { corpus, start, end, keep, stats, stop } = task;
  const s = task.index * 3;
  const cur = { n: 0, read: 0 };
  let words = stats[s]!; // words of earlier epochs (stats persist across tasks)
  for (let ep = 0; ep < task.epoch; ep++) {
    let pos = start;
    while (pos < end) {
      if (Atomics.load(stop, 0) !== 0) return { diverged: false };
      pos = readLine(corpus, pos, end, keep, uniform, line, cur);
      words += cur.read;
      const progress = Math.min(1, (words + othersWords(stats, task.index)) / task.totalWords);
      trainLine(cur.n, task.lr - (task.lr - task.minLr) * progress);
      stats[s] = words;
      stats[s + 1] = loss.sum;
      stats[s + 2] = loss.count;
      if (loss.sum !== loss.sum) {
        Atomics.store(stop, 0, 2);
        return { diverged: true };
      }
    }
  }
  stats[s] = words;
  return { diverged: false };
}

/**
 * Read one line from `pos`: up to MAX_LINE kept words (subsampled with `keep`), a
 * document end, or the end of the share. Sets cur.n (words kept, in `line`) and
 * cur.read (words read); returns the position after the line.
 */
function readLine(corpus: Int32Array, pos: number, end: number, keep: Float32Array, uniform: () => number, line: Int32Array, cur: { n: number; read: number }): number {
  let n = 0;
  let read = 0;
  while (pos < end && n < MAX_LINE) {
    const w = corpus[pos++]!;
    if (w === DOC_END) break;
    read++;
    if (keep[w]! >= 1 || uniform() < keep[w]!) line[n++] = w;
  }
  cur.n = n;
  cur.read = read;
  return pos;
}

function othersWords(stats: Float64Array, me: number): number {
  let sum = 0;
  for (let i = 0; i < stats.length; i += 3) if (i !== me * 3) sum += stats[i]!;
  return sum;
}
