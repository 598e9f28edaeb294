/**
 * The artifact cache: node outputs kept between runs, so that a rerun computes
 * only the nodes whose key changed. A node's key hashes its op and op version, its
 * params, its seed and threads, the keys of the nodes that feed it and the contents
 * of the files it reads; an output stored under that key is the output the node
 * would compute again.
 *
 * Only outputs with a file format the project already reads and writes are kept:
 * vocab (GloVe vocab.txt), cooccurrences (GloVe's binary records) and vectors
 * (word2vec binary, exact for float32). An entry is a directory
 * `entries/<key>/` holding the artifact and `meta.json`; it is written under a
 * temporary name and renamed into place, so an entry is either whole or absent.
 * The modification time of meta.json is the entry's last use (gc removes the
 * least recently used first).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Embeddings, Vocab, WordloomError, type Cooccurrences } from '@wordloom/core';
import type { ArtifactKind } from '@wordloom/ops';
import { processAlive, readCooccurrences, readVectors, readVocabFile, writeCooccurrences, writeVectors, writeVocabFile } from '@wordloom/ops';

/** Bumped when the layout of entries or the making of keys changes (older entries are then never matched). */
export const CACHE_FORMAT = 1;
const FORMAT = CACHE_FORMAT;

/** Artifact kinds the cache keeps. */
export const CACHED_KINDS: readonly ArtifactKind[] = ['vocab', 'cooccurrences', 'vectors'];

const FILE_OF: Record<string, string> = { vocab: 'vocab.txt', cooccurrences: 'cooccurrences.bin', vectors: 'vectors.bin' };

/** An output file a node wrote, as it was when the node finished. */
export interface OutputFileRecord {
  param: string;
  path: string;
  size: number;
  mtimeMs: number;
}

export interface CacheEntryMeta {
  format: number;
  key: string;
  kind: ArtifactKind;
  op: string;
  node: string;
  pipeline: string;
  /** When it was stored (epoch ms). */
  created: number;
  /** Bytes of the artifact file. */
  bytes: number;
  /** Co-occurrences: the vocabulary size and counting settings the file does not hold. */
  vocabSize?: number;
  settings?: Cooccurrences['settings'];
  /** Files the node wrote (its output params): a cached node whose files changed runs again. */
  outputs: OutputFileRecord[];
}

export interface CacheEntry extends CacheEntryMeta {
  dir: string;
  /** Last use (epoch ms). */
  used: number;
}

/**
 * Where the cache lives: WORDLOOM_CACHE (a directory, or "off"), else
 * $XDG_CACHE_HOME/wordloom, else ~/.cache/wordloom. Undefined when it is off.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env.WORDLOOM_CACHE;
  if (v !== undefined && v !== '') return isOff(v) ? undefined : resolve(v);
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && xdg !== '' ? resolve(xdg) : join(homedir(), '.cache'), 'wordloom');
}

/**
 * The cache directory of a run, or undefined for no cache. In order: `choice`
 * (false: none; a string: that directory), WORDLOOM_CACHE (a directory, or off),
 * the pipeline's `cache:` (false: none; a string: a directory relative to the
 * pipeline file), then $XDG_CACHE_HOME/wordloom or ~/.cache/wordloom.
 */
export function cacheDirFor(spec: { cache?: boolean | string; baseDir?: string }, choice?: boolean | string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (choice === false) return undefined;
  if (typeof choice === 'string') return resolve(choice);
  const e = env.WORDLOOM_CACHE;
  if (e !== undefined && e !== '') return isOff(e) ? undefined : resolve(e);
  if (spec.cache === false) return undefined;
  if (typeof spec.cache === 'string') return resolve(spec.baseDir ?? process.cwd(), spec.cache);
  return defaultCacheDir(env);
}

export function isOff(v: string): boolean {
  return /^(off|false|no|0|none)$/i.test(v.trim());
}

/** Can a value of this kind be stored? (Vectors with an `oov` function, vocabularies with line breaks, ... cannot.) */
export function storable(kind: ArtifactKind, value: unknown): boolean {
  if (kind === 'vocab') {
    if (!(value instanceof Vocab) || Object.getPrototypeOf(value) !== Vocab.prototype) return false;
    return value.size > 0 && value.words.every((w) => w !== '' && !/[\n\r]/.test(w));
  }
  if (kind === 'vectors') {
    if (!(value instanceof Embeddings) || Object.getPrototypeOf(value) !== Embeddings.prototype || typeof value.oov === 'function') return false;
    const seen = new Set<string>();
    for (const w of value.words) {
      if (w === '' || /[ \t\n\r]/.test(w) || seen.has(w)) return false;
      seen.add(w);
    }
    return value.size > 0;
  }
  if (kind === 'cooccurrences') {
    const c = value as Cooccurrences;
    if (typeof c !== 'object' || c === null) return false;
    const allowed = new Set(['vocabSize', 'size', 'row', 'col', 'val', 'settings']);
    if (!Object.keys(c).every((k) => allowed.has(k))) return false;
    return c.row instanceof Int32Array && c.col instanceof Int32Array && c.val instanceof Float64Array && c.row.length === c.size && c.size > 0;
  }
  return false;
}

