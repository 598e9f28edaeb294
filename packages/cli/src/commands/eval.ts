import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadVectors } from '@wordloom/ops/subword/embeddings';
import { evaluateVectors, type AnalogyMethod } from '@wordloom/ops/evaluate/index';
import { WordloomError } from '@wordloom/core';
import { parseArgs, type OptionSpec } from '../args.js';
import { formatEvaluation } from '../format.js';
import type { Command } from './types.js';
import { interruptSignal } from '../interrupt.js';

/** The evaluation sets bundled in the repository's data/eval, if present. */
function bundled(name: string): string | undefined {
  const p = fileURLToPath(new URL(`../../../../../data/eval/${name}`, import.meta.url));
  return existsSync(p) ? p : undefined;
}

const options: OptionSpec[] = [
  { name: 'analogies', type: 'string', repeat: true, valueName: 'file', doc: 'analogy questions (default: bundled questions-words.txt)' },
  { name: 'similarity', type: 'string', repeat: true, valueName: 'file', doc: 'word pairs with scores (default: bundled WordSim-353 and SimLex-999)' },
  { name: 'method', type: 'string', default: 'both', valueName: '3CosAdd|3CosMul|both', doc: 'analogy objective' },
  { name: 'restrict-vocab', type: 'number', default: 300000, doc: 'evaluate on the first N words of the file' },
  { name: 'case-sensitive', type: 'boolean', doc: 'match words exactly (default: case-insensitive, as gensim)' },
  { name: 'oov', type: 'boolean', doc: 'fastText models: words outside the vocabulary get vectors from their subwords instead of being skipped (as gensim skips them)' },
  { name: 'json', type: 'boolean', doc: 'print JSON' },
];

export const evalCommand: Command = {
  interruptible: true,
  name: 'eval',
  usage: 'wordloom eval <vectors> [--analogies file] [--similarity file ...]',
  summary: 'Analogy accuracy and word-similarity correlation of a vectors file, as gensim computes them.',
  options,
  async main(argv) {
    const a = parseArgs(argv, options);
    if (a.help) return this.help();
    const file = a.positionals[0];
    if (!file || a.positionals.length > 1) return this.usageError('name one vectors file');
    let analogies = a.options.analogies as string[] | undefined;
    let similarity = a.options.similarity as string[] | undefined;
    if (!analogies && !similarity) {
      analogies = [bundled('questions-words.txt')].filter((x): x is string => !!x);
      similarity = [bundled('wordsim353.tsv'), bundled('simlex999.txt')].filter((x): x is string => !!x);
      if (analogies.length + similarity.length === 0) throw new WordloomError('E_PARAM', 'no evaluation files given and the bundled ones are not found', {}, 'pass --analogies FILE and/or --similarity FILE');
    }
    const m = String(a.options.method).toLowerCase();
    const methods: AnalogyMethod[] = m === 'both' ? ['3CosAdd', '3CosMul'] : m === '3cosadd' ? ['3CosAdd'] : m === '3cosmul' ? ['3CosMul'] : [];
    if (methods.length === 0) throw new WordloomError('E_PARAM', `unknown method "${a.options.method}"`, { param: 'method' }, 'use 3CosAdd, 3CosMul or both');
    const vectors = await loadVectors(file);
    const res = await evaluateVectors(vectors, {
      analogies,
      similarity,
      methods,
      restrict_vocab: a.options['restrict-vocab'] as number,
      case_insensitive: !a.options['case-sensitive'],
      signal: interruptSignal(),
      oov: !!a.options.oov,
    });
    process.stdout.write((a.options.json ? JSON.stringify(res, null, 2) : `${file}: ${vectors.size} words x ${vectors.dim}${res.oovWords !== undefined ? ` (+ ${res.oovWords} words from subwords)` : ''}\n${formatEvaluation(res)}`) + '\n');
    return 0;
  },
};
