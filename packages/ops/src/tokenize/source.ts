/**
 * Reading a corpus as a stream of text lines: files, globs, .gz (detected by its
 * magic bytes) or standard input, decoded as UTF-8 incrementally with backpressure.
 * The whole text is never held in memory; at most one read block and one partial line.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { WordloomError } from '@wordloom/core';

export interface TextBlock {
  /** Complete lines joined by "\n" (without a trailing newline), possibly empty lines. */
  text: string;
  /** 1-based line number of the first line in `text`. */
  firstLine: number;
  /** Number of lines in `text`. */
  lines: number;
  /** Compressed/raw bytes consumed so far from this source. */
  bytesRead: number;
}

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

export async function openSource(file: string): Promise<{ stream: Readable; size: number; raw: Readable }> {
  if (file === '-') return { stream: process.stdin, raw: process.stdin, size: 0 };
  let st;
  try {
    st = await stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new WordloomError('E_FILE', code === 'ENOENT' ? 'the corpus file does not exist' : `cannot read the corpus file (${code})`, { file }, 'check the path (relative paths resolve against the pipeline file)');
  }
  if (st.isDirectory()) throw new WordloomError('E_FILE', 'is a directory, not a corpus file', { file }, 'name the files, or a glob such as dir/*.txt');
  try {
    const raw = createReadStream(file, { highWaterMark: 1 << 20 });
    if (await isGzip(file)) {
      const gz = createGunzip({ chunkSize: 1 << 20 });
      raw.on('error', (e) => gz.destroy(e));
      raw.pipe(gz);
      return { stream: gz, raw, size: st.size };
    }
    return { stream: raw, raw, size: st.size };
  } catch (e) {
    throw new WordloomError('E_FILE', `cannot read the corpus file: ${(e as Error).message}`, { file });
  }
}

/**
 * Yield blocks of complete lines. Validates UTF-8 (fatal decoding) unless
 * `replaceInvalid`, and rejects binary files (NUL bytes) with the line where found.
 */
export async function* readLines(file: string, replaceInvalid: boolean, signal?: AbortSignal): AsyncGenerator<TextBlock> {
  const { stream, raw, size } = await openSource(file);
  const decoder = new TextDecoder('utf-8', { fatal: !replaceInvalid, ignoreBOM: false });
  let carry = '';
  let line = 1;
  let rawBytes = 0;
  raw.on('data', (b: Buffer) => {
    rawBytes += b.length;
  });
  void size;
  try {
    for await (const buf of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      if (buf.indexOf(0) >= 0) {
        const before = carry + safeDecode(buf.subarray(0, buf.indexOf(0)));
        const at = line + countNewlines(before);
        throw new WordloomError('E_INPUT', 'the corpus contains a NUL byte: this looks like a binary file, not text', { file, line: at }, 'pass a UTF-8 text corpus (one document per line); .gz files are decompressed automatically');
      }
      let text: string;
      try {
        text = decoder.decode(buf, { stream: true });
      } catch {
        throw invalidUtf8(file, line, carry, buf);
      }
      const cut = text.lastIndexOf('\n');
      if (cut < 0) {
        carry += text;
        continue;
      }
      const block = carry + text.slice(0, cut);
      carry = text.slice(cut + 1);
      const n = countNewlines(block) + 1;
      yield { text: block, firstLine: line, lines: n, bytesRead: rawBytes };
      line += n;
    }
    let tail: string;
    try {
      tail = decoder.decode();
    } catch {
      throw invalidUtf8(file, line, carry, Buffer.alloc(0));
    }
    carry += tail;
    if (carry.length > 0) yield { text: carry, firstLine: line, lines: 1, bytesRead: rawBytes };
  } catch (e) {
    if (e instanceof WordloomError) throw e;
    const msg = (e as Error).message || String(e);
    if (/incorrect header|invalid|unexpected end/i.test(msg) && file.endsWith('.gz')) {
      throw new WordloomError('E_INPUT', `the gzip stream is damaged: ${msg}`, { file, line }, 'check the file with gzip -t');
    }
    throw new WordloomError('E_FILE', `reading failed: ${msg}`, { file, line });
  } finally {
    stream.destroy();
    if (raw !== stream) raw.destroy();
  }
}

function countNewlines(s: string): number {
  let n = 0;
  let i = -1;
  while ((i = s.indexOf('\n', i + 1)) >= 0) n++;
  return n;
}

function safeDecode(b: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(b);
}

function invalidUtf8(file: string, line: number, carry: string, buf: Buffer): WordloomError {
  // Find the first invalid position within this buffer to name the line.
  let bad = 0;
  let lo = 0;
  let hi = buf.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  bad = lo;
  const at = line + countNewlines(carry) + countNewlines(safeDecode(buf.subarray(0, bad)));
  return new WordloomError('E_INPUT', 'the corpus is not valid UTF-8', { file, line: at }, 'convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8), or set invalid_utf8: replace to substitute U+FFFD');
}
