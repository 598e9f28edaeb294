import { defineOp } from '../op.js';
import type { TokenStream } from '../artifacts.js';
import { tokenize, type TokenizeParams } from './tokenize.js';
import { tokenizeParams } from './params.js';

export { tokenize, tokenizeDefaults } from './tokenize.js';
export { tokenizeParams, WORDS_PATTERN, type TokenizeParams } from './params.js';
export { readLines } from './source.js';

export const tokenizeOp = defineOp<TokenizeParams, TokenStream>({
  name: 'tokenize',
  summary: 'Stream a corpus (files, globs, .gz, stdin) as chunks of token ids; a line is a document (or a paragraph, or a file).',
  params: tokenizeParams,
  inputs: {},
  output: 'tokens',
  run: async (_inputs, params, ctx) => tokenize(params, ctx),
});
