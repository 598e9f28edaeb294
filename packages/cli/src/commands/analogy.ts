import { WordloomError } from '@wordloom/core';
import { loadVectors, withOovRows } from '@wordloom/ops/subword/embeddings';
import { rankAnalogies, type AnalogyMethod } from '@wordloom/ops/evaluate/analogy';
import { okVocab } from '@wordloom/ops/evaluate/vocab';
import { parseArgs, type OptionSpec } from '../args.js';
import type { Command } from './types.js';

const options: OptionSpec[] = [
  { name: 'method', type: 'string', default: 'both', valueName: '3CosAdd|3CosMul|both', doc: 'analogy objective' },
  { name: 'restrict-vocab', type: 'number', default: 300000, doc: 'candidates are the first N words of the file' },
  { name: 'case-sensitive', type: 'boolean', doc: 'match words exactly (default: case-insensitive, as gensim)' },
  { name: 'limit', type: 'number', doc: 'read only the first N vectors of the file' },
];

export const analogyCommand: Command = {
  name: 'analogy',
  usage: 'wordloom analogy <vectors> <a> <b> <c>',
  summary: 'Answer "a is to b as c is to ?" (b - a + c), e.g. man king woman -> queen.',
  options,
  async main(argv) {
    const a = parseArgs(argv, options);
    if (a.help) return this.help();
    if (a.positionals.length !== 4) return this.usageError('give a vectors file and three words: a b c');
    const [file, wa, wb, wc] = a.positionals as [string, string, string, string];
    const m = String(a.options.method);
    const methods: AnalogyMethod[] = m === 'both' ? ['3CosAdd', '3CosMul'] : m.toLowerCase() === '3cosadd' ? ['3CosAdd'] : m.toLowerCase() === '3cosmul' ? ['3CosMul'] : [];
    if (methods.length === 0) throw new WordloomError('E_PARAM', `unknown method "${m}"`, { param: 'method' }, 'use 3CosAdd, 3CosMul or both');
    const vectors = await loadVectors(file, { limit: a.options.limit as number | undefined });
    const vocab = okVocab(vectors, a.options['restrict-vocab'] as number, !a.options['case-sensitive']);
    // words outside the vocabulary get vectors from their subwords when the model has them (fastText .bin/.ftz)
    const ext = withOovRows(vectors, [wa, wb, wc], (w) => vocab.index.get(vocab.key(w)) ?? -1);
    const rows = Array.from(ext.rows, (r, i) => {
      if (r < 0) throw new WordloomError('E_INPUT', 'not in the vocabulary of the vectors', { file, word: [wa, wb, wc][i] }, 'pick another word, or raise --restrict-vocab');
      return r;
    });
    if (ext.added.length) process.stderr.write(`not in the vocabulary, vectors from subwords: ${ext.added.join(', ')}\n`);
    const q = Int32Array.from([rows[0]!, rows[1]!, rows[2]!, -1]);
    const { lists } = await rankAnalogies(ext.vectors, vocab.rows, q, methods);
    methods.forEach((method, i) => {
      const words = [...lists[i]!].filter((r) => r >= 0).map((r) => vectors.words[r]!);
      process.stdout.write(`${wa} : ${wb} :: ${wc} : ${words[0] ?? '?'}   (${method}; next: ${words.slice(1).join(', ')})\n`);
    });
    return 0;
  },
};
