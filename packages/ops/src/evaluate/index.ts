/**
 * evaluate: analogy accuracy and word-pair similarity correlations, with the
 * numbers gensim 4.2 gives on the same vectors and files.
 */
import { resolve } from 'node:path';
import type { Embeddings } from '@wordloom/core';
import { WordloomError } from '@wordloom/core';
import { defineOp, type OpContext, type ParamSpecs } from '../op.js';
import type { EvaluationResult } from '../artifacts.js';
import type { KnnBackend } from '../knn/topk.js';
import { evaluateAnalogies, type AnalogyMethod } from './analogy.js';
import { evaluateWordPairs } from './pairs.js';
import { okVocab } from './vocab.js';
import { readFile } from 'node:fs/promises';
import { evaluationWords, withOovVocab } from '../subword/embeddings.js';

export { evaluateAnalogies, evaluateAnalogiesText, parseAnalogies, rankAnalogies, ANALOGY_METHODS, type AnalogyMethod, type AnalogyOptions, type AnalogyResult, type AnalogyQuestions, type AnalogySectionResult } from './analogy.js';
export { evaluateWordPairs, evaluateWordPairsText, wordSimilarity, type PairsOptions, type PairsResult } from './pairs.js';
export { pearson, spearman, rankAverage } from './stats.js';
export { okVocab, lookupWords, type OkVocab } from './vocab.js';

export interface EvaluateParams {
  analogies?: string[];
  similarity?: string[];
  restrict_vocab: number;
  case_insensitive: boolean;
  methods: AnalogyMethod[];
  backend: KnnBackend;
  oov?: boolean;
}

export const evaluateParams: ParamSpecs = {
  analogies: { type: 'paths', optional: true, mustExist: true, doc: 'analogy question files (word2vec questions-words.txt format: ": section" lines, then "a b c d" lines)' },
  similarity: { type: 'paths', optional: true, mustExist: true, doc: 'word-pair files ("word1<TAB>word2<TAB>score" lines, "#" comments), e.g. WordSim-353, SimLex-999' },
  restrict_vocab: { type: 'int', default: 300000, min: 1, doc: 'evaluate on the first N words of the vectors (the most frequent), as gensim restrict_vocab' },
  case_insensitive: { type: 'boolean', default: true, doc: 'match words by their uppercase form, the first (most frequent) variant winning, as gensim' },
  methods: { type: 'string[]', default: ['3CosAdd', '3CosMul'], doc: "analogy objectives: '3CosAdd' (gensim most_similar) and/or '3CosMul' (most_similar_cosmul)" },
  backend: { type: 'enum', values: ['auto', 'gpu', 'typescript'], default: 'auto', doc: 'kernel for the analogy arg-max (as knn)' },
  oov: { type: 'boolean', default: false, doc: 'give words outside the vocabulary vectors from their subwords (fastText models) instead of skipping their questions and pairs as gensim does; answers are still vocabulary words' },
};

export interface EvaluateOptions extends Partial<Omit<EvaluateParams, 'analogies' | 'similarity'>> {
  analogies?: readonly string[];
  similarity?: readonly string[];
  threads?: number;
  signal?: AbortSignal;
  progress?: OpContext['progress'];
}

/** Evaluate vectors on analogy and word-pair files (paths as given). */
export async function evaluateVectors(vectors: Embeddings, o: EvaluateOptions): Promise<EvaluationResult> {
  const analogies = o.analogies ?? [];
  const similarity = o.similarity ?? [];
  const methods = o.methods ?? ['3CosAdd', '3CosMul'];
  if (analogies.length === 0 && similarity.length === 0) {
    throw new WordloomError('E_PARAM', 'nothing to evaluate: give analogy and/or similarity files', { param: 'analogies' }, 'e.g. analogies: [data/eval/questions-words.txt], similarity: [data/eval/wordsim353.tsv]');
  }
  if (analogies.length > 0 && methods.length === 0) throw new WordloomError('E_PARAM', 'methods is empty', { param: 'methods' }, "use ['3CosAdd', '3CosMul']");
  const caseInsensitive = o.case_insensitive ?? true;
  let vocab = okVocab(vectors, o.restrict_vocab ?? 300000, caseInsensitive);
  const out: EvaluationResult = { restrictVocab: vocab.rows, caseInsensitive };
  if (o.oov && vectors.oov) {
    // rows for the evaluation words the vocabulary lacks, made from their subwords
    const texts = async (files: readonly string[]) => Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => '')));
    const ext = withOovVocab(vectors, vocab, evaluationWords(await texts(analogies), await texts(similarity)));
    vectors = ext.vectors;
    vocab = ext.vocab;
    out.oovWords = ext.added;
  }
  if (analogies.length) {
    out.analogy = [];
    for (const file of analogies) {
      // Progress counts the candidate words scanned (every question against each), not questions.
      o.progress?.({ phase: 'analogies', message: `analogies: ${file}, each question against ${vocab.rows.toLocaleString('en-US')} candidate words` });
      const rs = await evaluateAnalogies(vectors, file, {
        methods,
        backend: o.backend,
        threads: o.threads,
        signal: o.signal,
        onProgress: (done, total) => o.progress?.({ phase: 'analogies', done, total, unit: 'candidate words' }),
      }, vocab);
      out.analogy.push(...rs);
    }
  }
  if (similarity.length) {
    out.similarity = [];
    for (const file of similarity) {
      o.progress?.({ phase: 'similarity', message: `similarity: ${file}` });
      out.similarity.push(await evaluateWordPairs(vectors, file, {}, vocab));
    }
  }
  return out;
}

export const evaluateOp = defineOp<EvaluateParams, EvaluationResult>({
  name: 'evaluate',
  summary: 'Analogy accuracy (3CosAdd, 3CosMul) and word-pair similarity correlations, as gensim 4.2 computes them.',
  params: evaluateParams,
  inputs: { vectors: { kind: 'vectors', doc: 'the word vectors to evaluate (frequency-sorted, as written by glove)' } },
  output: 'evaluation',
  run: async (inputs, params, ctx) => {
    const vectors = inputs.vectors as Embeddings | undefined;
    if (!vectors) throw new WordloomError('E_GRAPH', 'evaluate needs a vectors input', { node: ctx.node }, 'wire a glove node (or a vectors reader) to its vectors input');
    for (const m of params.methods) {
      if (m !== '3CosAdd' && m !== '3CosMul') throw new WordloomError('E_PARAM', `unknown analogy method "${m}"`, { node: ctx.node, param: 'methods' }, "use '3CosAdd' and/or '3CosMul'");
    }
    const res = await evaluateVectors(vectors, {
      ...params,
      analogies: params.analogies?.map((p) => resolve(ctx.baseDir, p)),
      similarity: params.similarity?.map((p) => resolve(ctx.baseDir, p)),
      threads: ctx.threads,
      signal: ctx.signal,
      progress: (u) => ctx.progress(u),
    });
    const metrics: Record<string, number | string> = {};
    for (const a of res.analogy ?? []) metrics[`${basename(a.file)} ${a.method}`] = round4(a.accuracy);
    for (const s of res.similarity ?? []) metrics[`${basename(s.file)} spearman`] = round4(s.spearman);
    ctx.progress({ phase: 'done', metrics });
    return res;
  },
});

function basename(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
