/**
 * GloVe's vocab.txt: one "word count" line per word, most frequent first.
 */
import { readFile } from 'node:fs/promises';
import { Vocab, WordloomError } from '@wordloom/core';
import { writeAtomic } from './atomic.js';

export async function readVocabFile(file: string): Promise<Vocab> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new WordloomError('E_FILE', `cannot read the vocabulary file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file }, 'check the path');
  }
  return parseVocab(text, file);
}

export function parseVocab(text: string, file = '<vocab>'): Vocab {
  const words: string[] = [];
  const counts: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '') continue;
    const sp = line.lastIndexOf(' ');
    const word = sp > 0 ? line.slice(0, sp) : '';
    const count = sp > 0 ? Number(line.slice(sp + 1)) : NaN;
    if (!word || !Number.isFinite(count) || count < 0) {
      throw new WordloomError('E_INPUT', `expected "word count", got ${JSON.stringify(line.slice(0, 80))}`, { file, line: i + 1 }, 'a GloVe vocab file has one word and its count per line, separated by a space');
    }
    words.push(word);
    counts.push(count);
  }
  if (words.length === 0) throw new WordloomError('E_INPUT', 'the vocabulary file is empty', { file });
  return new Vocab(words, counts);
}

export async function writeVocabFile(vocab: Vocab, file: string): Promise<void> {
  await writeAtomic(file, async (w) => {
    let buf = '';
    for (let i = 0; i < vocab.size; i++) {
      buf += `${vocab.words[i]} ${vocab.counts[i]}\n`;
      if (buf.length > 1 << 16) {
        await w.write(buf);
        buf = '';
      }
    }
    await w.write(buf);
  });
}
