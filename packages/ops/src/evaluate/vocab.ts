/**
 * gensim's restricted, case-folded vocabulary for evaluation: the first
 * `restrict_vocab` words of the vectors (frequency order), keyed by their
 * uppercase form when case-insensitive, the first occurrence winning
 * (gensim builds `{k.upper(): index for k in reversed(ok_keys)}`).
 */
import type { Embeddings } from '@wordloom/core';
import { pyUpper } from './text.js';

export interface OkVocab {
  /** Rows [0, rows) are the restricted vocabulary. */
  rows: number;
  /** Key (uppercased when case-insensitive) -> first row with that key. */
  index: Map<string, number>;
  /** For each restricted row, the row its key maps to (itself unless an earlier row shares its key). */
  canon: Int32Array;
  key(word: string): string;
}

export function okVocab(vectors: Embeddings, restrictVocab: number, caseInsensitive: boolean): OkVocab {
  const rows = Math.min(vectors.size, Math.max(0, Math.floor(restrictVocab)));
  const key = caseInsensitive ? pyUpper : (w: string) => w;
  const index = new Map<string, number>();
  const canon = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const k = key(vectors.words[i]!);
    let c = index.get(k);
    if (c === undefined) {
      c = i;
      index.set(k, i);
    }
    canon[i] = c;
  }
  return { rows, index, canon, key };
}

/**
 * The rows that query words match, by the rule every command uses: exactly when
 * `caseInsensitive` is false; otherwise the first row (the most frequent word) whose
 * uppercase form is the query's, as okVocab keys words (so "King" finds "king" when
 * "king" is the more frequent spelling). -1 for a word not found. One pass over the
 * words, stopping when every query is found.
 */
export function lookupWords(vectors: Embeddings, words: readonly string[], caseInsensitive: boolean): Int32Array {
  const out = new Int32Array(words.length).fill(-1);
  if (!caseInsensitive) {
    words.forEach((w, i) => (out[i] = vectors.id(w)));
    return out;
  }
  const want = new Map<string, number[]>();
  words.forEach((w, i) => {
    const k = pyUpper(w);
    const list = want.get(k);
    if (list) list.push(i);
    else want.set(k, [i]);
  });
  let left = want.size;
  for (let r = 0; r < vectors.size && left > 0; r++) {
    const list = want.get(pyUpper(vectors.words[r]!));
    if (!list || out[list[0]!]! >= 0) continue;
    for (const i of list) out[i] = r;
    left--;
  }
  return out;
}
