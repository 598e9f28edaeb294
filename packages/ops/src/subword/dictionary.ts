/**
 * fastText's dictionary: the words and labels of a model (as UTF-8 bytes in one
 * table), their counts and types, the pruned index of n-gram buckets (.ftz), and
 * the mapping from a word to the rows of the input matrix that make its vector.
 *
 * Rows of the input matrix: 0..nwords-1 are the words; nwords + b is n-gram bucket b
 * (or, in a pruned model, nwords + pruneidx[b] for the buckets that were kept).
 */
import { sharedInt32, WordloomError } from '@wordloom/core';
import { EOS, fnv1a, forEachCharNgram, mod64, utf8Bytes, wordNgramStart, wordNgramStep, wrapWord } from './hash.js';
import { LABEL_PREFIX } from './args.js';

/** The args the dictionary needs to map words to rows. */
export interface SubwordParams {
  minn: number;
  maxn: number;
  bucket: number;
  /** Word n-grams of supervised models (1 = none). */
  wordNgrams: number;
  /** Label prefix ("__label__"). */
  label: string;
}

export const ENTRY_WORD = 0;
export const ENTRY_LABEL = 1;

/** A growable list of int32 values (n-gram rows of one word or one line). */
export class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity = 64) {
    this.data = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
  clear(): void {
    this.length = 0;
  }
  /** A copy of the values. */
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

export interface DictionaryInit {
  params: SubwordParams;
  /** All entries' UTF-8 bytes, concatenated; entry i is bytes[offsets[i], offsets[i+1]). */
  bytes: Uint8Array;
  offsets: Uint32Array | Float64Array;
  counts: Float64Array;
  /** 0 word, 1 label. Words come first (nwords of them), then labels. */
  types: Uint8Array;
  nwords: number;
  nlabels: number;
  ntokens: number;
  /** -1: not pruned; otherwise the number of (bucket, new index) pairs kept. */
  pruneidxSize: number;
  pruneFrom?: Int32Array;
  pruneTo?: Int32Array;
  /**
   * The lookup table of an existing dictionary over the same entries (from `init()`),
   * e.g. in a worker thread, so that it is not built again.
   */
  table?: Int32Array;
}

const decoder = new TextDecoder('utf-8', { ignoreBOM: true }); // a word may start with U+FEFF (WikiText has such tokens): keep it

/** One word's character n-grams as fastText lists them (print-ngrams). */
export interface WordNgrams {
  /** The word's own row, or -1 when it is not in the vocabulary. */
  id: number;
  /** Rows of the input matrix: the word's own row first (if in the vocabulary), then one per n-gram that has a row. */
  rows: Int32Array;
  /** The n-gram strings in fastText's order (all of them, including those a pruned model dropped). */
  ngrams: string[];
  /** For each n-gram string: its bucket (hash mod bucket). */
  buckets: Int32Array;
  /** For each n-gram string: its row, or -1 when a pruned model dropped its bucket. */
  ngramRows: Int32Array;
}

export class FastTextDictionary {
  readonly params: SubwordParams;
  readonly bytes: Uint8Array;
  readonly offsets: Uint32Array | Float64Array;
  readonly counts: Float64Array;
  readonly types: Uint8Array;
  readonly size: number;
  readonly nwords: number;
  readonly nlabels: number;
  readonly ntokens: number;
  readonly pruneidxSize: number;
  readonly pruneFrom: Int32Array;
  readonly pruneTo: Int32Array;
  private table: Int32Array;
  private mask: number;
  private pruneKeys: Int32Array;
  private pruneVals: Int32Array;
  private pruneMask: number;
  private labelBytes: Uint8Array;

