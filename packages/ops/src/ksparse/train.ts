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

export const KSPARSE_DEFAULTS: KSparseParams = { hidden: 256, k: 25, lifetime: false, optimizer: 'sparse_adam', lr: 0.003, epoch: 5, batch: 100, probe_epochs: 10, seed: 1 };

export interface KSparseResult {
  model: KSparseAutoencoder;
  /** Mean squared error per pixel on the test digits after each epoch (empty without test digits). */
  testError: number[];
  /** Mean training loss of each epoch. */
  losses: number[];
  /** Mean fraction of the hidden units (rows of each weight table) a step's gradient touched. */
  rowsTouched: number;
  /** Test accuracy of a linear softmax classifier trained on the training digits' codes (NaN without test digits or probe epochs). */
  probeAccuracy: number;
  seconds: number;
}

export interface KSparseFitOptions {
  /** Called after each finished epoch (the op saves the model there, so a run that diverges leaves the last good one). */
  checkpoint?: (model: KSparseAutoencoder, epoch: number) => Promise<void>;
}

/** Defaults filled in and every value checked. */
export function resolveKSparseParams(params: Partial<KSparseParams>): KSparseParams {
  const p = { ...KSPARSE_DEFAULTS, ...Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) } as KSparseParams;
  if (!['adam', 'sparse_adam', 'lazy_adam'].includes(p.optimizer)) throw new WordloomError('E_PARAM', `unknown optimizer ${JSON.stringify(p.optimizer)}`, { param: 'optimizer' }, 'choose adam, sparse_adam or lazy_adam');
  if (!(typeof p.lr === 'number' && p.lr > 0 && Number.isFinite(p.lr))) throw new WordloomError('E_PARAM', `lr must be a number > 0, got ${JSON.stringify(p.lr)}`, { param: 'lr' }, '0.001 to 0.003 suits these optimizers here');
  for (const [k, min] of [['batch', 1], ['epoch', 1], ['probe_epochs', 0], ['hidden', 1], ['k', 1]] as const) {
    const v = p[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new WordloomError('E_PARAM', `${k} must be an integer from ${min} up, got ${JSON.stringify(v)}`, { param: k });
  }
  if (p.k > p.hidden) throw new WordloomError('E_PARAM', `k must be an integer from 1 to hidden (${p.hidden}), got ${p.k}`, { param: 'k' }, 'k units of hidden are kept for each digit');
  if (typeof p.lifetime !== 'boolean') throw new WordloomError('E_PARAM', `lifetime must be true or false, got ${JSON.stringify(p.lifetime)}`, { param: 'lifetime' });
  return p;
}

/**
 * Train on `train`, measuring on `test` (which may hold no digits: then no test
 * error and no probe). A loss or a code that turns NaN or infinite stops training
 * with E_DIVERGED and puts the model back to the end of the last finished epoch.
 */
export async function trainKSparse(train: Digits, test: Digits, params: Partial<KSparseParams> = {}, ctx: OpContext = standaloneContext(), opts: KSparseFitOptions = {}): Promise<KSparseResult> {
  const p = resolveKSparseParams(params);
  if (train.n < p.batch) throw new WordloomError('E_INPUT', `${train.n} training digits are fewer than one batch of ${p.batch}`, { param: 'batch' }, `use a batch of at most ${train.n}${train.n ? '' : ' (and some training digits)'}, or more digits`);
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
  // the last finished epoch's parameters, restored when training diverges
  const good = model.params.map((q) => new Float32Array(q.data));
  const diverged = (ep: number, why: string, cause?: unknown): WordloomError => {
    model.params.forEach((q, i) => q.data.set(good[i]!));
    return new WordloomError('E_DIVERGED', `training diverged in epoch ${ep} (${why}): the model is back to ${ep > 1 ? `the end of epoch ${ep - 1}` : 'its initial weights'}`, { param: 'lr' }, `lower lr (now ${p.lr})${ep > 1 && opts.checkpoint ? `; the checkpoint of epoch ${ep - 1} was kept` : ''}`, cause === undefined ? undefined : { cause });
  };
  // a NaN loss, or NaN/infinite codes (the pixels are bytes, so only the weights can have made them)
  const watch = <T>(ep: number, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof WordloomError && (e.code === 'E_DIVERGED' || / holds (NaN|-?Infinity) /.test(e.message))) throw diverged(ep, e.message.split('\n')[0]!, e);
      throw e;
    }
  };
  const t0 = performance.now();
  for (let ep = 1; ep <= p.epoch; ep++) {
    shuffle.shuffle(order);
    let total = 0;
    let seen = 0;
    // full batches only (the last partial one is dropped, as DataLoader's drop_last)
    for (let s = 0; s + p.batch <= train.n; s += p.batch) {
      for (let i = 0; i < p.batch; i++) x.set(train.images.subarray(order[s + i]! * D, (order[s + i]! + 1) * D), i * D);
      const l = watch(ep, () => model.forward(x, p.batch, true));
      model.backward({ kind: sparse ? 'sparse' : 'dense' });
      opt.step();
      opt.zeroGrad();
      touched += model.active / p.hidden;
      steps++;
      total += l * p.batch;
      seen += p.batch;
    }
    const bad = model.params.find((q) => !q.data.every((v) => Number.isFinite(v)));
    if (bad) throw diverged(ep, `${bad.name} holds NaN or infinite values`);
    losses.push(total / seen);
    if (test.n) testError.push(watch(ep, () => model.reconstructionError(test.images, test.n)));
    model.params.forEach((q, i) => good[i]!.set(q.data));
    const metrics: Record<string, number> = { epoch: ep, loss: losses.at(-1)! };
    if (test.n) metrics.test = testError.at(-1)!;
    ctx.progress({ phase: 'training', iteration: ep, metrics });
    ctx.log(`epoch ${ep}: loss ${losses.at(-1)!.toFixed(5)}${test.n ? `, test error ${testError.at(-1)!.toFixed(5)}` : ''}, ${(100 * touched / steps).toFixed(1)}% of the rows touched a step so far`);
    if (opts.checkpoint) await opts.checkpoint(model, ep);
    await new Promise((r) => setImmediate(r));
    if (ctx.signal.aborted) throw new WordloomError('E_STATE', 'training stopped', {}, undefined, { cause: ctx.signal.reason });
  }
  const seconds = (performance.now() - t0) / 1000;
  const probeAccuracy = test.n && p.probe_epochs ? probe(model, train, test, p.probe_epochs, rng.fork(3)) : NaN;
  return { model, losses, testError, rowsTouched: touched / steps, probeAccuracy, seconds };
}

/** A linear softmax classifier on the codes: trained on the training digits', tested on the test digits'. */
export function probe(model: KSparseAutoencoder, train: Digits, test: Digits, epochs: number, rng: Rng): number {
  const h = model.config.hidden;
  const ctr = model.codes(train.images, train.n);
  const cte = model.codes(test.images, test.n);
  const lin = new nn.Linear(h, 10, { rng: rng.fork(1), name: 'probe' });
  const ce = new nn.SoftmaxCrossEntropy();
  const opt = new Adam(lin.params, { lr: 0.01 });
  // batches of 100 digits, or all of them when there are fewer
  const B = Math.min(100, train.n);
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
