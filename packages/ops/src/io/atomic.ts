/**
 * Write files so that nothing half-written looks complete: write to a temporary
 * name in the same directory, then rename over the target.
 */
import { open, rename, rm, mkdir, readdir, stat } from 'node:fs/promises';
import { accessSync, constants, mkdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { WordloomError } from '@wordloom/core';

/* ---------------------------------------------------------------- temporaries */

/** Temporary files and directories of this process that are still in use. */
const temporaries = new Set<string>();

/** Note a temporary file or directory, so that removeTemporariesSync removes it if the process must exit early. */
export function registerTemporary(path: string): void {
  temporaries.add(path);
}

/** The temporary is gone (committed, renamed or removed): forget it. */
export function unregisterTemporary(path: string): void {
  temporaries.delete(path);
}

/** Remove every registered temporary now (for a process that exits on a signal). Best effort. */
export function removeTemporariesSync(): void {
  for (const p of temporaries) {
    try {
      rmSync(p, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
  temporaries.clear();
}

/** Whether a process with this id runs (on this machine). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the temporaries that writers of `file` in processes that no longer run
 * left behind (".name.tmp-PID-TIME", see openAtomic). Those of live processes stay.
 */
export async function removeStaleTemporaries(file: string): Promise<string[]> {
  const dir = dirname(file);
  const prefix = `.${basename(file)}.tmp-`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)-\d+$/.exec(name.slice(prefix.length));
    if (!m || processAlive(Number(m[1]))) continue;
    try {
      await rm(join(dir, name), { force: true });
      removed.push(join(dir, name));
    } catch {
      /* someone else's problem: leave it */
    }
  }
  return removed;
}

/* ---------------------------------------------------------------- output paths */

/**
 * Why `file` cannot be written, or undefined when it can: the path is not a
 * directory, no file stands where one of its directories must be, and the nearest
 * existing directory lets us create entries (tried by making and removing a probe
 * directory there, since permission bits do not tell: /proc looks writable to
 * root). Makes nothing that stays.
 */
export function outputPathProblem(file: string): { message: string; hint: string } | undefined {
  const abs = resolve(file);
  try {
    if (statSync(abs).isDirectory()) return { message: `the output "${file}" is a directory`, hint: 'name a file, e.g. ' + join(file, 'out.txt') };
  } catch {
    /* does not exist yet: fine */
  }
  let dir = dirname(abs);
  for (;;) {
    let st;
    try {
      st = statSync(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        const up = dirname(dir);
        if (up === dir) return { message: `cannot create the directory of the output "${file}"`, hint: 'check the path' };
        dir = up;
        continue;
      }
      if (code === 'ENOTDIR') {
        dir = dirname(dir);
        continue;
      }
      return { message: `cannot use the directory ${dir} for the output "${file}": ${code ?? (e as Error).message}`, hint: 'check the path and its permissions' };
    }
    if (!st.isDirectory()) {
      return { message: `the output "${file}" needs ${dir} to be a directory, but it is a file`, hint: 'choose another path, or move that file away' };
    }
    break;
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    const probe = join(dir, `.wordloom-probe-${process.pid}-${Date.now()}`);
    mkdirSync(probe);
    rmdirSync(probe);
  } catch (e) {
    return {
      message: `cannot write the output "${file}": cannot create entries in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      hint: 'choose a directory you can write to',
    };
  }
  return undefined;
}

/**
 * mkdir -p without Node's recursive mkdir, which never returns for some paths
 * (under /proc it retries forever): each missing directory is made in turn and
 * the first failure is an error naming it.
 */
export async function makeDirectory(dir: string, forFile?: string): Promise<void> {
  const abs = resolve(dir);
  const missing: string[] = [];
  let d = abs;
  for (;;) {
    try {
      const st = await stat(d);
      if (!st.isDirectory()) {
        throw new WordloomError('E_FILE', `${d} is a file, but the output needs it to be a directory`, { file: forFile ?? dir }, 'choose another path, or move that file away');
      }
      break;
    } catch (e) {
      if (e instanceof WordloomError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      const up = dirname(d);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || up === d) {
        throw new WordloomError('E_FILE', `cannot create the directory for the output: ${code ?? (e as Error).message} on ${d}`, { file: forFile ?? dir });
      }
      missing.push(d);
      d = up;
    }
  }
  for (const m of missing.reverse()) {
    try {
      await mkdir(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new WordloomError('E_FILE', `cannot create the directory ${m} for the output: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: forFile ?? dir }, 'choose a directory you can write to');
    }
  }
}

/* ---------------------------------------------------------------- writers */

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
  await makeDirectory(dirname(file), file);
  try {
    if ((await stat(file)).isDirectory()) throw new WordloomError('E_FILE', 'the output is a directory', { file }, 'name a file');
  } catch (e) {
    if (e instanceof WordloomError) throw e;
  }
  await removeStaleTemporaries(file);
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}-${Date.now()}`);
  let fh;
  try {
    fh = await open(tmp, 'w');
  } catch (e) {
    throw new WordloomError('E_FILE', `cannot write the output: ${(e as Error).message}`, { file }, 'check that the directory exists and is writable');
  }
  registerTemporary(tmp);
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
        unregisterTemporary(tmp);
      } catch (e) {
        await rm(tmp, { force: true });
        unregisterTemporary(tmp);
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
      unregisterTemporary(tmp);
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
