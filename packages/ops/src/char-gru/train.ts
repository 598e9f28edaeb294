/**
 * Training and testing of the character-level GRU classifier: an alphabet from
 * the training texts, packed batches of shuffled texts, softmax cross-entropy,
 * AutoOptimizer (the embedding's sparse rows to SparseAdam or LazyAdam, the GRU
 * and the linear layer to Adam). The batch's matrix products are the work: with
 * threads > 1 each batch is cut into parts that workers run side by side (data
 * parallelism, parallel.ts), their gradients summed before one optimizer step.
 */
import { isAbsolute, resolve } from 'node:path';
import { AutoOptimizer, Rng, WordloomError, nn } from '@wordloom/core';
import { standaloneContext, type OpContext } from '../op.js';
import { readExamples, splitExamples, type RawExample } from '../classify/data.js';
import { CharGRUModel } from './model.js';
import { simdKernels } from '../kernels/nn-simd.js';
import { resolveCharGRUParams, type CharGRUParams } from './params.js';
import { CharGRUParallel } from './parallel.js';

export interface CharGRUTestResult {
  examples: number;
  correct: number;
  accuracy: number;
}

export interface CharGRUResult {
  model: CharGRUModel;
  train: {
    examples: number;
    epochs: number;
    seconds: number;
    /** Wall-clock seconds of each epoch's training (not counting testing). */
    epochSeconds: number[];
    /** Mean training loss of each epoch. */
    losses: number[];
    /** Texts cut to max_length characters. */
    cut: number;
    alphabet: number;
    /** The kernels of the matrix products ("wasm-simd", "typescript"). */
    kernels: string;
    /** Threads that ran each batch's parts (this one and threads - 1 workers). */
    threads: number;
  };
  test?: CharGRUTestResult;
  files: string[];
}

/** A text as the model reads it: the example's tokens joined by single spaces. */
export function exampleText(e: RawExample): string {
  return e.tokens.join(' ');
}

/** The characters of the texts seen at least minCount times, most frequent first (ties by code point). */
export function buildAlphabet(texts: Iterable<string>, minCount: number): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const ch of t) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  return [...counts].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([ch]) => ch);
}

/** The label of each example (its first), as an index into `labels`. */
function targetsOf(examples: readonly RawExample[], labels: readonly string[]): Int32Array {
  const index = new Map(labels.map((l, i) => [l, i]));
  return Int32Array.from(examples, (e) => {
    const t = index.get(e.labels[0]!);
    if (t === undefined) throw new WordloomError('E_INPUT', `label "${e.labels[0]}" was not seen in training`, { file: e.file, line: e.line });
    return t;
  });
}

export interface CharGRUFitOptions {
  /** Called after each finished epoch (the op saves the model there, so a run that diverges leaves the last good one). */
  checkpoint?: (model: CharGRUModel, epoch: number) => Promise<void>;
}

