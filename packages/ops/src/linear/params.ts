/**
 * Parameters of the linear operator. Names follow Vowpal Wabbit's flags where it
 * has one (bits = -b, ngram = --ngram, quadratic = -q, loss = --loss_function,
 * lr = -l, power_t = --power_t, l1 = --l1, l2 = --l2, passes = --passes,
 * classes = --oaa k / --csoaa k, bias = not --noconstant).
 */
import type { ParamSpecs } from '../op.js';
import type { Loss, Task, Update } from './learn.js';

export type LinearFormat = 'auto' | 'vw' | 'libsvm' | 'fasttext' | 'tsv';

export interface LinearParams {
  /** Training data: files or globs ("-" = standard input). */
  input: string[];
  format: LinearFormat;
  label_prefix: string;
  bits: number;
  ngram: number;
  quadratic: string[];
  bias: boolean;
  loss: Loss;
  task: Task;
  classes: number;
  /** Label names in class order (binary: negative first, then positive). */
  labels?: string[];
  update: Update;
  lr?: number;
  lr_schedule: 'auto' | 'constant' | 'power_t';
  power_t: number;
  l1: number;
  l2: number;
  passes: number;
  cache: 'memory' | 'disk';
  /** Shuffle the examples (seeded) in each pass after the first. */
  shuffle: boolean;
  /** Malformed lines: 'skip' (counted, the first few named) or 'fail'. */
  on_error: 'skip' | 'fail';
  keep_names: boolean;
  /** Continue training this saved model (its settings win over the ones above). */
  init?: string;
  output?: string;
  threads?: number;
  /** The update rule's inner loops: WebAssembly where available (auto), or TypeScript; the same weights either way. */
  kernels: 'auto' | 'wasm' | 'typescript';
  seed?: number;
  /** Examples per chunk handed to a worker. */
  chunk: number;
  /** With the cache on: a resume checkpoint every this many passes (0 = by time only). */
  resume_every: number;
  /** With the cache on: a resume checkpoint after a pass once this many minutes have passed since the last (0 = by passes only). */
  resume_minutes: number;
}

export const LINEAR_DEFAULTS: LinearParams = {
  input: [],
  format: 'auto',
  label_prefix: '__label__',
  bits: 18,
  ngram: 1,
  quadratic: [],
  bias: true,
  loss: 'hinge',
  task: 'binary',
  classes: 2,
  update: 'normalized',
  lr_schedule: 'auto',
  power_t: 0.5,
  l1: 0,
  l2: 0,
  passes: 1,
  cache: 'memory',
  shuffle: false,
  on_error: 'skip',
  keep_names: false,
  chunk: 4096,
  kernels: 'auto',
  resume_every: 0,
  resume_minutes: 5,
};

