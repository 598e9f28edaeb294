import type { ParamSpecs } from '../op.js';

/**
 * The 'words' preset: a word is a run of letters, marks and digits, with single
 * inner apostrophes or hyphens (don't, well-known); a number keeps its inner
 * decimal or thousands separators (3.5, 1,000); any other character that is not
 * whitespace is a token of its own (punctuation, symbols).
 */
export const WORDS_PATTERN = "\\p{N}+(?:[.,]\\p{N}+)+|[\\p{L}\\p{M}\\p{N}]+(?:['’-][\\p{L}\\p{M}\\p{N}]+)*|[^\\s\\p{L}\\p{M}\\p{N}]";

export interface TokenizeParams {
  /** Corpus files or globs; "-" reads standard input. .gz files are decompressed. */
  input: string[];
  /** Lowercasing: none, ASCII only (as `tr A-Z a-z`), or full Unicode. */
  lowercase: 'none' | 'ascii' | 'unicode';
  /** Apply Unicode NFKC normalisation before anything else. */
  nfkc: boolean;
  /** A regular expression whose matches are the tokens (Unicode flag on); unset = split on space, tab and newline. */
  pattern?: string;
  /** A named tokenization: 'words' splits punctuation off words (see WORDS_PATTERN). */
  preset?: 'words';
  /** What a document is (no context window crosses its end): a line (GloVe), a paragraph ended by a blank line, or a whole file. */
  document: 'line' | 'paragraph' | 'file';
  /** Drop tokens shorter than this many characters (code points). */
  min_length: number;
  /** Drop tokens longer than this many characters (code points); 0 = no limit. */
  max_length: number;
  /** Replace whole tokens, e.g. { "<unk>": "unk" }. */
  replace?: Record<string, string>;
  /** What to do with bytes that are not valid UTF-8: fail with the file and line, or substitute U+FFFD. */
  invalid_utf8: 'error' | 'replace';
  /** Approximate number of tokens per emitted chunk. */
  chunk_tokens: number;
  /** Token ids kept in memory for replay before spilling to a temporary file, in MB. */
  spool_mb: number;
}

export const tokenizeParams: ParamSpecs = {
  input: { type: 'paths', doc: 'corpus files or globs (.gz read transparently); "-" reads standard input', mustExist: true },
  lowercase: { type: 'enum', values: ['none', 'ascii', 'unicode'], default: 'none', doc: 'lowercase tokens: none, ascii (A-Z only, as tr A-Z a-z) or unicode' },
  nfkc: { type: 'boolean', default: false, doc: 'apply Unicode NFKC normalisation to the text' },
  pattern: { type: 'string', optional: true, doc: 'regular expression (Unicode) whose matches are the tokens; default: split on space, tab and newline as GloVe does' },
  preset: {
    type: 'enum',
    values: ['words'],
    optional: true,
    doc: "'words': words (letters and digits, with inner ' and - as in don't, well-known, and numbers such as 3.5 or 1,000) and every other character a token of its own, so punctuation is split off (\"Hello, world.\" -> Hello , world .); default: split on whitespace only",
  },
  document: {
    type: 'enum',
    values: ['line', 'paragraph', 'file'],
    default: 'line',
    doc: "what a document is (co-occurrence windows never cross its end): a line, as GloVe; a paragraph, ended by a blank line (for hard-wrapped text); or a whole file (its token ids are held in memory until its end: 4 bytes a token)",
  },
  min_length: { type: 'int', default: 1, min: 1, doc: 'drop tokens with fewer characters' },
  max_length: { type: 'int', default: 0, min: 0, doc: 'drop tokens with more characters (0 = no limit; GloVe truncates at 999 bytes)' },
  replace: { type: 'map', optional: true, doc: 'replace whole tokens, e.g. {"<unk>": "unk"}' },
  invalid_utf8: { type: 'enum', values: ['error', 'replace'], default: 'error', doc: 'bytes that are not UTF-8: fail naming file and line, or replace with U+FFFD' },
  chunk_tokens: { type: 'int', default: 65536, min: 1, doc: 'approximate tokens per chunk passed downstream' },
  spool_mb: { type: 'number', default: 512, min: 0, doc: 'memory for recorded token ids (for replay to later consumers) before spilling to disk' },
};
