/**
 * Training and testing the classifier. The embedding table (words + n-gram
 * buckets) gets sparse gradients, the linear layer dense ones; the routing
 * optimizer (core AutoOptimizer) steps each with the right algorithm. Examples are
 * shuffled every epoch and dealt in chunks to a Piscina pool whose workers update
 * the shared parameters without locks (Hogwild).
 */
import { fileURLToPath } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { Piscina } from 'piscina';
import {
  Adagrad, Adam, AutoOptimizer, Parameter, Rng, SGD, SMORMS3, WordloomError, sharedInt32,
  type MultiOptimizer, type Optimizer,
} from '@wordloom/core';
import { standaloneContext, type OpContext } from '../op.js';
import { readExamples, splitExamples, type RawExample } from './data.js';
import { prepareExamples, rawExamples, scanFastTextFile, splitIndices, type ScannedExamples } from './scan.js';
import { EOS } from '../subword/hash.js';
import { ClassifierModel, encodeExamples, topK, type EncodedExamples } from './model.js';
import { CLASSIFY_DEFAULTS, CLASSIFY_OPTIMIZERS, type ClassifyParams } from './params.js';
import { runKernelTask, runSetupTask, type KernelTask, type SetupTask, type TrainResult, type TrainTask } from './worker.js';
import { classifyLayout, compileClassifyKernel, type KernelOptimizer } from './kernel.js';
import { f32View, i32View, indexedRows, sharedMemory, wasmSimdAvailable } from '../kernels/index.js';
import { workerPool } from '../kernels/pool.js';

export interface TestResult {
  examples: number;
  k: number;
  /** Correct labels among the top k, over the labels predicted (fastText's P@k). */
  precision: number;
  /** Correct labels among the top k, over the true labels (fastText's R@k). */
  recall: number;
  /** Mean cross-entropy of the first label. */
  loss: number;
}

export interface ClassifierResult {
  model: ClassifierModel;
  train: {
    examples: number;
    epochs: number;
    seconds: number;
    /** Training examples (sentences) processed per second, all threads together. */
    sentencesPerSecond: number;
    /** Mean training loss of each epoch (as seen while training). */
    losses: number[];
    optimizer: string;
    threads: number;
    /** The kernel that trained and its threads, e.g. 'wasm-simd:2'. */
    backend: string;
  };
  test?: TestResult;
  files: string[];
}

const WORKER_URL = new URL('./worker.js', import.meta.url);
const CHUNK = 2048;
/** Examples the main thread trains between two looks at its event loop. */
const MAIN_PIECE = 8192;
let jobCounter = 0;

export function resolveClassifyParams(p: Partial<ClassifyParams>): ClassifyParams {
  const out = { ...CLASSIFY_DEFAULTS, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) } as ClassifyParams;
  const int = (k: keyof ClassifyParams, min: number): void => {
    const v = out[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new WordloomError('E_PARAM', `${k} must be an integer >= ${min}, got ${JSON.stringify(v)}`, { param: k });
  };
  int('dim', 1); int('epoch', 1); int('word_ngrams', 1); int('bucket', 1); int('min_count', 1); int('batch', 1); int('k', 1);
  if (!(out.lr > 0)) throw new WordloomError('E_PARAM', `lr must be > 0, got ${out.lr}`, { param: 'lr' }, "0.01 suits the Adam family, 0.1 sgd (fastText's default)");
  if (!(out.test_fraction >= 0 && out.test_fraction <= 0.9)) throw new WordloomError('E_PARAM', `test_fraction must be from 0 to 0.9, got ${out.test_fraction}`, { param: 'test_fraction' });
  if (out.output_format !== 'wordloom' && out.output_format !== 'fasttext') throw new WordloomError('E_PARAM', `unknown output_format ${JSON.stringify(out.output_format)}`, { param: 'output_format' }, "use 'wordloom' or 'fasttext'");
  if (!['auto', 'wasm', 'typescript'].includes(out.backend)) throw new WordloomError('E_PARAM', `unknown backend ${JSON.stringify(out.backend)}`, { param: 'backend' }, "use 'auto', 'wasm' or 'typescript'");
  if (out.backend === 'wasm' && kernelOptimizer(out) === undefined) {
    throw new WordloomError('E_PARAM', `backend 'wasm' trains optimizers lazy_adam, sparse_adam and sgd with batch 1 (got ${out.optimizer}, batch ${out.batch})`, { param: 'backend' }, "use backend: 'auto' or 'typescript'");
  }
  if (!CLASSIFY_OPTIMIZERS.includes(out.optimizer)) throw new WordloomError('E_PARAM', `unknown optimizer ${JSON.stringify(out.optimizer)}`, { param: 'optimizer' }, `choose from ${CLASSIFY_OPTIMIZERS.join(', ')}`);
  return out;
}

