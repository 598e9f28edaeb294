/**
 * Piscina worker of the linear operator. Two kinds of task, both on the weights and
 * globals the main thread shares (SharedArrayBuffer), updated without locks (Hogwild):
 * a chunk of hashed examples to learn from, or a batch of raw lines to parse, hash
 * and learn from (so that parsing, the larger part of a first pass, runs on every
 * thread; the main thread has numbered the labels beforehand).
 */
import { WordloomError, formatWhere } from '@wordloom/core';
import { ChunkBuilder, ExampleParser } from './data.js';
import type { FeatureBuilder } from './features.js';
import { Learner, type ChunkResult, type ExampleChunk, type LearnConfig } from './learn.js';
import { LinearModel, type LinearHeader } from './model.js';
import { adoptWeightsMemory, type WeightsMemory } from './kernel.js';
import type { LineFormat } from './parse.js';

export interface LinearTask {
  job: number;
  cfg: LearnConfig;
  weights: Float32Array;
  /** The WebAssembly memory that holds the weights, where it does (the learner then runs its WebAssembly loops). */
  memory?: WeightsMemory;
  globals: Float64Array;
  chunk: ExampleChunk;
}

export interface LinearParseTask {
  job: number;
  weights: Float32Array;
  memory?: WeightsMemory;
  globals: Float64Array;
  header: LinearHeader;
  file: string;
  format: LineFormat;
  /** Consecutive lines of the file as UTF-8 bytes, each ending in a newline, the first being line firstLine. */
  bytes: Uint8Array;
  firstLine: number;
  onError: 'skip' | 'fail';
  /** Return the hashed chunk (for the cache of later passes). */
  keepChunk: boolean;
}

export interface LinearParseResult {
  res: ChunkResult;
  skipped: number;
  messages: string[];
  chunk?: ExampleChunk;
  fatal?: { code: string; message: string; where: WordloomError['where']; hint?: string };
}

const decoder = new TextDecoder('utf-8');
let cur: { job: number; learner: Learner } | undefined;
let curParse: { job: number; model: LinearModel; learner: Learner; b: FeatureBuilder } | undefined;

export default function run(t: LinearTask | LinearParseTask): ChunkResult | LinearParseResult {
  if ('bytes' in t) return parseAndLearn(t);
  if (!cur || cur.job !== t.job) {
    const m = t.memory ? adoptWeightsMemory(t.weights, t.memory) : { weights: t.weights, globals: t.globals };
    cur = { job: t.job, learner: new Learner(t.cfg, m.weights, m.globals) };
  }
  return cur.learner.train(t.chunk);
}

function parseAndLearn(t: LinearParseTask): LinearParseResult {
  if (!curParse || curParse.job !== t.job) {
    const m = t.memory ? adoptWeightsMemory(t.weights, t.memory) : { weights: t.weights, globals: t.globals };
    const model = new LinearModel({ ...t.header, labels: [...t.header.labels] }, m.weights, m.globals);
    model.frozenLabels = true;
    curParse = { job: t.job, model, learner: model.learner(), b: model.builder(false) };
  }
  const { model, learner, b } = curParse;
  model.syncLabels(t.header.labels, t.header.label_mode);
  const messages: string[] = [];
  const parser = new ExampleParser(model, b, { format: t.format, labelPrefix: t.header.label_prefix, onError: t.onError, learn: true, log: (m) => messages.push(m) });
  const lines = decoder.decode(t.bytes).split('\n');
  lines.pop();
  const cb = new ChunkBuilder(Math.max(1, lines.length), false);
  try {
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      const ex = parser.parse({ file: t.file, line: t.firstLine + i, text: l.charCodeAt(l.length - 1) === 13 ? l.slice(0, -1) : l });
      if (ex) cb.add(ex.label, ex.parsed.importance, b);
    }
  } catch (e) {
    if (!(e instanceof WordloomError)) throw e;
    const loc = formatWhere(e.where);
    let message = loc && e.message.startsWith(`${loc}: `) ? e.message.slice(loc.length + 2) : e.message;
    if (e.hint && message.endsWith(`\n  hint: ${e.hint}`)) message = message.slice(0, -(e.hint.length + 9));
    return { res: { loss: 0, errors: 0, weight: 0, examples: 0, seconds: 0 }, skipped: parser.skipped, messages, fatal: { code: e.code, message, where: e.where, hint: e.hint } };
  }
  const chunk = cb.take();
  const res = learner.train(chunk);
  return { res, skipped: parser.skipped, messages, chunk: t.keepChunk ? chunk : undefined };
}
