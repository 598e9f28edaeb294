/**
 * Every error wordloom raises on purpose is a WordloomError: it says what is wrong,
 * where (a file and line, a pipeline node, a parameter, a word) and how to fix it.
 */
export interface ErrorWhere {
  /** File at fault (a corpus, a pipeline file, a vectors file). */
  file?: string;
  /** 1-based line in that file. */
  line?: number;
  /** 1-based column in that file. */
  column?: number;
  /** Pipeline node id. */
  node?: string;
  /** Parameter name (for a node param, "node.param" is formed by the caller). */
  param?: string;
  /** A word (vocabulary entry, query) at fault. */
  word?: string;
}

export type ErrorCode =
  | 'E_INPUT' // bad input data (corpus, file contents)
  | 'E_FILE' // a file is missing or unreadable
  | 'E_PARAM' // a parameter is out of range or of the wrong type
  | 'E_SPEC' // a pipeline file is malformed
  | 'E_GRAPH' // the graph is wrong (cycle, wiring)
  | 'E_DIVERGED' // training diverged
  | 'E_STATE' // an API used in the wrong order
  | 'E_INTERNAL';

export class WordloomError extends Error {
  readonly code: ErrorCode;
  readonly where: ErrorWhere;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, where: ErrorWhere = {}, hint?: string, options?: { cause?: unknown }) {
    super(formatMessage(message, where, hint), options);
    this.name = 'WordloomError';
    this.code = code;
    this.where = where;
    this.hint = hint;
  }
}

export function formatWhere(where: ErrorWhere): string {
  const parts: string[] = [];
  if (where.file) {
    let loc = where.file;
    if (where.line !== undefined) loc += `:${where.line}`;
    if (where.line !== undefined && where.column !== undefined) loc += `:${where.column}`;
    parts.push(loc);
  }
  if (where.node) parts.push(`node "${where.node}"`);
  if (where.param) parts.push(`param "${where.param}"`);
  if (where.word !== undefined) parts.push(`word "${where.word}"`);
  return parts.join(', ');
}

function formatMessage(message: string, where: ErrorWhere, hint?: string): string {
  const loc = formatWhere(where);
  let out = loc ? `${loc}: ${message}` : message;
  if (hint) out += `\n  hint: ${hint}`;
  return out;
}

export function isWordloomError(e: unknown): e is WordloomError {
  return e instanceof WordloomError;
}

/** Throw a parameter error unless `ok`. */
export function requireParam(ok: boolean, param: string, message: string, hint?: string): asserts ok {
  if (!ok) throw new WordloomError('E_PARAM', message, { param }, hint);
}