/** Read the data the params name, split it, train, test on the held-out part and save: the classify op. */
export async function trainClassifier(params: Partial<ClassifyParams>, ctx: OpContext = standaloneContext()): Promise<ClassifierResult> {
  const p = resolveClassifyParams(params);
  const seed = p.seed ?? ctx.seed;
  ctx.progress({ phase: 'reading', message: 'reading the examples' });
  let res: ClassifierResult;
  let test: RawExample[];
  const threads = p.threads ?? ctx.threads;
  // the kernel's workers (threads - 1: this thread trains a share) start on the other cores while this one reads
  const workers = kernelWanted(p) && threads > 1 ? workerPool(WORKER_URL, threads - 1) : undefined;
  try {
    // one fastText-format file (the common case): read from its bytes, words made into strings once each
    const scanned = p.input && !p.labels && !(p.classes && Object.keys(p.classes).length)
      ? await scanFastTextFile(isAbsolute(p.input) ? p.input : resolve(ctx.baseDir, p.input), p.label_prefix)
      : undefined;
    if (scanned) {
      if (scanned.count === 0) {
        if (scanned.unlabelled > 0) throw new WordloomError('E_INPUT', `no line has a label (a token starting with "${p.label_prefix}")`, { file: scanned.file, param: 'input' }, `write labels as ${p.label_prefix}<label> tokens, set label_prefix, or give a labels file`);
        throw new WordloomError('E_INPUT', 'there are no examples to train on', { file: scanned.file });
      }
      const split = splitIndices(scanned.count, p.test_fraction, seed);
      res = await fitScanned(scanned, split.train, p, ctx, workers);
      test = rawExamples(scanned, split.test);
    } else {
      const all = await readExamples(p, ctx.baseDir);
      const split = splitExamples(all, p.test_fraction, seed);
      res = await fitClassifier(split.train, p, ctx, { workers });
      test = split.test;
    }
  } finally {
    await workers?.destroy();
  }
  if (test.length) {
    res.test = testClassifier(res.model, test, p.k);
    ctx.log(`test on ${test.length} held-out examples: P@${p.k} ${res.test.precision.toFixed(4)}, R@${p.k} ${res.test.recall.toFixed(4)}`);
    ctx.progress({ phase: 'testing', metrics: { examples: test.length, [`P@${p.k}`]: round(res.test.precision, 4), [`R@${p.k}`]: round(res.test.recall, 4) } });
  }
  if (p.output) {
    const file = isAbsolute(p.output) ? p.output : resolve(ctx.baseDir, p.output);
    ctx.progress({ phase: 'saving', message: file });
    if (p.output_format === 'fasttext') await res.model.saveFastText(file);
    else await res.model.save(file);
    ctx.log(`wrote ${file}`);
    res.files.push(file);
  }
  return res;
}

/** Train on the scanned examples `train` (indices): the vocabulary, labels and rows as fitClassifier makes them from the same examples. */
async function fitScanned(s: ScannedExamples, train: Int32Array, p: ClassifyParams, ctx: OpContext, workers?: Piscina): Promise<ClassifierResult> {
  const seed = p.seed ?? ctx.seed;
  const threads = p.threads ?? ctx.threads;
  const useKernel = kernelWanted(p);
  const bucket = p.word_ngrams > 1 ? p.bucket : 0;
  const prep = prepareExamples(s, train, p.min_count, p.word_ngrams, bucket);
  const model = new ClassifierModel(prep.words, prep.labels, p.dim, p.word_ngrams, bucket, p.label_prefix);
  checkLabels(model, p, ctx);
  if (prep.empty > 0) {
    const e = prep.firstEmpty;
    const hasWords = s.tokOff[e + 1]! > s.tokOff[e]!;
    reportEmpty(prep.empty, train.length, { file: s.file, line: s.line[e]!, hasWords }, prep.data.count > 0, model, p, ctx);
  }
  if (!useKernel) randomInput(model, seed);
  return fitEncoded(model, prep.data, p, ctx, seed, threads, useKernel, true, workers);
}

