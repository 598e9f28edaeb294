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

/**
 * A typed array over a resizable ArrayBuffer of its own (not shared: one thread
 * reads it), which `releaseArray` frees at once instead of when the garbage
 * collector next runs. For big arrays that a later step lets go of.
 */
export function releasableInt32(length: number, maxLength = length): Int32Array {
  return new Int32Array(resizable(length, maxLength, 4));
}
export function releasableFloat64(length: number, maxLength = length): Float64Array {
  return new Float64Array(resizable(length, maxLength, 8));
}

function resizable(length: number, maxLength: number, size: number): ArrayBuffer {
  const Ctor = ArrayBuffer as unknown as new (len: number, opts: { maxByteLength: number }) => ArrayBuffer;
  return new Ctor(bytes(length, size), { maxByteLength: Math.max(bytes(length, size), bytes(maxLength, size)) });
}

/**
 * Give back the memory of an array's buffer now when the buffer is resizable (it
 * is shrunk to nothing: every view of it then has length 0); true if it was.
 * Other buffers are freed by the garbage collector once nothing refers to them.
 */
export function releaseArray(a: ArrayBufferView): boolean {
  const buf = a.buffer as ArrayBuffer & { resizable?: boolean; resize?(n: number): void };
  if (buf instanceof SharedArrayBuffer || !buf.resizable || !buf.resize) return false;
  buf.resize(0);
  return true;
}

export function isShared(a: SharedTyped): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

function bytes(length: number, size: number): number {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`shared array length must be a non-negative integer, got ${length}`);
  return Math.max(1, length) * size;
}
