import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { WordloomError } from '@wordloom/core';
import { quantizeModel, readFastTextModel, writeFastTextModel, writeSubwordModel, writeVocabularyVectors } from '@wordloom/ops/subword/index';
import type { VectorsFormat } from '@wordloom/ops/io/vectors';
import { parseArgs, type OptionSpec } from '../args.js';
import type { Command } from './types.js';

const FORMATS = ['vec', 'word2vec', 'glove', 'subword', 'bin', 'ftz'] as const;
type ConvertFormat = (typeof FORMATS)[number];

/** The output format an extension implies. */
const BY_EXTENSION: Record<string, ConvertFormat> = {
  '.vec': 'vec',
  '.w2v': 'word2vec',
  '.glove': 'glove',
  '.txt': 'glove',
  '.subword': 'subword',
  '.bin': 'bin',
  '.ftz': 'ftz',
};

const VECTOR_FORMATS: Partial<Record<ConvertFormat, VectorsFormat>> = { vec: 'word2vec-text', word2vec: 'word2vec-binary', glove: 'glove' };

const options: OptionSpec[] = [
  { name: 'format', type: 'string', valueName: FORMATS.join('|'), doc: 'output format (default: from the output extension: .vec, .w2v, .txt/.glove, .subword, .bin/.ftz)' },
  { name: 'float16', type: 'boolean', doc: 'subword format: store values as float16 (half the size)' },
  { name: 'no-word-rows', type: 'boolean', doc: "subword format: leave out the words' own rows (every word's vector is then the mean of its n-gram rows)" },
  { name: 'dsub', type: 'number', default: 2, doc: 'ftz format: values per sub-vector of the product quantizer (fastText -dsub)' },
  { name: 'qnorm', type: 'boolean', doc: 'ftz format: quantize the row norms separately (fastText -qnorm)' },
  { name: 'qout', type: 'boolean', doc: 'ftz format: quantize the output matrix too (fastText -qout)' },
];

export const convertCommand: Command = {
  name: 'convert',
  usage: 'wordloom convert <model> <out> [--format vec|word2vec|glove|subword|bin|ftz] [--float16]',
  summary: 'Convert a fastText .bin/.ftz or subword model: word vectors (.vec, word2vec binary, GloVe text), a compact subword model, or a fastText .bin.',
  options,
  details: [
    'vec, word2vec, glove: every vocabulary word with its final vector (its own row and n-gram rows averaged, as fastText prints it).',
    "subword: wordloom's compact model: the n-gram rows with their hash parameters and the vocabulary, so that any word gets a vector",
    '  (see docs/subword-format.md); --float16 halves it.',
    'bin: a fastText model file (version 12) that fastText itself loads; a quantized model stays quantized.',
    'ftz: the same with the input matrix product-quantized (as fasttext quantize without -cutoff/-retrain; --dsub, --qnorm, --qout);',
    '  a quantized model is written as it is.',
  ].join('\n'),
  async main(argv) {
    const a = parseArgs(argv, options);
    if (a.help) return this.help();
    const [input, out, ...extra] = a.positionals;
    if (!input || !out || extra.length) return this.usageError('name one model and one output file');
    let format = a.options.format as string | undefined;
    if (format === undefined) {
      format = BY_EXTENSION[extname(out).toLowerCase()];
      if (!format) return this.usageError(`cannot tell the format from the extension of ${out}: give --format ${FORMATS.join('|')}`);
    }
    if (!(FORMATS as readonly string[]).includes(format)) return this.usageError(`unknown --format ${format}: use one of ${FORMATS.join(', ')}`);
    const f = format as ConvertFormat;
    const float16 = a.options.float16 === true;
    const noWordRows = a.options['no-word-rows'] === true;
    if ((float16 || noWordRows) && f !== 'subword') return this.usageError(`--${float16 ? 'float16' : 'no-word-rows'} applies to --format subword only`);
    const qnorm = a.options.qnorm === true;
    const qout = a.options.qout === true;
    const dsub = a.options.dsub as number;
    if ((qnorm || qout || dsub !== 2) && f !== 'ftz') return this.usageError('--dsub, --qnorm and --qout apply to --format ftz only');
    const binary = f === 'bin' || f === 'ftz';
    const model = readFastTextModel(input, { output: binary, lazy: true });
    try {
      if (binary) {
        if (!model.wordRows) {
          throw new WordloomError('E_INPUT', "this subword model has no word rows, and a fastText .bin needs them", { file: input }, 'convert from the original .bin, or from a subword model written with its word rows');
        }
        await writeFastTextModel(f === 'ftz' && !model.quantInput ? quantizeModel(model, { dsub, qnorm, qout }) : model, out);
      } else if (f === 'subword') {
        await writeSubwordModel(model, out, { float16, wordRows: !noWordRows && model.wordRows });
      } else {
        await writeVocabularyVectors(model, out, VECTOR_FORMATS[f]!);
      }
    } finally {
      model.close();
    }
    const size = statSync(out).size;
    process.stderr.write(`wrote ${out}: ${f}${f === 'subword' && float16 ? ' (float16)' : ''}, ${model.dict.nwords} words, dim ${model.dim}, ${size} bytes\n`);
    return 0;
  },
};