/** The optimizers (and batch) the generated kernel trains. */
function kernelOptimizer(p: ClassifyParams): KernelOptimizer | undefined {
  return p.batch === 1 && (p.optimizer === 'lazy_adam' || p.optimizer === 'sparse_adam' || p.optimizer === 'sgd') ? p.optimizer : undefined;
}

/** A model with the vocabulary and labels of these examples, input rows uniform in [-1/dim, 1/dim] (fastText), output zeros (input zeros too with random false). */
export function initModel(train: readonly RawExample[], p: ClassifyParams, seed: number, random = true): ClassifierModel {
  const counts = new Map<string, number>();
  const labelCounts = new Map<string, number>();
  for (const e of train) {
    for (const t of e.tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    counts.set(EOS, (counts.get(EOS) ?? 0) + 1); // the end of each line, as fastText counts it
    for (const l of e.labels) labelCounts.set(l, (labelCounts.get(l) ?? 0) + 1);
  }
  const byCount = (m: Map<string, number>, min: number): string[] =>
    [...m.entries()].filter(([, c]) => c >= min).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([w]) => w);
  const words = byCount(counts, p.min_count);
  const labels = byCount(labelCounts, 1);
  const bucket = p.word_ngrams > 1 ? p.bucket : 0;
  const model = new ClassifierModel(words, labels, p.dim, p.word_ngrams, bucket, p.label_prefix);
  if (!random) return model;
  const rng = new Rng(seed);
  const a = 1 / p.dim;
  for (let i = 0; i < model.input.length; i++) model.input[i] = (2 * rng.next() - 1) * a;
  return model;
}

function randomInput(model: ClassifierModel, seed: number): void {
  const rng = new Rng(seed);
  const a = 1 / model.dim;
  for (let i = 0; i < model.input.length; i++) model.input[i] = (2 * rng.next() - 1) * a;
}

/**
 * Training on the generated kernel (kernel.ts): the matrices, the optimizer's
 * moments and the examples' coalesced rows move into one shared WebAssembly
 * memory; the returned model's matrices are views of it. Undefined when the model
 * does not fit one WebAssembly memory.
 */
async function fitKernel(shape: ClassifierModel, fresh: boolean, data: EncodedExamples, p: ClassifyParams, ctx: OpContext, seed: number, threads: number, workers?: Piscina): Promise<ClassifierResult | undefined> {
  // the main thread trains one share; threads - 1 workers the others (a caller may have started them early)
  const own = workers === undefined && threads > 1 ? workerPool(WORKER_URL, threads - 1) : undefined;
  try {
    return await fitKernelOn(workers ?? own, shape, fresh, data, p, ctx, seed, threads);
  } finally {
    await own?.destroy();
  }
}

