/**
 * Commands on fastText models (.bin/.ftz): `vectors` prints word vectors as
 * `fasttext print-word-vectors` does (for any word, seen or not); `ngrams` lists the
 * character n-grams of many words with their buckets and rows.
 */
import { createReadStream } from 'node:fs';
import { WordloomError } from '@wordloom/core';
import { formatG, formatVectorLine, loadFastTextModel, readFastTextModel, type FastTextModel } from '@wordloom/ops/subword/index';
import { parseArgs, type OptionSpec } from '../args.js';
import type { Command } from './types.js';

/** Words of a file or stdin ("-" or none), split on white space as C++'s `cin >> word` splits them. */
export async function* readWords(input: string | undefined): AsyncGenerator<string> {
  const stream = !input || input === '-' ? process.stdin : createReadStream(input);
  let carry = '';
  const dec = new TextDecoder('utf-8'); // streaming: a character split between chunks stays whole
  try {
    for await (const chunk of stream) {
      const text = carry + (typeof chunk === 'string' ? chunk : dec.decode(chunk as Buffer, { stream: true }));
      const parts = text.split(/[ \t\n\v\f\r]+/);
      carry = parts.pop() ?? '';
      for (const p of parts) if (p) yield p;
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new WordloomError('E_FILE', `cannot read the words: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? (e as Error).message)}`, { file: input }, 'give a file with one word a line (or words separated by spaces), or - for standard input');
  }
  carry += dec.decode();
  for (const p of carry.split(/[ \t\n\v\f\r]+/)) if (p) yield p;
}

/** Write lines with backpressure. */
class Out {
  private buf: string[] = [];
  private size = 0;
  async line(s: string): Promise<void> {
    this.buf.push(s);
    this.size += s.length + 1;
    if (this.size > 1 << 16) await this.flush();
  }
  async flush(): Promise<void> {
    if (!this.buf.length) return;
    const text = this.buf.join('\n') + '\n';
    this.buf = [];
    this.size = 0;
    if (!process.stdout.write(text)) await new Promise<void>((r) => process.stdout.once('drain', () => r()));
  }
}

async function openModel(file: string, lazy: boolean): Promise<FastTextModel> {
  return lazy ? readFastTextModel(file, { output: false, lazy: true }) : loadFastTextModel(file, { output: false });
}

const vectorsOptions: OptionSpec[] = [
  { name: 'lazy', type: 'boolean', doc: 'always leave the matrix in the file and read the rows each word needs' },
  { name: 'eager', type: 'boolean', doc: 'read the whole matrix into memory before the first word' },
];

/**
 * Without --lazy or --eager: the rows of the first words are read from the file
 * (a few thousand words need a small part of a large model), and the whole matrix
 * is loaded once this many words have been asked for.
 */
export const LOAD_AFTER_WORDS = 20000;

export const vectorsCommand: Command = {
  name: 'vectors',
  usage: 'wordloom vectors <model.bin|model.ftz> [words-file | -]',
  summary: 'Print word vectors of a fastText model as `fasttext print-word-vectors` does, for any word (unseen words from their character n-grams).',
  options: vectorsOptions,
  details: `Words are read from the file (or standard input) separated by white space; each prints as "word v1 ... vd" with 5 significant digits.\nThe rows of the first ${LOAD_AFTER_WORDS.toLocaleString('en-US')} words are read from the file as they are needed; past that the whole matrix is loaded (--lazy and --eager choose one way throughout).\nA word the model knows nothing of (no n-gram of it has a row) prints as zeros, as fastText prints it; standard error counts them.`,
  async main(argv) {
    const a = parseArgs(argv, vectorsOptions);
    if (a.help) return this.help();
    const [file, input, ...more] = a.positionals;
    if (!file || more.length) return this.usageError('name a fastText model and at most one words file');
    if (a.options.lazy && a.options.eager) return this.usageError('--lazy and --eager exclude each other');
    const mode = a.options.eager ? 'eager' : a.options.lazy ? 'lazy' : 'auto';
    let model = await openModel(file, mode !== 'eager');
    const out = new Out();
    const v = new Float32Array(model.dim);
    let unknown = 0;
    let words = 0;
    const examples: string[] = [];
    try {
      for await (const w of readWords(input)) {
        if (mode === 'auto' && ++words === LOAD_AFTER_WORDS && model.lazy) {
          const whole = await openModel(file, false);
          model.close();
          model = whole;
        }
        const r = model.wordVector(w, v);
        if (r.rows === 0) {
          unknown++;
          if (examples.length < 5) examples.push(w);
        }
        await out.line(formatVectorLine(w, v));
      }
      await out.flush();
    } finally {
      model.close();
    }
    if (unknown) process.stderr.write(`wordloom vectors: ${unknown} word${unknown === 1 ? '' : 's'} with no row in the model printed as zero vectors (${examples.map((w) => JSON.stringify(w)).join(', ')}${unknown > examples.length ? ', ...' : ''})\n`);
    return 0;
  },
};

const ngramsOptions: OptionSpec[] = [
  { name: 'vectors', type: 'boolean', doc: 'print each n-gram\'s vector (its row) after it' },
  { name: 'distinct', type: 'boolean', doc: 'print the distinct n-grams of the whole list instead, each with the number of words that have it' },
  { name: 'json', type: 'boolean', doc: 'print JSON' },
  { name: 'lazy', type: 'boolean', doc: 'leave the matrix in the file and read rows on demand' },
];

export const ngramsCommand: Command = {
  name: 'ngrams',
  usage: 'wordloom ngrams <model.bin|model.ftz> [words-file | -] [--vectors] [--distinct] [--json]',
  summary: 'The character n-grams of many words in a fastText model, with their buckets and rows (right on pruned .ftz models too).',
  options: ngramsOptions,
  details: [
    'For each word: a line "word<TAB>row" (its own row, -1 when it is not in the vocabulary), then one line',
    '"<TAB>ngram<TAB>bucket<TAB>row" per character n-gram in fastText\'s order (row -1: a pruned model dropped it),',
    'with --vectors followed by the row\'s values. --distinct lists each n-gram of the whole list once:',
    '"ngram<TAB>bucket<TAB>row<TAB>words".',
  ].join('\n'),
  async main(argv) {
    const a = parseArgs(argv, ngramsOptions);
    if (a.help) return this.help();
    const [file, input, ...more] = a.positionals;
    if (!file || more.length) return this.usageError('name a fastText model and at most one words file');
    const model = await openModel(file, !!a.options.lazy);
    const withVectors = !!a.options.vectors;
    const json = !!a.options.json;
    const distinct = !!a.options.distinct;
    const row = new Float32Array(model.dim);
    const vec = (r: number): number[] | undefined => (withVectors && r >= 0 ? Array.from(model.inputRow(r, row)) : undefined);
    const vecText = (r: number): string => (withVectors && r >= 0 ? '\t' + Array.from(model.inputRow(r, row), (x) => formatG(x, 5)).join(' ') : '');
    const out = new Out();
    const seen = new Map<string, { bucket: number; row: number; words: number }>();
    const jsonWords: unknown[] = [];
    try {
      for await (const w of readWords(input)) {
        const ng = model.dict.ngrams(w);
        if (distinct) {
          const mine = new Set<string>();
          ng.ngrams.forEach((g, i) => {
            if (mine.has(g)) return;
            mine.add(g);
            const e = seen.get(g);
            if (e) e.words++;
            else seen.set(g, { bucket: ng.buckets[i]!, row: ng.ngramRows[i]!, words: 1 });
          });
        } else if (json) {
          jsonWords.push({ word: w, row: ng.id, ngrams: ng.ngrams.map((g, i) => ({ ngram: g, bucket: ng.buckets[i], row: ng.ngramRows[i], vector: vec(ng.ngramRows[i]!) })), vector: withVectors && ng.id >= 0 ? vec(ng.id) : undefined });
        } else {
          await out.line(`${w}\t${ng.id}${ng.id >= 0 ? vecText(ng.id) : ''}`);
          for (let i = 0; i < ng.ngrams.length; i++) await out.line(`\t${ng.ngrams[i]}\t${ng.buckets[i]}\t${ng.ngramRows[i]}${vecText(ng.ngramRows[i]!)}`);
        }
      }
      if (distinct) {
        if (json) {
          process.stdout.write(JSON.stringify([...seen].map(([g, e]) => ({ ngram: g, bucket: e.bucket, row: e.row, words: e.words, vector: vec(e.row) })), null, 1) + '\n');
        } else for (const [g, e] of seen) await out.line(`${g}\t${e.bucket}\t${e.row}\t${e.words}${vecText(e.row)}`);
      } else if (json) process.stdout.write(JSON.stringify(jsonWords, null, 1) + '\n');
      await out.flush();
    } finally {
      model.close();
    }
    return 0;
  },
};
