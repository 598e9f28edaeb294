/**
 * Parameters of the classify operator. Names follow fastText's supervised flags
 * (-dim, -epoch, -lr, -wordNgrams, -bucket, -minCount, -label, -lrUpdateRate) in
 * snake_case; the optimizer choice is wordloom's.
 */
import type { ParamSpecs } from '../op.js';

export type ClassifyOptimizer = 'lazy_adam' | 'sparse_adam' | 'adam' | 'adagrad' | 'smorms3' | 'sgd';
export const CLASSIFY_OPTIMIZERS: readonly ClassifyOptimizer[] = ['lazy_adam', 'sparse_adam', 'adam', 'adagrad', 'smorms3', 'sgd'];

export interface ClassifyParams {
  /** Training text in fastText's format: labels are tokens starting with label_prefix. */
  input?: string;
  /** A file with one label (or several, space-separated) per line of input, instead of labels in the text. */
  labels?: string;
  /** Label -> file: every line of the file is an example of that label (e.g. rt-polarity.pos / .neg). */
  classes?: Record<string, string>;
  /** Hold out this fraction of the examples (seeded shuffle) and report precision/recall on them. */
  test_fraction: number;
  label_prefix: string;
  dim: number;
  epoch: number;
  lr: number;
  /** 'linear': lr falls linearly to 0 over training (fastText); 'constant'. */
  lr_schedule: 'linear' | 'constant';
  word_ngrams: number;
  bucket: number;
  min_count: number;
  optimizer: ClassifyOptimizer;
  /** Examples per optimizer step. */
  batch: number;
  k: number;
  threads?: number;
  seed?: number;
  output?: string;
  /** 'wordloom' (the classifier format) or 'fasttext' (a supervised .bin that fastText loads). */
  output_format: 'wordloom' | 'fasttext';
  /** Training kernel: generated WebAssembly SIMD, plain TypeScript, or auto. */
  backend: 'auto' | 'wasm' | 'typescript';
}

export const classifyParamSpecs = {
  input: { type: 'path', doc: "training text, fastText's format: one example a line, its labels as tokens starting with label_prefix (__label__pos ...)", optional: true, mustExist: true },
  labels: { type: 'path', doc: 'a file with the label(s) of each line of input, one line each (then input holds only text)', optional: true, mustExist: true },
  classes: { type: 'map', doc: 'label -> file: every line of the file is an example of that label, e.g. { pos: rt-polarity.pos, neg: rt-polarity.neg }', optional: true },
  test_fraction: { type: 'number', doc: 'hold out this fraction of the examples (seeded shuffle) and report precision and recall at k on them; 0 = train on everything', default: 0, min: 0, max: 0.9 },
  label_prefix: { type: 'string', doc: "prefix of label tokens (fastText -label)", default: '__label__' },
  dim: { type: 'int', doc: 'size of the word vectors (fastText -dim)', default: 50, min: 1, max: 1024 },
  epoch: { type: 'int', doc: 'passes over the training examples (fastText -epoch)', default: 5, min: 1 },
  lr: { type: 'number', doc: 'learning rate (fastText -lr; 0.001 suits the Adam family, 0.1 sgd and adagrad)', default: 0.001, min: 0, exclusiveMin: true },
  lr_schedule: { type: 'enum', values: ['linear', 'constant'], doc: "'linear': the lr falls linearly to 0 over training, as fastText's; 'constant'", default: 'linear' },
  word_ngrams: { type: 'int', doc: 'word n-grams up to this length, hashed into bucket rows (fastText -wordNgrams; 1 = unigrams only)', default: 2, min: 1, max: 6 },
  bucket: { type: 'int', doc: 'hash buckets for word n-grams (fastText -bucket)', default: 200000, min: 1 },
  min_count: { type: 'int', doc: 'drop words seen fewer times in the training examples (fastText -minCount)', default: 1, min: 1 },
  optimizer: {
    type: 'enum',
    values: CLASSIFY_OPTIMIZERS,
    doc: "embedding optimizer: 'lazy_adam' or 'sparse_adam' (sparse rows, routed with Adam for the dense linear layer), 'adam' (dense, on the densified gradient: slow), 'adagrad', 'smorms3', 'sgd' (fastText's; lr 0.1)",
    default: 'lazy_adam',
  },
  batch: { type: 'int', doc: 'examples per optimizer step', default: 1, min: 1, max: 4096 },
  k: { type: 'int', doc: 'labels predicted per example for precision and recall at k', default: 1, min: 1 },
  threads: { type: 'int', doc: 'worker threads updating the shared embedding rows without locks (Hogwild); default: the pipeline threads', optional: true, min: 1, max: 256 },
  seed: { type: 'int', doc: 'seed of the initialisation, the split and the shuffles; default: the pipeline seed. One thread and a seed give the same model', optional: true },
  output: { type: 'path', output: true, doc: 'write the model to this file (wordloom classifier format: see packages/ops/src/classify/model.ts)', optional: true },
  output_format: { type: 'enum', values: ['wordloom', 'fasttext'], doc: "format of output: 'wordloom' (the classifier format) or 'fasttext' (a supervised .bin that fastText itself loads and predicts the same with)", default: 'wordloom' },
  backend: { type: 'enum', values: ['auto', 'wasm', 'typescript'], doc: "training kernel: 'wasm' (generated WebAssembly SIMD with the optimizer step fused in; optimizers lazy_adam, sparse_adam and sgd with batch 1), 'typescript' (core's optimizers, every optimizer and batch), or 'auto' (wasm where it applies)", default: 'auto' },
} satisfies ParamSpecs;

export const CLASSIFY_DEFAULTS: ClassifyParams = {
  test_fraction: 0,
  label_prefix: '__label__',
  dim: 50,
  epoch: 5,
  lr: 0.001,
  lr_schedule: 'linear',
  word_ngrams: 2,
  bucket: 200000,
  min_count: 1,
  optimizer: 'lazy_adam',
  batch: 1,
  k: 1,
  output_format: 'wordloom',
  backend: 'auto',
};