async function fitKernelOn(pool: Piscina | undefined, shape: ClassifierModel, fresh: boolean, data: EncodedExamples, p: ClassifyParams, ctx: OpContext, seed: number, threads: number): Promise<ClassifierResult | undefined> {
  const optimizer = kernelOptimizer(p)!;
  const adam = optimizer !== 'sgd';
  const dim = shape.dim;
  const L = shape.labels.length;
  const n = data.count;
  // coalesce each example's rows: distinct rows, how many times each
  const exOffsets = sharedInt32(n + 1);
  const cRows = new Int32Array(data.rows.length);
  const cCounts = new Float32Array(data.rows.length);
  let at = 0;
  for (let e = 0; e < n; e++) {
    // insertion sort of the example's rows in place in cRows (tens of rows), then merge repeats
    const s0 = data.offsets[e]!;
    const len = data.offsets[e + 1]! - s0;
    const base = at;
    for (let k = 0; k < len; k++) {
      const v = data.rows[s0 + k]!;
      let j = base + k;
      while (j > base && cRows[j - 1]! > v) {
        cRows[j] = cRows[j - 1]!;
        j--;
      }
      cRows[j] = v;
    }
    for (let k = 0; k < len; k++) {
      const v = cRows[base + k]!;
      if (at > base && cRows[at - 1] === v) cCounts[at - 1]! += 1;
      else {
        cRows[at] = v;
        cCounts[at++] = 1;
      }
    }
    exOffsets[e + 1] = at;
  }
  const nThreads = Math.max(1, threads);
  const inputRows = shape.inputRows;
  // with moments, training holds only the rows some example uses (numbered in row
  // order) next to their moments; the others keep their initial values in the matrix
  let trainRows = inputRows;
  let index: Int32Array | undefined;
  if (adam) {
    const dense = new Int32Array(inputRows);
    for (let k = 0; k < at; k++) dense[cRows[k]!] = 1;
    let u = 0;
    for (let r = 0; r < inputRows; r++) dense[r] = dense[r] ? u++ : -1;
    index = new Int32Array(u);
    for (let r = 0; r < inputRows; r++) if (dense[r]! >= 0) index[dense[r]!] = r;
    for (let k = 0; k < at; k++) cRows[k] = dense[cRows[k]!]!;
    trainRows = u;
  }
  const layout = classifyLayout({ dim, labels: L, inputRows, trainRows, rowCount: at, moments: adam, threads: nThreads });
  if (!layout.fits) {
    if (p.backend === 'wasm') throw new WordloomError('E_PARAM', `the classifier needs ${(layout.bytes / 2 ** 30).toFixed(2)} GiB, more than one WebAssembly memory`, { node: ctx.node, param: 'backend' }, "lower bucket or dim, or use backend: 'typescript'");
    ctx.log(`the classifier needs ${(layout.bytes / 2 ** 30).toFixed(2)} GiB, more than one WebAssembly memory: training on the TypeScript path`);
    return undefined;
  }
  const memory = sharedMemory(layout, 'the classifier');
  const output = f32View(memory, layout.output, L * dim);
  const input = f32View(memory, layout.input, inputRows * dim);
  const stride = layout.trainRowBytes;
  if (index) i32View(memory, layout.index, trainRows).set(index);
  // the initial values and the gathering of the training rows: with a worker, half each
  const setup = async (kind: SetupTask['kind'], rows: number): Promise<void> => {
    const task = (from: number, to: number): SetupTask => ({ kind, memory, layout, seed, from, to });
    const half = pool ? Math.floor(rows / 2) : rows;
    const other = pool && half < rows ? pool.run(task(half, rows)) : undefined;
    try {
      runSetupTask(task(0, half));
    } finally {
      await other;
    }
  };
  if (fresh) await setup('fill', inputRows);
  else {
    input.set(shape.input);
    output.set(shape.output);
  }
  if (index) await setup('gather', trainRows);
  i32View(memory, layout.rows, at).set(cRows.subarray(0, at));
  f32View(memory, layout.counts, at).set(cCounts.subarray(0, at));
  const eps = optimizer === 'lazy_adam' ? 1e-7 : 1e-8;
  const module = compileClassifyKernel({ layout, optimizer, betas: [0.9, 0.999], epsIn: eps, epsOut: 1e-8 });
  const job = ++jobCounter;
  const counter = sharedInt32(2); // [examples processed, optimizer steps]
  const total = n * p.epoch;
  const rng = new Rng(seed + 1);
  const losses: number[] = [];
  const t0 = performance.now();
  let processed = 0;
  const cancelled = (): unknown => (ctx.signal.reason instanceof Error ? ctx.signal.reason : new WordloomError('E_STATE', 'classify training was cancelled', { node: ctx.node }));
  ctx.log(`training on the WebAssembly SIMD kernel, ${nThreads} thread${nThreads > 1 ? 's' : ''}`);
  for (let ep = 1; ep <= p.epoch; ep++) {
    if (ctx.signal.aborted) throw cancelled();
    const order = sharedInt32(n);
    for (let i = 0; i < n; i++) order[i] = i;
    rng.shuffle(order);
    // one task per thread and epoch (each its share of the shuffled order)
    const tasks: Promise<TrainResult>[] = [];
    let epLoss = 0;
    let epN = 0;
    const done = (r: TrainResult, count: number): void => {
      epLoss += r.loss;
      epN += r.examples;
      processed += count;
      const secs = (performance.now() - t0) / 1000;
      ctx.progress({ phase: 'training', iteration: ep, done: processed, total, unit: 'examples', metrics: { epoch: ep, loss: round(epLoss / Math.max(1, epN), 4), 'sentences/s': Math.round(processed / secs) } });
    };
    const share = (t: number, from: number, to: number): KernelTask => ({
      kind: 'kernel', job, module, memory, scratch: layout.threads[t]!, exOffsets, offsets: data.offsets, labels: data.labels, order, from, to, labelsCount: L,
      adam, betas: [0.9, 0.999], lr: p.lr, linear: p.lr_schedule === 'linear', counter, total,
    });
    for (let t = 1; t < nThreads; t++) {
      const from = Math.floor((t * n) / nThreads);
      const to = Math.floor(((t + 1) * n) / nThreads);
      tasks.push((pool!.run(share(t, from, to), { signal: ctx.signal }) as Promise<TrainResult>).then((r) => (done(r, to - from), r)));
    }
    try {
      // share 0 on this thread, in pieces between which signals and the workers' messages are seen
      const end0 = Math.floor(n / nThreads);
      for (let from = 0; from < end0; from += MAIN_PIECE) {
        if (ctx.signal.aborted) throw cancelled();
        const to = Math.min(end0, from + MAIN_PIECE);
        done(runKernelTask(share(0, from, to)), to - from);
        if (to < end0) await new Promise((r) => setImmediate(r));
      }
      await Promise.all(tasks);
    } catch (e) {
      await Promise.allSettled(tasks);
      if (ctx.signal.aborted) throw cancelled();
      throw e;
    }
    endEpoch(ep, epLoss / Math.max(1, epN), losses, p, ctx);
  }
  const seconds = (performance.now() - t0) / 1000;
  // the trained rows back into the matrix
  if (index) indexedRows(memory, 'scatter', layout.train, stride, layout.input, dim * 4, dim * 4, layout.index, trainRows);
  const model = new ClassifierModel(shape.words, shape.labels, dim, shape.wordNgrams, shape.bucket, shape.labelPrefix, input, output);
  // a model given to continue from is updated in place, as on the TypeScript path
  if (!fresh) {
    shape.input.set(input);
    shape.output.set(output);
  }
  const described = optimizer === 'sgd' ? 'SGD(input,output)' : `${optimizer === 'lazy_adam' ? 'LazyAdam' : 'SparseAdam'}(input) + Adam(output)`;
  return {
    model: fresh ? model : shape,
    train: { examples: n, epochs: p.epoch, seconds, sentencesPerSecond: (n * p.epoch) / seconds, losses, optimizer: described, threads: nThreads, backend: `wasm-simd:${nThreads}` },
    files: [],
  };
}

