/**
 * The `ksparse` operator: the k-sparse autoencoder trained on a digits file (the
 * bundled data/mnist/mnist-6k.u8.gz or one in its format), its last `holdout`
 * digits held out for the reconstruction error and the linear probe on the codes.
 */
import { isAbsolute, resolve } from 'node:path';
import { WordloomError } from '@wordloom/core';
import { defineOp, standaloneContext, type OpContext, type ParamSpecs } from '../op.js';
import { readDigits, sliceDigits } from './data.js';
import type { KSparseAutoencoder } from './model.js';
import { KSPARSE_DEFAULTS, trainKSparse, type KSparseParams, type KSparseResult } from './train.js';

/** The training settings of trainKSparse, with the data file, the part held out and where to save; the seed may come from the pipeline. */
export interface KSparseOpParams extends Omit<KSparseParams, 'seed'> {
  /** Digits: records of a label byte and 784 pixel bytes, gzipped when the name ends in .gz. */
  input: string;
  /** The last this many digits of input are held out (test error, probe); 0 = none. */
  holdout: number;
  seed?: number;
  output?: string;
}

export interface KSparseOpResult extends KSparseResult {
  /** Digits trained on and held out. */
  train: number;
  test: number;
  files: string[];
}

const D = KSPARSE_DEFAULTS;
export const ksparseParamSpecs = {
  input: { type: 'path', doc: 'digits: records of a label byte (0-9) and 784 pixel bytes (28 x 28, 0-255), gzipped when the name ends in .gz, e.g. data/mnist/mnist-6k.u8.gz', mustExist: true },
  holdout: { type: 'int', doc: 'the last this many digits of input are held out: reconstruction error after each epoch and the linear probe on the codes; 0 = train on all (no test figures)', default: 1000, min: 0 },
  hidden: { type: 'int', doc: 'hidden units (rows of the encoder and decoder tables)', default: D.hidden, min: 1, max: 65536 },
  k: { type: 'int', doc: "units kept for each digit (its k largest); the others are zero", default: D.k, min: 1 },
  lifetime: { type: 'boolean', doc: "also keep each unit for the digit of the batch where it is largest (lifetime sparsity): then every row gets a gradient every step", default: D.lifetime },
  optimizer: { type: 'enum', values: ['adam', 'sparse_adam', 'lazy_adam'], doc: "adam (the gathered rows scattered into dense gradients: every row moves with its momentum), sparse_adam (PyTorch's SparseAdam) or lazy_adam (TensorFlow Addons' LazyAdam) on the rows of the units active in the batch", default: D.optimizer },
  lr: { type: 'number', doc: 'learning rate', default: D.lr, min: 0, exclusiveMin: true },
  epoch: { type: 'int', doc: 'passes over the training digits', default: D.epoch, min: 1 },
  batch: { type: 'int', doc: 'digits per step (full batches only: the rest of an epoch is left out, as drop_last)', default: D.batch, min: 1 },
  probe_epochs: { type: 'int', doc: 'epochs of the linear softmax classifier on the codes (Adam, lr 0.01, batch 100); 0 = no probe', default: D.probe_epochs, min: 0 },
  seed: { type: 'int', doc: 'seed of the initialisation, the order and the probe; default: the pipeline seed', optional: true },
  output: { type: 'path', output: true, doc: 'write the model here after every epoch (wordloom k-sparse format: see packages/ops/src/ksparse/model.ts)', optional: true },
} satisfies ParamSpecs;

/** The ksparse op: read the digits, hold out the last `holdout`, train, measure, save. */
export async function runKSparse(params: Partial<KSparseOpParams> & { input: string }, ctx: OpContext = standaloneContext()): Promise<KSparseOpResult> {
  const holdout = params.holdout ?? 1000;
  if (!Number.isInteger(holdout) || holdout < 0) throw new WordloomError('E_PARAM', `holdout must be an integer from 0 up, got ${JSON.stringify(holdout)}`, { param: 'holdout' });
  const input = isAbsolute(params.input) ? params.input : resolve(ctx.baseDir, params.input);
  ctx.progress({ phase: 'reading', message: 'reading the digits' });
  const all = await readDigits(input);
  if (holdout >= all.n) throw new WordloomError('E_INPUT', `holdout ${holdout} leaves no training digits: the file has ${all.n}`, { file: input, param: 'holdout' }, `hold out fewer than ${all.n} digits`);
  const train = sliceDigits(all, 0, all.n - holdout);
  const test = sliceDigits(all, all.n - holdout, holdout);
  const file = params.output ? (isAbsolute(params.output) ? params.output : resolve(ctx.baseDir, params.output)) : undefined;
  const checkpoint = file ? async (m: KSparseAutoencoder, ep: number): Promise<void> => {
    await m.save(file);
    ctx.log(`epoch ${ep}: model written to ${file}`);
  } : undefined;
  const { input: _i, holdout: _h, output: _o, ...rest } = params;
  const batch = params.batch ?? KSPARSE_DEFAULTS.batch;
  if (train.n < batch) {
    throw new WordloomError('E_INPUT', `${train.n} training digits (${all.n} in the file, ${holdout} held out) are fewer than one batch of ${batch}`, { file: input, param: 'batch' }, `use a batch of at most ${train.n}, a smaller holdout, or more digits`);
  }
  const res = await trainKSparse(train, test, { ...rest, seed: params.seed ?? ctx.seed }, ctx, { checkpoint });
  if (test.n) ctx.log(`test on ${test.n} held-out digits: reconstruction error ${res.testError.at(-1)!.toFixed(5)} a pixel${Number.isNaN(res.probeAccuracy) ? '' : `, linear probe accuracy ${res.probeAccuracy.toFixed(4)}`}`);
  return { ...res, train: train.n, test: test.n, files: file ? [file] : [] };
}

export const ksparseOp = defineOp<KSparseOpParams, KSparseOpResult>({
  name: 'ksparse',
  summary: "train a k-sparse autoencoder on digits (top-k codes, the gradient as the rows of the units active in a batch; Adam, SparseAdam or LazyAdam); reconstruction error and a linear probe's accuracy on held-out digits, rows touched a step; save it",
  params: ksparseParamSpecs,
  inputs: {},
  output: 'autoencoder',
  async run(_inputs, params, ctx) {
    return runKSparse(params, ctx);
  },
});