  constructor(init: DictionaryInit) {
    this.params = init.params;
    this.bytes = init.bytes;
    this.offsets = init.offsets;
    this.counts = init.counts;
    this.types = init.types;
    this.size = init.counts.length;
    this.nwords = init.nwords;
    this.nlabels = init.nlabels;
    this.ntokens = init.ntokens;
    this.pruneidxSize = init.pruneidxSize;
    this.pruneFrom = init.pruneFrom ?? new Int32Array(0);
    this.pruneTo = init.pruneTo ?? new Int32Array(0);
    if (this.offsets.length !== this.size + 1 || this.types.length !== this.size || this.nwords + this.nlabels !== this.size) {
      throw new WordloomError('E_INTERNAL', `dictionary: inconsistent sizes (${this.size} entries, ${this.nwords} words + ${this.nlabels} labels)`);
    }
    let cap = 8;
    while (cap < this.size * 2) cap *= 2;
    if (init.table && init.table.length === cap) {
      this.table = init.table;
      this.mask = cap - 1;
    } else {
      this.table = sharedInt32(cap).fill(-1);
      this.mask = cap - 1;
      this.buildTable();
    }
    let pcap = 8;
    while (pcap < this.pruneFrom.length * 2) pcap *= 2;
    this.pruneKeys = new Int32Array(pcap).fill(-1);
    this.pruneVals = new Int32Array(pcap);
    this.pruneMask = pcap - 1;
    for (let i = 0; i < this.pruneFrom.length; i++) {
      const k = this.pruneFrom[i]!;
      let slot = Math.imul(k, 0x9e3779b1) >>> 0 & this.pruneMask;
      while (this.pruneKeys[slot] !== -1 && this.pruneKeys[slot] !== k) slot = (slot + 1) & this.pruneMask;
      this.pruneKeys[slot] = k;
      this.pruneVals[slot] = this.pruneTo[i]!; // a repeated key: the last wins, as in fastText's map
    }
    this.labelBytes = utf8Bytes(this.params.label || LABEL_PREFIX);
  }

  private buildTable(): void {
    for (let i = 0; i < this.size; i++) {
      const s = this.offsets[i]!;
      const e = this.offsets[i + 1]!;
      let slot = fnv1a(this.bytes, s, e) & this.mask;
      while (this.table[slot] !== -1) {
        if (this.equalsEntry(this.table[slot]!, this.bytes, s, e)) break; // a repeated entry: the last wins, as in fastText
        slot = (slot + 1) & this.mask;
      }
      this.table[slot] = i;
    }
  }

  /**
   * Everything that makes this dictionary, lookup table included: pass it to a
   * worker (postMessage; arrays over shared memory are shared, not copied) and
   * rebuild it there with `new FastTextDictionary(init)`.
   */
  init(): DictionaryInit {
    return {
      params: { ...this.params }, bytes: this.bytes, offsets: this.offsets, counts: this.counts, types: this.types, nwords: this.nwords, nlabels: this.nlabels,
      ntokens: this.ntokens, pruneidxSize: this.pruneidxSize, pruneFrom: this.pruneFrom, pruneTo: this.pruneTo, table: this.table,
    };
  }

  /** Build a dictionary from words (and labels after them) and counts, e.g. for a model being written. */
  static fromEntries(entries: readonly string[], counts: ArrayLike<number>, opts: { params: SubwordParams; nlabels?: number; ntokens?: number; pruneFrom?: Int32Array; pruneTo?: Int32Array }): FastTextDictionary {
    const parts = entries.map((w) => utf8Bytes(w));
    let total = 0;
    for (const p of parts) total += p.length;
    const bytes = new Uint8Array(total);
    const offsets = new Uint32Array(entries.length + 1);
    let o = 0;
    parts.forEach((p, i) => {
      bytes.set(p, o);
      o += p.length;
      offsets[i + 1] = o;
    });
    const nlabels = opts.nlabels ?? 0;
    const types = new Uint8Array(entries.length);
    types.fill(ENTRY_LABEL, entries.length - nlabels);
    const c = Float64Array.from(counts);
    let ntokens = opts.ntokens ?? 0;
    if (opts.ntokens === undefined) for (const v of c) ntokens += v;
    return new FastTextDictionary({
      params: opts.params, bytes, offsets, counts: c, types, nwords: entries.length - nlabels, nlabels, ntokens,
      pruneidxSize: opts.pruneFrom ? opts.pruneFrom.length : -1, pruneFrom: opts.pruneFrom, pruneTo: opts.pruneTo,
    });
  }

  private equalsEntry(i: number, b: Uint8Array, s: number, e: number): boolean {
    const o = this.offsets[i]!;
    if (this.offsets[i + 1]! - o !== e - s) return false;
    for (let k = 0; k < e - s; k++) if (this.bytes[o + k] !== b[s + k]) return false;
    return true;
  }