/** Train on these examples; the params' seed (else ctx.seed) fixes the initialisation and the order. */
export async function fitCharGRU(train: readonly RawExample[], params: Partial<CharGRUParams>, ctx: OpContext = standaloneContext(), opts: CharGRUFitOptions = {}): Promise<CharGRUResult> {
  const p = resolveCharGRUParams(params);
  const seed = p.seed ?? ctx.seed;
  if (train.length === 0) throw new WordloomError('E_INPUT', 'there are no training examples', {}, 'give more data or a smaller test_fraction');
  const labels = [...new Set(train.map((e) => e.labels[0]!))].sort();
  const texts = train.map(exampleText);
  const alphabet = buildAlphabet(texts, p.min_count);
  const rng = new Rng(seed);
  const model = new CharGRUModel({ labels, alphabet, embedDim: p.embed_dim, hidden: p.hidden, layers: p.layers, reverse: p.reverse, maxLength: p.max_length }, rng.fork(1));
  if (p.kernels !== 'auto') {
    const simd = simdKernels();
    if (p.kernels === 'simd' && !simd) throw new WordloomError('E_PARAM', 'this runtime has no WebAssembly SIMD', { param: 'kernels' }, "use kernels: auto or typescript (Node 16.4 and later have SIMD)");
    model.kernels = p.kernels === 'simd' ? simd! : nn.typescriptKernels;
  }
  let cut = 0;
  const encoded = texts.map((t) => {
    const e = model.encode(t);
    if (e.length === p.max_length && [...t].length > p.max_length) cut++;
    return e;
  });
  if (cut) ctx.log(`warning: ${cut} training texts are longer than max_length ${p.max_length} characters and were cut`);
  const targets = targetsOf(train, labels);
  const opt = new AutoOptimizer(model.params, { lr: p.lr, sparse: p.optimizer === 'lazy_adam' ? 'LazyAdam' : 'SparseAdam' });
  const loss = new nn.SoftmaxCrossEntropy();
  const order = Int32Array.from(train.keys());
  const shuffle = rng.fork(2);
  const N = train.length;
  const B = p.batch;
  const full: Int32Array[] = new Array(Math.min(B, N));
  const part: Int32Array[] = [];
  const rest: Int32Array[] = new Array(N % B);
  const batchTargets = new Int32Array(B);
  const losses: number[] = [];
  const epochSeconds: number[] = [];
  // the last finished epoch's parameters, restored when training diverges
  const good = model.params.map((q) => new Float32Array(q.data));
  const threads = Math.max(1, Math.min(p.threads ?? ctx.threads, B));
  const parallel = threads > 1 ? await CharGRUParallel.start(threads, model.config, model.kernels.name, model.params, encoded, targets, B) : null;
  try {
    return await trainEpochs();
  } finally {
    await parallel?.close();
  }

  async function trainEpochs(): Promise<CharGRUResult> {
    const t0 = performance.now();
    for (let ep = 1; ep <= p.epoch; ep++) {
      const te = performance.now();
      shuffle.shuffle(order);
      let total = 0;
      let lastYield = performance.now();
      for (let s = 0; s < N; s += B) {
        const n = Math.min(B, N - s);
        // this thread's part: the whole batch, or its first part when workers take the rest
        const k = parallel ? parallel.dispatch(order.subarray(s, s + n), n) : n;
        let seqs = n === full.length ? full : rest;
        if (k < n) {
          part.length = k;
          seqs = part;
        }
        for (let i = 0; i < k; i++) {
          seqs[i] = encoded[order[s + i]!]!;
          batchTargets[i] = targets[order[s + i]!]!;
        }
        let l: number;
        try {
          l = loss.forward(model.logits(seqs), batchTargets, labels.length, k) * k;
          model.backward(loss.backward(k / n));
          if (parallel) l += parallel.gather();
        } catch (e) {
          // the workers' parts must be finished before the parameters are restored
          if (parallel) {
            try {
              parallel.gather();
            } catch {
              // the first failure is the one reported
            }
          }
          // a NaN loss, or NaN/infinite activations caught by a layer's input check (the ids are
          // checked when encoded, so only the weights can have made them): the run diverged
          if (e instanceof WordloomError && (e.code === 'E_DIVERGED' || / holds (NaN|-?Infinity) /.test(e.message))) {
            model.params.forEach((q, i) => q.data.set(good[i]!));
            throw new WordloomError('E_DIVERGED', `training diverged in epoch ${ep} (${e.message.split('\n')[0]}): the model is back to ${ep > 1 ? `the end of epoch ${ep - 1}` : 'its initial weights'}`, { param: 'lr' }, `lower lr (now ${p.lr})${ep > 1 && opts.checkpoint ? `; the checkpoint of epoch ${ep - 1} was kept` : ''}`, { cause: e });
          }
          throw e;
        }
        total += l;
        opt.step();
        opt.zeroGrad();
        const now = performance.now();
        if (now - lastYield > 200) {
          lastYield = now;
          ctx.progress({ phase: 'training', done: s + n, total: N, unit: 'examples', iteration: ep, metrics: { epoch: ep, loss: round(total / (s + n), 4) } });
          await new Promise((r) => setImmediate(r));
          if (ctx.signal.aborted) throw new WordloomError('E_STATE', 'training stopped', {}, undefined, { cause: ctx.signal.reason });
        }
      }
      epochSeconds.push((performance.now() - te) / 1000);
      losses.push(total / N);
      const bad = model.params.find((q) => !q.data.every((v) => Number.isFinite(v)));
      if (bad) {
        model.params.forEach((q, i) => q.data.set(good[i]!));
        throw new WordloomError('E_DIVERGED', `training diverged in epoch ${ep} (${bad.name} holds NaN or infinite values): the model is back to ${ep > 1 ? `the end of epoch ${ep - 1}` : 'its initial weights'}`, { param: 'lr' }, `lower lr (now ${p.lr})${ep > 1 && opts.checkpoint ? `; the checkpoint of epoch ${ep - 1} was kept` : ''}`);
      }
      model.params.forEach((q, i) => good[i]!.set(q.data));
      if (opts.checkpoint) await opts.checkpoint(model, ep);
      ctx.progress({ phase: 'training', done: N, total: N, unit: 'examples', iteration: ep, metrics: { epoch: ep, loss: round(total / N, 4), seconds: round(epochSeconds.at(-1)!, 2) } });
      ctx.log(`epoch ${ep}: loss ${(total / N).toFixed(4)}, ${epochSeconds.at(-1)!.toFixed(2)} s`);
    }
    return {
      model,
      train: { examples: N, epochs: p.epoch, seconds: (performance.now() - t0) / 1000, epochSeconds, losses, cut, alphabet: alphabet.length, kernels: model.kernels.name, threads },
      files: [],
    };
  }
}

