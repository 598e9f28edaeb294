import { resolve } from 'node:path';
import type { Vocab } from '@wordloom/core';
import { WordloomError } from '@wordloom/core';
import { defineOp } from '../op.js';
import type { TokenStream } from '../artifacts.js';
import { readVocabFile, writeVocabFile } from '../io/vocab-file.js';
import { buildVocab, vocabParams, type VocabParams } from './vocab.js';

export { buildVocab, countTokens, countTokensInOrder, vocabFromCounts, rankMap, vocabParams, type VocabParams } from './vocab.js';

export const vocabOp = defineOp<VocabParams, Vocab>({
  name: 'vocab',
  summary: 'Count words and keep the frequent ones, ordered as GloVe vocab_count (or read a vocab.txt).',
  params: vocabParams,
  inputs: { tokens: { kind: 'tokens', doc: 'the tokenized corpus to count', optional: true } },
  output: 'vocab',
  run: async (inputs, params, ctx) => {
    let vocab: Vocab;
    if (params.file) {
      vocab = await readVocabFile(resolve(ctx.baseDir, params.file));
    } else {
      const tokens = inputs.tokens as TokenStream | undefined;
      if (!tokens) throw new WordloomError('E_GRAPH', 'vocab needs either a tokens input or a file param', { node: ctx.node }, 'wire a tokenize node to its tokens input, or set file: path/to/vocab.txt');
      ctx.progress({ phase: 'counting', message: 'counting words' });
      vocab = await buildVocab(tokens, params, ctx);
    }
    ctx.progress({ phase: 'done', metrics: { words: vocab.size, tokens: vocab.totalCount() } });
    if (params.output) {
      const file = resolve(ctx.baseDir, params.output);
      await writeVocabFile(vocab, file);
      ctx.log(`wrote ${file} (${vocab.size.toLocaleString('en-US')} words)`);
    }
    return vocab;
  },
});
