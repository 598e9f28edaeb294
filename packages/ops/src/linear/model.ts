/**
 * A linear model on hashed features: its settings (how features are made, the
 * loss, the task, the update rule and its state), its label names and its weights
 * in shared memory.
 *
 * File format (little-endian), written atomically:
 *   8 bytes  "WLLINEAR"
 *   u32      format version (3; versions 1 and 2 are read too)
 *   u32      byte length H of the JSON header
 *   H bytes  JSON header (LinearHeader), then zero bytes up to a multiple of 4
 *   f32 x header.weights   classes x 2^bits slots of `stride` floats, each weight
 *            followed by its update state (as version 1; version 2 held all the
 *            weights, then all the states)
 *   u32      byte length of the names block (0 if none), then that many bytes of
 *            UTF-8 lines "index<TAB>name" (the feature names seen, for inspect)
 */
import { open } from 'node:fs/promises';
import { WordloomError, sharedFloat32, sharedFloat64 } from '@wordloom/core';
import { writeAtomic } from '../io/atomic.js';
import { MODEL_MAGIC as CLASSIFY_MAGIC } from '../classify/magic.js';
import { FeatureBuilder, type FeatureOptions } from './features.js';
import { Learner, strideOf, type LearnConfig, type Loss, type Task, type Update } from './learn.js';
import { globalsOfWeights, weightsInMemory } from './kernel.js';

export const LINEAR_MAGIC = 'WLLINEAR';
export const LINEAR_VERSION = 3;

export interface LinearHeader {
  kind: 'wordloom-linear';
  bits: number;
  ngram: number;
  quadratic: string[];
  bias: boolean;
  loss: Loss;
  task: Task;
  update: Update;
  classes: number;
  lr: number;
  power_t: number;
  l1: number;
  l2: number;
  label_prefix: string;
  /** Label names: binary [negative, positive]; multi-class one per class; [] for regression. */
  labels: string[];
  /** 'numeric': labels are VW's numbers (binary -1/1, multi-class 1..k); 'names': any names, numbered as first seen. */
  label_mode: 'numeric' | 'names' | 'unset';
  /** Number of floats in the weights block. */
  weights: number;
  /** The update rule's global state: [examples seen, sum of normalized norms, total importance]. */
  globals: number[];
  /** Examples learned from so far, over all runs. */
  examples: number;
}

export class LinearModel {
  readonly weights: Float32Array;
  readonly globals: Float64Array;
  names?: Map<number, string>;
  private labelIndex = new Map<string, number>();

  /**
   * `slots`: learners that may train these weights with the WebAssembly loops at
   * once (when the weights are allocated here: see linear/kernel.ts).
   */
  constructor(public header: LinearHeader, weights?: Float32Array, globals?: Float64Array, slots = 1) {
    const n = header.classes * 2 ** header.bits * strideOf(header.update);
    this.header.weights = n;
    this.weights = weights ?? allocWeights(n, header, slots);
    if (this.weights.length !== n) throw new WordloomError('E_INTERNAL', `weights have ${this.weights.length} floats, expected ${n}`);
    // where the weights are in a WebAssembly memory, the globals sit beside them (the kernel updates both)
    this.globals = globals ?? globalsOfWeights(this.weights) ?? sharedFloat64(4);
    if (!globals) header.globals.forEach((v, i) => (this.globals[i] = v));
    header.labels.forEach((l, i) => this.labelIndex.set(l, i));
  }

  /** Set by a worker that parses in parallel: labels come numbered from the main thread, none is added here. */
  frozenLabels = false;

  /** Adopt the label names and mode numbered by the main thread (workers parsing in parallel). */
  syncLabels(labels: readonly string[], mode: LinearHeader['label_mode']): void {
    const h = this.header;
    if (labels.length === h.labels.length && mode === h.label_mode) return;
    h.labels = [...labels];
    h.label_mode = mode;
    this.labelIndex = new Map(h.labels.map((l, i) => [l, i]));
  }

  /** Every label this model can take has its class (so a new name can only be an error). */
  get labelsComplete(): boolean {
    const h = this.header;
    if (h.task === 'regression' || h.label_mode === 'numeric') return true;
    return h.label_mode === 'names' && h.labels.length >= (h.task === 'binary' ? 2 : h.classes);
  }

  get featureOptions(): FeatureOptions {
    return { bits: this.header.bits, ngram: this.header.ngram, quadratic: this.header.quadratic, bias: this.header.bias };
  }

  get learnConfig(): LearnConfig {
    const h = this.header;
    return { loss: h.loss, task: h.task, update: h.update, classes: h.classes, bits: h.bits, lr: h.lr, powerT: h.power_t, l1: h.l1, l2: h.l2 };
  }

  learner(): Learner {
    return new Learner(this.learnConfig, this.weights, this.globals);
  }

  builder(keepNames = false): FeatureBuilder {
    return new FeatureBuilder(this.featureOptions, keepNames);
  }

  get isClassifier(): boolean {
    return this.header.task !== 'regression';
  }