/** Accuracy of the model's first label on labelled examples (labels it does not know count as wrong). */
export function testCharGRU(model: CharGRUModel, examples: readonly RawExample[], batchSize = 256): CharGRUTestResult {
  if (examples.length === 0) throw new WordloomError('E_INPUT', 'there are no test examples');
  const preds = model.predict(examples.map(exampleText), 1, 0, batchSize);
  let correct = 0;
  examples.forEach((e, i) => {
    if (preds[i]![0]!.label === e.labels[0]) correct++;
  });
  return { examples: examples.length, correct, accuracy: correct / examples.length };
}

/** The char-gru op: read, split (seeded), train, test on the held-out part, save. */
export async function trainCharGRU(params: Partial<CharGRUParams>, ctx: OpContext = standaloneContext()): Promise<CharGRUResult> {
  const p = resolveCharGRUParams(params);
  const seed = p.seed ?? ctx.seed;
  ctx.progress({ phase: 'reading', message: 'reading the examples' });
  const all = await readExamples(p, ctx.baseDir);
  const { train, test } = splitExamples(all, p.test_fraction, seed);
  const file = p.output ? (isAbsolute(p.output) ? p.output : resolve(ctx.baseDir, p.output)) : undefined;
  // the model is written after every epoch: a run that diverges keeps its last good one
  const checkpoint = file ? async (m: CharGRUModel, ep: number): Promise<void> => {
    await m.save(file);
    ctx.log(`epoch ${ep}: model written to ${file}`);
  } : undefined;
  const res = await fitCharGRU(train, { ...p, seed }, ctx, { checkpoint });
  if (test.length) {
    res.test = testCharGRU(res.model, test);
    ctx.log(`test on ${test.length} held-out examples: accuracy ${res.test.accuracy.toFixed(4)}`);
    ctx.progress({ phase: 'testing', metrics: { examples: test.length, accuracy: round(res.test.accuracy, 4) } });
  }
  if (file) res.files.push(file);
  return res;
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
