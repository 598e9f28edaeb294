/**
 * Training, testing and predicting with the linear model. Training reads the
 * examples as a stream, hashes them into chunks and learns from each chunk as it
 * comes (one thread: in this thread, deterministic; several: a Piscina pool whose
 * workers parse, hash and learn from batches of raw lines, updating the shared
 * weights without locks, while this thread reads the lines and numbers the labels;
 * with keep_names the parsing stays here, for the one map of names), reporting the progressive
 * validation loss (each example scored before the model learns from it). Passes
 * after the first read the chunks back from a cache.
 */
import { fileURLToPath } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { Piscina } from 'piscina';
import { Rng, WordloomError, sharedFloat32, sharedInt32 } from '@wordloom/core';
import { standaloneContext, type OpContext } from '../op.js';
import { ChunkBuilder, ChunkCache, ExampleParser, readLineBatches, readLines } from './data.js';
import { strideOf, type ChunkResult, type ExampleChunk } from './learn.js';
import { memoryOfWeights } from './kernel.js';
import { LinearModel, LINEAR_VERSION, type LinearHeader } from './model.js';
import { LINEAR_DEFAULTS, type LinearParams } from './params.js';
import type { LinearParseResult, LinearParseTask, LinearTask } from './worker.js';
import type { LineFormat } from './parse.js';
import { workerPool } from '../kernels/pool.js';
import { wasmSimdAvailable } from '../kernels/memory.js';
import { checkpointFile, loadCheckpoint, passRng, writeCheckpoint } from '../io/checkpoint.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);
let jobCounter = 0;

export interface LinearTrainResult {
  model: LinearModel;
  train: {
    /** Examples learned from in the first pass. */
    examples: number;
    passes: number;
    seconds: number;
    /** Seconds in the update rule alone (scoring and updating, summed over the threads): no reading, parsing, hashing or caching. */
    learnSeconds: number;
    examplesPerSecond: number;
    /** Progressive validation loss and error rate of the first pass (importance-weighted means). */
    progressiveLoss: number;
    progressiveError: number;
    /** Mean loss seen while learning, per pass. */
    passLosses: number[];
    skipped: number;
    threads: number;
    /** The update rule's inner loops: 'wasm' (WebAssembly) or 'typescript'. */
    kernels: 'wasm' | 'typescript';
    /** The pass whose resume checkpoint training went on from (0: trained from the start). */
    resumedFrom: number;
  };
  files: string[];
}

function bad(param: string, msg: string, hint?: string): never {
  throw new WordloomError('E_PARAM', msg, { param }, hint);
}

