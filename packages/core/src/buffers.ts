/**
 * Typed arrays over SharedArrayBuffer, so that worker threads read and update the
 * same memory without copies. Large parameter and data arrays in wordloom are made
 * here.
 */
export type SharedTyped = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(bytes(length, 4)));
}
export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(bytes(length, 8)));
}
export function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(bytes(length, 4)));
}
export function sharedUint32(length: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(bytes(length, 4)));
}

/** Copy a typed array into shared memory (returns it unchanged if already shared). */
export function toShared<T extends SharedTyped>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as { new (buf: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const out = new Ctor(new SharedArrayBuffer(a.length * Ctor.BYTES_PER_ELEMENT));
  (out as any).set(a);
  return out;
}

export function isShared(a: SharedTyped): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

function bytes(length: number, size: number): number {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`shared array length must be a non-negative integer, got ${length}`);
  return Math.max(1, length) * size;
}
