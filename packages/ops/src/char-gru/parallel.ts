/**
 * Synchronous data parallelism for the char-gru classifier: each batch is cut into
 * `threads` parts of about equal characters; this thread runs the first part and
 * `threads - 1` workers the others, each its own forward and backward pass over the
 * same shared parameters; the parts' gradients are summed here, in a fixed order, and
 * one optimizer step follows. The result equals one thread's to float rounding (each
 * part's loss gradient is scaled by its share of the batch), and a seed with the same
 * number of threads gives the same model every run.
 *
 * The workers run in lockstep with this thread, one batch at a time, so they are
 * plain worker threads waiting on a shared control block (Atomics.wait/notify), not
 * a Piscina pool of queued tasks: a step is a few tens of milliseconds, and a
 * message round trip per part would cost more than the wake-up.
 */
import { Worker } from 'node:worker_threads';
import { WordloomError, type Parameter } from '@wordloom/core';
import type { CharGRUConfig } from './model.js';

/** Slots of a worker's control block (Int32Array), then the batch's example indices. */
export const CTRL = {
  /** Raised by the trainer for each batch; -1 stops the worker. */
  GEN: 0,
  /** Set by the worker to GEN when its part is done. */
  DONE: 1,
  /** 0 = ok, 1 = failed (the message is in the error block). */
  STATUS: 2,
  /** Examples in this worker's part. */
  COUNT: 3,
  /** Examples in the whole batch (each part's gradient is scaled by COUNT / TOTAL). */
  TOTAL: 4,
  /** Rows of the embedding's sparse gradient the worker wrote. */
  SPARSE_ROWS: 5,
  /** Byte length of the error message. */
  ERROR_BYTES: 6,
  /** The part's example indices start here. */
  INDICES: 8,
} as const;

export interface GradWorkerData {
  config: CharGRUConfig;
  kernels: string;
  /** The trainer's parameters' values (shared memory). */
  params: Float32Array[];
  /** Every training text's ids, one after another, and where each starts (length N + 1). */
  ids: Int32Array;
  offsets: Int32Array;
  targets: Int32Array;
  ctrl: Int32Array;
  /** The part's loss times its examples. */
  loss: Float64Array;
  /** One per parameter: its dense gradient, or for a sparse one the rows' values (rows x dim at most). */
  grads: Float32Array[];
  /** The sparse gradient's row indices. */
  sparseRows: Int32Array;
  error: Uint8Array;
}

function shared<T extends Int32Array | Float32Array | Float64Array | Uint8Array>(Ctor: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, n: number): T {
  return new Ctor(new SharedArrayBuffer(Math.max(1, n) * Ctor.BYTES_PER_ELEMENT));
}

interface Helper {
  worker: Worker;
  data: GradWorkerData;
  gen: number;
  busy: boolean;
  exited: Error | null;
}

export class CharGRUParallel {
  private readonly helpers: Helper[] = [];
  private readonly lengths: Float64Array;

  private constructor(
    private readonly params: Parameter[],
    private readonly sparseIndex: number,
    private readonly encoded: readonly Int32Array[],
  ) {
    this.lengths = Float64Array.from(encoded, (e) => e.length);
  }

