/**
 * Parameters of the cooccur operator: defaults and docs in one place. Names follow
 * Stanford GloVe's `cooccur` flags (-window-size, -symmetric, -distance-weighting,
 * -memory) in snake_case.
 */
import { WordloomError } from '@wordloom/core';
import type { ParamSpecs } from '../op.js';

export interface CooccurParams {
  /** Words up to this many in-vocabulary positions apart co-occur. */
  window: number;
  /** Count both (earlier, later) and (later, earlier); false: only (earlier word, later word). */
  symmetric: boolean;
  /** Add 1/distance for a pair; false: add 1. */
  distance_weighting: boolean;
  /** Soft limit, in MB, on the memory used for counting besides the corpus and the result. */
  memory_mb: number;
  /** Also write the matrix as a GloVe binary file. */
  output?: string;
  /** Read the matrix from this GloVe binary file instead of counting. */
  file?: string;
}

export const cooccurParamSpecs = {
  window: {
    type: 'int',
    doc: 'context window: words up to this many positions apart co-occur (GloVe -window-size); out-of-vocabulary words take no position',
    default: 15,
    min: 1,
  },
  symmetric: {
    type: 'boolean',
    doc: 'count left and right context, i.e. each pair in both orders (GloVe -symmetric 1); false counts only (earlier word, later word)',
    default: true,
  },
  distance_weighting: {
    type: 'boolean',
    doc: 'weight a co-occurrence by 1/distance between the words (GloVe -distance-weighting 1); false adds 1 per co-occurrence',
    default: true,
  },
  memory_mb: {
    type: 'number',
    doc: 'soft limit in MB on counting memory besides the corpus and the result (GloVe -memory, given in GB there); past it the corpus is counted in segments whose sorted runs spill to the temporary directory and are merged',
    default: 1024,
    min: 0,
    exclusiveMin: true,
  },
  output: {
    type: 'path',
    output: true,
    doc: 'also write the matrix to this file in GloVe binary format (int32 word1, int32 word2 1-based, float64 value; sorted)',
    optional: true,
  },
  file: {
    type: 'path',
    doc: 'read the matrix from this GloVe binary co-occurrence file (as written by GloVe cooccur or by output) instead of counting; the tokens input is then not needed',
    optional: true,
    mustExist: true,
  },
} satisfies ParamSpecs;

export const COOCCUR_DEFAULTS: Readonly<CooccurParams> = {
  window: 15,
  symmetric: true,
  distance_weighting: true,
  memory_mb: 1024,
};

/** Fill defaults and check ranges, for direct calls (the pipeline validates the same specs). */
export function resolveCooccurParams(p: Partial<CooccurParams> = {}): CooccurParams {
  const out: CooccurParams = { ...COOCCUR_DEFAULTS };
  for (const [k, v] of Object.entries(p)) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  if (typeof out.window !== 'number' || !Number.isInteger(out.window) || out.window < 1) {
    throw new WordloomError('E_PARAM', `window must be an integer >= 1, got ${String(out.window)}`, { param: 'window' }, 'GloVe uses 10 to 15; the default is 15');
  }
  if (out.window > 1e6) {
    throw new WordloomError('E_PARAM', `window ${out.window} is too large`, { param: 'window' }, 'a window beyond a document is the same as a window of the document length; use at most 1000000');
  }
  if (typeof out.symmetric !== 'boolean') {
    throw new WordloomError('E_PARAM', `symmetric must be true or false, got ${String(out.symmetric)}`, { param: 'symmetric' });
  }
  if (typeof out.distance_weighting !== 'boolean') {
    throw new WordloomError('E_PARAM', `distance_weighting must be true or false, got ${String(out.distance_weighting)}`, { param: 'distance_weighting' });
  }
  if (typeof out.memory_mb !== 'number' || !Number.isFinite(out.memory_mb) || out.memory_mb <= 0) {
    throw new WordloomError('E_PARAM', `memory_mb must be a number > 0, got ${String(out.memory_mb)}`, { param: 'memory_mb' }, 'the default is 1024 (MB)');
  }
  if (out.output !== undefined && (typeof out.output !== 'string' || out.output === '')) {
    throw new WordloomError('E_PARAM', `output must be a file path, got ${String(out.output)}`, { param: 'output' });
  }
  return out;
}
