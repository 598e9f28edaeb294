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

function parseVw(line: string, b: FeatureBuilder): ParsedLine {
  const bar = line.indexOf('|');
  if (bar < 0) throw new LineError('no "|": a Vowpal Wabbit line is "label [importance] [tag]|namespace feature[:value] ..."');
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
  const hash = line.indexOf('#');
  const toks = (hash >= 0 ? line.slice(0, hash) : line).trim().split(WS).filter(Boolean);
  if (!toks.length) throw new LineError('an empty libsvm line');
  const out: ParsedLine = { labels: [], importance: 1 };
  let i = 0;
  if (!toks[0]!.includes(':')) {
    out.labels.push(toks[0]!);
    i = 1;
  }
  b.namespace('');
  for (; i < toks.length; i++) {
    const t = toks[i]!;
    const colon = t.indexOf(':');
    if (colon <= 0) throw new LineError(`${JSON.stringify(t)} is not index:value`);
    const key = t.slice(0, colon);
    if (key === 'qid') continue;
    if (!/^\d+$/.test(key)) throw new LineError(`feature index ${JSON.stringify(key)} is not a non-negative integer`);
    b.feature(key, num(t.slice(colon + 1), `value of feature ${key}`));
  }
  return out;
}

function parseFastText(line: string, b: FeatureBuilder, prefix: string): ParsedLine {
  const out: ParsedLine = { labels: [], importance: 1 };
  b.namespace('');
  for (const t of line.split(WS)) {
    if (!t) continue;
    if (t.startsWith(prefix)) out.labels.push(t.slice(prefix.length));
    else b.feature(t, 1);
  }
  return out;
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
