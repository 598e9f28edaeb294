/**
 * Parameters of the glove operator: defaults and docs in one place. Names follow
 * Stanford GloVe's `glove` flags (-vector-size, -x-max, -alpha, -eta, -iter,
 * -grad-clip, -threads, -seed, -model, -checkpoint-every) in snake_case, with the
 * reference defaults.
 */
import { WordloomError } from '@wordloom/core';
import type { ParamSpecs } from '../op.js';
import type { VectorsFormat } from '../io/vectors.js';

export type GloveSave = 'word+context' | 'word';

export interface GloveParams {
  /** Dimension of the word vectors. */
  vector_size: number;
  /** Cutoff of the weighting function f(x) = min(1, (x / x_max)^alpha). */
  x_max: number;
  /** Exponent of the weighting function. */
  alpha: number;
  /** Initial AdaGrad learning rate. */
  eta: number;
  /** Iterations (passes over all co-occurrences). */
  max_iter: number;
  /** Stop early when the cost improves by less than this fraction in an iteration; 0 = off. */
  tolerance: number;
  /** Each component of a vector step (fdiff * vector) is clipped to [-grad_clip_value, grad_clip_value]. */
  grad_clip_value: number;
  /** Worker threads (default: the pipeline's / context's threads). */
  threads?: number;
  /** Seed of the initialisation and the shuffles (default: the context's seed). */
  seed?: number;
  /** Vectors returned and saved: word + context vectors summed (GloVe -model 2) or word vectors only (-model 1). */
  save: GloveSave;
  /** Append an `<unk>` vector, the mean of the 100 rarest words' vectors, as glove.c does when saving. */
  unk_vector: boolean;
  /** Visit the co-occurrences in a fresh random order each iteration (false: stored order, as glove.c on an unshuffled file). */
  shuffle: boolean;
  /** Write the vectors to this file (see `formats` for several files). */
  output?: string;
  /** File formats to write when `output` is set. */
  formats: VectorsFormat[];
  /** Also write the vectors every this many iterations (0 = never). */
  checkpoint_every: number;
  /** Write a resume checkpoint every this many iterations (0 = by time only). */
  resume_every: number;
  /** Write a resume checkpoint once this many minutes have passed since the last one (0 = by iterations only). */
  resume_minutes: number;
}

const FORMATS: readonly VectorsFormat[] = ['glove', 'word2vec-text', 'word2vec-binary'];

export const gloveParamSpecs = {
  vector_size: { type: 'int', doc: 'dimension of the word vectors (GloVe -vector-size)', default: 50, min: 1, max: 4096 },
  x_max: { type: 'number', doc: 'cutoff of the weighting f(x) = min(1, (x/x_max)^alpha) (GloVe -x-max; 100 is its default, 10 suits small corpora)', default: 100, min: 0, exclusiveMin: true },
  alpha: { type: 'number', doc: 'exponent of the weighting function (GloVe -alpha)', default: 0.75, min: 0 },
  eta: { type: 'number', doc: 'initial AdaGrad learning rate (GloVe -eta)', default: 0.05, min: 0, exclusiveMin: true },
  max_iter: { type: 'int', doc: 'iterations over all co-occurrences (GloVe -iter)', default: 25, min: 1 },
  tolerance: {
    type: 'number',
    doc: 'stop early once an iteration lowers the cost by less than this fraction of the previous cost (0 = off: always run max_iter, as GloVe does)',
    default: 0,
    min: 0,
    max: 1,
  },
  grad_clip_value: { type: 'number', doc: 'clip each component of a vector step fdiff*v to [-value, value] before AdaGrad (GloVe -grad-clip)', default: 100, min: 0, exclusiveMin: true },
  threads: { type: 'int', doc: 'worker threads updating the shared parameters without locks (Hogwild); default: the pipeline threads', optional: true, min: 1, max: 256 },
  seed: { type: 'int', doc: 'seed of the initialisation and the per-iteration shuffles; default: the pipeline seed. One thread and a seed give the same vectors every run', optional: true },
  save: {
    type: 'enum',
    values: ['word+context', 'word'],
    doc: "vectors returned and written: 'word+context' sums word and context vectors (GloVe -model 2), 'word' keeps word vectors only (-model 1)",
    default: 'word+context',
  },
  unk_vector: {
    type: 'boolean',
    doc: 'append an "<unk>" vector, the mean of the 100 rarest words\' vectors, as glove.c writes by default (its use_unk_vec); off by default so that the vectors match the vocabulary',
    default: false,
  },
  shuffle: { type: 'boolean', doc: 'visit the co-occurrences in a fresh random order every iteration; false keeps their stored (sorted) order', default: true },
  output: {
    type: 'path',
    output: true,
    doc: 'write the vectors to this file; with several formats the extension is replaced: .txt (glove), .vec (word2vec-text), .bin (word2vec-binary)',
    optional: true,
  },
  formats: {
    type: 'string[]',
    doc: "formats written when output is set: 'glove' (\"word v1 v2 ...\" lines), 'word2vec-text' (with a \"count dim\" header), 'word2vec-binary'",
    default: ['glove'],
  },
  checkpoint_every: {
    type: 'int',
    doc: 'also write the vectors every this many iterations to <output stem>.<iteration, 3 digits><ext> (GloVe -checkpoint-every); 0 = never',
    default: 0,
    min: 0,
  },
  resume_every: {
    type: 'int',
    inert: true,
    doc: 'with the cache on: write a resume checkpoint (parameters, AdaGrad sums, record order, iteration) every this many iterations, so that rerunning a killed pipeline goes on from there; 0 = by time only (resume_minutes)',
    default: 0,
    min: 0,
  },
  resume_minutes: {
    type: 'number',
    inert: true,
    doc: 'with the cache on: also write a resume checkpoint once this many minutes of training have passed since the last one; 0 = by iterations only (resume_every). Both 0: no resume checkpoints',
    default: 5,
    min: 0,
  },
} satisfies ParamSpecs;

