/**
 * One example's hashed features, built from a parsed line: namespaces, word
 * n-grams within a namespace, quadratic crosses of chosen namespaces, the constant
 * (bias) feature, numeric values. Indices are masked to `bits` bits as they are
 * made; names are kept (optionally) for `inspect`, as VW's invert_hash does.
 */
import { CONSTANT_INDEX, crossIndex, gramIndex, vwHashAscii, vwHashString, namespaceHash } from './hash.js';

export interface FeatureOptions {
  bits: number;
  /** Word n-grams up to this length within each namespace (1 = none). */
  ngram: number;
  /** Pairs of namespace first letters to cross, e.g. ["ab", "aa"]; " " is the default namespace. */
  quadratic: readonly string[];
  /** Add the constant feature (VW's bias; --noconstant turns it off). */
  bias: boolean;
}

/** A growable buffer of one example's (index, value) pairs with its namespace segments. */
export class FeatureBuilder {
  idx = new Int32Array(256);
  val = new Float32Array(256);
  n = 0;
  readonly mask: number;
  /** Per namespace: its first letter, start and end of its features (words only; n-grams after). */
  private nsLetter: string[] = [];
  private nsStart: number[] = [];
  private nsEnd: number[] = [];
  private nsName: string[] = [];
  /** The words (names) of the example, kept only when names are. */
  private words: string[] = [];
  private wordHash = new Uint32Array(256);
  private wordVal = new Float64Array(256);
  private nw = 0;
  private nsHashes = new Map<string, number>();
  private curNs = -1;
  private curHash = 0;
  private curScale = 1;
  /** index -> name, when names are kept. */
  names?: Map<number, string>;

  constructor(readonly opts: FeatureOptions, keepNames = false) {
    this.mask = opts.bits >= 32 ? -1 : (1 << opts.bits) - 1;
    if (keepNames) this.names = new Map();
  }

  reset(): void {
    this.n = 0;
    this.nsLetter.length = 0;
    this.nsStart.length = 0;
    this.nsEnd.length = 0;
    this.nsName.length = 0;
    if (this.names) this.words.length = 0;
    this.nw = 0;
    this.curNs = -1;
  }

  /** Start a namespace ('' = default), its values scaled by `scale`. */
  namespace(name: string, scale = 1): void {
    this.closeNs();
    this.curNs = this.nsName.length;
    this.nsName.push(name);
    this.nsLetter.push(name === '' ? ' ' : name[0]!);
    this.nsStart.push(this.nw);
    this.nsEnd.push(this.nw);
    let h = this.nsHashes.get(name);
    if (h === undefined) {
      h = namespaceHash(name);
      if (this.nsHashes.size < 4096) this.nsHashes.set(name, h);
    }
    this.curHash = h;
    this.curScale = scale;
  }

  /** Add a feature of the current namespace (a default one is opened if none is); a 0 value adds nothing, as in VW. */
  feature(name: string, value = 1): void {
    if (this.curNs < 0) this.namespace('');
    if (value * this.curScale === 0) return;
    this.addHashed(name, vwHashString(name, this.curHash), value);
  }

  /** feature(s.slice(a, b), 1) for an ASCII range of s, without making the substring unless names are kept. */
  asciiFeature(s: string, a: number, b: number): void {
    if (this.curNs < 0) this.namespace('');
    if (this.curScale === 0) return;
    this.addHashed(this.names ? s.slice(a, b) : '', vwHashAscii(s, a, b, this.curHash), 1);
  }

  /** A feature with a string value (VW's name:value where value is not a number): hash(value, hash(name, namespace)). */
  stringFeature(name: string, value: string): void {
    if (this.curNs < 0) this.namespace('');
    this.addHashed(`${name}=${value}`, vwHashString(value, vwHashString(name, this.curHash)), 1);
  }

  /**
   * A feature whose name is a number (libsvm's index:value): the index is the number plus the namespace
   * hash, as VW's hashstring gives for a name of digits, without making the name.
   */
  featureNumber(num: number, value: number): void {
    if (this.curNs < 0) this.namespace('');
    if (value * this.curScale === 0) return;
    this.addHashed(this.names ? String(num) : '', (num + this.curHash) % 4294967296, value);
  }

