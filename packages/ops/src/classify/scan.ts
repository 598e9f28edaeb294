/**
 * A fastText-format training file read straight from its bytes: one pass splits
 * the lines on fastText's whitespace, hashes every token with fastText's FNV-1a as
 * it goes and looks it up in an open-addressing table of the distinct tokens, so a
 * string is made once per distinct word, not once per token. What it gives is what
 * readExamples + initModel + encodeExamples give for the same file (a test holds
 * the two to the same vocabulary, labels, rows and model), in a fraction of the
 * time: on small sets the reading and encoding are most of a training run.
 *
 * It reads files that are valid UTF-8; for others (where decoding would replace
 * bytes and merge tokens) the caller takes the general path.
 */
import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { Rng, WordloomError, sharedInt32 } from '@wordloom/core';
import { EOS, hashString, mod64, wordNgramStart, wordNgramStep } from '../subword/hash.js';
import type { EncodedExamples } from './model.js';
import type { RawExample } from './data.js';

/** fastText's whitespace (its getLine splits on these; '\n' also ends the line). */
const WS = new Uint8Array(256);
const EOS_BYTES = Buffer.from(EOS, 'latin1');
for (const c of [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x00]) WS[c] = 1;

/** A growable Int32Array. */
class IntList {
  a: Int32Array;
  n = 0;
  constructor(cap = 1024) {
    this.a = new Int32Array(cap);
  }
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  view(): Int32Array {
    return this.a.subarray(0, this.n);
  }
}

/** Distinct byte strings of one buffer, by fastText's hash, in order of first appearance. */
class TokenTable {
  private slots: Int32Array;
  private mask: number;
  readonly hash = new IntList();
  readonly start = new IntList();
  readonly len = new IntList();
  constructor(private readonly buf: Uint8Array) {
    this.slots = new Int32Array(1 << 12).fill(-1);
    this.mask = this.slots.length - 1;
  }
  get size(): number {
    return this.hash.n;
  }
  /** Add `</s>` (as id 0 of an empty table). */
  addEos(): void {
    this.hash.push(hashString(EOS) | 0);
    this.start.push(-1);
    this.len.push(EOS_BYTES.length);
    this.slots[(hashString(EOS) | 0) & this.mask] = 0;
  }
  /** The id of buf[s, e) (hash h), added if new. */
  id(h: number, s: number, e: number): number {
    const { buf, mask, slots } = this;
    const hashes = this.hash.a;
    const starts = this.start.a;
    const lens = this.len.a;
    const n = e - s;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const id = slots[i]!;
      if (id < 0) {
        const nid = this.hash.n;
        this.hash.push(h);
        this.start.push(s);
        this.len.push(n);
        slots[i] = nid;
        if (2 * (nid + 1) > slots.length) this.grow();
        return nid;
      }
      if (hashes[id] === h && lens[id] === n) {
        // an entry starting at -1 is `</s>`, which is not in the buffer
        const o = starts[id]!;
        const src = o < 0 ? EOS_BYTES : buf;
        const base = o < 0 ? 0 : o;
        let k = 0;
        while (k < n && src[base + k] === buf[s + k]) k++;
        if (k === n) return id;
      }
    }
  }
  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    const hashes = this.hash.a;
    for (let id = 0; id < this.hash.n; id++) {
      let i = hashes[id]! & mask;
      while (slots[i]! >= 0) i = (i + 1) & mask;
      slots[i] = id;
    }
    this.slots = slots;
    this.mask = mask;
  }
  text(id: number): string {
    const s = this.start.a[id]!;
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + s, this.len.a[id]!).toString('utf8');
  }
}

/** The labelled lines of a fastText-format file, as ids into its distinct words and labels. */
export interface ScannedExamples {
  file: string;
  /** Distinct words (label tokens excluded); id 0 is `</s>`. */
  words: string[];
  /** fastText's hash of each word. */
  wordHashes: Int32Array;
  /** Distinct labels (without the prefix). */
  labels: string[];
  /** Labelled lines. */
  count: number;
  /** Word ids of example i: tok[tokOff[i], tokOff[i + 1]). */
  tokOff: Int32Array;
  tok: Int32Array;
  /** Label ids of example i: lab[labOff[i], labOff[i + 1]). */
  labOff: Int32Array;
  lab: Int32Array;
  /** 1-based line number of each example. */
  line: Int32Array;
  /** Lines with words and no label (skipped, as fastText skips them). */
  unlabelled: number;
}

