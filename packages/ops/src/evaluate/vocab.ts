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
