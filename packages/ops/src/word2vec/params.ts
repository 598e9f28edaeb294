/**
 * Parameters of the word2vec operator: named after fastText's flags (-dim, -ws,
 * -epoch, -neg, -loss, -minn, -maxn, -bucket, -t, -lr, model) in snake_case. Each
 * left unset takes the value of the `preset`: fastText's defaults (`fasttext`) or
 * word2vec's as gensim has them (`word2vec`: no subwords, unigram power 0.75, lr
 * 0.025 skip-gram / 0.05 CBOW decaying to min_lr 0.0001, t 1e-3, a negative equal
 * to the target dropped).
 */
import { WordloomError } from '@wordloom/core';
import type { ParamSpecs } from '../op.js';

export type Word2VecModel = 'skipgram' | 'cbow';
export type Word2VecLoss = 'ns' | 'hs' | 'softmax';
export type Word2VecPreset = 'fasttext' | 'word2vec';
export type Word2VecBackend = 'auto' | 'wasm' | 'typescript';
/** Skip-gram: whose input rows a pair trains, the center word's (fastText) or the context word's (word2vec, gensim). */
export type Word2VecSkipgramInput = 'center' | 'context';
/** A negative drawn equal to the target: drawn again (fastText) or dropped (word2vec C, gensim). */
export type Word2VecNegTarget = 'redraw' | 'skip';
/** What `output` writes: fastText's .bin, word2vec text (.vec), word2vec binary (.w2v.bin), GloVe text (.txt). */
export type Word2VecFormat = 'fasttext' | 'word2vec-text' | 'word2vec-binary' | 'glove';
export const WORD2VEC_FORMATS: readonly Word2VecFormat[] = ['fasttext', 'word2vec-text', 'word2vec-binary', 'glove'];
/** The file each format writes, after the output stem. */
export const FORMAT_SUFFIX: Record<Word2VecFormat, string> = { fasttext: '.bin', 'word2vec-text': '.vec', 'word2vec-binary': '.w2v.bin', glove: '.txt' };

export interface Word2VecParams {
  preset: Word2VecPreset;
  model: Word2VecModel;
  loss?: Word2VecLoss;
  dim?: number;
  ws?: number;
  epoch?: number;
  neg?: number;
  lr?: number;
  t?: number;
  minn?: number;
  maxn?: number;
  bucket?: number;
  /** Power of the counts in the negative-sampling table (fastText 0.5, word2vec 0.75). */
  power?: number;
  /** Skip-gram: the center word's rows predict each context word (fastText) or each context word's rows predict the center (word2vec). */
  skipgram_input?: Word2VecSkipgramInput;
  /** Learning rate at the end of training: 0 as fastText, 0.0001 as gensim's min_alpha. */
  min_lr?: number;
  /** A negative drawn equal to the target: drawn again (fastText) or dropped (word2vec, gensim). */
  neg_target?: Word2VecNegTarget;
  threads?: number;
  seed?: number;
  /** Model name as fastText's -output: writes <output>.bin and <output>.vec. */
  output?: string;
  /** Kernel: the generated WebAssembly SIMD one, the plain TypeScript one, or auto (wasm where it runs). */
  backend?: Word2VecBackend;
  /** Files written under `output` (default fastText .bin and word2vec text .vec). */
  formats?: Word2VecFormat[];
  /** Write a resume checkpoint every this many epochs (0 = by time only). */
  resume_every?: number;
  /** Write a resume checkpoint after an epoch once this many minutes have passed since the last one (0 = by epochs only). */
  resume_minutes?: number;
}

/** Every value filled in. */
export interface ResolvedWord2VecParams {
  preset: Word2VecPreset;
  model: Word2VecModel;
  loss: Word2VecLoss;
  dim: number;
  ws: number;
  epoch: number;
  neg: number;
  lr: number;
  t: number;
  minn: number;
  maxn: number;
  bucket: number;
  power: number;
  skipgram_input: Word2VecSkipgramInput;
  min_lr: number;
  neg_target: Word2VecNegTarget;
  threads?: number;
  seed?: number;
  output?: string;
  backend: Word2VecBackend;
  formats: Word2VecFormat[];
  resume_every: number;
  resume_minutes: number;
}