/** Scan a fastText-format file; undefined when it is not valid UTF-8 (the general reader handles that). */
export async function scanFastTextFile(file: string, prefix: string): Promise<ScannedExamples | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    throw new WordloomError('E_FILE', `cannot read input: ${(e as Error).message}`, { file, param: 'input' });
  }
  return scanFastText(buf, prefix, file);
}

export function scanFastText(buf: Uint8Array, prefix: string, file: string): ScannedExamples | undefined {
  if (!isUtf8(buf)) return undefined;
  const pre = Buffer.from(prefix, 'utf8');
  const plen = pre.length;
  const words = new TokenTable(buf);
  // `</s>` is word 0: a literal `</s>` in the text is the same word as the end of a line
  words.addEos();
  const labelIds = new Map<string, number>();
  const labels: string[] = [];
  const tok = new IntList(Math.max(1024, buf.length >> 3));
  const tokOff = new IntList();
  const lab = new IntList();
  const labOff = new IntList();
  const line = new IntList();
  tokOff.push(0);
  labOff.push(0);
  let unlabelled = 0;
  const n = buf.length;
  let i = 0;
  let lineNo = 0;
  while (i < n) {
    lineNo++;
    const tok0 = tok.n;
    const lab0 = lab.n;
    // the tokens of one line
    for (;;) {
      while (i < n && WS[buf[i]!] && buf[i] !== 0x0a) i++;
      if (i >= n || buf[i] === 0x0a) break;
      const s = i;
      let h = 0x811c9dc5;
      while (i < n && !WS[buf[i]!]) {
        const b = buf[i++]!;
        h = Math.imul(h ^ (b < 0x80 ? b : b | 0xffffff00), 16777619);
      }
      const e = i;
      let isLabel = e - s >= plen;
      for (let k = 0; isLabel && k < plen; k++) isLabel = buf[s + k] === pre[k];
      if (isLabel) {
        const name = Buffer.from(buf.buffer, buf.byteOffset + s + plen, e - s - plen).toString('utf8');
        let id = labelIds.get(name);
        if (id === undefined) {
          id = labels.length;
          labels.push(name);
          labelIds.set(name, id);
        }
        lab.push(id);
      } else {
        tok.push(words.id(h | 0, s, e));
      }
    }
    if (lab.n > lab0) {
      tokOff.push(tok.n);
      labOff.push(lab.n);
      line.push(lineNo);
    } else {
      if (tok.n > tok0) unlabelled++;
      tok.n = tok0;
    }
    if (i >= n) break;
    i++; // the '\n'
  }
  const wordList: string[] = new Array(words.size);
  wordList[0] = EOS;
  for (let id = 1; id < words.size; id++) wordList[id] = words.text(id);
  return {
    file,
    words: wordList,
    wordHashes: words.hash.view(),
    labels,
    count: line.n,
    tokOff: tokOff.view(),
    tok: tok.view(),
    labOff: labOff.view(),
    lab: lab.view(),
    line: line.view(),
    unlabelled,
  };
}

/** Example indices of the seeded split: the same as splitExamples gives for examples in this order. */
export function splitIndices(count: number, fraction: number, seed: number): { train: Int32Array; test: Int32Array } {
  const idx = Array.from({ length: count }, (_, i) => i);
  if (!(fraction > 0)) return { train: Int32Array.from(idx), test: new Int32Array(0) };
  new Rng(seed ^ 0x5eed).shuffle(idx);
  const cut = count - Math.round(count * fraction);
  return { train: Int32Array.from(idx.slice(0, cut)), test: Int32Array.from(idx.slice(cut)) };
}

/** The vocabulary (count >= minCount, by count then by text), the labels (by count), and the examples encoded, as initModel + encodeExamples make them. */
export interface PreparedExamples {
  words: string[];
  labels: string[];
  /** Encoded examples with at least one word (labels-only lines teach nothing). */
  data: EncodedExamples;
  /** For each encoded example, its index among the scanned ones. */
  source: Int32Array;
  /** Training examples that give no input row: their count and the first one's scanned index and whether it had words. */
  empty: number;
  firstEmpty: number;
  trainCount: number;
}

const byCountThenText = (counts: Float64Array | Int32Array, names: readonly string[]) => (a: number, b: number): number => {
  const d = counts[b]! - counts[a]!;
  if (d !== 0) return d;
  const x = names[a]!;
  const y = names[b]!;
  return x < y ? -1 : x > y ? 1 : 0;
};