  /** The entry id of bytes[s, e) whose fastText hash is h, or -1. */
  getIdBytes(b: Uint8Array, s: number, e: number, h = fnv1a(b, s, e)): number {
    let slot = h & this.mask;
    for (;;) {
      const i = this.table[slot]!;
      if (i === -1) return -1;
      if (this.equalsEntry(i, b, s, e)) return i;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The entry id (word or label) of a string, or -1. */
  getId(word: string): number {
    const b = utf8Bytes(word);
    return this.getIdBytes(b, 0, b.length);
  }

  /** Entry i as a string (invalid UTF-8 bytes become U+FFFD). */
  word(i: number): string {
    return decoder.decode(this.bytes.subarray(this.offsets[i]!, this.offsets[i + 1]!));
  }
  /** Entry i's UTF-8 bytes (a view). */
  wordBytes(i: number): Uint8Array {
    return this.bytes.subarray(this.offsets[i]!, this.offsets[i + 1]!);
  }
  /** Label l (0-based among the labels). */
  label(l: number): string {
    return this.word(this.nwords + l);
  }
  isLabel(i: number): boolean {
    return this.types[i] === ENTRY_LABEL;
  }
  get isPruned(): boolean {
    return this.pruneidxSize >= 0;
  }
  /** Rows of the input matrix: words plus n-gram rows. */
  get inputRows(): number {
    return this.nwords + (this.isPruned ? this.pruneidxSize : this.params.bucket);
  }
  /** Label counts in label order (for the hierarchical softmax tree). */
  labelCounts(): Float64Array {
    return this.counts.slice(this.nwords, this.size);
  }
  /** Word counts in word order. */
  wordCounts(): Float64Array {
    return this.counts.slice(0, this.nwords);
  }

  /** The input row of n-gram bucket b (0 <= b < bucket), or -1 when a pruned model dropped it. */
  bucketRow(b: number): number {
    if (this.pruneidxSize === 0 || b < 0) return -1;
    if (this.pruneidxSize > 0) {
      let slot = Math.imul(b, 0x9e3779b1) >>> 0 & this.pruneMask;
      for (;;) {
        const k = this.pruneKeys[slot]!;
        if (k === -1) return -1;
        if (k === b) return this.nwords + this.pruneVals[slot]!;
        slot = (slot + 1) & this.pruneMask;
      }
    }
    return this.nwords + b;
  }

  /** Append the rows of the character n-grams of `wrapped` (the bytes of `<word>`) to out. */
  addCharNgramRows(wrapped: Uint8Array, out: IntList): void {
    const { minn, maxn, bucket } = this.params;
    if (maxn <= 0 || bucket <= 0) return;
    forEachCharNgram(wrapped, minn, maxn, (_s, _e, h) => {
      const r = this.bucketRow(h % bucket);
      if (r >= 0) out.push(r);
    });
  }

  /**
   * The input rows whose mean is a word's vector (fastText's getSubwords): for a
   * vocabulary entry its own row, then its n-gram rows; for an unknown word its
   * n-gram rows; none for `</s>` beyond its own row. Returns the entry id (-1 when unknown).
   */
  subwordRows(word: string, out: IntList): number {
    out.clear();
    const wrapped = wrapWord(word);
    const id = this.getIdBytes(wrapped, 1, wrapped.length - 1);
    if (id >= 0) out.push(id);
    if (word !== EOS) this.addCharNgramRows(wrapped, out);
    return id;
  }

  /** The rows of entry i (its own row and its n-gram rows). */
  entryRows(i: number, out: IntList): void {
    out.clear();
    out.push(i);
    const w = this.wordBytes(i);
    if (w.length === 4 && w[0] === 0x3c && w[1] === 0x2f && w[2] === 0x73 && w[3] === 0x3e) return; // </s>
    const wrapped = new Uint8Array(w.length + 2);
    wrapped[0] = 0x3c;
    wrapped.set(w, 1);
    wrapped[w.length + 1] = 0x3e;
    this.addCharNgramRows(wrapped, out);
  }

  /**
   * A word's n-grams with their buckets and rows. Unlike fastText's print-ngrams,
   * which on a pruned model names the first n-grams rather than those kept, each
   * string here is paired with its own row (-1 when dropped).
   */
  ngrams(word: string): WordNgrams {
    const id = this.getId(word);
    const rows = new IntList(16);
    if (id >= 0) rows.push(id);
    const strings: string[] = [];
    const buckets = new IntList(16);
    const ngramRows = new IntList(16);
    const { minn, maxn, bucket } = this.params;
    if (word !== EOS && maxn > 0 && bucket > 0) {
      const wrapped = wrapWord(word);
      forEachCharNgram(wrapped, minn, maxn, (s, e, h) => {
        const b = h % bucket;
        const r = this.bucketRow(b);
        strings.push(decoder.decode(wrapped.subarray(s, e)));
        buckets.push(b);
        ngramRows.push(r);
        if (r >= 0) rows.push(r);
      });
    }
    return { id, rows: rows.toArray(), ngrams: strings, buckets: buckets.toArray(), ngramRows: ngramRows.toArray() };
  }

  /** Whether a token is a label (starts with the label prefix). */
  isLabelToken(b: Uint8Array, s: number, e: number): boolean {
    const p = this.labelBytes;
    if (e - s < p.length) return false;
    for (let k = 0; k < p.length; k++) if (b[s + k] !== p[k]) return false;
    return true;
  }

  /**
   * The input rows and labels of one line of text as fastText's supervised getLine
   * builds them: tokens are split on space, tab, CR, LF, VT, FF and NUL; `eos` adds
   * the `</s>` token fastText reads for the newline that ends the line. Words give
   * their rows (own row and n-grams; unknown words their n-grams), labels their
   * label index; word n-grams (wordNgrams > 1) are appended after all tokens.
   */
  lineRows(line: Uint8Array, eos: boolean, rows: IntList, labels: IntList): number {
    rows.clear();
    labels.clear();
    const hashes = new IntList(32);
    let ntokens = 0;
    const handle = (b: Uint8Array, s: number, e: number): void => {
      const h = fnv1a(b, s, e);
      const wid = this.getIdBytes(b, s, e, h);
      const isLabel = wid < 0 ? this.isLabelToken(b, s, e) : this.types[wid] === ENTRY_LABEL;
      ntokens++;
      if (!isLabel) {
        const isEos = e - s === 4 && b[s] === 0x3c && b[s + 1] === 0x2f && b[s + 2] === 0x73 && b[s + 3] === 0x3e;
        if (wid < 0) {
          if (!isEos) {
            const wrapped = new Uint8Array(e - s + 2);
            wrapped[0] = 0x3c;
            wrapped.set(b.subarray(s, e), 1);
            wrapped[e - s + 1] = 0x3e;
            this.addCharNgramRows(wrapped, rows);
          }
        } else if (this.params.maxn <= 0) {
          rows.push(wid);
        } else {
          rows.push(wid);
          if (!isEos) {
            const w = b.subarray(s, e);
            const wrapped = new Uint8Array(w.length + 2);
            wrapped[0] = 0x3c;
            wrapped.set(w, 1);
            wrapped[w.length + 1] = 0x3e;
            this.addCharNgramRows(wrapped, rows);
          }
        }
        hashes.push(h | 0);
      } else if (wid >= 0) {
        labels.push(wid - this.nwords);
      }
    };
    let s = -1;
    for (let i = 0; i <= line.length; i++) {
      const c = i < line.length ? line[i]! : 0x20;
      const sep = c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0b || c === 0x0c || c === 0;
      if (sep) {
        if (s >= 0) handle(line, s, i);
        s = -1;
      } else if (s < 0) s = i;
    }
    if (eos) handle(EOS_BYTES, 0, 4);
    this.addWordNgramRows(hashes, rows);
    return ntokens;
  }

  /** Append the rows of the word n-grams (2..wordNgrams words) of a line's word hashes. */
  addWordNgramRows(hashes: IntList, rows: IntList): void {
    const n = this.params.wordNgrams;
    const bucket = this.params.bucket;
    if (n <= 1 || bucket <= 0) return;
    const st = new Float64Array(2);
    const h = hashes.data;
    for (let i = 0; i < hashes.length; i++) {
      wordNgramStart(st, h[i]!);
      for (let j = i + 1; j < hashes.length && j < i + n; j++) {
        wordNgramStep(st, h[j]!);
        const r = this.bucketRow(mod64(st[0]!, st[1]!, bucket));
        if (r >= 0) rows.push(r);
      }
    }
  }
}

const EOS_BYTES = utf8Bytes(EOS);