export const linearParamSpecs = {
  input: { type: 'paths', doc: 'training data: files or globs, read as streams ("-" = standard input)' },
  format: { type: 'enum', values: ['auto', 'vw', 'libsvm', 'fasttext', 'tsv'], doc: "line format: Vowpal Wabbit text, libsvm/svmlight, fastText __label__ lines, label<TAB>text; 'auto' guesses from each file's first line", default: 'auto' },
  label_prefix: { type: 'string', doc: 'prefix of label tokens in fastText lines', default: '__label__' },
  bits: { type: 'int', doc: 'hash features into 2^bits weights (VW -b)', default: 18, min: 1, max: 30 },
  ngram: { type: 'int', doc: 'word n-grams up to this length within each namespace (VW --ngram; 1 = words only)', default: 1, min: 1, max: 8 },
  quadratic: { type: 'string[]', doc: 'cross the features of two namespaces, named by their first letters ("ab"; " " is the default namespace) (VW -q)', default: [] },
  bias: { type: 'boolean', doc: 'add the constant feature (VW: on unless --noconstant)', default: true },
  loss: { type: 'enum', values: ['hinge', 'logistic', 'squared'], doc: 'hinge (linear SVM), logistic or squared (VW --loss_function); softmax uses the cross-entropy', default: 'hinge' },
  task: { type: 'enum', values: ['binary', 'oaa', 'softmax', 'regression'], doc: 'binary (labels -1/0 and 1, or two names), oaa (one-against-all over classes), softmax (multinomial logistic), regression (squared loss, numeric labels)', default: 'binary' },
  classes: { type: 'int', doc: 'number of classes for oaa and softmax (VW --oaa k)', default: 2, min: 2, max: 4096 },
  labels: { type: 'string[]', doc: 'label names in class order (binary: negative then positive); default: numbered as first seen (or VW numbers -1/1, 1..k)', optional: true },
  update: { type: 'enum', values: ['sgd', 'adagrad', 'normalized'], doc: "'normalized': VW's default normalized adaptive invariant update; 'adagrad'; 'sgd' (plain SGD)", default: 'normalized' },
  lr: { type: 'number', doc: 'learning rate (VW -l); default 0.5 for normalized and adagrad, 0.1 for sgd', optional: true, min: 0, exclusiveMin: true },
  lr_schedule: { type: 'enum', values: ['auto', 'constant', 'power_t'], doc: "'power_t': lr (1 + t)^-power_t over t examples seen; 'constant'; 'auto': power_t for sgd, constant for the adaptive updates (their per-feature rates decay already)", default: 'auto' },
  power_t: { type: 'number', doc: 'exponent of the power_t schedule (VW --power_t)', default: 0.5, min: 0, max: 1 },
  l1: { type: 'number', doc: 'L1 strength (truncated gradient on the weights an update touches)', default: 0, min: 0 },
  l2: { type: 'number', doc: 'L2 strength (weight decay on the weights an update touches)', default: 0, min: 0 },
  passes: { type: 'int', doc: 'passes over the data; after the first, over a cache of the hashed examples (VW --passes)', default: 1, min: 1, max: 1000 },
  cache: { type: 'enum', values: ['memory', 'disk'], doc: "where the hashed examples are kept for passes after the first: 'memory' or 'disk' (a file in the temporary directory)", default: 'memory' },
  shuffle: { type: 'boolean', doc: 'shuffle the cached examples (the order of the chunks and within each) before every pass after the first, seeded; one thread and a seed still give one model', default: false },
  on_error: { type: 'enum', values: ['skip', 'fail'], doc: "a malformed line: 'skip' it (counted, the first ones named by file:line) or 'fail' at it", default: 'skip' },
  keep_names: { type: 'boolean', doc: 'keep the name of every feature seen, for inspect (VW --invert_hash; costs memory)', default: false },
  init: { type: 'path', doc: 'continue training this saved linear model (its feature and update settings are kept)', optional: true, mustExist: true },
  output: { type: 'path', doc: 'write the model here (atomically)', optional: true },
  threads: { type: 'int', doc: 'worker threads updating the shared weights without locks (Hogwild); 1 = deterministic', optional: true, min: 1, max: 256 },
  seed: { type: 'int', doc: 'seed of the shuffles (shuffle); default: the pipeline seed. With one thread training is deterministic', optional: true },
  chunk: { type: 'int', doc: 'examples per chunk handed to a worker', default: 4096, min: 1, max: 1048576 },
  kernels: {
    type: 'enum',
    values: ['auto', 'wasm', 'typescript'],
    inert: true,
    doc: "the update rule's inner loops: 'auto' (WebAssembly where the runtime has it), 'wasm' (an error without it) or 'typescript'; both give the same weights bit for bit",
    default: 'auto',
  },
  resume_every: {
    type: 'int',
    inert: true,
    doc: 'with the cache on and passes > 1: write a resume checkpoint (the weights with their update state, the global counters, the pass) every this many passes, so that rerunning a killed pipeline goes on from the last one (the input is read and hashed again, nothing learned from it); 0 = by time only (resume_minutes)',
    default: 0,
    min: 0,
  },
  resume_minutes: {
    type: 'number',
    inert: true,
    doc: 'with the cache on: write a resume checkpoint after a pass once this many minutes have passed since the last one; 0 = by passes only (resume_every). Both 0: no resume checkpoints',
    default: 5,
    min: 0,
  },
} satisfies ParamSpecs;
