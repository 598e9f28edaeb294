/**
 * Line formats a linear model learns from. Each parser reads one line into a
 * FeatureBuilder and returns the line's label(s); a malformed line throws a
 * LineError (the reader adds file:line).
 *
 * - vw: Vowpal Wabbit's text format `label [importance] [tag]|namespace[:scale] name[:value] ... |other ...`
 *   (a tag written as 'tag right before the bar is accepted too).
 * - libsvm: `label index:value index:value ...` (svmlight; `# comment` ignored, `qid:` skipped).
 * - fasttext: words with labels as tokens starting with the label prefix (`__label__pos ...`).
 * - tsv: `label<TAB>text`.
 * Text words (fasttext, tsv) are features of the default namespace with value 1.
 */
import type { FeatureBuilder } from './features.js';

export type LineFormat = 'vw' | 'libsvm' | 'fasttext' | 'tsv';
export const LINE_FORMATS: readonly LineFormat[] = ['vw', 'libsvm', 'fasttext', 'tsv'];

export class LineError extends Error {}

export interface ParsedLine {
  /** Label tokens as written (empty: an unlabelled line, e.g. for predict). */
  labels: string[];
  importance: number;
  tag?: string;
}

const WS = /\s+/;
/** A number as VW reads feature values; anything else after the colon is a string value. */
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Throws the error num() would for a value that is not a finite number. */
function num_(s: string, what: string): never {
  num(s, what);
  throw new LineError(`${what} ${JSON.stringify(s)} is not a number`);
}

function num(s: string, what: string): number {
  const v = Number(s);
  if (s === '' || Number.isNaN(v)) throw new LineError(`${what} ${JSON.stringify(s)} is not a number`);
  if (!Number.isFinite(v)) throw new LineError(`${what} ${JSON.stringify(s)} is not finite`);
  return v;
}

/** Guess the format of a file from its first non-empty line. */
export function detectFormat(line: string, labelPrefix: string): LineFormat {
  if (line.includes('|')) return 'vw';
  if (line.includes('\t')) return 'tsv';
  const toks = line.trim().split(WS);
  if (toks.some((t) => t.startsWith(labelPrefix))) return 'fasttext';
  if (toks.length >= 1 && toks.slice(1).every((t) => /^(\d+|qid):[^:]+$/.test(t) || t.startsWith('#'))) return 'libsvm';
  return 'fasttext';
}

export function parseLine(format: LineFormat, line: string, b: FeatureBuilder, labelPrefix: string): ParsedLine {
  switch (format) {
    case 'vw':
      return parseVw(line, b);
    case 'libsvm':
      return parseLibsvm(line, b);
    case 'fasttext':
      return parseFastText(line, b, labelPrefix);
    case 'tsv':
      return parseTsv(line, b);
  }
}

/** VW's label part of a line (what precedes the first bar): label, importance weight, tag. */
function vwHead(line: string, bar: number): ParsedLine {
  // VW's label part: what precedes the first bar (after a tab, if any); its last word is the tag when it
  // touches the bar or starts with a quote; the words before it are the label and the importance weight
  let head = line.slice(0, bar);
  const tab = head.indexOf('\t');
  if (tab >= 0) head = head.slice(tab + 1);
  const out: ParsedLine = { labels: [], importance: 1 };
  const words = head.split(WS).filter(Boolean);
  if (words.length && (!/\s$/.test(head) || words[words.length - 1]!.startsWith("'"))) {
    const t = words.pop()!;
    out.tag = t.startsWith("'") ? t.slice(1) : t;
  }
  if (words.length > 2) throw new LineError(`too many fields before "|": ${JSON.stringify(head.trim())} (label [importance] [tag])`);
  if (words.length > 0) out.labels.push(words[0]!);
  if (words.length > 1) {
    const w = num(words[1]!, 'importance weight');
    if (w < 0) throw new LineError(`importance weight ${words[1]} is negative`);
    out.importance = w;
  }
  return out;
}

/**
 * The first label token of a line without hashing its features (for the thread that numbers the
 * labels while workers parse), or undefined when the line has none or is malformed there.
 */
export function labelOf(format: LineFormat, line: string, prefix: string): string | undefined {
  try {
    if (format === 'vw') {
      const bar = line.indexOf('|');
      return bar < 0 ? undefined : vwHead(line, bar).labels[0];
    }
    if (format === 'tsv') {
      const tab = line.indexOf('\t');
      const l = tab < 0 ? '' : line.slice(0, tab).trim();
      return l || undefined;
    }
    if (format === 'libsvm') {
      const m = /^\s*(\S+)/.exec(line);
      return m && !m[1]!.includes(':') && !m[1]!.startsWith('#') ? m[1] : undefined;
    }
    for (let i = line.indexOf(prefix); i >= 0; i = line.indexOf(prefix, i + 1)) {
      if (i > 0 && !/\s/.test(line[i - 1]!)) continue;
      let j = i + prefix.length;
      while (j < line.length && !/\s/.test(line[j]!)) j++;
      return line.slice(i + prefix.length, j);
    }
    return undefined;
  } catch (e) {
    if (e instanceof LineError) return undefined;
    throw e;
  }
}