export function resolveLinearParams(p: Partial<LinearParams>): LinearParams {
  const out = { ...LINEAR_DEFAULTS, ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) } as LinearParams;
  const int = (k: keyof LinearParams, min: number, max: number): void => {
    const v = out[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(k, `${k} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  };
  int('bits', 1, 30);
  int('ngram', 1, 8);
  int('classes', 2, 4096);
  int('passes', 1, 1000);
  int('chunk', 1, 1 << 20);
  if (!['hinge', 'logistic', 'squared'].includes(out.loss)) bad('loss', `unknown loss ${JSON.stringify(out.loss)}`, 'choose hinge, logistic or squared');
  if (!['binary', 'oaa', 'softmax', 'regression'].includes(out.task)) bad('task', `unknown task ${JSON.stringify(out.task)}`, 'choose binary, oaa, softmax or regression');
  if (!['sgd', 'adagrad', 'normalized'].includes(out.update)) bad('update', `unknown update ${JSON.stringify(out.update)}`, 'choose sgd, adagrad or normalized');
  if (out.task === 'regression' && out.loss !== 'squared') bad('loss', `task regression needs loss squared, got ${out.loss}`, 'pass --loss squared, or a classification task');
  if (out.task === 'softmax' && out.loss === 'squared') bad('loss', 'task softmax learns with the cross-entropy; loss squared does not apply', 'leave loss unset (or logistic) for softmax, or use task oaa');
  if (!['auto', 'wasm', 'typescript'].includes(out.kernels)) bad('kernels', `unknown kernels ${JSON.stringify(out.kernels)}`, 'choose auto, wasm or typescript');
  if (out.kernels === 'wasm' && !wasmSimdAvailable()) bad('kernels', 'this runtime has no WebAssembly (with SIMD and shared memory)', 'use kernels: auto or typescript');
  if (out.lr !== undefined && !(out.lr > 0 && Number.isFinite(out.lr))) bad('lr', `lr must be a finite number > 0, got ${out.lr}`);
  if (!(out.power_t >= 0 && out.power_t <= 1)) bad('power_t', `power_t must be from 0 to 1, got ${out.power_t}`);
  for (const k of ['l1', 'l2'] as const) if (!(out[k] >= 0 && Number.isFinite(out[k]))) bad(k, `${k} must be a finite number >= 0, got ${out[k]}`);
  for (const q of out.quadratic) if (q.length !== 2) bad('quadratic', `a quadratic cross names two namespaces by their first letters, got ${JSON.stringify(q)}`, 'e.g. "ab", or "  " for the default namespace with itself');
  if (out.labels) {
    const room = out.task === 'binary' ? 2 : out.classes;
    if (out.task === 'regression') bad('labels', 'a regression has no label names');
    if (out.labels.length > room || new Set(out.labels).size !== out.labels.length) bad('labels', `labels must be at most ${room} distinct names, got ${out.labels.join(', ')}`);
  }
  return out;
}

/** A fresh model for these params. */
/** A new model for these params; `slots` as LinearModel's (learners that may train it at once with the WebAssembly loops). */
export function newLinearModel(p: LinearParams, slots = 1): LinearModel {
  const lr = p.lr ?? (p.update === 'sgd' ? 0.1 : 0.5);
  const decay = p.lr_schedule === 'power_t' || (p.lr_schedule === 'auto' && p.update === 'sgd');
  const header: LinearHeader = {
    kind: 'wordloom-linear', bits: p.bits, ngram: p.ngram, quadratic: p.quadratic, bias: p.bias,
    loss: p.task === 'softmax' ? 'logistic' : p.loss, task: p.task, update: p.update,
    classes: p.task === 'oaa' || p.task === 'softmax' ? p.classes : 1,
    lr, power_t: decay ? p.power_t : 0, l1: p.l1, l2: p.l2, label_prefix: p.label_prefix,
    labels: p.labels ? [...p.labels] : [], label_mode: p.labels ? 'names' : 'unset', weights: 0, globals: [0, 0, 0, 0], examples: 0,
  };
  return new LinearModel(header, undefined, undefined, slots);
}

/** Fresh weights up to this size are written in order before learning (see trainLinear). */
const PREFAULT_BYTES = 16 * 2 ** 20;

/** Trains (or, with init, continues training) a linear model on the inputs; saves it when output is set. */
export async function trainLinear(params: Partial<LinearParams>, ctx: OpContext = standaloneContext(), stdin?: NodeJS.ReadableStream): Promise<LinearTrainResult> {
  const p = resolveLinearParams(params);
  if (!p.input.length) bad('input', 'no training input', 'name files or globs, or - for standard input');
  const threads = p.threads ?? ctx.threads;
  // scratch slots for the WebAssembly loops: the main thread's, and each worker's learner and parsing learner
  const slots = p.kernels === 'typescript' ? 0 : 2 * threads + 1;
  let model: LinearModel;
  let prefaultSeconds = 0;
  if (p.init) {
    model = await LinearModel.load(isAbsolute(p.init) ? p.init : resolve(ctx.baseDir, p.init), slots);
    if (p.lr !== undefined) model.header.lr = p.lr;
  } else {
    model = newLinearModel(p, slots);
    // a fresh model's pages written once, in order, before learning: touched first at random (by the
    // updates) each costs a page fault and every line a miss to memory; counted as learning time. Only
    // up to 16 MB (2^20 normalized weights): in larger models most pages are never touched, and
    // writing them all would cost time and resident memory for nothing
    if (model.weights.byteLength <= PREFAULT_BYTES) {
      const tp = performance.now();
      model.weights.fill(0);
      prefaultSeconds = (performance.now() - tp) / 1000;
    }
  }
  const builder = model.builder(p.keep_names);
  if (p.keep_names && model.names) builder.names = model.names;
  const parser = new ExampleParser(model, builder, { format: p.format, labelPrefix: model.header.label_prefix, onError: p.on_error, learn: true, log: ctx.log });
  const shared = threads > 1;
  const chunks = new ChunkBuilder(p.chunk, shared);
  const cache = p.passes > 1 ? new ChunkCache(p.cache, ctx.tmpDir) : undefined;
  const learner = threads === 1 ? model.learner() : undefined;
  // with several threads and no names to keep, the workers parse too (the main thread only reads lines)
  const parallelParse = threads > 1 && !p.keep_names;
  const pool = threads > 1 ? workerPool(WORKER_URL, threads) : undefined;
  const job = ++jobCounter;
  const cfg = model.learnConfig;
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();
  let pass = 1;
  let passLoss = 0;
  let passWeight = 0;
  let passErrors = 0;
  let done = 0;
  let firstPassExamples = 0;
  let lastReport = 0;
  const passLosses: number[] = [];
  let learnSeconds = prefaultSeconds;
  const account = (r: ChunkResult): void => {
    learnSeconds += r.seconds;
    passLoss += r.loss;
    passWeight += r.weight;
    passErrors += r.errors;
    done += r.examples;
    const now = performance.now();
    if (now - lastReport > 250) {
      lastReport = now;
      ctx.progress({ phase: pass === 1 ? 'learning' : `pass ${pass}`, done, unit: 'examples', metrics: { loss: round(passLoss / Math.max(1e-300, passWeight), 6), error: round(passErrors / Math.max(1e-300, passWeight), 4), 'examples/s': Math.round(done / ((now - t0) / 1000)) } });
    }
  };
  const learn = async (c: ExampleChunk): Promise<void> => {
    if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new WordloomError('E_STATE', 'linear training was cancelled', { node: ctx.node });
    if (learner) {
      account(learner.train(c));
      return;
    }
    while (inFlight.size >= threads * 2) await Promise.race(inFlight);
    const task: LinearTask = { job, cfg, weights: model.weights, memory: memoryOfWeights(model.weights), globals: model.globals, chunk: c };
    const pr: Promise<void> = (pool!.run(task) as Promise<ChunkResult>).then((r) => {
      account(r);
    }).finally(() => inFlight.delete(pr));
    inFlight.add(pr);
  };
  let fatal: WordloomError | undefined;
  let fatalSeq = Infinity;
  let seq = 0;
  let workerSkipped = 0;
  let named = 0;
  let cacheChain: Promise<void> = Promise.resolve();
  const failIfFatal = async (): Promise<void> => {
    if (!fatal) return;
    while (inFlight.size) await Promise.allSettled([...inFlight]); // the earliest batch's error wins
    throw fatal;
  };
  const dispatch = async (task: LinearParseTask): Promise<void> => {
    await failIfFatal();
    if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new WordloomError('E_STATE', 'linear training was cancelled', { node: ctx.node });
    while (inFlight.size >= threads * 2) await Promise.race(inFlight);
    await failIfFatal();
    const mySeq = seq++;
    const pr: Promise<void> = (pool!.run(task) as Promise<LinearParseResult>).then((r) => {
      if (r.fatal) {
        // batches in flight together may each fail: the error of the earliest batch is the one reported
        if (mySeq < fatalSeq) {
          fatalSeq = mySeq;
          fatal = new WordloomError(r.fatal.code as WordloomError['code'], r.fatal.message, r.fatal.where, r.fatal.hint);
        }
        return;
      }
      workerSkipped += r.skipped;
      for (const m of r.messages) if (named++ < 5) ctx.log(m);
      if (r.chunk && cache) {
        const c = r.chunk;
        cacheChain = cacheChain.then(() => cache.add(c));
      }
      account(r.res);
    }).finally(() => inFlight.delete(pr));
    inFlight.add(pr);
  };
  const drain = async (): Promise<void> => {
    while (inFlight.size) await Promise.allSettled([...inFlight]);
    await cacheChain;
    if (fatal) throw fatal;
  };
  const endPass = (): void => {
    const loss = passLoss / Math.max(1e-300, passWeight);
    if (!Number.isFinite(loss)) throw new WordloomError('E_DIVERGED', `training diverged in pass ${pass}: the loss became ${loss}`, { node: ctx.node, param: 'lr' }, `lower lr (now ${model.header.lr})`);
    passLosses.push(loss);
    ctx.log(`pass ${pass}: ${pass === 1 ? 'progressive ' : ''}loss ${loss.toFixed(6)}${model.isClassifier ? `, error ${(passErrors / Math.max(1e-300, passWeight)).toFixed(4)}` : ''}`);
  };
  let progressiveError = 0;
  let skippedBefore = 0;
  // Resume checkpoints: only with a place tied to the node (the pipeline's cache), and passes over a cache.
  const seed = p.seed ?? ctx.seed;
  const ckpt = ctx.checkpointDir !== undefined && cache ? checkpointFile(ctx.checkpointDir, 'linear') : undefined;
  const h0 = model.header;
  const identity = {
    op: 'linear', format: 1, layout: LINEAR_VERSION, input: p.input.join('\n'), inputFormat: p.format, init: p.init ?? '', bits: h0.bits, ngram: h0.ngram, quadratic: h0.quadratic.join(','), bias: h0.bias,
    loss: h0.loss, task: h0.task, update: h0.update, classes: h0.classes, lr: h0.lr, power_t: h0.power_t, l1: h0.l1, l2: h0.l2, passes: p.passes, shuffle: p.shuffle, seed, threads, chunk: p.chunk,
  };
  const sections = (): Uint8Array[] => [
    new Uint8Array(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength),
    new Uint8Array(model.globals.buffer, model.globals.byteOffset, model.globals.byteLength),
  ];
  const writeEvery = ckpt !== undefined && (p.resume_every > 0 || p.resume_minutes > 0);
  let lastCheckpoint = performance.now();
  const checkpointAfter = async (k: number): Promise<void> => {
    const due = (p.resume_every > 0 && k % p.resume_every === 0) || (p.resume_minutes > 0 && performance.now() - lastCheckpoint >= p.resume_minutes * 60_000);
    if (!writeEvery || !due || k >= p.passes) return;
    const h = model.header;
    await writeCheckpoint(ckpt!, {
      identity, pass: k, passLosses, progressiveError, firstPassExamples, skipped: parser.skipped + workerSkipped, labels: h.labels, label_mode: h.label_mode, written: new Date().toISOString(),
    }, sections());
    lastCheckpoint = performance.now();
    ctx.log(`resume checkpoint after pass ${k} written (${(model.weights.byteLength / 2 ** 20).toFixed(1)} MB)`);
  };
  let resumedFrom = 0;
  if (ckpt) {
    const r = await restoreLinear(ckpt, identity, sections(), ctx);
    if (r) {
      resumedFrom = r.pass;
      passLosses.push(...r.passLosses);
      progressiveError = r.progressiveError;
      firstPassExamples = r.firstPassExamples;
      skippedBefore = r.skipped;
      model.syncLabels(r.labels, r.label_mode);
    }
  }
  try {
    if (resumedFrom > 0) {
      // the hashed examples again, for the passes left (nothing is learned from them: the weights are the checkpoint's)
      ctx.progress({ phase: 'reading', message: 'hashing the examples again for the passes left' });
      const quiet = new ExampleParser(model, builder, { format: p.format, labelPrefix: model.header.label_prefix, onError: p.on_error, learn: true, log: () => {} });
      for await (const src of readLines(p.input, ctx.baseDir, stdin)) {
        if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new WordloomError('E_STATE', 'linear training was cancelled', { node: ctx.node });
        const ex = quiet.parse(src);
        if (!ex) continue;
        chunks.add(ex.label, ex.parsed.importance, builder);
        if (chunks.full) await cache!.add(chunks.take());
      }
      if (chunks.n) await cache!.add(chunks.take());
    } else if (parallelParse) {
      // workers parse, hash and learn; this thread reads the lines, guesses each file's format and numbers
      // the labels (so that every worker maps a label to the same class)
      // bytes, not lines: this thread decodes a batch only to guess a new file's format or while labels
      // are still being numbered
      const decoder = new TextDecoder('utf-8');
      const batchBytes = Math.max(1 << 16, Math.min(1 << 22, p.chunk * 128));
      const formats = new Map<string, LineFormat>();
      for await (const batch of readLineBatches(p.input, ctx.baseDir, batchBytes, stdin)) {
        let fmt = formats.get(batch.file);
        if (!fmt || !model.labelsComplete) {
          const lines = decoder.decode(batch.bytes).split('\n');
          for (let k = 0; k < batch.lines; k++) {
            const text = lines[k]!.endsWith('\r') ? lines[k]!.slice(0, -1) : lines[k]!;
            if (!text.trim()) continue;
            const src = { file: batch.file, line: batch.firstLine + k, text };
            if (!fmt) {
              fmt = parser.formatOf(src);
              formats.set(batch.file, fmt);
            }
            if (model.labelsComplete) break;
            parser.numberLabel(src, fmt);
          }
        }
        if (!fmt) continue; // blank lines only
        await dispatch({
          job, weights: model.weights, memory: memoryOfWeights(model.weights), globals: model.globals, header: { ...model.header, labels: [...model.header.labels] },
          file: batch.file, format: fmt, bytes: batch.bytes, firstLine: batch.firstLine, onError: p.on_error, keepChunk: !!cache,
        });
      }
    } else {
      for await (const src of readLines(p.input, ctx.baseDir, stdin)) {
        const ex = parser.parse(src);
        if (!ex) continue;
        chunks.add(ex.label, ex.parsed.importance, builder);
        if (chunks.full) {
          const c = chunks.take();
          if (cache) await cache.add(c);
          await learn(c);
        }
      }
      if (chunks.n) {
        const c = chunks.take();
        if (cache) await cache.add(c);
        await learn(c);
      }
    }
    await drain();
    if (resumedFrom === 0) {
      firstPassExamples = done;
      const skipped = parser.skipped + workerSkipped;
      if (firstPassExamples === 0) throw new WordloomError('E_INPUT', `no examples in ${p.input.join(', ')}${skipped ? ` (${skipped} malformed lines skipped)` : ''}`, { param: 'input' }, 'check the format (vw, libsvm, fasttext, tsv)');
      progressiveError = passErrors / Math.max(1e-300, passWeight);
      endPass();
      if (skipped) ctx.log(`${skipped} malformed line(s) skipped`);
      await checkpointAfter(1);
    }
    for (pass = Math.max(2, resumedFrom + 1); pass <= p.passes; pass++) {
      passLoss = passWeight = passErrors = done = 0;
      // each pass's shuffle from the seed and the pass alone, so that a resumed run draws the same
      const rng = passRng(seed, pass);
      for await (const c of cache!.chunks(shared, p.shuffle ? rng : undefined)) await learn(p.shuffle ? shuffleChunk(c, rng, shared) : c);
      await drain();
      endPass();
      await checkpointAfter(pass);
    }
  } finally {
    await drain().catch(() => {});
    await pool?.destroy();
    await cache?.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  model.header.examples += firstPassExamples;
  if (p.keep_names) model.names = builder.names;
  const res: LinearTrainResult = {
    model,
    train: {
      kernels: slots > 0 && memoryOfWeights(model.weights) ? 'wasm' : 'typescript',
      examples: firstPassExamples, passes: p.passes, seconds, learnSeconds, examplesPerSecond: (firstPassExamples * p.passes) / seconds,
      progressiveLoss: passLosses[0]!, progressiveError, passLosses, skipped: resumedFrom > 0 ? skippedBefore : parser.skipped + workerSkipped, threads, resumedFrom,
    },
    files: [],
  };
  if (p.output) {
    const file = isAbsolute(p.output) ? p.output : resolve(ctx.baseDir, p.output);
    ctx.progress({ phase: 'saving', message: file });
    await model.save(file);
    res.files.push(file);
  }
  return res;
}

export interface LinearPrediction {
  /** Class index (classification) or -1. */
  cls: number;
  label: string;
  /** The raw score (binary, regression), or each class's score (oaa: raw scores; softmax: probabilities). */
  score: number;
  scores?: Float64Array;
}

/** Predicts from the features in the builder. */
export function predictFeatures(model: LinearModel, learner: ReturnType<LinearModel['learner']>, b: { idx: Int32Array; val: Float32Array; n: number }, out?: Float64Array): LinearPrediction {
  const h = model.header;
  if (h.task === 'binary' || h.task === 'regression') {
    const z = learner.score(0, b.idx, b.val, 0, b.n);
    if (h.task === 'regression') return { cls: -1, label: String(z), score: z };
    const cls = z > 0 ? 1 : 0;
    return { cls, label: model.labelName(cls), score: h.loss === 'logistic' ? 1 / (1 + Math.exp(-z)) : z };
  }
  const s = out ?? new Float64Array(h.classes);
  learner.scores(b.idx, b.val, 0, b.n, s);
  let best = 0;
  for (let c = 1; c < h.classes; c++) if (s[c]! > s[best]!) best = c;
  if (h.task === 'softmax') {
    const m = s[best]!;
    let sum = 0;
    for (let c = 0; c < h.classes; c++) sum += s[c] = Math.exp(s[c]! - m);
    for (let c = 0; c < h.classes; c++) s[c]! /= sum;
  }
  return { cls: best, label: model.labelName(best), score: s[best]!, scores: s };
}

export interface LinearTestResult {
  examples: number;
  /** Correct top labels over the labels predicted (fastText's P@1). */
  precision: number;
  /** Correct top labels over the true labels (fastText's R@1). */
  recall: number;
  /** Examples whose top label is their (first) label. */
  accuracy: number;
  /** Mean loss over the examples with a known label (binary and oaa: the training loss, summed over the classes for oaa; softmax: cross-entropy; regression: squared error). */
  loss: number;
  skipped: number;
  seconds: number;
  predictionsPerSecond: number;
}

export interface LinearReadOptions {
  format?: LinearParams['format'];
  onError?: 'skip' | 'fail';
  log?: (m: string) => void;
  baseDir?: string;
  stdin?: NodeJS.ReadableStream;
}

/** N, P@1, R@1 and accuracy of a model on labelled inputs, streamed. */
export async function testLinear(model: LinearModel, inputs: string[], o: LinearReadOptions = {}): Promise<LinearTestResult> {
  const b = model.builder();
  const learner = model.learner();
  const parser = new ExampleParser(model, b, { format: o.format ?? 'auto', labelPrefix: model.header.label_prefix, onError: o.onError ?? 'skip', learn: false, log: o.log });
  const s = new Float64Array(model.header.classes);
  let n = 0, correct = 0, acc = 0, gold = 0, loss = 0, lossN = 0;
  const t0 = performance.now();
  for await (const src of readLines(inputs, o.baseDir ?? process.cwd(), o.stdin)) {
    const ex = parser.parse(src);
    if (!ex) continue;
    if (!ex.parsed.labels.length) continue;
    n++;
    const pr = predictFeatures(model, learner, b, s);
    if (!model.isClassifier) {
      const y = Number(ex.parsed.labels[0]);
      loss += (pr.score - y) ** 2;
      lossN++;
      continue;
    }
    gold += ex.parsed.labels.length;
    const hit = ex.parsed.labels.some((l) => model.classOf(l) === pr.cls);
    if (hit) correct++;
    if (model.classOf(ex.parsed.labels[0]!) === pr.cls) acc++;
    const y = model.classOf(ex.parsed.labels[0]!);
    if (y < 0) continue; // a label the model never saw: counted as wrong above, no loss
    lossN++;
    if (model.header.task === 'softmax') loss -= Math.log(Math.max(pr.scores![y]!, 1e-300));
    else if (model.header.task === 'binary') loss += lossOfBinary(model, learner.score(0, b.idx, b.val, 0, b.n), y === 1 ? 1 : -1);
    else for (let c = 0; c < model.header.classes; c++) loss += lossOfBinary(model, pr.scores![c]!, c === y ? 1 : -1);
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    examples: n, precision: n ? correct / n : 0, recall: gold ? correct / gold : 0, accuracy: n ? acc / n : 0,
    loss: lossN ? loss / lossN : NaN, skipped: parser.skipped, seconds, predictionsPerSecond: n / Math.max(seconds, 1e-9),
  };
}

function lossOfBinary(model: LinearModel, z: number, y: number): number {
  const l = model.header.loss;
  if (l === 'hinge') return Math.max(0, 1 - y * z);
  if (l === 'logistic') return Math.log1p(Math.exp(-y * z));
  return (z - y) ** 2;
}

/** Predictions for each example line of the inputs, streamed, with the line's tag (VW) when it has one. */
export async function* predictLinear(model: LinearModel, inputs: string[], o: LinearReadOptions = {}): AsyncGenerator<LinearPrediction & { tag?: string; file: string; line: number }> {
  const b = model.builder();
  const learner = model.learner();
  const parser = new ExampleParser(model, b, { format: o.format ?? 'auto', labelPrefix: model.header.label_prefix, onError: o.onError ?? 'skip', learn: false, log: o.log });
  for await (const src of readLines(inputs, o.baseDir ?? process.cwd(), o.stdin)) {
    const ex = parser.parse(src);
    if (!ex) continue;
    const pr = predictFeatures(model, learner, b);
    yield { ...pr, scores: pr.scores ? Float64Array.from(pr.scores) : undefined, tag: ex.parsed.tag, file: src.file, line: src.line };
  }
}

/** The heaviest weights: (class, index, weight, name) by |weight|. */
export function heaviestFeatures(model: LinearModel, top: number): { cls: number; index: number; weight: number; name?: string }[] {
  const h = model.header;
  const size = 2 ** h.bits;
  const stride = strideOf(h.update);
  const best: { cls: number; index: number; weight: number }[] = [];
  let floor = 0;
  for (let c = 0; c < h.classes; c++) {
    for (let i = 0; i < size; i++) {
      const w = model.weights[(c * size + i) * stride]!;
      const a = Math.abs(w);
      if (a === 0 || (best.length >= top && a <= floor)) continue;
      best.push({ cls: c, index: i, weight: w });
      if (best.length > top * 2) {
        best.sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight));
        best.length = top;
        floor = Math.abs(best[top - 1]!.weight);
      }
    }
  }
  best.sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight) || x.cls - y.cls || x.index - y.index);
  best.length = Math.min(best.length, top);
  return best.map((b) => ({ ...b, name: model.names?.get(b.index) }));
}

/** A copy of the chunk with its examples in a seeded random order. */
export function shuffleChunk(c: ExampleChunk, rng: Rng, shared: boolean): ExampleChunk {
  const order = new Int32Array(c.n);
  for (let i = 0; i < c.n; i++) order[i] = i;
  for (let i = c.n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  const nnz = c.offsets[c.n]!;
  const f32 = (n: number): Float32Array => (shared ? sharedFloat32(n) : new Float32Array(n));
  const i32 = (n: number): Int32Array => (shared ? sharedInt32(n) : new Int32Array(n));
  const out: ExampleChunk = { n: c.n, labels: f32(c.n), weights: f32(c.n), offsets: i32(c.n + 1), idx: i32(nnz), val: f32(nnz) };
  let at = 0;
  for (let k = 0; k < c.n; k++) {
    const e = order[k]!;
    out.labels[k] = c.labels[e]!;
    out.weights[k] = c.weights[e]!;
    const a = c.offsets[e]!;
    const b = c.offsets[e + 1]!;
    out.idx.set(c.idx.subarray(a, b), at);
    out.val.set(c.val.subarray(a, b), at);
    at += b - a;
    out.offsets[k + 1] = at;
  }
  return out;
}

function round(x: number, d: number): number {
  const m = 10 ** d;
  return Math.round(x * m) / m;
}

interface LinearResume {
  pass: number;
  passLosses: number[];
  progressiveError: number;
  firstPassExamples: number;
  skipped: number;
  labels: string[];
  label_mode: LinearHeader['label_mode'];
}

/** Load the checkpoint at `file` into `targets` when it belongs to this training; undefined: none (start afresh). */
async function restoreLinear(file: string, identity: Record<string, unknown>, targets: Uint8Array[], ctx: OpContext): Promise<LinearResume | undefined> {
  const passes = identity.passes as number;
  const got = await loadCheckpoint(file, identity, 'pass', passes, (h) => {
    const k = h.pass;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k >= passes || !Array.isArray(h.passLosses) || h.passLosses.length !== k || !Array.isArray(h.labels) || typeof h.firstPassExamples !== 'number') {
      return { damaged: 'its pass or contents are damaged' };
    }
    return { step: k };
  }, () => targets, ctx);
  if (!got) return undefined;
  const h = got.header as unknown as Partial<LinearResume>;
  return { pass: got.step, passLosses: h.passLosses!, progressiveError: Number(h.progressiveError), firstPassExamples: h.firstPassExamples!, skipped: Number(h.skipped ?? 0), labels: h.labels!, label_mode: (h.label_mode ?? 'unset') as LinearHeader['label_mode'] };
}
