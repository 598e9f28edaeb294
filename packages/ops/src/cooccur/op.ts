/**
 * The `cooccur` operator: Stanford GloVe's cooccur over a token stream and a
 * vocabulary.
 */
import type { Cooccurrences, Vocab } from '@wordloom/core';
import { defineOp } from '../op.js';
import type { TokenStream } from '../artifacts.js';
import { cooccurParamSpecs, resolveCooccurParams } from './params.js';
import type { CooccurParams } from './params.js';
import { countTokenStream } from './stream.js';

export const cooccurOp = defineOp<CooccurParams, Cooccurrences>({
  name: 'cooccur',
  summary: 'count word-word co-occurrences within a window, as GloVe cooccur does (sorted sparse matrix, optional GloVe binary file)',
  params: cooccurParamSpecs,
  inputs: {
    tokens: { kind: 'tokens', doc: 'the tokenized corpus (documents end at DOC_END)' },
    vocab: { kind: 'vocab', doc: 'the vocabulary: its ranks are the matrix rows and columns; other words are dropped' },
  },
  output: 'cooccurrences',
  run(inputs, params, ctx) {
    return countTokenStream(inputs.tokens as TokenStream, inputs.vocab as Vocab, resolveCooccurParams(params), ctx);
  },
});
