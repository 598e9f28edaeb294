/**
 * Training the k-sparse autoencoder with Adam (dense: the gathered rows scattered
 * into zeroed tables, so every row moves with its momentum), SparseAdam or LazyAdam
 * (the gathered rows as they are, with Adam on the decoder bias), and measuring it:
 * reconstruction error on held-out digits, the accuracy of a linear softmax
 * classifier trained on the codes, and the fraction of rows each step touched.
 */
import { Adam, AutoOptimizer, Rng, WordloomError, nn, type Stepper } from '@wordloom/core';
import { standaloneContext, type OpContext } from '../op.js';
import { simdKernels } from '../kernels/nn-simd.js';
import { MNIST_PIXELS as D, type Digits } from './data.js';
import { KSparseAutoencoder } from './model.js';

export type KSparseOptimizer = 'adam' | 'sparse_adam' | 'lazy_adam';

export interface KSparseParams {
  hidden: number;
  k: number;
  lifetime: boolean;
  optimizer: KSparseOptimizer;
  lr: number;
  epoch: number;
  batch: number;
  /** Epochs of the linear classifier on the codes (Adam, lr 0.01, batch 100). */
  probe_epochs: number;
  seed: number;
}

export const KSPARSE_DEFAULTS: KSparseParams = { hidden: 256, k: 25, lifetime: false, optimizer: 'sparse_adam', lr: 0.001, epoch: 5, batch: 100, probe_epochs: 10, seed: 1 };

export interface KSparseResult {
  model: KSparseAutoencoder;
  /** Mean squared error per pixel on the test digits after each epoch. */
  testError: number[];
  /** Mean training loss of each epoch. */
  losses: number[];
  /** Mean fraction of the hidden units (rows of each weight table) a step's gradient touched. */
  rowsTouched: number;
  /** Test accuracy of a linear softmax classifier trained on the training digits' codes. */
  probeAccuracy: number;
  seconds: number;
}

export async function trainKSparse(train: Digits, test: Digits, params: Partial<KSparseParams> = {}, ctx: OpContext = standaloneContext()): Promise<KSparseResult> {
  const p = { ...KSPARSE_DEFAULTS, ...Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) } as KSparseParams;
  if (!['adam', 'sparse_adam', 'lazy_adam'].includes(p.optimizer)) throw new WordloomError('E_PARAM', `unknown optimizer ${JSON.stringify(p.optimizer)}`, { param: 'optimizer' }, 'choose adam, sparse_adam or lazy_adam');
  if (!(p.lr > 0)) throw new WordloomError('E_PARAM', `lr must be > 0, got ${p.lr}`, { param: 'lr' });
  if (!Number.isInteger(p.batch) || p.batch < 1) throw new WordloomError('E_PARAM', `batch must be a positive integer, got ${p.batch}`, { param: 'batch' });
  if (train.n < p.batch) throw new WordloomError('E_INPUT', `${train.n} training digits are fewer than one batch of ${p.batch}`, { param: 'batch' }, 'use a smaller batch');
  const rng = new Rng(p.seed);
  const sparse = p.optimizer !== 'adam';
  const model = new KSparseAutoencoder({ hidden: p.hidden, k: p.k, lifetime: p.lifetime }, rng.fork(1), sparse);
  model.kernels = simdKernels() ?? nn.typescriptKernels;
  const opt: Stepper = sparse
    ? new AutoOptimizer(model.params, { lr: p.lr, sparse: p.optimizer === 'lazy_adam' ? 'LazyAdam' : 'SparseAdam' })
    : new Adam(model.params, { lr: p.lr });
  const order = Int32Array.from({ length: train.n }, (_, i) => i);
  const shuffle = rng.fork(2);
  const x = new Float32Array(p.batch * D);
  const losses: number[] = [];
  const testError: number[] = [];
  let touched = 0;
  let steps = 0;
  const t0 = performance.now();
  for (let ep = 1; ep <= p.epoch; ep++) {
    shuffle.shuffle(order);
    let total = 0;
    let seen = 0;
    // full batches only (the last partial one is dropped, as DataLoader's drop_last)
    for (let s = 0; s + p.batch <= train.n; s += p.batch) {
      for (let i = 0; i < p.batch; i++) x.set(train.images.subarray(order[s + i]! * D, (order[s + i]! + 1) * D), i * D);
      const l = model.forward(x, p.batch, true);
      model.backward({ kind: sparse ? 'sparse' : 'dense' });
      opt.step();
      opt.zeroGrad();
      touched += model.active / p.hidden;
      steps++;
      total += l * p.batch;
      seen += p.batch;
    }
    losses.push(total / seen);
    testError.push(model.reconstructionError(test.images, test.n));
    ctx.progress({ phase: 'training', iteration: ep, metrics: { epoch: ep, loss: losses.at(-1)!, test: testError.at(-1)! } });
    await new Promise((r) => setImmediate(r));
  }
  const seconds = (performance.now() - t0) / 1000;
  return { model, losses, testError, rowsTouched: touched / steps, probeAccuracy: probe(model, train, test, p.probe_epochs, rng.fork(3)), seconds };
}

/** A linear softmax classifier on the codes: trained on the training digits', tested on the test digits'. */
export function probe(model: KSparseAutoencoder, train: Digits, test: Digits, epochs: number, rng: Rng): number {
  const h = model.config.hidden;
  const ctr = model.codes(train.images, train.n);
  const cte = model.codes(test.images, test.n);
  const lin = new nn.Linear(h, 10, { rng: rng.fork(1), name: 'probe' });
  const ce = new nn.SoftmaxCrossEntropy();
  const opt = new Adam(lin.params, { lr: 0.01 });
  const B = 100;
  const order = Int32Array.from({ length: train.n }, (_, i) => i);
  const xb = new Float32Array(B * h);
  const yb = new Int32Array(B);
  for (let ep = 0; ep < epochs; ep++) {
    rng.shuffle(order);
    for (let s = 0; s + B <= train.n; s += B) {
      for (let i = 0; i < B; i++) {
        xb.set(ctr.subarray(order[s + i]! * h, (order[s + i]! + 1) * h), i * h);
        yb[i] = train.labels[order[s + i]!]!;
      }
      ce.forward(lin.forward(xb, B), yb, 10, B);
      lin.backward(ce.backward());
      opt.step();
      opt.zeroGrad();
    }
  }
  const logits = lin.forward(cte, test.n);
  let correct = 0;
  for (let i = 0; i < test.n; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (logits[i * 10 + c]! > logits[i * 10 + best]!) best = c;
    if (best === test.labels[i]) correct++;
  }
  return correct / test.n;
}
