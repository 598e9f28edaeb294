/** Small helpers that read evaluation files the way Python (and so gensim) does. */
import { readFile } from 'node:fs/promises';
import { WordloomError } from '@wordloom/core';

/** Python's str.split() whitespace (str.isspace). */
const PY_WS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const SPLIT_RE = new RegExp(`[${PY_WS}]+`);
const STRIP_RE = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'g');

/** Python's str.split() with no arguments. */
export function pySplit(s: string): string[] {
  const t = pyStrip(s);
  return t === '' ? [] : t.split(SPLIT_RE);
}

/** Python's str.strip() with no arguments. */
export function pyStrip(s: string): string {
  return s.replace(STRIP_RE, '');
}

const FLOAT_RE = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const SPECIAL_RE = /^([+-]?)(inf|infinity|nan)$/i;

/** Python's float(str), or undefined where Python raises ValueError. */
export function pyFloat(s: string): number | undefined {
  const t = pyStrip(s);
  if (FLOAT_RE.test(t)) return Number(t.replace(/_/g, ''));
  const m = SPECIAL_RE.exec(t);
  if (!m) return undefined;
  if (m[2]!.toLowerCase() === 'nan') return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}

/** Uppercase as Python's str.upper() (full Unicode case mapping, as JavaScript's). */
export function pyUpper(s: string): string {
  return s.toUpperCase();
}

export async function readEvalFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new WordloomError('E_FILE', `the ${what} path is a directory, not a file`, { file }, 'name a file inside it');
    throw new WordloomError('E_FILE', `cannot read the ${what} file: ${code ?? (e as Error).message}`, { file }, 'check the path');
  }
}