function parseVw(line: string, b: FeatureBuilder): ParsedLine {
  const bar = line.indexOf('|');
  if (bar < 0) throw new LineError('no "|": a Vowpal Wabbit line is "label [importance] [tag]|namespace feature[:value] ..."');
  const out = vwHead(line, bar);
  const parts = line.slice(bar + 1).split('|');
  for (const part of parts) {
    // a namespace name follows the bar directly; a space right after the bar means the default namespace
    let rest = part;
    let ns = '';
    let scale = 1;
    if (rest.length && !/\s/.test(rest[0]!)) {
      const m = /^\S+/.exec(rest)!;
      rest = rest.slice(m[0].length);
      const colon = m[0].indexOf(':');
      if (colon >= 0) {
        ns = m[0].slice(0, colon);
        scale = num(m[0].slice(colon + 1), `namespace ${JSON.stringify(ns)} scale`);
      } else ns = m[0];
    }
    b.namespace(ns, scale);
    for (const tok of rest.split(WS)) {
      if (!tok) continue;
      const colon = tok.indexOf(':');
      if (colon < 0) {
        b.feature(tok, 1);
        continue;
      }
      if (colon === 0) throw new LineError(`feature ${JSON.stringify(tok)} has a value but no name`);
      const name = tok.slice(0, colon);
      const value = tok.slice(colon + 1);
      if (value.includes(':')) throw new LineError(`feature ${JSON.stringify(tok)} has more than one ":"`);
      const v = Number(value);
      if (value !== '' && NUMERIC.test(value) && Number.isFinite(v)) b.feature(name, v);
      else if (value === '' || NON_FINITE.test(value) || NUMERIC.test(value)) num(value, `value of feature ${JSON.stringify(name)}`);
      else b.stringFeature(name, value); // name:string, VW's chained hash
    }
  }
  return out;
}

function parseLibsvm(line: string, b: FeatureBuilder): ParsedLine {
  // a scanner over the characters: no token strings for the indices (the hot path of large sparse data)
  const hash = line.indexOf('#');
  const end = hash >= 0 ? hash : line.length;
  const out: ParsedLine = { labels: [], importance: 1 };
  let i = 0;
  const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
  while (i < end && isSpace(line.charCodeAt(i))) i++;
  if (i >= end) throw new LineError('an empty libsvm line');
  let j = i;
  while (j < end && !isSpace(line.charCodeAt(j))) j++;
  const first = line.slice(i, j);
  if (!first.includes(':')) {
    out.labels.push(first);
    i = j;
  }
  b.namespace('');
  while (i < end) {
    while (i < end && isSpace(line.charCodeAt(i))) i++;
    if (i >= end) break;
    const start = i;
    let num = 0;
    let digits = 0;
    let c = line.charCodeAt(i);
    while (c >= 48 && c <= 57) {
      num = (num * 10 + (c - 48)) % 4294967296;
      digits++;
      c = line.charCodeAt(++i);
    }
    j = i;
    while (j < end && !isSpace(line.charCodeAt(j))) j++;
    if (digits === 0 || c !== 58) {
      const tok = line.slice(start, j);
      if (tok.startsWith('qid:')) {
        i = j;
        continue;
      }
      const colon = tok.indexOf(':');
      if (colon <= 0) throw new LineError(`${JSON.stringify(tok)} is not index:value`);
      throw new LineError(`feature index ${JSON.stringify(tok.slice(0, colon))} is not a non-negative integer`);
    }
    // the value: sign, digits, a point, digits, read exactly when it is short (m / 10^k, both exact in
    // a double, is the correctly rounded value Number() gives); anything else goes through Number()
    let k = i + 1;
    let neg = false;
    c = line.charCodeAt(k);
    if (c === 45 || c === 43) {
      neg = c === 45;
      c = line.charCodeAt(++k);
    }
    let m = 0;
    let nd = 0;
    let frac = -1;
    for (; k < j; c = line.charCodeAt(++k)) {
      if (c >= 48 && c <= 57) {
        m = m * 10 + (c - 48);
        nd++;
        if (frac >= 0) frac++;
      } else if (c === 46 && frac < 0) frac = 0;
      else break;
    }
    let v: number;
    if (k === j && nd > 0 && nd <= 15) v = (neg ? -m : m) / (frac > 0 ? POW10[frac]! : 1);
    else {
      const vs = line.slice(i + 1, j);
      v = Number(vs);
      if (vs === '' || !Number.isFinite(v) || !NUMERIC.test(vs)) num_(vs, `value of feature ${line.slice(start, i)}`);
    }
    b.featureNumber(num, v);
    i = j;
  }
  return out;
}

function parseFastText(line: string, b: FeatureBuilder, prefix: string): ParsedLine {
  const out: ParsedLine = { labels: [], importance: 1 };
  b.namespace('');
  if (isAscii(line)) {
    // the common case: ASCII whitespace only, tokens hashed from the line itself
    const n = line.length;
    let i = 0;
    while (i < n) {
      let c = line.charCodeAt(i);
      if (c === 32 || (c >= 9 && c <= 13)) {
        i++;
        continue;
      }
      const start = i;
      while (i < n && !((c = line.charCodeAt(i)) === 32 || (c >= 9 && c <= 13))) i++;
      if (line.startsWith(prefix, start) && i - start >= prefix.length) out.labels.push(line.slice(start + prefix.length, i));
      else b.asciiFeature(line, start, i);
    }
    return out;
  }
  for (const t of line.split(WS)) {
    if (!t) continue;
    if (t.startsWith(prefix)) out.labels.push(t.slice(prefix.length));
    else b.feature(t, 1);
  }
  return out;
}

/** Whether every character of s is below 0x80. */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

function parseTsv(line: string, b: FeatureBuilder): ParsedLine {
  const tab = line.indexOf('\t');
  if (tab < 0) throw new LineError('no tab: a line is label<TAB>text');
  const label = line.slice(0, tab).trim();
  const out: ParsedLine = { labels: label ? [label] : [], importance: 1 };
  b.namespace('');
  for (const t of line.slice(tab + 1).split(WS)) if (t) b.feature(t, 1);
  return out;
}