  private addHashed(name: string, h: number, value: number): void {
    if (this.nw === this.wordHash.length) {
      const a = new Uint32Array(this.nw * 2);
      a.set(this.wordHash);
      this.wordHash = a;
      const v = new Float64Array(this.nw * 2);
      v.set(this.wordVal);
      this.wordVal = v;
    }
    if (this.names) this.words.push(name);
    this.wordHash[this.nw] = h;
    this.wordVal[this.nw] = value * this.curScale;
    this.nw++;
    this.nsEnd[this.curNs] = this.nw;
  }

  private closeNs(): void {
    if (this.curNs >= 0) this.nsEnd[this.curNs] = this.nw;
  }

  private push(h: number, v: number, name?: () => string): void {
    if (this.n === this.idx.length) {
      const i = new Int32Array(this.n * 2);
      i.set(this.idx);
      this.idx = i;
      const f = new Float32Array(this.n * 2);
      f.set(this.val);
      this.val = f;
    }
    const m = h & this.mask;
    this.idx[this.n] = m;
    this.val[this.n] = v;
    this.n++;
    if (this.names && name && !this.names.has(m)) this.names.set(m, name());
  }

  /** Make the final (index, value) list: words, n-grams, crosses, bias. */
  finish(): void {
    this.closeNs();
    const { ngram, quadratic, bias } = this.opts;
    const W = this.words;
    const H = this.wordHash;
    const V = this.wordVal;
    const label = (ns: number, w: string): string => (this.nsName[ns] === '' ? w : `${this.nsName[ns]}^${w}`);
    // the features of each namespace, n-grams included, as index lists for the crosses
    const segStart: number[] = [];
    const segEnd: number[] = [];
    const segNames: (string[] | undefined)[] = [];
    for (let s = 0; s < this.nsName.length; s++) {
      const a = this.nsStart[s]!;
      const b = this.nsEnd[s]!;
      segStart.push(this.n);
      const names: string[] | undefined = this.names && quadratic.length ? [] : undefined;
      for (let i = a; i < b; i++) {
        this.push(H[i]!, V[i]!, this.names ? () => label(s, W[i]!) : undefined);
        names?.push(label(s, W[i]!));
      }
      for (let len = 2; len <= ngram; len++) {
        for (let i = a; i + len <= b; i++) {
          let h = H[i]!;
          for (let j = 1; j < len; j++) h = gramIndex(h, H[i + j]!);
          const nm = this.names ? () => label(s, W.slice(i, i + len).join('^')) : undefined;
          this.push(h, 1, nm);
          names?.push(nm ? nm() : '');
        }
      }
      segEnd.push(this.n);
      segNames.push(names);
    }
    if (quadratic.length) {
      // VW keeps one feature group per first letter: namespaces that share it are crossed as one
      const end = this.n;
      const byLetter = new Map<string, number[]>();
      const nameAt = new Map<number, string>();
      for (let s = 0; s < this.nsName.length; s++) {
        const list = byLetter.get(this.nsLetter[s]!) ?? [];
        for (let i = segStart[s]!; i < segEnd[s]!; i++) {
          list.push(i);
          if (segNames[s]) nameAt.set(i, segNames[s]![i - segStart[s]!]!);
        }
        byLetter.set(this.nsLetter[s]!, list);
      }
      for (const pair of quadratic) {
        const A = byLetter.get(pair[0]!);
        const B = byLetter.get(pair[1]!);
        if (!A || !B) continue;
        const self = pair[0] === pair[1];
        for (let p = 0; p < A.length; p++) {
          const i = A[p]!;
          for (let q = self ? p : 0; q < B.length; q++) {
            const j = B[q]!;
            if (i >= end || j >= end) continue;
            const nm = this.names ? () => `${nameAt.get(i)}*${nameAt.get(j)}` : undefined;
            this.push(crossIndex(this.idx[i]!, this.idx[j]!), this.val[i]! * this.val[j]!, nm);
          }
        }
      }
    }
    if (bias) this.push(CONSTANT_INDEX, 1, this.names ? () => 'Constant' : undefined);
  }
}