export class ArtifactCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  private get entriesDir(): string {
    return join(this.dir, 'entries');
  }

  private entryDir(key: string): string {
    return join(this.entriesDir, key);
  }

  /** The entry stored under `key`, or undefined (an entry of another format, or damaged, counts as absent). */
  lookup(key: string): CacheEntry | undefined {
    return readEntry(this.entryDir(key));
  }

  /** The directory a node keeps its resume checkpoints in (made by the op when it writes one). */
  checkpointDir(key: string): string {
    return join(this.dir, 'checkpoints', key);
  }

  /** Remove a node's resume checkpoints (best effort). */
  removeCheckpoints(key: string): void {
    try {
      rmSync(this.checkpointDir(key), { recursive: true, force: true });
    } catch {
      /* a read-only cache: they stay */
    }
  }

  /** Resume checkpoints left by runs that did not finish: one per node key, with their bytes. */
  checkpoints(): { key: string; dir: string; bytes: number; modified: number }[] {
    const root = join(this.dir, 'checkpoints');
    let names: string[];
    try {
      names = readdirSync(root);
    } catch {
      return [];
    }
    const out: { key: string; dir: string; bytes: number; modified: number }[] = [];
    for (const key of names) {
      const dir = join(root, key);
      let bytes = 0;
      let modified = 0;
      try {
        for (const f of readdirSync(dir)) {
          const st = statSync(join(dir, f));
          bytes += st.size;
          modified = Math.max(modified, st.mtimeMs);
        }
      } catch {
        continue;
      }
      out.push({ key, dir, bytes, modified });
    }
    return out.sort((a, b) => b.modified - a.modified);
  }

  /** Read an entry's artifact and mark it used. */
  async load(entry: CacheEntry, signal?: AbortSignal): Promise<unknown> {
    const file = join(entry.dir, FILE_OF[entry.kind]!);
    let value: unknown;
    if (entry.kind === 'vocab') value = await readVocabFile(file);
    else if (entry.kind === 'vectors') value = await readVectors(file, { format: 'word2vec-binary' });
    else {
      const c = await readCooccurrences(file, { vocabSize: entry.vocabSize, signal });
      value = entry.settings ? { ...c, settings: entry.settings } : c;
    }
    touch(join(entry.dir, 'meta.json'));
    return value;
  }

  /** Store an output under `key` (whole or not at all). Returns the entry, or undefined when the value cannot be stored. */
  async store(meta: Omit<CacheEntryMeta, 'format' | 'bytes' | 'created' | 'vocabSize' | 'settings'>, value: unknown, signal?: AbortSignal): Promise<CacheEntry | undefined> {
    if (!CACHED_KINDS.includes(meta.kind) || !storable(meta.kind, value)) return undefined;
    const tmpRoot = join(this.dir, 'tmp');
    mkdirSync(tmpRoot, { recursive: true });
    mkdirSync(this.entriesDir, { recursive: true });
    const tmp = join(tmpRoot, `${meta.key.slice(0, 16)}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(tmp);
    try {
      const file = join(tmp, FILE_OF[meta.kind]!);
      const full: CacheEntryMeta = { format: FORMAT, ...meta, created: Date.now(), bytes: 0 };
      if (meta.kind === 'vocab') await writeVocabFile(value as Vocab, file);
      else if (meta.kind === 'vectors') await writeVectors(value as Embeddings, file, 'word2vec-binary');
      else {
        const c = value as Cooccurrences;
        await writeCooccurrences(c, file, { signal });
        full.vocabSize = c.vocabSize;
        if (c.settings) full.settings = { ...c.settings };
      }
      full.bytes = statSync(file).size;
      await writeFile(join(tmp, 'meta.json'), JSON.stringify(full, null, 1) + '\n');
      const target = this.entryDir(meta.key);
      if (existsSync(target)) rmSync(target, { recursive: true, force: true });
      renameSync(tmp, target);
      return readEntry(target);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** File hashes remembered by path, size, modification time and inode (see FileHashes). */
  fileHashes(): FileHashes {
    return new FileHashes(join(this.dir, 'file-hashes.json'));
  }

  /** Every entry, most recently used first. */
  list(): CacheEntry[] {
    let names: string[];
    try {
      names = readdirSync(this.entriesDir);
    } catch {
      return [];
    }
    const out: CacheEntry[] = [];
    for (const n of names) {
      const e = readEntry(join(this.entriesDir, n));
      if (e) out.push(e);
    }
    return out.sort((a, b) => b.used - a.used);
  }

  /** Bytes of all entries. */
  size(): number {
    return this.list().reduce((s, e) => s + e.bytes, 0);
  }

  /** Remove every entry (and temporary files). Returns the number of entries and bytes removed. */
  clear(): { entries: number; bytes: number } {
    const all = this.list();
    rmSync(this.entriesDir, { recursive: true, force: true });
    rmSync(join(this.dir, 'checkpoints'), { recursive: true, force: true });
    rmSync(join(this.dir, 'tmp'), { recursive: true, force: true });
    rmSync(join(this.dir, 'file-hashes.json'), { force: true });
    return { entries: all.length, bytes: all.reduce((s, e) => s + e.bytes, 0) };
  }

  /**
   * Remove the least recently used entries until the rest fit in `maxBytes`; also
   * damaged entries and the temporary files of processes that no longer run.
   */
  gc(maxBytes: number): { removed: CacheEntry[]; kept: number; bytes: number } {
    // Temporary directories of dead writers.
    try {
      for (const n of readdirSync(join(this.dir, 'tmp'))) {
        const m = /^[0-9a-f]+-(\d+)-/.exec(n);
        if (!m || !processAlive(Number(m[1]))) rmSync(join(this.dir, 'tmp', n), { recursive: true, force: true });
      }
    } catch {
      /* no tmp directory */
    }
    try {
      for (const n of readdirSync(this.entriesDir)) if (!readEntry(join(this.entriesDir, n))) rmSync(join(this.entriesDir, n), { recursive: true, force: true });
    } catch {
      /* no entries */
    }
    const all = this.list(); // most recent first
    let total = 0;
    const removed: CacheEntry[] = [];
    for (const e of all) {
      if (total + e.bytes <= maxBytes) total += e.bytes;
      else {
        rmSync(e.dir, { recursive: true, force: true });
        removed.push(e);
      }
    }
    return { removed, kept: all.length - removed.length, bytes: total };
  }
}

function readEntry(dir: string): CacheEntry | undefined {
  try {
    const metaFile = join(dir, 'meta.json');
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as CacheEntryMeta;
    if (meta.format !== FORMAT || typeof meta.key !== 'string' || !FILE_OF[meta.kind]) return undefined;
    const st = statSync(join(dir, FILE_OF[meta.kind]!));
    if (st.size !== meta.bytes) return undefined;
    return { ...meta, outputs: meta.outputs ?? [], dir, used: statSync(metaFile).mtimeMs };
  } catch {
    return undefined;
  }
}

function touch(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    /* a read-only cache still serves */
  }
}

/**
 * SHA-256 of files, remembered between runs under their path, size, modification
 * time and inode, so that an unchanged large corpus is not read again to recognise
 * it. A file modified less than 2 s before it was hashed is not remembered (a write
 * within the same timestamp tick could go unseen).
 */
export class FileHashes {
  private known: Record<string, { size: number; mtimeMs: number; ino: number; hash: string }> = {};
  private changed = false;

  constructor(private readonly file: string) {
    try {
      const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) this.known = v as FileHashes['known'];
    } catch {
      /* none yet, or damaged: hash again */
    }
  }

  async of(path: string): Promise<string> {
    const st = statSync(path);
    const k = this.known[path];
    if (k && k.size === st.size && k.mtimeMs === st.mtimeMs && k.ino === st.ino && typeof k.hash === 'string') return k.hash;
    const started = Date.now();
    const hash = await hashFile(path);
    if (st.mtimeMs < started - 2000) {
      this.known[path] = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, hash };
      this.changed = true;
    } else if (k) {
      delete this.known[path];
      this.changed = true;
    }
    return hash;
  }

  /** Write what was learnt (atomically: a temporary file renamed into place); best effort. */
  save(): void {
    if (!this.changed) return;
    this.changed = false;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp-${process.pid}`;
      writeFileSync(tmp, JSON.stringify(this.known) + '\n');
      renameSync(tmp, this.file);
    } catch {
      /* a read-only cache: hash again next time */
    }
  }
}

/** SHA-256 of a file's contents (hex). */
export function hashFile(file: string): Promise<string> {
  return new Promise((res, rej) => {
    const h = createHash('sha256');
    const s = createReadStream(file);
    s.on('data', (b) => h.update(b));
    s.on('error', rej);
    s.on('end', () => res(h.digest('hex')));
  });
}

export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** "1.5G", "200M", "10k", "123" -> bytes. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(text);
  if (!m) throw new WordloomError('E_PARAM', `expected a size such as 500M or 2G, got ${JSON.stringify(text)}`, { param: 'max-size' });
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(m[1]) * mult);
}
