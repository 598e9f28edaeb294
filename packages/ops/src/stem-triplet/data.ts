/**
 * The words of the stem-triplet task: the lowercased alphabetic words of a text
 * (a-z only, within a length range, seen min_count times), grouped by their Porter
 * stem; only stems with two words or more can give an anchor and a positive. The
 * stems are split (seeded) into training and held-out ones, so the held-out words
 * and their stems are never seen in training.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { stemmer } from 'stemmer';
import { Rng, WordloomError } from '@wordloom/core';

export interface StemGroups {
  /** Every kept word, most frequent first (ties alphabetical). */
  words: string[];
  /** The stem of each word. */
  stems: string[];
  /** Groups (stems with 2 words or more) of word indices, for training and held out. */
  train: Int32Array[];
  heldOut: Int32Array[];
  /** Words in no group (their stem has one word): in the vocabulary, not in the task. */
  single: number;
}

/** Count the a-z words of a text file (lowercased; .gz through gunzip), streaming it line by line. */
export async function countWords(file: string, opts: { minLength: number; maxLength: number }): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const raw = createReadStream(file);
  const stream = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const done = new Promise<void>((resolve, reject) => {
    raw.on('error', (e) => reject(new WordloomError('E_FILE', `cannot read the text: ${(e as NodeJS.ErrnoException).code ?? e.message}`, { file, param: 'input' })));
    stream.on('error', (e: Error) => reject(new WordloomError('E_INPUT', `cannot decompress the text: ${e.message}`, { file, param: 'input' })));
    stream.on('end', () => resolve());
  });
  done.catch(() => {}); // awaited below; a read error ends the lines first
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const word = /^[A-Za-z]+$/;
  try {
    for await (const line of lines) {
      for (const tok of line.split(/\s+/)) {
        if (tok.length < opts.minLength || tok.length > opts.maxLength || !word.test(tok)) continue;
        const w = tok.toLowerCase();
        counts.set(w, (counts.get(w) ?? 0) + 1);
      }
    }
  } catch (e) {
    await done;
    throw e;
  }
  await done;
  return counts;
}

/** Keep the words seen minCount times, stem them, group and split the stems. */
export function groupByStem(counts: Map<string, number>, minCount: number, heldOut: number, seed: number): StemGroups {
  const words = [...counts].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
  const stems = words.map((w) => stemmer(w));
  const byStem = new Map<string, number[]>();
  stems.forEach((s, i) => {
    const g = byStem.get(s);
    if (g) g.push(i);
    else byStem.set(s, [i]);
  });
  const groups = [...byStem.values()].filter((g) => g.length >= 2).map((g) => Int32Array.from(g));
  const single = words.length - groups.reduce((a, g) => a + g.length, 0);
  const order = Array.from(groups.keys());
  new Rng(seed ^ 0x57e3).shuffle(order);
  const nHeld = Math.round(groups.length * heldOut);
  const held = order.slice(0, nHeld).map((i) => groups[i]!);
  const train = order.slice(nHeld).map((i) => groups[i]!);
  if (train.length < 2) {
    throw new WordloomError('E_INPUT', `only ${train.length} stems with two words or more are left for training (${words.length} words kept)`, { param: 'input' }, 'give a larger text, a lower min_count or a smaller held_out');
  }
  if (heldOut > 0 && held.length < 2) {
    throw new WordloomError('E_INPUT', `only ${held.length} stems are held out: too few to measure`, { param: 'held_out' }, 'give a larger text or a larger held_out');
  }
  return { words, stems, train, heldOut: held, single };
}
