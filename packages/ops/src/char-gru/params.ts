/**
 * Parameters of the char-gru operator: a character-level GRU text classifier
 * (embedding -> GRU -> linear softmax over the characters of a text).
 */
import { WordloomError } from '@wordloom/core';
import type { ParamSpecs } from '../op.js';

export type CharGRUSparseOptimizer = 'sparse_adam' | 'lazy_adam';

export interface CharGRUParams {
  /** Training text in fastText's format (labels as tokens starting with label_prefix). */
  input?: string;
  /** A file with the label(s) of each line of input. */
  labels?: string;
  /** Label -> file: every line of the file is an example of that label. */
  classes?: Record<string, string>;
  label_prefix: string;
  test_fraction: number;
  embed_dim: number;
  hidden: number;
  layers: number;
  /** Read each text from its last character to its first. */
  reverse: boolean;
  epoch: number;
  lr: number;
  batch: number;
  /** Characters seen fewer times in the training texts read as the unknown character. */
  min_count: number;
  /** Texts longer than this many characters are cut to their first max_length. */
  max_length: number;
  optimizer: CharGRUSparseOptimizer;
  /** The matrix products: 'auto' (WebAssembly SIMD where available), 'simd' or 'typescript'. */
  kernels: 'auto' | 'simd' | 'typescript';
  /** Threads that run each batch's parts side by side (default: the pipeline's threads). */
  threads?: number;
  seed?: number;
  output?: string;
}

export const charGruParamSpecs = {
  input: { type: 'path', doc: "training text, fastText's format: one example a line, its labels as tokens starting with label_prefix", optional: true, mustExist: true },
  labels: { type: 'path', doc: 'a file with the label of each line of input, one line each (then input holds only text)', optional: true, mustExist: true },
  classes: { type: 'map', doc: 'label -> file: every line of the file is an example of that label, e.g. { pos: rt-polarity.pos, neg: rt-polarity.neg }', optional: true },
  label_prefix: { type: 'string', doc: 'prefix of label tokens', default: '__label__' },
  test_fraction: { type: 'number', doc: 'hold out this fraction of the examples (seeded shuffle) and report accuracy on them; 0 = train on everything', default: 0.1, min: 0, max: 0.9 },
  embed_dim: { type: 'int', doc: 'size of the character embeddings', default: 16, min: 1, max: 1024 },
  hidden: { type: 'int', doc: 'size of the GRU state', default: 64, min: 1, max: 4096 },
  layers: { type: 'int', doc: 'stacked GRU layers', default: 1, min: 1, max: 8 },
  reverse: { type: 'boolean', doc: 'read each text from its last character to its first', default: false },
  epoch: { type: 'int', doc: 'passes over the training examples (on rt-polarity the held-out accuracy levels off after about 10)', default: 10, min: 1 },
  lr: { type: 'number', doc: 'learning rate of Adam (dense layers) and of the sparse optimizer (embedding rows)', default: 0.003, min: 0, exclusiveMin: true },
  batch: { type: 'int', doc: 'texts per optimizer step (a packed batch; the last one of an epoch may be smaller)', default: 32, min: 1, max: 4096 },
  min_count: { type: 'int', doc: 'characters seen fewer times in the training texts are read as the unknown character', default: 1, min: 1 },
  max_length: { type: 'int', doc: 'texts longer than this many characters are cut to their first max_length (a count is logged)', default: 1024, min: 1 },
  optimizer: { type: 'enum', values: ['sparse_adam', 'lazy_adam'], doc: "optimizer of the embedding's sparse rows (the GRU and the linear layer get Adam): PyTorch's SparseAdam or TensorFlow Addons' LazyAdam", default: 'sparse_adam' },
  kernels: { type: 'enum', values: ['auto', 'simd', 'typescript'], doc: "the matrix products: 'auto' (WebAssembly SIMD where the runtime has it), 'simd' (an error without it) or 'typescript'", default: 'auto' },
  threads: { type: 'int', doc: "threads that run each batch's parts side by side, their gradients summed before each step (the same model as one thread's to float rounding; a seed and a thread count give the same model every run); default: the pipeline threads, at most batch", optional: true, min: 1, max: 256 },
  seed: { type: 'int', doc: 'seed of the initialisation, the split and the shuffles; default: the pipeline seed', optional: true },
  output: { type: 'path', output: true, doc: 'write the model to this file (wordloom char-gru format: see packages/ops/src/char-gru/model.ts)', optional: true },
} satisfies ParamSpecs;

export const CHAR_GRU_DEFAULTS: CharGRUParams = {
  label_prefix: '__label__',
  test_fraction: 0.1,
  embed_dim: 16,
  hidden: 64,
  layers: 1,
  reverse: false,
  epoch: 10,
  lr: 0.003,
  batch: 32,
  min_count: 1,
  max_length: 1024,
  optimizer: 'sparse_adam',
  kernels: 'auto',
};

/** Defaults filled in and every value checked (for calls from code; pipelines check against the specs first). */
export function resolveCharGRUParams(p: Partial<CharGRUParams>): CharGRUParams {
  const out = { ...CHAR_GRU_DEFAULTS, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) } as CharGRUParams;
  for (const k of ['embed_dim', 'hidden', 'layers', 'epoch', 'batch', 'min_count', 'max_length', 'threads'] as const) {
    const v = out[k];
    if (v === undefined && k === 'threads') continue;
    const spec = charGruParamSpecs[k] as { min: number; max?: number };
    if (typeof v !== 'number' || !Number.isInteger(v) || v < spec.min || (spec.max !== undefined && v > spec.max)) {
      throw new WordloomError('E_PARAM', `${k} must be an integer from ${spec.min}${spec.max !== undefined ? ` to ${spec.max}` : ' up'}, got ${JSON.stringify(v)}`, { param: k });
    }
  }
  if (!(typeof out.lr === 'number' && out.lr > 0 && Number.isFinite(out.lr))) throw new WordloomError('E_PARAM', `lr must be a number > 0, got ${JSON.stringify(out.lr)}`, { param: 'lr' }, '0.001 to 0.01 suits Adam');
  if (!(out.test_fraction >= 0 && out.test_fraction <= 0.9)) throw new WordloomError('E_PARAM', `test_fraction must be from 0 to 0.9, got ${JSON.stringify(out.test_fraction)}`, { param: 'test_fraction' });
  if (typeof out.reverse !== 'boolean') throw new WordloomError('E_PARAM', `reverse must be true or false, got ${JSON.stringify(out.reverse)}`, { param: 'reverse' });
  if (out.optimizer !== 'sparse_adam' && out.optimizer !== 'lazy_adam') throw new WordloomError('E_PARAM', `unknown optimizer ${JSON.stringify(out.optimizer)}`, { param: 'optimizer' }, 'choose sparse_adam or lazy_adam');
  if (!['auto', 'simd', 'typescript'].includes(out.kernels)) throw new WordloomError('E_PARAM', `unknown kernels ${JSON.stringify(out.kernels)}`, { param: 'kernels' }, 'choose auto, simd or typescript');
  return out;
}