export const word2vecParamSpecs = {
  preset: { type: 'enum', values: ['fasttext', 'word2vec'], doc: "defaults of the params left unset: 'fasttext' (subwords minn 3 maxn 6, bucket 2,000,000, power 0.5, lr 0.05 to 0, t 1e-4, skip-gram input center, a negative that is the target drawn again) or 'word2vec' as gensim (no subwords, power 0.75, lr 0.025 skipgram / 0.05 cbow to min_lr 0.0001, t 1e-3, skip-gram input context, a negative that is the target dropped)", default: 'fasttext' },
  model: { type: 'enum', values: ['skipgram', 'cbow'], doc: 'skipgram: each word predicts its context words; cbow: the mean of the context predicts the word', default: 'skipgram' },
  loss: { type: 'enum', values: ['ns', 'hs', 'softmax'], doc: 'ns: negative sampling; hs: hierarchical softmax over a Huffman tree of the word counts; softmax: full softmax (slow). Default ns', optional: true },
  dim: { type: 'int', doc: 'dimension of the word vectors (fastText -dim; default 100)', optional: true, min: 1, max: 4096 },
  ws: { type: 'int', doc: 'largest context window; each position draws its window from 1..ws (fastText -ws; default 5)', optional: true, min: 1 },
  epoch: { type: 'int', doc: 'passes over the corpus (fastText -epoch; default 5)', optional: true, min: 1 },
  neg: { type: 'int', doc: 'negatives sampled per target with loss ns (fastText -neg; default 5)', optional: true, min: 1 },
  lr: { type: 'number', doc: 'initial learning rate, decaying linearly to min_lr (default 0) over all epochs (fastText -lr; default 0.05, word2vec 0.025 skipgram / 0.05 cbow)', optional: true, min: 0, exclusiveMin: true },
  min_lr: { type: 'number', doc: "learning rate reached at the end of the last epoch, from lr linearly (default 0 as fastText; word2vec preset: 0.0001, gensim's min_alpha, or 0 when lr is no higher). Must be below lr", optional: true, min: 0 },
  t: { type: 'number', doc: 'subsampling threshold: a word of frequency f is kept with probability sqrt(t/f) + t/f (fastText -t; default 1e-4, word2vec 1e-3); 0 = keep all', optional: true, min: 0 },
  minn: { type: 'int', doc: 'shortest character n-gram (fastText -minn; default 3; word2vec preset: 0)', optional: true, min: 0 },
  maxn: { type: 'int', doc: 'longest character n-gram; 0 turns subwords off (fastText -maxn; default 6; word2vec preset: 0)', optional: true, min: 0 },
  bucket: { type: 'int', doc: 'rows of hashed n-grams (fastText -bucket; default 2,000,000)', optional: true, min: 0 },
  power: { type: 'number', doc: 'power of the word counts in the negative-sampling table (fastText 0.5, word2vec 0.75)', optional: true, min: 0 },
  skipgram_input: {
    type: 'enum',
    values: ['center', 'context'],
    doc: "skip-gram: whose input rows a (center, context) pair trains: 'center' (fastText: the center word's rows predict each context word) or 'context' (word2vec and gensim: each context word's rows predict the center word, the window drawn per center). Default: the preset's",
    optional: true,
  },
  neg_target: {
    type: 'enum',
    values: ['redraw', 'skip'],
    doc: "negative sampling: a negative drawn equal to the target is drawn again ('redraw', fastText) or dropped, leaving one negative fewer for that pair ('skip', word2vec C and gensim). Default: the preset's",
    optional: true,
  },
  threads: { type: 'int', doc: 'worker threads updating the shared matrices without locks (Hogwild); default: the pipeline threads', optional: true, min: 1, max: 256 },
  seed: { type: 'int', doc: 'seed of the initialisation and the sampling; default: the pipeline seed. One thread and a seed give the same vectors every run', optional: true },
  output: { type: 'path', output: true, doc: 'model name as fastText -output: writes <output>.bin (fastText model) and <output>.vec (word2vec text), or the formats listed in formats', optional: true },
  formats: { type: 'string[]', values: WORD2VEC_FORMATS, doc: "files output writes: 'fasttext' (<output>.bin, a fastText model with the subword rows), 'word2vec-text' (<output>.vec), 'word2vec-binary' (<output>.w2v.bin), 'glove' (<output>.txt, GloVe's text: no header); default [fasttext, word2vec-text]", optional: true },
  backend: { type: 'enum', values: ['auto', 'wasm', 'typescript'], doc: "training kernel: 'wasm' (generated WebAssembly SIMD, fastText's sigmoid and log tables), 'typescript' (plain loops, exact sigmoid; the only one for loss softmax), or 'auto' (wasm where the runtime has SIMD and the loss is ns or hs)", default: 'auto' },
  resume_every: {
    type: 'int',
    inert: true,
    doc: 'with the cache on: write a resume checkpoint (both matrices, words done, epoch) every this many epochs, so that rerunning a killed pipeline goes on from the last one; 0 = by time only (resume_minutes)',
    default: 0,
    min: 0,
  },
  resume_minutes: {
    type: 'number',
    inert: true,
    doc: 'with the cache on: write a resume checkpoint after an epoch once this many minutes have passed since the last one; 0 = by epochs only (resume_every). Both 0: no resume checkpoints',
    default: 5,
    min: 0,
  },
} satisfies ParamSpecs;