export function prepareExamples(s: ScannedExamples, train: Int32Array, minCount: number, wordNgrams: number, bucket: number): PreparedExamples {
  const V0 = s.words.length;
  const counts = new Int32Array(V0);
  const labelCounts = new Int32Array(s.labels.length);
  for (let t = 0; t < train.length; t++) {
    const e = train[t]!;
    for (let k = s.tokOff[e]!; k < s.tokOff[e + 1]!; k++) counts[s.tok[k]!]!++;
    counts[0]!++; // the end of the line
    for (let k = s.labOff[e]!; k < s.labOff[e + 1]!; k++) labelCounts[s.lab[k]!]!++;
  }
  const kept: number[] = [];
  for (let id = 0; id < V0; id++) if (counts[id]! >= minCount) kept.push(id);
  kept.sort(byCountThenText(counts, s.words));
  const wordOf = new Int32Array(V0).fill(-1);
  kept.forEach((id, i) => (wordOf[id] = i));
  const usedLabels: number[] = [];
  for (let id = 0; id < s.labels.length; id++) if (labelCounts[id]! > 0) usedLabels.push(id);
  usedLabels.sort(byCountThenText(labelCounts, s.labels));
  const labelOf = new Int32Array(s.labels.length).fill(-1);
  usedLabels.forEach((id, i) => (labelOf[id] = i));

  const V = kept.length;
  const ngrams = wordNgrams > 1 && bucket > 0;
  let nEx = 0;
  let nRows = 0;
  for (let t = 0; t < train.length; t++) {
    const e = train[t]!;
    const len = s.tokOff[e + 1]! - s.tokOff[e]!;
    if (len === 0) continue;
    nEx++;
    nRows += len + 1 + (ngrams ? ngramCount(len + 1, wordNgrams) : 0);
  }
  const offsets = sharedInt32(nEx + 1);
  const labelsOut = sharedInt32(nEx);
  const source = new Int32Array(nEx);
  const rows = new Int32Array(nRows);
  const st = new Float64Array(2);
  const h = new Int32Array(1024);
  let hs = h;
  let at = 0;
  let x = 0;
  let empty = 0;
  let firstEmpty = -1;
  for (let t = 0; t < train.length; t++) {
    const e = train[t]!;
    const k0 = s.tokOff[e]!;
    const len = s.tokOff[e + 1]! - k0;
    if (len === 0) {
      empty++;
      if (firstEmpty < 0) firstEmpty = e;
      continue;
    }
    const start = at;
    const n = len + 1;
    if (hs.length < n) hs = new Int32Array(2 * n);
    for (let k = 0; k < n; k++) {
      const id = k < len ? s.tok[k0 + k]! : 0;
      const w = wordOf[id]!;
      if (w >= 0) rows[at++] = w;
      hs[k] = s.wordHashes[id]!;
    }
    if (ngrams) {
      for (let a = 0; a < n; a++) {
        wordNgramStart(st, hs[a]!);
        for (let b = a + 1; b < n && b < a + wordNgrams; b++) {
          wordNgramStep(st, hs[b]!);
          rows[at++] = V + mod64(st[0]!, st[1]!, bucket);
        }
      }
    }
    if (at === start) {
      empty++;
      if (firstEmpty < 0) firstEmpty = e;
    }
    source[x] = e;
    labelsOut[x] = labelOf[s.lab[s.labOff[e]!]!]!;
    offsets[++x] = at;
  }
  const shared = sharedInt32(at);
  shared.set(rows.subarray(0, at));
  return {
    words: kept.map((id) => s.words[id]!),
    labels: usedLabels.map((id) => s.labels[id]!),
    data: { rows: shared, offsets, labels: labelsOut, count: nEx },
    source,
    empty,
    firstEmpty,
    trainCount: train.length,
  };
}

/** Word n-grams of 2..maxN words over n words. */
function ngramCount(n: number, maxN: number): number {
  let c = 0;
  for (let a = 0; a < n; a++) c += Math.min(n - 1 - a, maxN - 1);
  return c;
}

/** Scanned examples as RawExamples (for testing on the held-out part). */
export function rawExamples(s: ScannedExamples, which: Int32Array): RawExample[] {
  const out: RawExample[] = [];
  for (const e of which) {
    const tokens: string[] = [];
    for (let k = s.tokOff[e]!; k < s.tokOff[e + 1]!; k++) tokens.push(s.words[s.tok[k]!]!);
    const labels: string[] = [];
    for (let k = s.labOff[e]!; k < s.labOff[e + 1]!; k++) labels.push(s.labels[s.lab[k]!]!);
    out.push({ tokens, labels, file: s.file, line: s.line[e]! });
  }
  return out;
}
