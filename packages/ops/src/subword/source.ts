/**
 * Reading a model file with bounds checks: every read says which section it is in,
 * and a file that ends early, or holds values no fastText model can hold, fails with
 * a WordloomError naming the file, the section and the byte offset.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { WordloomError } from '@wordloom/core';

/** Random-access bytes: a file (read with pread) or a buffer in memory. */
export interface ByteSource {
  readonly name: string;
  readonly size: number;
  /** Copy length bytes from `position` into target[offset..]; returns the bytes copied. */
  read(target: Uint8Array, offset: number, length: number, position: number): number;
  close(): void;
}

export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number;
  constructor(readonly name: string) {
    try {
      this.fd = openSync(name, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new WordloomError('E_FILE', code === 'ENOENT' ? 'model file not found' : `cannot open the model file (${code ?? (e as Error).message})`, { file: name });
    }
    const st = fstatSync(this.fd);
    if (st.isDirectory()) {
      closeSync(this.fd);
      throw new WordloomError('E_FILE', 'is a directory, not a fastText model file', { file: name });
    }
    this.size = st.size;
  }
  read(target: Uint8Array, offset: number, length: number, position: number): number {
    if (this.fd < 0) throw new WordloomError('E_STATE', 'the model file was closed', { file: this.name });
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, target, offset + done, Math.min(length - done, 1 << 30), position + done);
      if (n <= 0) break;
      done += n;
    }
    return done;
  }
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

export class MemorySource implements ByteSource {
  readonly size: number;
  constructor(readonly name: string, private bytes: Uint8Array) {
    this.size = bytes.length;
  }
  read(target: Uint8Array, offset: number, length: number, position: number): number {
    const n = Math.max(0, Math.min(length, this.size - position));
    target.set(this.bytes.subarray(position, position + n), offset);
    return n;
  }
  close(): void {}
}

const CHUNK = 1 << 20;

/** A buffered, bounds-checked little-endian reader over a ByteSource. */
export class Cursor {
  /** The section being read ("header", "args", "dictionary", "input matrix"...), for errors. */
  section = 'header';
  private buf: Uint8Array;
  private view: DataView;
  private bufStart = 0;
  private bufEnd = 0;
  private p = 0;

  constructor(readonly src: ByteSource) {
    this.buf = new Uint8Array(Math.max(16, Math.min(CHUNK, src.size)));
    this.view = new DataView(this.buf.buffer);
  }

  get pos(): number {
    return this.p;
  }
  get remaining(): number {
    return this.src.size - this.p;
  }

  /** An input error at byte `at` of the current section. */
  error(message: string, at = this.p, hint?: string): WordloomError {
    return new WordloomError('E_INPUT', `${this.section}, byte offset ${at}: ${message}`, { file: this.src.name }, hint);
  }

  /** The error for a file that ends before `need` more bytes of `what`. */
  cut(what: string, need: number): WordloomError {
    return this.error(
      `the file ends inside the ${what} (needs ${need} byte${need === 1 ? '' : 's'} at offset ${this.p}, the file has ${this.src.size})`,
      this.p,
      'the file is truncated (an interrupted download or copy?): fetch or write it again',
    );
  }

  private fill(n: number, what: string): number {
    if (this.p + n > this.src.size) throw this.cut(what, n);
    if (this.p < this.bufStart || this.p + n > this.bufEnd) {
      const len = Math.min(this.buf.length, this.src.size - this.p);
      const got = this.src.read(this.buf, 0, len, this.p);
      this.bufStart = this.p;
      this.bufEnd = this.p + got;
      if (got < n) throw this.cut(what, n);
    }
    const at = this.p - this.bufStart;
    this.p += n;
    return at;
  }

  uint8(what: string): number {
    return this.buf[this.fill(1, what)]!;
  }
  bool(what: string): boolean {
    const at = this.p;
    const v = this.uint8(what);
    if (v > 1) throw this.error(`${what} must be a boolean byte (0 or 1), found ${v}`, at);
    return v === 1;
  }
  int32(what: string): number {
    return this.view.getInt32(this.fill(4, what), true);
  }
  /** A signed 64-bit integer; fails unless it is within +-2^53. */
  int64(what: string): number {
    const at = this.p;
    const o = this.fill(8, what);
    const lo = this.view.getUint32(o, true);
    const hi = this.view.getInt32(o + 4, true);
    if (hi > 0x1fffff || hi < -0x200000) throw this.error(`${what} is ${this.view.getBigInt64(o, true)}, out of any model's range`, at);
    return hi * 4294967296 + lo;
  }
  float64(what: string): number {
    return this.view.getFloat64(this.fill(8, what), true);
  }

  /**
   * Bytes up to the next NUL (which is consumed); returns [start, end) into `out`
   * bytes appended by `sink`. Fails on a string longer than `maxLen`.
   */
  cstring(what: string, sink: (bytes: Uint8Array, start: number, end: number) => void, maxLen: number): void {
    const at = this.p;
    let len = 0;
    for (;;) {
      if (this.p >= this.src.size) {
        throw this.error(`the file ends inside the ${what} that starts at byte ${at} (no NUL byte ends it)`, this.p, 'the file is truncated (an interrupted download or copy?): fetch or write it again');
      }
      if (this.p < this.bufStart || this.p >= this.bufEnd) {
        const got = this.src.read(this.buf, 0, Math.min(this.buf.length, this.src.size - this.p), this.p);
        this.bufStart = this.p;
        this.bufEnd = this.p + got;
        if (got <= 0) throw this.cut(what, 1);
      }
      const s = this.p - this.bufStart;
      const lim = this.bufEnd - this.bufStart;
      let e = s;
      while (e < lim && this.buf[e] !== 0) e++;
      len += e - s;
      if (len > maxLen) throw this.error(`the ${what} starting here is longer than ${maxLen} bytes: not a fastText dictionary entry`, at);
      if (e > s) sink(this.buf, s, e);
      this.p += e - s;
      if (e < lim) {
        this.p += 1; // the NUL
        return;
      }
    }
  }

  /** Read `length` bytes into target (e.g. the bytes of a typed array), straight from the source past the buffer. */
  bytes(target: Uint8Array, what: string): void {
    const length = target.length;
    if (this.p + length > this.src.size) throw this.cut(what, length);
    let done = 0;
    // first whatever the buffer already holds
    if (this.p >= this.bufStart && this.p < this.bufEnd) {
      const n = Math.min(length, this.bufEnd - this.p);
      target.set(this.buf.subarray(this.p - this.bufStart, this.p - this.bufStart + n), 0);
      done = n;
    }
    if (done < length) {
      const got = this.src.read(target, done, length - done, this.p + done);
      if (got < length - done) {
        this.p += done + got;
        throw this.cut(what, length - done - got);
      }
    }
    this.p += length;
  }

  /** Move past `length` bytes (checked against the size). */
  skip(length: number, what: string): void {
    if (this.p + length > this.src.size) throw this.cut(what, length);
    this.p += length;
  }
}