export interface FitOptions {
  /** Start from this model (its words and labels) instead of a fresh one. */
  model?: ClassifierModel;
  /** Workers already started for the kernel (threads - 1 of them, running this module's worker); the caller destroys them. */
  workers?: Piscina;
}

/** Train on these examples (no split, no files). */
export async function fitClassifier(train: readonly RawExample[], params: Partial<ClassifyParams>, ctx: OpContext = standaloneContext(), opts: FitOptions = {}): Promise<ClassifierResult> {
  const p = resolveClassifyParams(params);
  const seed = p.seed ?? ctx.seed;
  const threads = p.threads ?? ctx.threads;
  const useKernel = kernelWanted(p);
  const model = opts.model ?? initModel(train, p, seed, !useKernel);
  checkLabels(model, p, ctx);
  const all = encodeExamples(model, train);
  checkInputRows(all, train, model, p, ctx);
  // labels-only lines are left out (the </s> that ends every line would otherwise train them)
  const data = train.some((e) => e.tokens.length === 0) ? encodeExamples(model, train.filter((e) => e.tokens.length > 0)) : all;
  return fitEncoded(model, data, p, ctx, seed, threads, useKernel, !opts.model, opts.workers);
}

/** Whether the generated kernel trains these params (and the runtime has WebAssembly SIMD). */
function kernelWanted(p: ClassifyParams): boolean {
  const useKernel = p.backend !== 'typescript' && kernelOptimizer(p) !== undefined && wasmSimdAvailable();
  if (p.backend === 'wasm' && !useKernel) throw new WordloomError('E_PARAM', 'this runtime has no WebAssembly SIMD', { param: 'backend' }, "use backend: 'typescript' or 'auto'");
  return useKernel;
}

function checkLabels(model: ClassifierModel, p: ClassifyParams, ctx: OpContext): void {
  if (model.labels.length < 2) {
    throw new WordloomError('E_INPUT', `the training examples have ${model.labels.length} label(s); a classifier needs at least 2`, { node: ctx.node, param: 'input' }, `labels are tokens starting with "${p.label_prefix}", or come from classes / labels`);
  }
}