export const GLOVE_DEFAULTS: Readonly<GloveParams> = {
  vector_size: 50,
  x_max: 100,
  alpha: 0.75,
  eta: 0.05,
  max_iter: 25,
  tolerance: 0,
  grad_clip_value: 100,
  save: 'word+context',
  unk_vector: false,
  shuffle: true,
  formats: ['glove'],
  checkpoint_every: 0,
  resume_every: 0,
  resume_minutes: 5,
};

function fail(param: string, message: string, hint?: string): never {
  throw new WordloomError('E_PARAM', message, { param }, hint);
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Fill defaults and check ranges, for direct calls (the pipeline validates the same specs first). */
export function resolveGloveParams(p: Partial<GloveParams> = {}): GloveParams {
  const out: GloveParams = { ...GLOVE_DEFAULTS, formats: [...GLOVE_DEFAULTS.formats] };
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) continue;
    if (!(k in gloveParamSpecs)) fail(k, `unknown parameter "${k}" for glove`, `known parameters: ${Object.keys(gloveParamSpecs).join(', ')}`);
    (out as unknown as Record<string, unknown>)[k] = v;
  }
  if (!isInt(out.vector_size) || out.vector_size < 1 || out.vector_size > 4096) {
    fail('vector_size', `vector_size must be an integer from 1 to 4096, got ${String(out.vector_size)}`, 'GloVe uses 50 to 300; the default is 50');
  }
  if (!isNum(out.x_max) || out.x_max <= 0) {
    fail('x_max', `x_max must be a number > 0, got ${String(out.x_max)}`, 'co-occurrence counts at or above x_max get full weight; GloVe uses 100 (10 for small corpora)');
  }
  if (!isNum(out.alpha) || out.alpha < 0) fail('alpha', `alpha must be a number >= 0, got ${String(out.alpha)}`, 'the GloVe paper uses 0.75');
  if (!isNum(out.eta) || out.eta <= 0) fail('eta', `eta must be a number > 0, got ${String(out.eta)}`, 'the GloVe default is 0.05');
  if (!isInt(out.max_iter) || out.max_iter < 1) fail('max_iter', `max_iter must be an integer >= 1, got ${String(out.max_iter)}`, 'GloVe runs 25 iterations by default (15 to 50 are common)');
  if (!isNum(out.tolerance) || out.tolerance < 0 || out.tolerance > 1) {
    fail('tolerance', `tolerance must be a number from 0 to 1, got ${String(out.tolerance)}`, '0 turns early stopping off; 1e-3 stops once an iteration improves the cost by less than 0.1%');
  }
  if (!isNum(out.grad_clip_value) || out.grad_clip_value <= 0) fail('grad_clip_value', `grad_clip_value must be a number > 0, got ${String(out.grad_clip_value)}`, 'the GloVe default is 100');
  if (out.threads !== undefined && (!isInt(out.threads) || out.threads < 1 || out.threads > 256)) {
    fail('threads', `threads must be an integer from 1 to 256, got ${String(out.threads)}`);
  }
  if (out.seed !== undefined && !isInt(out.seed)) fail('seed', `seed must be an integer, got ${String(out.seed)}`);
  if (out.save !== 'word+context' && out.save !== 'word') fail('save', `save must be 'word+context' or 'word', got ${JSON.stringify(out.save)}`, "'word+context' is GloVe's -model 2, 'word' its -model 1");
  if (typeof out.unk_vector !== 'boolean') fail('unk_vector', `unk_vector must be true or false, got ${String(out.unk_vector)}`);
  if (typeof out.shuffle !== 'boolean') fail('shuffle', `shuffle must be true or false, got ${String(out.shuffle)}`);
  if (out.output !== undefined && (typeof out.output !== 'string' || out.output === '')) fail('output', `output must be a file path, got ${String(out.output)}`);
  if (!Array.isArray(out.formats) || out.formats.length === 0) fail('formats', `formats must be a non-empty list, got ${JSON.stringify(out.formats)}`, `choose from ${FORMATS.join(', ')}`);
  for (const f of out.formats) {
    if (!FORMATS.includes(f)) fail('formats', `unknown vectors format ${JSON.stringify(f)}`, `choose from ${FORMATS.join(', ')}`);
  }
  if (new Set(out.formats).size !== out.formats.length) fail('formats', `formats lists a format twice: ${JSON.stringify(out.formats)}`);
  if (!isInt(out.checkpoint_every) || out.checkpoint_every < 0) fail('checkpoint_every', `checkpoint_every must be an integer >= 0, got ${String(out.checkpoint_every)}`);
  if (out.checkpoint_every > 0 && out.output === undefined) {
    fail('checkpoint_every', 'checkpoint_every needs output: checkpoints are written next to the output file', 'set output, or checkpoint_every: 0');
  }
  if (!isInt(out.resume_every) || out.resume_every < 0) fail('resume_every', `resume_every must be an integer >= 0, got ${String(out.resume_every)}`, '0 writes resume checkpoints by time only (resume_minutes)');
  if (!isNum(out.resume_minutes) || out.resume_minutes < 0) fail('resume_minutes', `resume_minutes must be a number >= 0, got ${String(out.resume_minutes)}`, '0 writes resume checkpoints by iterations only (resume_every)');
  return out;
}
