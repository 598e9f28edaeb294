/**
 * A char-gru gradient worker (see parallel.ts): a replica of the model over the
 * trainer's shared parameters that, for each batch part it is given, runs the
 * forward and backward passes and writes the part's gradients and loss back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { nn } from '@wordloom/core';
import { CharGRUModel } from './model.js';
import { simdKernels } from '../kernels/nn-simd.js';
import { CTRL, type GradWorkerData } from './parallel.js';

const d = workerData as GradWorkerData;
const model = new CharGRUModel(d.config);
model.kernels = d.kernels === 'typescript' ? nn.typescriptKernels : (simdKernels() ?? nn.typescriptKernels);
model.params.forEach((q, i) => q.adopt(d.params[i]!));
const loss = new nn.SoftmaxCrossEntropy();
const ctrl = d.ctrl;
const labels = d.config.labels.length;
const seqs: Int32Array[] = [];
let targets = new Int32Array(0);
const encoder = new TextEncoder();

function part(): void {
  const n = ctrl[CTRL.COUNT]!;
  const total = ctrl[CTRL.TOTAL]!;
  seqs.length = n;
  if (targets.length < n) targets = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const e = ctrl[CTRL.INDICES + i]!;
    seqs[i] = d.ids.subarray(d.offsets[e]!, d.offsets[e + 1]!);
    targets[i] = d.targets[e]!;
  }
  for (const q of model.params) q.grad = null;
  const l = loss.forward(model.logits(seqs), targets, labels, n);
  model.backward(loss.backward(n / total));
  d.loss[0] = l * n;
  model.params.forEach((q, i) => {
    const g = q.grad;
    if (g === null) return;
    if (g.kind === 'sparse') {
      d.sparseRows.set(g.rows.subarray(0, g.count));
      d.grads[i]!.set(g.values.subarray(0, g.count * q.dim));
      ctrl[CTRL.SPARSE_ROWS] = g.count;
    } else d.grads[i]!.set(g.values);
  });
}

parentPort!.postMessage('ready');
let gen = 0;
for (;;) {
  Atomics.wait(ctrl, CTRL.GEN, gen);
  gen = Atomics.load(ctrl, CTRL.GEN);
  if (gen < 0) break;
  try {
    part();
    ctrl[CTRL.STATUS] = 0;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    // at most 900 characters of the message: 4 bytes each at most, within the 4096-byte block
    const bytes = encoder.encode(JSON.stringify({ code: err.code ?? 'E_STATE', message: String(err.message ?? e).slice(0, 900) }));
    d.error.set(bytes);
    ctrl[CTRL.ERROR_BYTES] = bytes.length;
    ctrl[CTRL.STATUS] = 1;
  }
  Atomics.store(ctrl, CTRL.DONE, gen);
  Atomics.notify(ctrl, CTRL.DONE);
}
