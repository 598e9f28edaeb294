/**
 * Word-pair similarity, as gensim 4.2's KeyedVectors.evaluate_word_pairs: lines
 * starting with '#' are comments; a line is "word1<TAB>word2<TAB>score" (other
 * lines are skipped as invalid); pairs with a word outside the restricted
 * vocabulary are skipped and counted in the OOV ratio; Pearson and Spearman
 * correlations between the gold scores and the cosines of the remaining pairs.
 * Where gensim would report a NaN correlation, this is an error instead: a NaN or
 * infinite score (naming its line), a NaN cosine, fewer than 2 pairs, or scores or
 * cosines all equal. Invalid lines are counted (`invalid`).
 */
import type { Embeddings } from '@wordloom/core';
import { WordloomError } from '@wordloom/core';
import { pearson, spearman } from './stats.js';
import { pyFloat, readEvalFile } from './text.js';
import { okVocab, type OkVocab } from './vocab.js';

export interface PairsOptions {
  restrict_vocab?: number;
  case_insensitive?: boolean;
  /** Field separator (gensim's delimiter); default tab. */
  delimiter?: string;
}

export interface PairsResult {
  file: string;
  pearson: number;
  spearman: number;
  /** Pairs with a word out of vocabulary, in percent of the valid pairs (as gensim reports it). */
  oovRatio: number;
  /** Valid pair lines. */
  pairs: number;
  /** Pairs used (both words in vocabulary). */
  used: number;
  /** Non-blank, non-comment lines that are not "word1<TAB>word2<TAB>score", skipped (as gensim skips them). */
  invalid: number;
}

/** gensim's similarity(): cosine of float32 unit vectors (norms in float64, as matutils.unitvec). */
export function wordSimilarity(vectors: Embeddings, i: number, j: number): number {
  const d = vectors.dim;
  const a = vectors.data;
  const oa = i * d;
  const ob = j * d;
  let na = 0;
  let nb = 0;
  for (let t = 0; t < d; t++) {
    na += a[oa + t]! * a[oa + t]!;
    nb += a[ob + t]! * a[ob + t]!;
  }
  const ia = na > 0 ? 1 / Math.sqrt(na) : 1;
  const ib = nb > 0 ? 1 / Math.sqrt(nb) : 1;
  let s = 0;
  for (let t = 0; t < d; t++) s += Math.fround(a[oa + t]! * ia) * Math.fround(a[ob + t]! * ib);
  return Math.fround(s);
}

export async function evaluateWordPairs(vectors: Embeddings, file: string, opts: PairsOptions = {}, ok?: OkVocab): Promise<PairsResult> {
  const text = await readEvalFile(file, 'word-pair similarity');
  return evaluateWordPairsText(vectors, text, file, opts, ok);
}

export function evaluateWordPairsText(vectors: Embeddings, text: string, file: string, opts: PairsOptions = {}, ok?: OkVocab): PairsResult {
  const vocab = ok ?? okVocab(vectors, opts.restrict_vocab ?? 300000, opts.case_insensitive ?? true);
  const delimiter = opts.delimiter ?? '\t';
  const gold: number[] = [];
  const model: number[] = [];
  let oov = 0;
  let invalid = 0;
  // Python's text mode reads "\r\n" and "\r" as "\n".
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!;
    if (line.startsWith('#')) continue;
    const parts = (line + '\n').split(delimiter);
    const sim = parts.length === 3 ? pyFloat(parts[2]!) : undefined;
    if (sim === undefined) {
      if (line.trim() !== '') invalid++;
      continue;
    }
    // One NaN or infinite score makes both correlations NaN: name the line instead.
    if (!Number.isFinite(sim)) {
      throw new WordloomError('E_INPUT', `the score ${JSON.stringify(parts[2]!.trim())} is not a finite number`, { file, line: ln + 1 }, 'each line is "word1<TAB>word2<TAB>score" with a numeric score');
    }
    const a = vocab.index.get(vocab.key(parts[0]!));
    const b = vocab.index.get(vocab.key(parts[1]!));
    if (a === undefined || b === undefined) {
      oov++;
      continue;
    }
    const cos = wordSimilarity(vectors, a, b);
    if (!Number.isFinite(cos)) {
      throw new WordloomError('E_INPUT', `the cosine of this pair is ${cos}: the vectors of "${parts[0]}" or "${parts[1]}" hold NaN or infinite values`, { file, line: ln + 1 }, 'retrain the vectors (training diverged?)');
    }
    gold.push(sim);
    model.push(cos);
  }
  if (gold.length === 0) {
    throw new WordloomError(
      'E_INPUT',
      `no usable word pairs: ${oov} pairs had a word outside the ${vocab.rows} words evaluated, and no other line was a "word1<TAB>word2<TAB>score" line`,
      { file },
      oov > 0 ? 'raise restrict_vocab, or check the case of the words (case_insensitive)' : 'expected tab-separated word pairs with a score',
    );
  }
  const constant = (xs: number[]): boolean => xs.every((x) => x === xs[0]);
  if (gold.length < 2 || constant(gold) || constant(model)) {
    throw new WordloomError(
      'E_INPUT',
      gold.length < 2
        ? `only ${gold.length} usable word pair: a correlation needs at least 2`
        : `the correlation is undefined: all ${gold.length} usable pairs have the same ${constant(gold) ? 'score' : 'cosine'}`,
      { file },
      gold.length < 2 || constant(gold) ? 'use a word-pair file with varied scores' : 'the vectors look degenerate (all equal?): retrain them',
    );
  }
  return {
    file,
    pearson: pearson(gold, model),
    spearman: spearman(gold, model),
    oovRatio: (oov / (gold.length + oov)) * 100,
    pairs: gold.length + oov,
    used: gold.length,
    invalid,
  };
}