/** Train the model (fresh: from its initial values) on encoded examples: the kernel where it runs, else the TypeScript optimizers. */
async function fitEncoded(model: ClassifierModel, data: EncodedExamples, p: ClassifyParams, ctx: OpContext, seed: number, threads: number, useKernel: boolean, fresh: boolean, workers?: Piscina): Promise<ClassifierResult> {
  if (useKernel) {
    const r = await fitKernel(model, fresh, data, p, ctx, seed, threads, workers);
    if (r) return r;
    // the model does not fit one WebAssembly memory: the TypeScript path, from fastText's initialisation
    if (fresh) randomInput(model, seed);
  }
  const emb = new Parameter([model.inputRows, model.dim], { name: 'input', data: model.input, sparse: true });
  const lin = new Parameter([model.labels.length, model.dim], { name: 'output', data: model.output });
  const opt = makeOptimizer(p, emb, lin);
  const baseLrs = opt.paramGroups.map((g) => g.options.lr);
  const shared = opt.share();
  const pool = workerPool(WORKER_URL, threads);
  const job = ++jobCounter;
  const counter = sharedInt32(1);
  const n = data.count;
  const total = n * p.epoch;
  const rng = new Rng(seed + 1);
  const losses: number[] = [];
  const t0 = performance.now();
  let processed = 0;
  try {
    for (let ep = 1; ep <= p.epoch; ep++) {
      if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new WordloomError('E_STATE', 'classify training was cancelled', { node: ctx.node });
      const order = sharedInt32(n);
      for (let i = 0; i < n; i++) order[i] = i;
      rng.shuffle(order);
      const chunk = Math.max(p.batch, Math.floor(CHUNK / p.batch) * p.batch);
      const tasks: Promise<TrainResult>[] = [];
      let epLoss = 0;
      let epN = 0;
      for (let from = 0; from < n; from += chunk) {
        const task: TrainTask = {
          job, shared, densify: p.optimizer === 'adam', rows: data.rows, offsets: data.offsets, labels: data.labels, order, from, to: Math.min(n, from + chunk),
          dim: model.dim, nLabels: model.labels.length, batch: p.batch, baseLrs, linear: p.lr_schedule === 'linear', counter, total,
        };
        tasks.push(
          // Cancelling stops the running chunks too (their workers end; the shared weights are dropped anyway).
          (pool.run(task, { signal: ctx.signal }) as Promise<TrainResult>).then((r) => {
            epLoss += r.loss;
            epN += r.examples;
            processed += task.to - task.from;
            const secs = (performance.now() - t0) / 1000;
            ctx.progress({ phase: 'training', iteration: ep, done: processed, total, unit: 'examples', metrics: { epoch: ep, loss: round(epLoss / Math.max(1, epN), 4), 'sentences/s': Math.round(processed / secs) } });
            return r;
          }),
        );
      }
      try {
        await Promise.all(tasks);
      } catch (e) {
        if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new WordloomError('E_STATE', 'classify training was cancelled', { node: ctx.node });
        throw e;
      }
      endEpoch(ep, epLoss / Math.max(1, epN), losses, p, ctx);
    }
  } finally {
    await pool.destroy();
  }
  // the parameters copied the matrices when they were not shared memory: the model gets the trained values
  if (emb.data !== model.input) model.input.set(emb.data);
  if (lin.data !== model.output) model.output.set(lin.data);
  const seconds = (performance.now() - t0) / 1000;
  return {
    model,
    train: { examples: n, epochs: p.epoch, seconds, sentencesPerSecond: (n * p.epoch) / seconds, losses, optimizer: describeOptimizer(opt), threads, backend: `typescript:${threads}` },
    files: [],
  };
}

/**
 * An example with no input row (no word of the vocabulary, no n-gram), or with
 * labels and no words at all, teaches nothing: training on only such examples would report loss 0 and save an
 * untrained model, so that is an error; some of them is a warning with the count.
 */
/** An epoch's mean loss: kept and logged, or the error of a diverged training. */
function endEpoch(ep: number, loss: number, losses: number[], p: ClassifyParams, ctx: OpContext): void {
  if (!Number.isFinite(loss)) {
    throw new WordloomError('E_DIVERGED', `training diverged in epoch ${ep}: the loss became ${loss}`, { node: ctx.node, param: 'lr' }, `lower lr (now ${p.lr})`);
  }
  losses.push(loss);
  ctx.log(`epoch ${ep}/${p.epoch}: loss ${loss.toFixed(4)}`);
}

