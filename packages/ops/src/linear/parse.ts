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
  const head = line.slice(0, bar);
  const out: ParsedLine = { labels: [], importance: 1 };
  const tagged = /'(\S*)\s*$/.exec(head);
  const headToks = (tagged ? head.slice(0, tagged.index) : head).trim().split(WS).filter(Boolean);
  if (tagged) out.tag = tagged[1];
  if (headToks.length > 0) out.labels.push(headToks[0]!);
  if (headToks.length > 1) {
    const w = Number(headToks[1]);
    if (Number.isFinite(w) && headToks[1] !== '') {
      if (w < 0) throw new LineError(`importance weight ${headToks[1]} is negative`);
      out.importance = w;
      if (headToks.length > 2 && !tagged) out.tag = headToks[2];
      else if (headToks.length > 2) throw new LineError(`too many fields before "|": ${JSON.stringify(head.trim())}`);
    } else if (!tagged && headToks.length === 2) out.tag = headToks[1];
    else throw new LineError(`importance weight ${JSON.stringify(headToks[1])} is not a number`);
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
      const colon = tok.lastIndexOf(':');
      if (colon > 0) b.feature(tok.slice(0, colon), num(tok.slice(colon + 1), `value of feature ${JSON.stringify(tok.slice(0, colon))}`));
      else if (colon === 0) throw new LineError(`feature ${JSON.stringify(tok)} has a value but no name`);
      else b.feature(tok, 1);
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
