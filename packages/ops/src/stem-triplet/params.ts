/**
 * Parameters of the stem-triplet operator: word vectors from the characters of a
 * word, trained so that words sharing a Porter stem are near in cosine (a triplet
 * margin loss), and measured on stems held out of training.
 */
import { WordloomError } from '@wordloom/core';
import type { ParamSpecs } from '../op.js';

export interface StemTripletParams {
  /** Text whose words make the vocabulary (whitespace-separated tokens; .gz is read through gunzip). */
  input: string;
  min_count: number;
  /** Shortest word kept (characters). */
  min_length: number;
  /** Longest word kept (characters). */
  max_length: number;
  /** Fraction of the stems (with all their words) held out of training and measured on. */
  held_out: number;
  embed_dim: number;
  hidden: number;
  /** Size of the word vectors (the linear layer's output). */
  dim: number;
  layers: number;
  reverse: boolean;
  dropout: number;
  margin: number;
  epoch: number;
  lr: number;
  batch: number;
  optimizer: 'sparse_adam' | 'lazy_adam';
  kernels: 'auto' | 'simd' | 'typescript';
  seed?: number;
  /** Write the vectors of every vocabulary word here (word2vec text format). */
  output?: string;
}

export const stemTripletParamSpecs = {
  input: { type: 'path', doc: 'text whose lowercased alphabetic words (a-z) make the vocabulary, e.g. WikiText-2 train (.gz is read through gunzip)', mustExist: true },
  min_count: { type: 'int', doc: 'keep words seen at least this many times', default: 5, min: 1 },
  min_length: { type: 'int', doc: 'keep words of at least this many letters', default: 3, min: 1 },
  max_length: { type: 'int', doc: 'keep words of at most this many letters', default: 24, min: 1, max: 1000 },
  held_out: { type: 'number', doc: 'fraction of the stems (with all their words) held out of training; precision@1 and ROC AUC are measured on them', default: 0.2, min: 0, max: 0.9 },
  embed_dim: { type: 'int', doc: 'size of the character embeddings', default: 16, min: 1, max: 1024 },
  hidden: { type: 'int', doc: 'size of the GRU state', default: 64, min: 1, max: 4096 },
  dim: { type: 'int', doc: 'size of the word vectors (the linear layer after the GRU)', default: 32, min: 1, max: 4096 },
  layers: { type: 'int', doc: 'stacked GRU layers', default: 1, min: 1, max: 8 },
  reverse: { type: 'boolean', doc: 'read each word from its last letter to its first (the suffixes that stems drop come first)', default: true },
  dropout: { type: 'number', doc: 'dropout probability on the character embeddings while training', default: 0.1, min: 0, max: 0.9 },
  margin: { type: 'number', doc: 'margin of the cosine triplet loss: cos(anchor, positive) must beat cos(anchor, negative) by it', default: 0.3, min: 0, max: 2 },
  epoch: { type: 'int', doc: 'passes over the training words (each one an anchor once a pass)', default: 5, min: 1 },
  lr: { type: 'number', doc: 'learning rate of Adam and of the sparse optimizer', default: 0.003, min: 0, exclusiveMin: true },
  batch: { type: 'int', doc: 'triplets per optimizer step', default: 64, min: 1, max: 4096 },
  optimizer: { type: 'enum', values: ['sparse_adam', 'lazy_adam'], doc: "optimizer of the character embedding's sparse rows (the rest gets Adam)", default: 'sparse_adam' },
  kernels: { type: 'enum', values: ['auto', 'simd', 'typescript'], doc: "the matrix products: 'auto' (WebAssembly SIMD where available), 'simd' or 'typescript'", default: 'auto' },
  seed: { type: 'int', doc: 'seed of the split, the initialisation, the triplets and the dropout; default: the pipeline seed', optional: true },
  output: { type: 'path', output: true, doc: 'write the vectors of every vocabulary word (word2vec text format)', optional: true },
} satisfies ParamSpecs;

export const STEM_TRIPLET_DEFAULTS: Omit<StemTripletParams, 'input'> = {
  min_count: 5, min_length: 3, max_length: 24, held_out: 0.2, embed_dim: 16, hidden: 64, dim: 32, layers: 1, reverse: true, dropout: 0.1,
  margin: 0.3, epoch: 5, lr: 0.003, batch: 64, optimizer: 'sparse_adam', kernels: 'auto',
};

export function resolveStemTripletParams(p: Partial<StemTripletParams>): StemTripletParams {
  const out = { ...STEM_TRIPLET_DEFAULTS, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) } as StemTripletParams;
  for (const k of ['min_count', 'min_length', 'max_length', 'embed_dim', 'hidden', 'dim', 'layers', 'epoch', 'batch'] as const) {
    const v = out[k];
    const spec = stemTripletParamSpecs[k] as { min: number; max?: number };
    if (typeof v !== 'number' || !Number.isInteger(v) || v < spec.min || (spec.max !== undefined && v > spec.max)) {
      throw new WordloomError('E_PARAM', `${k} must be an integer from ${spec.min}${spec.max !== undefined ? ` to ${spec.max}` : ' up'}, got ${JSON.stringify(v)}`, { param: k });
    }
  }
  if (out.min_length > out.max_length) throw new WordloomError('E_PARAM', `min_length ${out.min_length} is more than max_length ${out.max_length}`, { param: 'min_length' });
  const num = (k: 'held_out' | 'dropout' | 'margin', lo: number, hi: number): void => {
    const v = out[k];
    if (!(typeof v === 'number' && v >= lo && v <= hi)) throw new WordloomError('E_PARAM', `${k} must be a number from ${lo} to ${hi}, got ${JSON.stringify(v)}`, { param: k });
  };
  num('held_out', 0, 0.9);
  num('dropout', 0, 0.9);
  num('margin', 0, 2);
  if (!(typeof out.lr === 'number' && out.lr > 0 && Number.isFinite(out.lr))) throw new WordloomError('E_PARAM', `lr must be a number > 0, got ${JSON.stringify(out.lr)}`, { param: 'lr' });
  if (typeof out.reverse !== 'boolean') throw new WordloomError('E_PARAM', `reverse must be true or false, got ${JSON.stringify(out.reverse)}`, { param: 'reverse' });
  if (out.optimizer !== 'sparse_adam' && out.optimizer !== 'lazy_adam') throw new WordloomError('E_PARAM', `unknown optimizer ${JSON.stringify(out.optimizer)}`, { param: 'optimizer' }, 'choose sparse_adam or lazy_adam');
  if (!['auto', 'simd', 'typescript'].includes(out.kernels)) throw new WordloomError('E_PARAM', `unknown kernels ${JSON.stringify(out.kernels)}`, { param: 'kernels' });
  return out;
}
