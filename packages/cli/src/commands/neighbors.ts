import { loadVectors } from '@wordloom/ops/subword/embeddings';
import { nearestNeighbors } from '@wordloom/ops/knn/index';
import { parseArgs, type OptionSpec } from '../args.js';
import { formatNeighbors } from '../format.js';
import type { Command } from './types.js';
import { interruptSignal } from '../interrupt.js';

const options: OptionSpec[] = [
  { name: 'k', alias: 'k', type: 'number', default: 10, doc: 'neighbours per word' },
  { name: 'backend', type: 'string', default: 'auto', valueName: 'auto|gpu|typescript', doc: 'kernel to use' },
  { name: 'restrict-vocab', type: 'number', doc: 'only the first N words of the file are candidates' },
  { name: 'case-sensitive', type: 'boolean', doc: 'match query words exactly (default: case-insensitive, the most frequent spelling winning, as analogy and eval)' },
  { name: 'limit', type: 'number', doc: 'read only the first N vectors of the file' },
  { name: 'json', type: 'boolean', doc: 'print JSON' },
];

export const neighborsCommand: Command = {
  interruptible: true,
  name: 'neighbors',
  usage: 'wordloom neighbors <vectors> <word> [word ...] [-k 10]',
  summary: 'Nearest neighbours by cosine similarity in a vectors file (GloVe text, word2vec text/binary, .vec) or a fastText .bin/.ftz model (unseen words from subwords).',
  options,
  async main(argv) {
    const a = parseArgs(argv, options);
    if (a.help) return this.help();
    const [file, ...words] = a.positionals;
    if (!file || words.length === 0) return this.usageError('name a vectors file and at least one word');
    const vectors = await loadVectors(file, { limit: a.options.limit as number | undefined });
    const res = await nearestNeighbors(vectors, words, {
      k: a.options.k as number,
      backend: a.options.backend as 'auto' | 'gpu' | 'typescript',
      restrict_vocab: a.options['restrict-vocab'] as number | undefined,
      case_insensitive: !a.options['case-sensitive'],
      signal: interruptSignal(),
      onNote: (m) => process.stderr.write(`note: ${m}\n`),
    });
    process.stdout.write((a.options.json ? JSON.stringify(res, null, 2) : formatNeighbors(res)) + '\n');
    return res.queries.every((q) => q.missing) ? 1 : 0;
  },
};