  /**
   * The numeric label of a label token for learning (±1 binary, class index, a
   * value for regression); new names get the next class while there is room.
   * Throws a LabelError with a message when the label does not fit the task.
   */
  encodeLabel(tok: string, learn: boolean): number {
    const h = this.header;
    if (h.task === 'regression') {
      const v = Number(tok);
      if (tok === '' || !Number.isFinite(v)) throw new LabelError(`label ${JSON.stringify(tok)} is not a number, and a regression (squared loss) needs numeric labels`, 'for class names use --task binary, oaa or softmax');
      return v;
    }
    if (h.label_mode === 'unset') {
      const asNum = Number(tok);
      const numeric = tok !== '' && Number.isFinite(asNum) && /^[+-]?\d+(\.0*)?$/.test(tok);
      if (numeric && h.labels.length === 0) {
        h.label_mode = 'numeric';
        h.labels = h.task === 'binary' ? ['-1', '1'] : Array.from({ length: h.classes }, (_, i) => String(i + 1));
        h.labels.forEach((l, i) => this.labelIndex.set(l, i));
      } else h.label_mode = 'names';
    }
    if (h.label_mode === 'numeric') {
      const v = Number(tok);
      if (!Number.isInteger(v)) throw new LabelError(`label ${JSON.stringify(tok)} is not one of this model's numeric labels (${h.task === 'binary' ? '-1 or 0 for negative, 1 for positive' : `1 to ${h.classes}`})`, h.task === 'binary' ? 'a real-valued target needs --loss squared --task regression; more than two classes need --task oaa or softmax with --classes' : 'raise --classes');
      if (h.task === 'binary') {
        if (v === 1) return 1;
        if (v === -1 || v === 0) return -1;
        throw new LabelError(`label ${tok} is not a binary label (-1 or 0 for negative, 1 for positive)`, 'more than two classes need --task oaa or softmax with --classes; a real-valued target needs --loss squared --task regression');
      }
      if (v < 1 || v > h.classes) throw new LabelError(`label ${tok} is out of range: this model has classes 1 to ${h.classes}`, 'raise --classes');
      return v - 1;
    }
    let i = this.labelIndex.get(tok);
    if (i === undefined) {
      const room = h.task === 'binary' ? 2 : h.classes;
      if (!learn || h.labels.length >= room) {
        if (!learn) return -2;
        throw new LabelError(`label ${JSON.stringify(tok)} is a class too many: the model has ${h.labels.length} (${h.labels.slice(0, 5).join(', ')}${h.labels.length > 5 ? ', ...' : ''})`, h.task === 'binary' ? 'more than two classes need --task oaa or softmax with --classes N' : 'raise --classes');
      }
      if (this.frozenLabels) throw new LabelError(`label ${JSON.stringify(tok)} was not numbered before this worker saw it`, 'report this as a bug; train with threads 1 meanwhile');
      i = h.labels.length;
      h.labels.push(tok);
      this.labelIndex.set(tok, i);
    }
    return h.task === 'binary' ? (i === 1 ? 1 : -1) : i;
  }

  /** The class index of a label name, or -1 when unknown (for testing). */
  classOf(tok: string): number {
    const h = this.header;
    if (h.label_mode === 'numeric') {
      const v = Number(tok);
      if (h.task === 'binary') return v === 1 ? 1 : v === -1 || v === 0 ? 0 : -1;
      return Number.isInteger(v) && v >= 1 && v <= h.classes ? v - 1 : -1;
    }
    return this.labelIndex.get(tok) ?? -1;
  }

  labelName(c: number): string {
    return this.header.labels[c] ?? String(c + (this.header.label_mode === 'numeric' ? 1 : 0));
  }

