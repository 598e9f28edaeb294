/**
 * Labelled examples for the classifier: fastText's format (labels are tokens that
 * start with a prefix, anywhere on the line), a text file plus a parallel label
 * file, or one file per label. Text is split on whitespace as fastText splits it.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { Rng, WordloomError } from '@wordloom/core';

export interface RawExample {
  tokens: string[];
  labels: string[];
  /** Where it came from, for errors. */
  file: string;
  line: number;
}

export interface ExampleSources {
  input?: string;
  labels?: string;
  classes?: Record<string, string>;
  label_prefix?: string;
}

const WS = /[ \t\n\v\f\r\0]+/;

const OTHER_WS = /[\t\n\v\f\r\0]/;

function tokens(line: string): string[] {
  if (!OTHER_WS.test(line)) {
    // only spaces (most text): a plain split, several times quicker than the regex
    const t = line.split(' ');
    return t.includes('') ? t.filter((x) => x !== '') : t;
  }
  const t = line.split(WS);
  if (t.length && t[0] === '') t.shift();
  if (t.length && t[t.length - 1] === '') t.pop();
  return t;
}

async function readText(file: string, param: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new WordloomError('E_FILE', `cannot read ${param}: ${(e as Error).message}`, { file, param });
  }
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Examples of one fastText-format text: label tokens (prefix) and the other tokens. Lines without a label are skipped (as fastText does). */
export function parseFastText(lines: string[], prefix: string, file: string): { examples: RawExample[]; unlabelled: number } {
  const examples: RawExample[] = [];
  let unlabelled = 0;
  lines.forEach((l, i) => {
    const toks = tokens(l);
    const labels: string[] = [];
    const words: string[] = [];
    for (const t of toks) (t.startsWith(prefix) ? labels : words).push(t.startsWith(prefix) ? t.slice(prefix.length) : t);
    if (labels.length === 0) {
      if (toks.length) unlabelled++;
      return;
    }
    examples.push({ tokens: words, labels, file, line: i + 1 });
  });
  return { examples, unlabelled };
}

/** Read the examples that the params name (paths relative to baseDir). */
export async function readExamples(src: ExampleSources, baseDir = process.cwd()): Promise<RawExample[]> {
  const prefix = src.label_prefix ?? '__label__';
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const out: RawExample[] = [];
  if (src.classes && Object.keys(src.classes).length) {
    if (src.input || src.labels) throw new WordloomError('E_PARAM', 'give either classes or input (with or without labels), not both', { param: 'classes' });
    for (const [label, f] of Object.entries(src.classes)) {
      if (typeof f !== 'string' || !f) throw new WordloomError('E_PARAM', `classes.${label} must be a file path, got ${JSON.stringify(f)}`, { param: `classes.${label}` });
      const file = abs(f);
      (await readText(file, `classes.${label}`)).forEach((l, i) => {
        const t = tokens(l);
        if (t.length) out.push({ tokens: t, labels: [label], file, line: i + 1 });
      });
    }
  } else if (src.input) {
    const file = abs(src.input);
    const lines = await readText(file, 'input');
    if (src.labels) {
      const lfile = abs(src.labels);
      const labs = await readText(lfile, 'labels');
      if (labs.length !== lines.length) {
        throw new WordloomError('E_INPUT', `the label file has ${labs.length} lines but the input has ${lines.length}`, { file: lfile, param: 'labels' }, 'give one line of labels (space-separated) for each line of input');
      }
      lines.forEach((l, i) => {
        const labels = tokens(labs[i]!).map((x) => (x.startsWith(prefix) ? x.slice(prefix.length) : x));
        if (labels.length === 0) throw new WordloomError('E_INPUT', `line ${i + 1} of the label file is empty`, { file: lfile, line: i + 1, param: 'labels' }, 'every example needs a label');
        out.push({ tokens: tokens(l), labels, file, line: i + 1 });
      });
    } else {
      const { examples, unlabelled } = parseFastText(lines, prefix, file);
      if (examples.length === 0 && unlabelled > 0) {
        throw new WordloomError('E_INPUT', `no line has a label (a token starting with "${prefix}")`, { file, param: 'input' }, `write labels as ${prefix}<label> tokens, set label_prefix, or give a labels file`);
      }
      out.push(...examples);
    }
  } else {
    throw new WordloomError('E_PARAM', 'no training data: give input (fastText format, or with a labels file) or classes (label -> file)', { param: 'input' });
  }
  if (out.length === 0) throw new WordloomError('E_INPUT', 'there are no examples to train on', { file: src.input ? abs(src.input) : undefined });
  return out;
}

/** A seeded shuffle, then the last `fraction` of the examples held out. */
export function splitExamples<T>(examples: T[], fraction: number, seed: number): { train: T[]; test: T[] } {
  if (!(fraction > 0)) return { train: examples, test: [] };
  const idx = Array.from(examples.keys());
  new Rng(seed ^ 0x5eed).shuffle(idx);
  const nTest = Math.round(examples.length * fraction);
  const cut = examples.length - nTest;
  return { train: idx.slice(0, cut).map((i) => examples[i]!), test: idx.slice(cut).map((i) => examples[i]!) };
}
