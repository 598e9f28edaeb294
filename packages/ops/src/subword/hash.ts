/**
 * fastText's hashes, bit for bit.
 *
 * - Words and character n-grams: 32-bit FNV-1a over the UTF-8 bytes, except that
 *   fastText XORs each byte after sign-extending it (it reads the bytes as signed
 *   chars), so a byte b >= 0x80 contributes 0xFFFFFF00 | b instead of b.
 * - Character n-grams of `<word>` (BOW "<" and EOW ">" added) of minn..maxn
 *   characters (UTF-8 characters, not bytes); one-character n-grams that touch a
 *   word boundary ("<" and ">") are skipped; `</s>` has none.
 * - Word n-grams of supervised models: h = h * 116049371 + hash(next word), in
 *   unsigned 64-bit arithmetic over the sign-extended 32-bit word hashes, then
 *   h mod bucket. Done here in two 32-bit halves (no BigInt).
 */

export const BOW = '<';
export const EOW = '>';
/** The end-of-sentence token fastText adds for each newline. */
export const EOS = '</s>';
/** The multiplier of fastText's word n-gram hash. */
export const WORD_NGRAM_MULT = 116049371;

const utf8 = new TextEncoder();

export function utf8Bytes(s: string): Uint8Array {
  return utf8.encode(s);
}

/** fastText's hash of bytes[start, end) as an unsigned 32-bit integer. */
export function fnv1a(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    h ^= b < 0x80 ? b : b | 0xffffff00;
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** fastText's hash of a string (over its UTF-8 bytes). */
export function hashString(s: string): number {
  // ASCII (every UTF-16 unit below 0x80 is one UTF-8 byte): no encoding needed
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return fnv1a(utf8Bytes(s));
    h = Math.imul(h ^ c, 16777619);
  }
  return h >>> 0;
}

/** `<word>` as UTF-8 bytes. */
export function wrapWord(word: string): Uint8Array {
  return utf8Bytes(BOW + word + EOW);
}

/**
 * Calls fn(start, end, hash) for each character n-gram of `wrapped` (the bytes of
 * `<word>`), in fastText's order (by start character, then by length): the n-grams
 * of n = minn..maxn UTF-8 characters, without the one-character ones at either end.
 * The hash is the unsigned 32-bit fastText hash of the n-gram's bytes.
 */
export function forEachCharNgram(
  wrapped: Uint8Array,
  minn: number,
  maxn: number,
  fn: (start: number, end: number, hash: number) => void,
): void {
  const len = wrapped.length;
  for (let i = 0; i < len; i++) {
    if ((wrapped[i]! & 0xc0) === 0x80) continue;
    let h = 0x811c9dc5;
    let j = i;
    for (let n = 1; j < len && n <= maxn; n++) {
      // one UTF-8 character: its lead byte and continuation bytes
      let b = wrapped[j++]!;
      h = Math.imul(h ^ (b < 0x80 ? b : b | 0xffffff00), 16777619);
      while (j < len && (wrapped[j]! & 0xc0) === 0x80) {
        b = wrapped[j++]!;
        h = Math.imul(h ^ (b | 0xffffff00), 16777619);
      }
      if (n >= minn && !(n === 1 && (i === 0 || j === len))) fn(i, j, h >>> 0);
    }
  }
}

/**
 * One step of the word n-gram hash: (hi, lo) * 116049371 + signExtend64(wordHash)
 * mod 2^64. `state` holds [hi, lo] as unsigned 32-bit values and is updated in place.
 */
export function wordNgramStep(state: Float64Array | number[], wordHash: number): void {
  const hi = state[0]!;
  const lo = state[1]!;
  const c = WORD_NGRAM_MULT;
  // lo * c = (a * 2^16 + b) * c, each part exact in doubles
  const a = lo >>> 16;
  const b = lo & 0xffff;
  const t1 = b * c; // < 2^43
  const t2 = a * c; // < 2^43
  const low = (t2 % 65536) * 65536 + t1; // < 2^44
  let newLo = low % 4294967296;
  const carry = Math.floor(low / 4294967296) + Math.floor(t2 / 65536);
  let newHi = (Math.imul(hi, c) >>> 0) + carry;
  // add the sign-extended 32-bit hash
  const v = wordHash | 0;
  newLo += v >>> 0;
  if (newLo >= 4294967296) {
    newLo -= 4294967296;
    newHi += 1;
  }
  if (v < 0) newHi += 0xffffffff;
  state[0] = newHi % 4294967296;
  state[1] = newLo;
}

/** Start a word n-gram hash from one word's 32-bit hash (sign-extended to 64 bits, as fastText does). */
export function wordNgramStart(state: Float64Array | number[], wordHash: number): void {
  const v = wordHash | 0;
  state[0] = v < 0 ? 0xffffffff : 0;
  state[1] = v >>> 0;
}

/** (hi * 2^32 + lo) mod m for unsigned 32-bit hi, lo and 0 < m < 2^31. */
export function mod64(hi: number, lo: number, m: number): number {
  let x = hi % m;
  x = (x * 65536) % m;
  x = (x * 65536) % m;
  return (x + (lo % m)) % m;
}