  /**
   * Start `threads - 1` workers, each a replica of the model over `params`' shared
   * memory, with every encoded text and target copied once into shared memory.
   */
  static async start(threads: number, config: CharGRUConfig, kernels: string, params: Parameter[], encoded: readonly Int32Array[], targets: Int32Array, batch: number): Promise<CharGRUParallel> {
    const sparseIndex = params.findIndex((q) => q.sparse);
    const par = new CharGRUParallel(params, sparseIndex, encoded);
    let total = 0;
    for (const e of encoded) total += e.length;
    const ids = shared(Int32Array, total);
    const offsets = shared(Int32Array, encoded.length + 1);
    let o = 0;
    encoded.forEach((e, i) => {
      offsets[i] = o;
      ids.set(e, o);
      o += e.length;
    });
    offsets[encoded.length] = o;
    const sharedTargets = shared(Int32Array, targets.length);
    sharedTargets.set(targets);
    try {
      for (let w = 1; w < threads; w++) {
        const data: GradWorkerData = {
          config, kernels, ids, offsets, targets: sharedTargets,
          params: params.map((q) => q.data),
          ctrl: shared(Int32Array, CTRL.INDICES + batch),
          loss: shared(Float64Array, 1),
          grads: params.map((q) => shared(Float32Array, q.data.length)),
          sparseRows: shared(Int32Array, sparseIndex >= 0 ? params[sparseIndex]!.rows : 0),
          error: shared(Uint8Array, 4096),
        };
        const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: data });
        const helper: Helper = { worker, data, gen: 0, busy: false, exited: null };
        par.helpers.push(helper);
        worker.on('exit', (code) => {
          helper.exited ??= new Error(`a char-gru worker exited (code ${code})`);
        });
        await new Promise<void>((res, rej) => {
          worker.once('message', () => res());
          worker.once('error', (e) => {
            helper.exited = e;
            rej(e);
          });
        });
        worker.on('error', (e) => {
          helper.exited = e;
        });
      }
    } catch (e) {
      await par.close();
      throw new WordloomError('E_STATE', `could not start the char-gru workers: ${(e as Error).message}`, {}, 'set threads: 1 to train on this thread alone', { cause: e });
    }
    return par;
  }

  get threads(): number {
    return this.helpers.length + 1;
  }

  /**
   * Cut the batch (example indices) into parts of about equal characters and send
   * every part but the first to a worker. Returns the first part's length (this
   * thread's share: the examples batch[0 .. k)).
   */
  dispatch(batch: ArrayLike<number>, n: number): number {
    const T = this.threads;
    let chars = 0;
    for (let i = 0; i < n; i++) chars += this.lengths[batch[i]!]!;
    // part p ends where the running count of characters passes (p + 1) / T of them; every part but
    // the first may be empty (a batch smaller than the threads)
    const ends: number[] = [];
    let run = 0;
    let i = 0;
    for (let p = 1; p <= T; p++) {
      const goal = p === T ? Infinity : (chars * p) / T;
      while (i < n && (run + this.lengths[batch[i]!]! / 2 <= goal || (p === 1 && i === 0))) run += this.lengths[batch[i++]!]!;
      ends.push(i);
    }
    ends[T - 1] = n;
    for (let w = 0; w < this.helpers.length; w++) {
      const h = this.helpers[w]!;
      if (h.exited) throw new WordloomError('E_STATE', `a char-gru worker is gone: ${h.exited.message}`, {}, 'set threads: 1 to train on this thread alone');
      const from = ends[w]!;
      const to = ends[w + 1]!;
      const ctrl = h.data.ctrl;
      h.busy = to > from;
      if (!h.busy) continue;
      for (let j = from; j < to; j++) ctrl[CTRL.INDICES + j - from] = batch[j]!;
      ctrl[CTRL.COUNT] = to - from;
      ctrl[CTRL.TOTAL] = n;
      h.gen++;
      Atomics.store(ctrl, CTRL.GEN, h.gen);
      Atomics.notify(ctrl, CTRL.GEN);
    }
    return ends[0]!;
  }

  /**
   * Wait for the workers' parts and add their gradients to this thread's (which
   * backward has set on every parameter); returns the workers' loss times examples.
   */
  gather(): number {
    let loss = 0;
    let failure: WordloomError | null = null;
    for (const h of this.helpers) {
      if (!h.busy) continue;
      const ctrl = h.data.ctrl;
      let waited = 0;
      while (Atomics.load(ctrl, CTRL.DONE) !== h.gen) {
        // a worker that died (out of memory, killed) never answers; its exit is seen here
        if (Atomics.wait(ctrl, CTRL.DONE, Atomics.load(ctrl, CTRL.DONE), 1000) === 'timed-out' && ++waited >= 600) {
          throw new WordloomError('E_STATE', 'a char-gru worker did not answer for 10 minutes', {}, 'set threads: 1 to train on this thread alone');
        }
      }
      h.busy = false;
      if (ctrl[CTRL.STATUS] !== 0) {
        const text = new TextDecoder().decode(h.data.error.slice(0, ctrl[CTRL.ERROR_BYTES]));
        const { code, message } = JSON.parse(text) as { code: string; message: string };
        failure ??= new WordloomError((code || 'E_STATE') as 'E_STATE', message);
        continue;
      }
      loss += h.data.loss[0]!;
      this.params.forEach((q, i) => {
        const g = q.grad;
        if (i === this.sparseIndex) {
          const k = ctrl[CTRL.SPARSE_ROWS]!;
          if (k === 0) return;
          const d = q.dim;
          const own = g !== null && g.kind === 'sparse' ? g.count : 0;
          const rows = new Int32Array(own + k);
          const values = new Float32Array((own + k) * d);
          if (own) {
            rows.set((g as { rows: Int32Array }).rows.subarray(0, own));
            values.set(g!.values.subarray(0, own * d));
          }
          rows.set(h.data.sparseRows.subarray(0, k), own);
          values.set(h.data.grads[i]!.subarray(0, k * d), own * d);
          q.setSparseGrad(rows, values, own + k);
        } else if (g !== null && g.kind === 'dense') {
          const mine = g.values;
          const theirs = h.data.grads[i]!;
          for (let j = 0; j < mine.length; j++) mine[j] += theirs[j]!;
        } else {
          throw new WordloomError('E_STATE', `parameter "${q.name}" has no dense gradient to add a worker's to`);
        }
      });
    }
    if (failure) throw failure;
    return loss;
  }

  async close(): Promise<void> {
    for (const h of this.helpers) {
      Atomics.store(h.data.ctrl, CTRL.GEN, -1);
      Atomics.notify(h.data.ctrl, CTRL.GEN);
    }
    await Promise.all(this.helpers.map((h) => h.worker.terminate()));
    this.helpers.length = 0;
  }
}
