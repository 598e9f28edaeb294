/**
 * Feature hashing as Vowpal Wabbit does it (vw-core hashstring / uniform_hash):
 * MurmurHash3 x86 32-bit over the UTF-8 bytes of a name, seeded with the hash of
 * its namespace. A name made only of the digits 0-9 (after trimming spaces) is not
 * hashed: its index is the number plus the namespace hash (so libsvm's "17:0.5"
 * lands on weight 17 in the default namespace, whose hash is 0). A quadratic cross
 * of two features is (a * 16777619) xor b (the FNV prime, as VW's interactions);
 * an n-gram is built word by word as h * 27942141 + next (VW's n-gram generator,
 * its quadratic_constant); the constant feature is 11650396. All arithmetic
 * is modulo 2^32; only the low `bits` bits are kept, which depend only on the low
 * bits of the operands, so the results match VW's 64-bit ones after masking.
 */

/** The FNV prime VW multiplies the first index of a cross by ("quadratic_constant"). */
export const FNV_PRIME = 16777619;
/** The index of VW's constant (bias) feature before masking. */
export const CONSTANT_INDEX = 11650396;

/** MurmurHash3's scrambling of a 4-byte block (or of the tail bytes). */
function scramble(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

/** MurmurHash3's state after one more 4-byte block. */
function mixBlock(h: number, k: number): number {
  h ^= scramble(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's last steps: the tail (its bytes as a little-endian number, 0 if none), the length, the final mix; unsigned. */
function finish(h: number, tail: number, tailLength: number, len: number): number {
  if (tailLength) h ^= scramble(tail);
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3, x86 32-bit variant, of `bytes` with `seed`; an unsigned 32-bit integer. */
export function murmur3(bytes: Uint8Array, seed: number, length = bytes.length): number {
  let h = seed >>> 0;
  const len = length;
  const blocks = len & ~3;
  for (let i = 0; i < blocks; i += 4) h = mixBlock(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  const t = len & 3;
  const tail = t === 0 ? 0 : bytes[blocks]! | (t >= 2 ? bytes[blocks + 1]! << 8 : 0) | (t === 3 ? bytes[blocks + 2]! << 16 : 0);
  return finish(h, tail, t, len);
}

let scratch = new Uint8Array(256);

/** Writes the UTF-8 bytes of s[a, b) into the scratch buffer (lone surrogates as U+FFFD, as TextEncoder does); returns the length. */
function utf8(s: string, a: number, b: number): number {
  if (scratch.length < (b - a) * 3) scratch = new Uint8Array((b - a) * 3 * 2);
  const o = scratch;
  let n = 0;
  for (let i = a; i < b; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) o[n++] = c;
    else if (c < 0x800) {
      o[n++] = 0xc0 | (c >> 6);
      o[n++] = 0x80 | (c & 63);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < b ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          o[n++] = 0xf0 | (c >> 18);
          o[n++] = 0x80 | ((c >> 12) & 63);
          o[n++] = 0x80 | ((c >> 6) & 63);
          o[n++] = 0x80 | (c & 63);
          continue;
        }
        c = 0xfffd;
      }
      o[n++] = 0xe0 | (c >> 12);
      o[n++] = 0x80 | ((c >> 6) & 63);
      o[n++] = 0x80 | (c & 63);
    }
  }
  return n;
}

/** MurmurHash3 x86 32 of a string's UTF-8 bytes. */
export function murmur3String(s: string, seed: number): number {
  const n = utf8(s, 0, s.length);
  return murmur3(scratch, seed, n);
}

/**
 * VW's hashstring: spaces (and control characters) trimmed at both ends; a name of
 * digits only is its value plus `seed`; any other name is MurmurHash3 of its bytes
 * seeded with `seed`. Unsigned 32-bit.
 */
export function vwHashString(s: string, seed: number): number {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 0x20) a++;
  while (b > a && s.charCodeAt(b - 1) <= 0x20) b--;
  let num = 0;
  let digits = true;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) {
      digits = false;
      break;
    }
    num = (num * 10 + (c - 48)) % 4294967296;
  }
  if (digits) return (num + (seed >>> 0)) % 4294967296;
  const n = utf8(s, a, b);
  return murmur3(scratch, seed, n);
}

/**
 * vwHashString of s[a, b) for a range of ASCII characters (every code below 0x80,
 * so the characters are the UTF-8 bytes): no substring, no encoding. The caller
 * makes sure of the ASCII.
 */
export function vwHashAscii(s: string, a: number, b: number, seed: number): number {
  while (a < b && s.charCodeAt(a) <= 0x20) a++;
  while (b > a && s.charCodeAt(b - 1) <= 0x20) b--;
  let num = 0;
  let i = a;
  for (; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    num = (num * 10 + (c - 48)) % 4294967296;
  }
  if (i === b) return (num + (seed >>> 0)) % 4294967296;
  // MurmurHash3 x86 32 over the characters as bytes
  let h = seed >>> 0;
  const len = b - a;
  const blocks = a + (len & ~3);
  for (i = a; i < blocks; i += 4) h = mixBlock(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24));
  const t = len & 3;
  const tail = t === 0 ? 0 : s.charCodeAt(blocks) | (t >= 2 ? s.charCodeAt(blocks + 1) << 8 : 0) | (t === 3 ? s.charCodeAt(blocks + 2) << 16 : 0);
  return finish(h, tail, t, len);
}

/** The hash of a namespace name: VW hashes the whole name with seed 0; the default (unnamed) namespace is 0. */
export function namespaceHash(name: string): number {
  return name === '' ? 0 : vwHashString(name, 0);
}

/** The index of a cross of two feature indices (quadratic interaction): (a * FNV) xor b, mod 2^32. */
export function crossIndex(a: number, b: number): number {
  return (Math.imul(a, FNV_PRIME) ^ b) >>> 0;
}

/** VW's quadratic_constant: n-gram indices are built with it (not with the FNV prime). */
export const GRAM_CONSTANT = 27942141;

/** The index of an n-gram extended by one more word: a * 27942141 + b, mod 2^32 (VW's n-gram rule). */
export function gramIndex(a: number, b: number): number {
  return (Math.imul(a, GRAM_CONSTANT) + b) >>> 0;
}