function checkInputRows(data: EncodedExamples, train: readonly RawExample[], model: ClassifierModel, p: ClassifyParams, ctx: OpContext): void {
  let empty = 0;
  let first = -1;
  for (let i = 0; i < data.count; i++) {
    if (data.offsets[i + 1] === data.offsets[i] || train[i]!.tokens.length === 0) {
      empty++;
      if (first < 0) first = i;
    }
  }
  if (empty === 0) return;
  const e = train[first]!;
  reportEmpty(empty, data.count, { file: e.file, line: e.line, hasWords: e.tokens.length > 0 }, train.some((x) => x.tokens.length > 0), model, p, ctx);
}

/** Some training examples give no input row: a warning with the count, or an error when none gives one. */
function reportEmpty(empty: number, count: number, first: { file: string; line: number; hasWords: boolean }, anyWords: boolean, model: ClassifierModel, p: ClassifyParams, ctx: OpContext): void {
  const why = first.hasWords ? `none of its words is in the vocabulary (min_count ${p.min_count})` : 'it has labels and no words';
  if (empty === count) {
    throw new WordloomError(
      'E_INPUT',
      `none of the ${count} training examples has a word to learn from; the first, line ${first.line}: ${why}`,
      { file: first.file, line: first.line, node: ctx.node === 'standalone' ? undefined : ctx.node, param: 'input' },
      model.words.length === 0 && anyWords ? 'lower min_count' : `each line needs words besides its ${p.label_prefix} labels`,
    );
  }
  ctx.log(`warning: ${empty} of ${count} training examples have no word to learn from and are skipped (the first: ${first.file}:${first.line}, ${why})`);
}

function makeOptimizer(p: ClassifyParams, emb: Parameter, lin: Parameter): Optimizer<any> | MultiOptimizer {
  switch (p.optimizer) {
    case 'lazy_adam':
    case 'sparse_adam': {
      const o = new AutoOptimizer([emb, lin], { lr: p.lr, sparse: p.optimizer === 'lazy_adam' ? 'LazyAdam' : 'SparseAdam' });
      o.route(lin, 'dense');
      return o;
    }
    case 'adam':
      return new Adam([emb, lin], { lr: p.lr });
    case 'adagrad':
      return new Adagrad([emb, lin], { lr: p.lr });
    case 'smorms3':
      return new SMORMS3([emb, lin], { lr: p.lr });
    case 'sgd':
      return new SGD([emb, lin], { lr: p.lr });
  }
}

function describeOptimizer(o: Optimizer<any> | MultiOptimizer): string {
  if ('optimizers' in o) return o.optimizers.map((x) => `${x.type}(${x.params.map((q) => q.name).join(',')})`).join(' + ');
  return `${o.type}(${o.params.map((q) => q.name).join(',')})`;
}

/** Precision and recall at k on labelled examples, and the mean loss of the first label. */
export function testClassifier(model: ClassifierModel, examples: readonly RawExample[], k = 1): TestResult {
  let correct = 0;
  let predicted = 0;
  let gold = 0;
  let loss = 0;
  let lossN = 0;
  const rows: number[] = [];
  for (const e of examples) {
    rows.length = 0;
    model.encode(e.tokens, rows);
    gold += e.labels.length;
    const p = model.probabilities(rows);
    if (!p) continue;
    const top = topK(p, k);
    predicted += top.length;
    for (const j of top) if (e.labels.includes(model.labels[j]!)) correct++;
    const y = model.labelIndex.get(e.labels[0]!);
    loss -= Math.log(Math.max(y === undefined ? 0 : p[y]!, 1e-300));
    lossN++;
  }
  return { examples: examples.length, k, precision: predicted ? correct / predicted : 0, recall: gold ? correct / gold : 0, loss: lossN ? loss / lossN : NaN };
}

/** Mean cross-entropy of encoded examples under the model. */
export function meanLoss(model: ClassifierModel, data: EncodedExamples): number {
  let loss = 0;
  let n = 0;
  for (let e = 0; e < data.count; e++) {
    const p = model.probabilities(data.rows.subarray(data.offsets[e]!, data.offsets[e + 1]!));
    if (!p || data.labels[e]! < 0) continue;
    loss -= Math.log(Math.max(p[data.labels[e]!]!, 1e-300));
    n++;
  }
  return loss / n;
}

function round(x: number, d: number): number {
  const m = 10 ** d;
  return Math.round(x * m) / m;
}
