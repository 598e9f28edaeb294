/**
 * The `cooccur` operator: Stanford GloVe's cooccur over a token stream and a
 * vocabulary.
 */
import { resolve } from 'node:path';
import { WordloomError, type Cooccurrences, type Vocab } from '@wordloom/core';
import { readCooccurrences } from '../io/cooc-bin.js';
import { defineOp } from '../op.js';
import type { TokenStream } from '../artifacts.js';
import { cooccurParamSpecs, resolveCooccurParams } from './params.js';
import type { CooccurParams } from './params.js';
import { countTokenStream } from './stream.js';
import { closeCooccurPools } from './count.js';
import { collectGarbage } from '../kernels/memory.js';

export const cooccurOp = defineOp<CooccurParams, Cooccurrences>({
  name: 'cooccur',
  summary: 'count word-word co-occurrences within a window, as GloVe cooccur does (sorted sparse matrix, optional GloVe binary file)',
  params: cooccurParamSpecs,
  inputs: {
    tokens: { kind: 'tokens', doc: 'the tokenized corpus (documents end at DOC_END); not needed with the file param', optional: true },
    vocab: { kind: 'vocab', doc: 'the vocabulary: its ranks are the matrix rows and columns; other words are dropped' },
  },
  output: 'cooccurrences',
  async run(inputs, params, ctx) {
    const vocab = inputs.vocab as Vocab;
    if (params.file) {
      ctx.progress({ phase: 'reading', message: `reading ${params.file}` });
      const cooc = await readCooccurrences(resolve(ctx.baseDir, params.file), { vocabSize: vocab.size });
      ctx.progress({ phase: 'done', metrics: { records: cooc.size } });
      return cooc;
    }
    const tokens = inputs.tokens as TokenStream | undefined;
    if (!tokens) {
      throw new WordloomError('E_GRAPH', 'cooccur needs a tokens input, or a file param to read', { node: ctx.node }, 'wire a tokenize node to its tokens input, or set file: path/to/cooccurrence.bin');
    }
    running++;
    try {
      return await countTokenStream(tokens, vocab, resolveCooccurParams(params), ctx);
    } finally {
      // The last count of a pipeline stops the counting workers and collects their
      // scratch buffers (positions index, rank stream: shared with the workers), so
      // that the nodes after it do not run beside them.
      if (--running === 0) {
        await closeCooccurPools();
        await collectGarbage();
      }
    }
  },
});

/** cooccur nodes counting now (they share the worker pools). */
let running = 0;
