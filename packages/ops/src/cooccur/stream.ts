/**
 * Streaming entry points: count a TokenStream (the pipeline's input) or text
 * files read exactly as Stanford GloVe's `cooccur` reads its input, holding at
 * most one segment of the corpus in memory (see RankStreamCounter).
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DOC_END, Vocab, WordloomError } from '@wordloom/core';
import type { Cooccurrences } from '@wordloom/core';
import type { TokenStream } from '../artifacts.js';
import { standaloneContext } from '../op.js';
import type { OpContext } from '../op.js';
import { readVocabFile } from '../io/vocab-file.js';
import { RankStreamCounter } from './count.js';
import type { CooccurParams } from './params.js';

/**
 * Count a token stream: dictionary ids are mapped to vocabulary ranks
 * (map[id] = vocab.id(dictionary.words[id]); words out of vocabulary are dropped
 * and take no position), DOC_END ends a document.
 */
export async function countTokenStream(tokens: TokenStream, vocab: Vocab, params: Partial<CooccurParams>, ctx: OpContext): Promise<Cooccurrences> {
  const total = tokens.stats.complete ? tokens.stats.tokens : undefined;
  const counter = new RankStreamCounter(vocab.size, params, ctx, total);
  let map = new Int32Array(1024);
  let mapped = 0;
  let inVocab = 0;
  try {
    for await (const chunk of tokens.chunks(ctx.signal)) {
      const dict = tokens.dictionary;
      if (dict.size > mapped) {
        if (dict.size > map.length) {
          const m = new Int32Array(Math.max(dict.size, map.length * 2));
          m.set(map.subarray(0, mapped));
          map = m;
        }
        for (let i = mapped; i < dict.size; i++) {
          const r = vocab.id(dict.words[i]!);
          map[i] = r;
          if (r >= 0) inVocab++;
        }
        mapped = dict.size;
      }
      await counter.push(chunk.ids, map, mapped);
    }
    if (mapped > 0 && inVocab === 0) {
      ctx.log('cooccur: no word of the token stream is in the vocabulary; the result is empty');
    }
    return await counter.finish();
  } finally {
    await counter.close();
  }
}

/** GloVe's MAX_STRING_LENGTH: longer words are cut to 999 bytes. */
const MAX_WORD_BYTES = 999;

export interface CorpusReadStats {
  /** Words read (in and out of vocabulary). */
  words: number;
  /** Words in the vocabulary (positions counted). */
  inVocab: number;
  /** Newlines read. */
  lines: number;
  bytes: number;
}

/**
 * Read text files as GloVe's tools do (common.c get_word): words are separated by
 * spaces, tabs and newlines; '\r' is ignored everywhere (even inside a word); a
 * newline ends a document; a word longer than 999 bytes is cut (not inside a UTF-8
 * character). No lowercasing. Each file also ends a document. Words are mapped to
 * vocabulary ranks, out-of-vocabulary words dropped, and `sink` receives rank
 * chunks with DOC_END markers (the array is reused once the promise resolves).
 */
export async function readGloveCorpus(
  files: readonly string[],
  vocab: Vocab,
  sink: (ranks: Int32Array) => Promise<void>,
  opts: { signal?: AbortSignal; onProgress?: (stats: CorpusReadStats) => void } = {},
): Promise<CorpusReadStats> {
  const stats: CorpusReadStats = { words: 0, inVocab: 0, lines: 0, bytes: 0 };
  const out = new Int32Array(1 << 16);
  let n = 0;
  const flush = async (): Promise<void> => {
    if (n > 0) await sink(out.subarray(0, n));
    n = 0;
  };
  const parts: Buffer[] = [];
  const endWord = (buf: Buffer, s: number, e: number): void => {
    let bytes: Buffer;
    if (parts.length === 0) {
      bytes = buf.subarray(s, e);
    } else {
      parts.push(buf.subarray(s, e));
      bytes = Buffer.concat(parts);
      parts.length = 0;
    }
    if (bytes.length >= MAX_WORD_BYTES) bytes = truncateWord(bytes);
    stats.words++;
    const r = vocab.id(bytes.toString('utf8'));
    if (r >= 0) {
      out[n++] = r;
      stats.inVocab++;
    }
  };
  const buf = Buffer.allocUnsafe(1 << 20);
  for (const file of files) {
    let fh: FileHandle;
    try {
      fh = await open(file, 'r');
    } catch (e) {
      throw new WordloomError('E_FILE', `cannot read the corpus: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file }, 'check the path');
    }
    try {
      for (;;) {
        opts.signal?.throwIfAborted();
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        stats.bytes += bytesRead;
        let start = -1;
        for (let i = 0; i < bytesRead; i++) {
          const b = buf[i]!;
          if (b === 0x20 || b === 0x09 || b === 0x0a) {
            if (start >= 0) endWord(buf, start, i);
            else if (parts.length > 0) endWord(buf, i, i);
            start = -1;
            if (b === 0x0a) {
              stats.lines++;
              out[n++] = DOC_END;
            }
            // keep room for the largest additions of one byte (a word and a DOC_END)
            if (n >= out.length - 2) await flush();
          } else if (b === 0x0d) {
            if (start >= 0) parts.push(Buffer.from(buf.subarray(start, i)));
            start = -1;
          } else if (start < 0) {
            start = i;
          }
        }
        if (start >= 0) parts.push(Buffer.from(buf.subarray(start, bytesRead)));
        opts.onProgress?.(stats);
      }
      if (parts.length > 0) endWord(buf, 0, 0);
      out[n++] = DOC_END;
      await flush();
    } finally {
      await fh.close();
    }
  }
  await flush();
  return stats;
}

/** Cut a word to 999 bytes as GloVe does, backing off a cut UTF-8 sequence. */
function truncateWord(w: Buffer): Buffer {
  let i = MAX_WORD_BYTES;
  if ((w[i - 1]! & 0x80) === 0x80) {
    if ((w[i - 1]! & 0xc0) === 0xc0) i -= 1;
    else if (i > 2 && (w[i - 2]! & 0xe0) === 0xe0) i -= 2;
    else if (i > 3 && (w[i - 3]! & 0xf8) === 0xf0) i -= 3;
  }
  return w.subarray(0, i);
}

/**
 * The standalone form of GloVe's `cooccur -vocab-file VOCAB < CORPUS > OUT`:
 * count text files (read as GloVe reads them, see readGloveCorpus) against a
 * vocabulary (a Vocab or a GloVe vocab.txt path). The corpus is streamed: with a
 * small `memory_mb`, it is counted in segments that spill to ctx.tmpDir. Set
 * `params.output` to also write the GloVe binary file.
 */
export async function cooccurFile(
  corpus: string | readonly string[],
  vocab: Vocab | string,
  params: Partial<CooccurParams> = {},
  ctx: OpContext = standaloneContext(),
): Promise<Cooccurrences> {
  const files = (typeof corpus === 'string' ? [corpus] : [...corpus]).map((f) => resolve(ctx.baseDir, f));
  if (files.length === 0) throw new WordloomError('E_PARAM', 'no corpus file given', { param: 'corpus' });
  const v = typeof vocab === 'string' ? await readVocabFile(resolve(ctx.baseDir, vocab)) : vocab;
  const counter = new RankStreamCounter(v.size, params, ctx);
  try {
    const stats = await readGloveCorpus(files, v, (ranks) => counter.push(ranks), { signal: ctx.signal });
    ctx.log(`cooccur: read ${stats.words} words (${stats.inVocab} in vocabulary), ${stats.lines} lines`);
    return await counter.finish();
  } finally {
    await counter.close();
  }
}
