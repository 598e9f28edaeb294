/**
 * Parameters of the subwords operator: fastText's n-gram settings (-minn, -maxn,
 * -bucket) plus the learning settings.
 *
 * Memory: the n-gram rows take bucket x dim x 4 bytes (the default 200,000
 * buckets of 50-dimensional vectors: 40 MB; of 300-dimensional: 240 MB); while
 * learning, the Adam family keeps two more arrays of that size and Adagrad one.
 * 200,000 buckets leave most n-grams of a 10^4-10^5-word vocabulary (about 10-15
 * distinct n-grams a word) a row of their own or a few sharers; fastText's own
 * default, 2,000,000, is made for millions of words.
 */
import type { ParamSpecs } from '../op.js';

export type SubwordsLoss = 'cosine' | 'squared';
export type SubwordsOptimizer = 'lazy_adam' | 'sparse_adam' | 'adagrad';
export const SUBWORDS_LOSSES: readonly SubwordsLoss[] = ['cosine', 'squared'];
export const SUBWORDS_OPTIMIZERS: readonly SubwordsOptimizer[] = ['lazy_adam', 'sparse_adam', 'adagrad'];

export interface SubwordsParams {
  /** A vectors file to learn from, when no `vectors` input is connected. */
  vectors?: string;
  /** Learn from the first N vectors only. */
  limit?: number;
  minn: number;
  maxn: number;
  bucket: number;
  epoch: number;
  lr: number;
  loss: SubwordsLoss;
  optimizer: SubwordsOptimizer;
  /** Learn the vectors minus their mean, then add the mean to every n-gram row. */
  center: boolean;
  /** Words per optimizer step. */
  batch: number;
  /** Fraction of the words hidden while learning (seeded), to measure how well unseen words are predicted. */
  holdout: number;
  threads?: number;
  seed?: number;
  /** Write the model as a fastText .bin (version 12). */
  output?: string;
}

export const subwordsParamSpecs = {
  vectors: { type: 'path', doc: 'read the vectors from this file (GloVe text, word2vec text or binary, .vec) instead of the vectors input', optional: true, mustExist: true },
  limit: { type: 'int', doc: 'only the first N vectors (the most frequent words of a frequency-sorted file)', optional: true, min: 1 },
  minn: { type: 'int', doc: "shortest character n-gram of <word> (fastText -minn)", default: 3, min: 1, max: 64 },
  maxn: { type: 'int', doc: "longest character n-gram of <word> (fastText -maxn)", default: 6, min: 1, max: 64 },
  bucket: { type: 'int', doc: 'n-gram rows that n-grams hash into (fastText -bucket); memory bucket x dim x 4 bytes (200,000 x 50: 40 MB), three times that while learning with the Adam family', default: 200000, min: 1, max: 100000000 },
  epoch: { type: 'int', doc: 'passes over the words', default: 10, min: 1, max: 10000 },
  lr: { type: 'number', doc: 'learning rate, falling linearly to 0 (0.01 suits the Adam family, 0.1 adagrad)', default: 0.01, min: 0, exclusiveMin: true },
  loss: { type: 'enum', values: ['cosine', 'squared'], doc: "'squared': 0.5 |mean of the n-gram rows - vector|^2, direction and length; 'cosine': 1 - cos(mean, vector), the direction only", default: 'squared' },
  optimizer: { type: 'enum', values: ['lazy_adam', 'sparse_adam', 'adagrad'], doc: "optimizer of the sparse n-gram rows: 'lazy_adam' (TensorFlow's LazyAdam), 'sparse_adam' (PyTorch's SparseAdam), 'adagrad'", default: 'lazy_adam' },
  center: { type: 'boolean', doc: "squared loss: learn the vectors minus their mean (the direction all vectors share) and add the mean to every n-gram row, so that an n-gram no word taught stands for an average word (the cosine loss leaves the length of what it learns free, so it never centers)", default: true },
  batch: { type: 'int', doc: 'words per optimizer step', default: 1, min: 1, max: 4096 },
  holdout: { type: 'number', doc: "hide this fraction of the words while learning (seeded) and report how well their n-grams predict them (mean cosine); 0 = learn from every word", default: 0, min: 0, max: 0.5 },
  threads: { type: 'int', doc: 'worker threads updating the shared n-gram rows without locks (Hogwild); default: the pipeline threads', optional: true, min: 1, max: 256 },
  seed: { type: 'int', doc: 'seed of the initialisation, the held-out words and the shuffles; default: the pipeline seed. One thread and a seed give the same rows', optional: true },
  output: { type: 'path', output: true, doc: 'write the model as a fastText .bin (version 12) that fastText tools read', optional: true },
} satisfies ParamSpecs;

export const SUBWORDS_DEFAULTS: SubwordsParams = {
  minn: 3,
  maxn: 6,
  bucket: 200000,
  epoch: 10,
  lr: 0.01,
  loss: 'squared',
  optimizer: 'lazy_adam',
  center: true,
  batch: 1,
  holdout: 0,
};