function fail(param: string, message: string, hint?: string): never {
  throw new WordloomError('E_PARAM', message, { param }, hint);
}
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Fill the preset's defaults and check every value (before any training). */
export function resolveWord2VecParams(p: Partial<Word2VecParams> = {}): ResolvedWord2VecParams {
  for (const k of Object.keys(p)) {
    if (!(k in word2vecParamSpecs)) fail(k, `unknown parameter "${k}" for word2vec`, `known parameters: ${Object.keys(word2vecParamSpecs).join(', ')}`);
  }
  const preset = p.preset ?? 'fasttext';
  if (preset !== 'fasttext' && preset !== 'word2vec') fail('preset', `preset must be 'fasttext' or 'word2vec', got ${JSON.stringify(preset)}`);
  const model = p.model ?? 'skipgram';
  if (model !== 'skipgram' && model !== 'cbow') fail('model', `model must be 'skipgram' or 'cbow', got ${JSON.stringify(model)}`);
  const w2v = preset === 'word2vec';
  const out: ResolvedWord2VecParams = {
    preset,
    model,
    loss: p.loss ?? 'ns',
    dim: p.dim ?? 100,
    ws: p.ws ?? 5,
    epoch: p.epoch ?? 5,
    neg: p.neg ?? 5,
    lr: p.lr ?? (w2v ? (model === 'skipgram' ? 0.025 : 0.05) : 0.05),
    t: p.t ?? (w2v ? 1e-3 : 1e-4),
    minn: p.minn ?? (w2v ? 0 : 3),
    maxn: p.maxn ?? (w2v ? 0 : 6),
    bucket: p.bucket ?? 2000000,
    power: p.power ?? (w2v ? 0.75 : 0.5),
    skipgram_input: p.skipgram_input ?? (w2v ? 'context' : 'center'),
    // gensim's min_alpha; a starting rate at or below it decays to 0 instead
    min_lr: p.min_lr ?? (w2v && !(Number(p.lr) <= 0.0001) ? 0.0001 : 0),
    neg_target: p.neg_target ?? (w2v ? 'skip' : 'redraw'),
    threads: p.threads,
    seed: p.seed,
    output: p.output,
    backend: p.backend ?? 'auto',
    formats: typeof p.formats === 'string' ? [p.formats] : p.formats ?? ['fasttext', 'word2vec-text'],
    resume_every: p.resume_every ?? 0,
    resume_minutes: p.resume_minutes ?? 5,
  };
  if (!Array.isArray(out.formats) || out.formats.length === 0 || out.formats.some((f) => !WORD2VEC_FORMATS.includes(f))) {
    fail('formats', `formats must be a non-empty list of ${WORD2VEC_FORMATS.map((f) => `'${f}'`).join(', ')}; got ${JSON.stringify(out.formats)}`, 'for example [fasttext, word2vec-text, glove]');
  }
  out.formats = [...new Set(out.formats)];
  if (!['auto', 'wasm', 'typescript'].includes(out.backend)) fail('backend', `backend must be 'auto', 'wasm' or 'typescript', got ${JSON.stringify(out.backend)}`);
  if (out.backend === 'wasm' && out.loss === 'softmax') fail('backend', "backend 'wasm' trains loss ns or hs; loss softmax runs on 'typescript'", "use backend: 'auto' or 'typescript' with loss softmax");
  if (!['ns', 'hs', 'softmax'].includes(out.loss)) fail('loss', `loss must be 'ns', 'hs' or 'softmax', got ${JSON.stringify(out.loss)}`);
  if (!isInt(out.dim) || out.dim < 1 || out.dim > 4096) fail('dim', `dim must be an integer from 1 to 4096, got ${String(out.dim)}`, 'fastText uses 100 by default; 50 to 300 are common');
  if (!isInt(out.ws) || out.ws < 1) fail('ws', `ws must be an integer >= 1, got ${String(out.ws)}`, 'the window is drawn from 1..ws; fastText uses 5');
  if (!isInt(out.epoch) || out.epoch < 1) fail('epoch', `epoch must be an integer >= 1, got ${String(out.epoch)}`, 'fastText runs 5 epochs by default');
  if (!isInt(out.neg) || out.neg < 1) fail('neg', `neg must be an integer >= 1, got ${String(out.neg)}`, 'negatives per target with loss ns; fastText uses 5');
  if (!isNum(out.lr) || out.lr <= 0) fail('lr', `lr must be a number > 0, got ${String(out.lr)}`, 'fastText uses 0.05');
  if (!isNum(out.t) || out.t < 0) fail('t', `t must be a number >= 0, got ${String(out.t)}`, 'fastText uses 1e-4, word2vec 1e-3; 0 keeps every word');
  if (!isInt(out.minn) || out.minn < 0) fail('minn', `minn must be an integer >= 0, got ${String(out.minn)}`);
  if (!isInt(out.maxn) || out.maxn < 0) fail('maxn', `maxn must be an integer >= 0, got ${String(out.maxn)}`, '0 turns subwords off');
  if (!isInt(out.bucket) || out.bucket < 0) fail('bucket', `bucket must be an integer >= 0, got ${String(out.bucket)}`);
  if (out.skipgram_input !== 'center' && out.skipgram_input !== 'context') fail('skipgram_input', `skipgram_input must be 'center' or 'context', got ${JSON.stringify(out.skipgram_input)}`, "'center' as fastText, 'context' as word2vec and gensim");
  if (!isNum(out.min_lr) || out.min_lr < 0) fail('min_lr', `min_lr must be a number >= 0, got ${String(out.min_lr)}`, "0 decays to nothing as fastText; gensim's min_alpha is 0.0001");
  if (out.min_lr >= out.lr) fail('min_lr', `min_lr (${out.min_lr}) must be below lr (${out.lr}): the rate decays from lr to min_lr`, 'lower min_lr (0 as fastText, 0.0001 as gensim) or raise lr');
  if (out.neg_target !== 'redraw' && out.neg_target !== 'skip') fail('neg_target', `neg_target must be 'redraw' or 'skip', got ${JSON.stringify(out.neg_target)}`, "'redraw' as fastText, 'skip' as word2vec and gensim");
  if (!isNum(out.power) || out.power < 0) fail('power', `power must be a number >= 0, got ${String(out.power)}`, 'fastText uses 0.5, word2vec 0.75');
  if (out.maxn > 0) {
    if (out.minn < 1) fail('minn', `minn must be >= 1 when subwords are on (maxn ${out.maxn}), got ${out.minn}`, 'fastText uses minn 3; set maxn: 0 to turn subwords off');
    if (out.minn > out.maxn) fail('minn', `minn (${out.minn}) is larger than maxn (${out.maxn}): no n-gram length fits`, 'set minn <= maxn (fastText: 3 and 6), or maxn: 0 for no subwords');
    if (out.bucket === 0) fail('bucket', 'bucket is 0 but subwords are on (maxn > 0): the n-grams have no rows', 'set bucket (fastText: 2000000), or maxn: 0 to turn subwords off');
  }
  if (out.threads !== undefined && (!isInt(out.threads) || out.threads < 1 || out.threads > 256)) fail('threads', `threads must be an integer from 1 to 256, got ${String(out.threads)}`);
  if (out.seed !== undefined && !isInt(out.seed)) fail('seed', `seed must be an integer, got ${String(out.seed)}`);
  if (out.output !== undefined && (typeof out.output !== 'string' || out.output === '')) fail('output', `output must be a path, got ${String(out.output)}`);
  if (!isInt(out.resume_every) || out.resume_every < 0) fail('resume_every', `resume_every must be an integer >= 0, got ${String(out.resume_every)}`, '0 writes resume checkpoints by time only (resume_minutes)');
  if (!isNum(out.resume_minutes) || out.resume_minutes < 0) fail('resume_minutes', `resume_minutes must be a number >= 0, got ${String(out.resume_minutes)}`, '0 writes resume checkpoints by epochs only (resume_every)');
  return out;
}