  async save(file: string): Promise<void> {
    this.header.globals = Array.from(this.globals);
    const json = Buffer.from(JSON.stringify(this.header), 'utf8');
    const pre = Buffer.alloc(16);
    pre.write(LINEAR_MAGIC, 0, 'latin1');
    pre.writeUInt32LE(LINEAR_VERSION, 8);
    pre.writeUInt32LE(json.length, 12);
    const pad = (4 - ((16 + json.length) % 4)) % 4;
    let names = Buffer.alloc(0);
    if (this.names && this.names.size) {
      const lines: string[] = [];
      for (const [i, n] of [...this.names.entries()].sort((a, b) => a[0] - b[0])) lines.push(`${i}\t${n.replace(/[\t\n]/g, ' ')}\n`);
      names = Buffer.from(lines.join(''), 'utf8');
    }
    await writeAtomic(file, async (w) => {
      await w.write(pre);
      await w.write(json);
      await w.write(new Uint8Array(pad));
      const W = this.weights;
      const STEP = 1 << 20;
      for (let i = 0; i < W.length; i += STEP) {
        const part = W.slice(i, Math.min(W.length, i + STEP));
        await w.write(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
      }
      const len = Buffer.alloc(4);
      len.writeUInt32LE(names.length, 0);
      await w.write(len);
      if (names.length) await w.write(names);
    });
  }

  /** Read a model file; `slots` as the constructor's (learners that may go on training it at once). */
  static async load(file: string, slots = 1): Promise<LinearModel> {
    let fh;
    try {
      fh = await open(file, 'r');
    } catch (e) {
      throw new WordloomError('E_FILE', `cannot read the model: ${(e as Error).message}`, { file }, 'train one with `wordloom linear train ... --output model.bin`');
    }
    try {
      const size = (await fh.stat()).size;
      const pre = Buffer.alloc(16);
      const { bytesRead } = await fh.read(pre, 0, 16, 0);
      const magic = pre.toString('latin1', 0, 8);
      if (bytesRead < 16 || magic !== LINEAR_MAGIC) {
        const classifier = magic.slice(0, 6) === CLASSIFY_MAGIC.slice(0, 6); // any version of the classifier format
        const what = classifier ? 'a wordloom classify model, not a linear one' : `not a wordloom linear model (no ${LINEAR_MAGIC} header)`;
        throw new WordloomError('E_INPUT', what, { file }, classifier ? 'use `wordloom classify test|predict` with it' : 'train one with `wordloom linear train ... --output model.bin`');
      }
      const version = pre.readUInt32LE(8);
      if (version !== LINEAR_VERSION && version !== 1 && version !== 2) {
        throw new WordloomError('E_INPUT', `linear model format version ${version}; this wordloom reads version ${LINEAR_VERSION}`, { file }, 'retrain the model with this version of wordloom');
      }
      const H = pre.readUInt32LE(12);
      if (16 + H > size) throw new WordloomError('E_INPUT', 'the linear model file is truncated (header)', { file });
      const hb = Buffer.alloc(H);
      await fh.read(hb, 0, H, 16);
      let header: LinearHeader;
      try {
        header = JSON.parse(hb.toString('utf8')) as LinearHeader;
      } catch (e) {
        throw new WordloomError('E_INPUT', `the linear model header is not valid JSON: ${(e as Error).message}`, { file });
      }
      if (header.kind !== 'wordloom-linear') throw new WordloomError('E_INPUT', `the model header says kind ${JSON.stringify(header.kind)}, not wordloom-linear`, { file });
      const start = 16 + H + ((4 - ((16 + H) % 4)) % 4);
      const n = header.classes * 2 ** header.bits * strideOf(header.update);
      if (n !== header.weights || start + n * 4 + 4 > size) {
        throw new WordloomError('E_INPUT', `the linear model file is truncated or inconsistent: ${size} bytes, its header needs ${start + n * 4 + 4}`, { file }, 'the file was cut short or edited; retrain or copy it again');
      }
      const weights = allocWeights(n, header, slots);
      const bytes = new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength);
      let off = 0;
      while (off < bytes.length) {
        const { bytesRead: r } = await fh.read(bytes, off, Math.min(1 << 24, bytes.length - off), start + off);
        if (r === 0) throw new WordloomError('E_INPUT', 'the linear model file is truncated (weights)', { file });
        off += r;
      }
      if (version === 2) interleave(weights, strideOf(header.update));
      const lb = Buffer.alloc(4);
      await fh.read(lb, 0, 4, start + n * 4);
      const nl = lb.readUInt32LE(0);
      const model = new LinearModel(header, weights, undefined, slots);
      if (nl > 0) {
        if (start + n * 4 + 4 + nl > size) throw new WordloomError('E_INPUT', 'the linear model file is truncated (names)', { file });
        const nb = Buffer.alloc(nl);
        await fh.read(nb, 0, nl, start + n * 4 + 4);
        model.names = new Map();
        for (const line of nb.toString('utf8').split('\n')) {
          const tab = line.indexOf('\t');
          if (tab > 0) model.names.set(Number(line.slice(0, tab)), line.slice(tab + 1));
        }
      }
      return model;
    } finally {
      await fh.close();
    }
  }
}

function allocWeights(n: number, h: LinearHeader, slots: number): Float32Array {
  try {
    return weightsInMemory(n, slots)?.weights ?? sharedFloat32(n);
  } catch (e) {
    const gb = (n * 4) / 2 ** 30;
    throw new WordloomError('E_PARAM', `cannot allocate ${gb.toFixed(1)} GiB of weights (${h.classes} class block(s) x 2^${h.bits} x ${strideOf(h.update)} floats for the ${h.update} update): ${(e as Error).message}`, { param: 'bits' }, `lower bits, or use update sgd (1 float a weight instead of ${strideOf(h.update)})`);
  }
}

export class LabelError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

/** Version 2's layout (all the weights, then each weight's state) made into the current one (each weight followed by its state, `stride` floats a slot), in place. */
function interleave(w: Float32Array, stride: number): void {
  if (stride === 1) return;
  const slots = w.length / stride;
  const old = w.slice();
  for (let i = 0; i < slots; i++) {
    w[i * stride] = old[i]!;
    for (let j = 1; j < stride; j++) w[i * stride + j] = old[slots + i * (stride - 1) + j - 1]!;
  }
}
