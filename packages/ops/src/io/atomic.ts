/**
 * Write files so that nothing half-written looks complete: write to a temporary
 * name in the same directory, then rename over the target.
 */
import { open, rename, rm, mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { WordloomError } from '@wordloom/core';

export interface AtomicWriter {
  /** Append bytes or a string (UTF-8). */
  write(chunk: Uint8Array | string): Promise<void>;
  /** Flush, close and rename into place. */
  commit(): Promise<void>;
  /** Close and delete the temporary file. */
  abort(): Promise<void>;
}

const BUFFER = 1 << 20;

export async function openAtomic(file: string): Promise<AtomicWriter> {
  try {
    await mkdir(dirname(file), { recursive: true });
  } catch (e) {
    throw new WordloomError('E_FILE', `cannot create the directory for the output: ${(e as Error).message}`, { file });
  }
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}-${Date.now()}`);
  let fh;
  try {
    fh = await open(tmp, 'w');
  } catch (e) {
    throw new WordloomError('E_FILE', `cannot write the output: ${(e as Error).message}`, { file }, 'check that the directory exists and is writable');
  }
  const buf = Buffer.allocUnsafe(BUFFER);
  let used = 0;
  let done = false;
  const flush = async (): Promise<void> => {
    let off = 0;
    while (off < used) {
      const { bytesWritten } = await fh.write(buf, off, used - off);
      off += bytesWritten;
    }
    used = 0;
  };
  const writeBytes = async (b: Uint8Array): Promise<void> => {
    if (b.length >= BUFFER) {
      await flush();
      let off = 0;
      while (off < b.length) {
        const { bytesWritten } = await fh.write(b, off, b.length - off);
        off += bytesWritten;
      }
      return;
    }
    if (used + b.length > BUFFER) await flush();
    buf.set(b, used);
    used += b.length;
  };
  return {
    async write(chunk) {
      if (done) throw new WordloomError('E_STATE', 'write after commit/abort', { file });
      try {
        if (typeof chunk === 'string') {
          if (chunk.length * 3 <= BUFFER - used) {
            used += buf.write(chunk, used, 'utf8');
          } else {
            await writeBytes(Buffer.from(chunk, 'utf8'));
          }
        } else {
          await writeBytes(chunk);
        }
      } catch (e) {
        // A full disk or a file-size limit while writing: name the file, as commit() does.
        throw new WordloomError('E_FILE', `could not finish writing: ${(e as Error).message}`, { file });
      }
    },
    async commit() {
      if (done) return;
      done = true;
      try {
        await flush();
        await fh.close();
        await rename(tmp, file);
      } catch (e) {
        await rm(tmp, { force: true });
        throw new WordloomError('E_FILE', `could not finish writing: ${(e as Error).message}`, { file });
      }
    },
    async abort() {
      if (done) return;
      done = true;
      try {
        await fh.close();
      } catch {
        /* already closed */
      }
      await rm(tmp, { force: true });
    },
  };
}

/** Run `fill` against an atomic writer; commit on success, abort on error. */
export async function writeAtomic(file: string, fill: (w: AtomicWriter) => Promise<void>): Promise<void> {
  const w = await openAtomic(file);
  try {
    await fill(w);
  } catch (e) {
    await w.abort();
    throw e;
  }
  await w.commit();
}
