/**
 * Counting co-occurrences on a Piscina pool.
 *
 * A segment of the rank stream is counted like this: the workers build a
 * positions index (the segment's token positions grouped by rank: a counting sort
 * over shared memory, in slices) and a compact copy of the ranks; the main thread
 * cuts the vocabulary into row ranges of about equal work and hands them out. A worker completes its rows one at a time
 * in a dense accumulator (see kernel.ts) and leaves them, sorted, in a staging
 * slot; the main thread appends finished ranges to the sink in row order. Nothing
 * needs merging: rows are disjoint and complete.
 *
 * When the positions index of the whole corpus would pass `memory_mb`, the corpus
 * is counted in segments; each segment's sorted records spill to a run file in
 * ctx.tmpDir, and the runs are merged (k-way, summing equal pairs) at the end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Piscina } from 'piscina';
import { DOC_END, WordloomError, sharedInt32, toShared } from '@wordloom/core';
import type { Cooccurrences } from '@wordloom/core';
import type { OpContext } from '../op.js';
import { writeCooccurrences } from '../io/cooc-bin.js';
import { MAX_COMPACT_VOCAB, growableShared, runIndexTask } from './kernel.js';
import type { CountResult, CountTask, GrowableShared, IndexTask } from './kernel.js';
import { MemorySink, RunWriter, mergeRuns } from './sinks.js';
import type { RecordSink } from './sinks.js';
import { resolveCooccurParams } from './params.js';
import type { CooccurParams } from './params.js';
import { workerPool } from '../kernels/pool.js';

const WORKER_URL = new URL('./worker.js', import.meta.url).href;

/** Row ranges per thread and segment: enough to balance the load and keep staging small. */
const PARTS_PER_THREAD = 32;

/** Finished row ranges that may wait for an earlier one, per thread (staging slots). */
const SLOTS_PER_THREAD = 4;

/**
 * Segments smaller than this build their positions index on the main thread;
 * larger ones in slices on the pool. While the pool's workers are still starting
 * (first use), the main thread builds indexes up to BIG_INDEX_TOKENS itself.
 */
const INLINE_INDEX_TOKENS = 1 << 16;
const BIG_INDEX_TOKENS = 1 << 22;

/** Largest segment (tokens): positions must index an Int32Array in a 4 GiB buffer. */
const MAX_SEGMENT_TOKENS = 2 ** 30 - 1;

/**
 * One pool per thread count, shared by all counts in the process so that
 * repeated counts do not start workers again. Idle workers exit after a few
 * seconds and never keep the process alive (Piscina unrefs idle workers).
 */
const pools = new Map<number, Piscina>();
/** Pools whose workers have run a task (started and compiled). */
const warmPools = new WeakSet<Piscina>();

function sharedPool(threads: number): Piscina {
  let p = pools.get(threads);
  if (!p) {
    // Workers start now (minThreads) and stay; idle ones never keep the process alive.
    // Tasks are short and never cancelled (an abort stops between tasks), so a
    // pool shared by several counts never has a worker torn down under it.
    p = workerPool(WORKER_URL, threads, 5000);
    p.on('error', () => {}); // a worker failure rejects its task; nothing else to do
    pools.set(threads, p);
  }
  return p;
}

/** How many shared cooccur worker pools are open (the cooccur op closes them when its last count ends). */
export function openCooccurPools(): number {
  return pools.size;
}

/** Stop the shared cooccur worker pools (a later count starts new ones). */
export async function closeCooccurPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.destroy()));
}

interface Slot {
  rowCounts: Int32Array;
  colBuf: GrowableShared;
  valBuf: GrowableShared;
}

function settingsOf(p: CooccurParams): NonNullable<Cooccurrences['settings']> {
  return { window: p.window, symmetric: p.symmetric, distanceWeighting: p.distance_weighting };
}

function checkVocabSize(vocabSize: number): void {
  if (!Number.isInteger(vocabSize) || vocabSize < 1 || vocabSize > 2 ** 31 - 2) {
    throw new WordloomError('E_PARAM', `vocabulary size must be a positive integer, got ${vocabSize}`, { param: 'vocabSize' }, 'pass vocab.size');
  }
}

/** Throw unless every value is DOC_END or a rank below vocabSize; returns the number of ranks (tokens). */
export function validateRanks(ranks: Int32Array, vocabSize: number, offset = 0): number {
  let tokens = 0;
  for (let i = 0; i < ranks.length; i++) {
    const r = ranks[i]!;
    if (r >= 0 && r < vocabSize) {
      tokens++;
    } else if (r !== DOC_END) {
      throw new WordloomError(
        'E_INPUT',
        `token ${offset + i} has rank ${r}, outside the vocabulary of ${vocabSize} words (ranks 0..${vocabSize - 1}, or ${DOC_END} for end of document)`,
        {},
        'the rank stream was made with a different vocabulary than the one given: count with the same vocabulary',
      );
    }
  }
  return tokens;
}

/**
 * The machinery shared by the in-memory and the streaming entry points: a pool,
 * reusable index and staging buffers, run files.
 */
export class CooccurEngine {
  readonly vocabSize: number;
  readonly params: CooccurParams;
  readonly ctx: OpContext;
  readonly threads: number;
  /** Tokens whose rows are complete (in the sink or a run), for progress. */
  tokensDone = 0;
  totalTokens: number | undefined;
  private pool: Piscina | undefined;
  private rowStart: Int32Array;
  private posBuf: GrowableShared | undefined;
  private compactBuf: GrowableShared | undefined;
  private counts: Int32Array | undefined;
  private slots: Slot[] = [];
  private runDir: string | undefined;
  private readonly runs: string[] = [];
  private records = 0;

  constructor(vocabSize: number, params: CooccurParams, ctx: OpContext, totalTokens?: number) {
    checkVocabSize(vocabSize);
    this.vocabSize = vocabSize;
    this.params = params;
    this.ctx = ctx;
    this.threads = Math.max(1, Math.floor(ctx.threads || 1));
    this.totalTokens = totalTokens;
    this.rowStart = sharedInt32(vocabSize + 1);
  }

  /**
   * Tokens per segment for the working memory of a token: its positions-index
   * entry (4 bytes), its compact copy (2 bytes, small vocabularies) and
   * `extraBytesPerToken` (a streaming buffer).
   */
  segmentTokens(extraBytesPerToken: number): number {
    const bytesPerToken = 4 + (this.vocabSize <= MAX_COMPACT_VOCAB ? 2 : 0) + extraBytesPerToken;
    const budget = this.params.memory_mb * 1024 * 1024;
    const min = 64 * this.params.window + 64;
    return Math.min(MAX_SEGMENT_TOKENS, Math.max(min, Math.floor(budget / bytesPerToken)));
  }

  get spilled(): boolean {
    return this.runs.length > 0;
  }

  /** Start the workers (if not yet running), e.g. while the input is read. */
  start(): void {
    this.getPool();
  }

  private getPool(): Piscina {
    this.pool ??= sharedPool(this.threads);
    return this.pool;
  }

  private report(phase: string): void {
    this.ctx.progress({
      phase,
      done: this.tokensDone,
      ...(this.totalTokens !== undefined ? { total: this.totalTokens } : {}),
      unit: 'tokens',
      metrics: { records: this.records, runs: this.runs.length },
    });
  }

  /**
   * Count the occurrences at positions a..b-1 of `ranks` (a shared array whose
   * other positions serve as context) into `sink`, rows in order.
   */
  async countSegment(ranks: Int32Array, a: number, b: number, sink: RecordSink): Promise<void> {
    const { window, symmetric, distance_weighting } = this.params;
    const V = this.vocabSize;
    const signal = this.ctx.signal;
    signal.throwIfAborted();
    const pool = this.getPool();

    // The kernel sees ranks ctxLo..ctxHi-1: the segment plus `window` tokens of context
    // on each side; with a vocabulary of at most 65535 words, as a compact Uint16
    // copy (half the cache footprint of the random reads).
    const ctxLo = Math.max(0, a - window);
    const ctxHi = Math.min(ranks.length, b + window);
    let compact: Uint16Array | null = null;
    if (V <= MAX_COMPACT_VOCAB) {
      this.compactBuf ??= growableShared(0);
      if (this.compactBuf.byteLength < (ctxHi - ctxLo) * 2) this.compactBuf.grow((ctxHi - ctxLo) * 2);
      compact = new Uint16Array(this.compactBuf, 0, ctxHi - ctxLo);
    }
    const kranks = compact ?? ranks.subarray(ctxLo, ctxHi);
    const { rowStart, pos } = await this.buildIndex(ranks, compact, ctxLo, a, b, ctxHi);
    const occurrences = rowStart[V]!;

    // Row ranges of about equal work (events + a small cost per row).
    const span = symmetric ? 2 * window : window;
    const perRow = 4;
    const nParts = Math.max(1, Math.min(V, this.threads * PARTS_PER_THREAD));
    const target = (occurrences * span + V * perRow) / nParts;
    const bounds: number[] = [0];
    let acc = 0;
    for (let r = 0; r < V; r++) {
      acc += (rowStart[r + 1]! - rowStart[r]!) * span + perRow;
      if (acc >= target && r + 1 < V) {
        bounds.push(r + 1);
        acc = 0;
      }
    }
    bounds.push(V);
    const parts = bounds.length - 1;
    let maxRows = 1;
    for (let k = 0; k < parts; k++) maxRows = Math.max(maxRows, bounds[k + 1]! - bounds[k]!);

    const nSlots = Math.min(parts, this.threads * SLOTS_PER_THREAD);
    while (this.slots.length < nSlots) {
      this.slots.push({ rowCounts: sharedInt32(maxRows), colBuf: growableShared(0), valBuf: growableShared(0) });
    }
    for (const s of this.slots) if (s.rowCounts.length < maxRows) s.rowCounts = sharedInt32(maxRows);

    const launch = (k: number, slot: Slot): Promise<CountResult> => {
      const task: CountTask = {
        kind: 'count',
        ranks: kranks,
        pos,
        rowStart,
        lo: bounds[k]!,
        hi: bounds[k + 1]!,
        vocabSize: V,
        window,
        symmetric,
        weighted: distance_weighting,
        rowCounts: slot.rowCounts,
        colBuf: slot.colBuf,
        valBuf: slot.valBuf,
      };
      return pool.run(task) as Promise<CountResult>;
    };

    const inflight = new Map<number, { slot: Slot; done: Promise<CountResult> }>();
    let next = 0;
    const dispatch = (slot: Slot): void => {
      const k = next++;
      const done = launch(k, slot);
      done.catch(() => {}); // failures are raised in order below
      inflight.set(k, { slot, done });
    };
    for (let s = 0; s < nSlots; s++) dispatch(this.slots[s]!);
    try {
      for (let k = 0; k < parts; k++) {
        signal.throwIfAborted();
        const { slot, done } = inflight.get(k)!;
        const res = await done;
        warmPools.add(pool);
        inflight.delete(k);
        const lo = bounds[k]!;
        const hi = bounds[k + 1]!;
        const n = res.records;
        await sink.appendRows(lo, slot.rowCounts, hi - lo, new Int32Array(slot.colBuf, 0, n), new Float64Array(slot.valBuf, 0, n), n);
        this.records += n;
        this.tokensDone += rowStart[hi]! - rowStart[lo]!;
        if (next < parts) dispatch(slot);
        this.report('counting');
      }
    } catch (e) {
      await Promise.allSettled([...inflight.values()].map((f) => f.done));
      if (signal.aborted) throw signal.reason ?? e;
      throw e;
    }
  }

  /**
   * The positions index of positions a..b-1 (a counting sort by rank, values
   * relative to lo) and the compact copy of lo..hi-1: in slices on the pool for a
   * large segment, inline for a small one.
   */
  private async buildIndex(
    ranks: Int32Array,
    compact: Uint16Array | null,
    lo: number,
    a: number,
    b: number,
    hi: number,
  ): Promise<{ rowStart: Int32Array; pos: Int32Array }> {
    const V = this.vocabSize;
    const pool = this.getPool();
    const tokens = b - a;
    const H = tokens >= BIG_INDEX_TOKENS || (tokens >= INLINE_INDEX_TOKENS && warmPools.has(pool)) ? this.threads : 1;
    if (!this.counts || this.counts.length < H * V) this.counts = sharedInt32(H * V);
    const counts = this.counts;
    counts.fill(0, 0, H * V);
    const cut = (h: number): number => a + Math.floor(((b - a) * h) / H);
    const tasks: IndexTask[] = [];
    for (let h = 0; h < H; h++) {
      tasks.push({
        kind: 'hist',
        ranks,
        compact,
        lo,
        from: cut(h),
        to: cut(h + 1),
        copyFrom: h === 0 ? lo : cut(h),
        copyTo: h === H - 1 ? hi : cut(h + 1),
        counts: counts.subarray(h * V, (h + 1) * V),
        pos: null,
      });
    }
    const runAll = async (): Promise<void> => {
      if (H === 1) runIndexTask(tasks[0]!);
      else await Promise.all(tasks.map((t) => pool.run(t)));
    };
    await runAll();
    const rowStart = this.rowStart;
    rowStart[0] = 0;
    for (let r = 0; r < V; r++) {
      let s = rowStart[r]!;
      for (let h = 0; h < H; h++) {
        const o = h * V + r;
        const c = counts[o]!;
        counts[o] = s;
        s += c;
      }
      rowStart[r + 1] = s;
    }
    const occurrences = rowStart[V]!;
    this.posBuf ??= growableShared(0);
    if (this.posBuf.byteLength < occurrences * 4) this.posBuf.grow(occurrences * 4);
    const pos = new Int32Array(this.posBuf, 0, occurrences);
    for (const t of tasks) {
      t.kind = 'scatter';
      t.pos = pos;
    }
    await runAll();
    return { rowStart, pos };
  }

  /** Count a segment into a new run file. */
  async spillSegment(ranks: Int32Array, a: number, b: number): Promise<void> {
    this.runDir ??= await mkdtemp(join(this.ctx.tmpDir, 'wordloom-cooccur-'));
    const file = join(this.runDir, `run-${String(this.runs.length).padStart(5, '0')}.bin`);
    const w = await RunWriter.create(file);
    const recordsBefore = this.records;
    try {
      await this.countSegment(ranks, a, b, w);
      await w.finish();
    } catch (e) {
      await w.abort();
      throw e;
    }
    this.records = recordsBefore + w.records;
    this.runs.push(file);
    this.ctx.log(`cooccur: segment of ${b - a} tokens spilled to ${file} (${w.records} records)`);
  }

  /** Merge all runs into the in-memory result. */
  async mergeAll(): Promise<Cooccurrences> {
    const sink = new MemorySink(this.vocabSize);
    let files = [...this.runs];
    // Merge at most FAN_IN runs at a time; wider inputs go through intermediate runs.
    const FAN_IN = 64;
    let level = 0;
    while (files.length > FAN_IN) {
      const merged: string[] = [];
      for (let g = 0; g < files.length; g += FAN_IN) {
        const group = files.slice(g, g + FAN_IN);
        const out = join(this.runDir!, `merge-${level}-${merged.length}.bin`);
        const w = await RunWriter.create(out);
        try {
          await mergeRuns(group, this.vocabSize, w, { signal: this.ctx.signal });
          await w.finish();
        } catch (e) {
          await w.abort();
          throw e;
        }
        for (const f of group) await rm(f, { force: true });
        merged.push(out);
      }
      files = merged;
      level++;
    }
    this.ctx.log(`cooccur: merging ${files.length} sorted runs`);
    await mergeRuns(files, this.vocabSize, sink, {
      signal: this.ctx.signal,
      progress: (read) => this.ctx.progress({ phase: 'merging', done: read, total: this.records, unit: 'records', metrics: { runs: files.length } }),
    });
    return sink.result(settingsOf(this.params));
  }

  async close(): Promise<void> {
    this.pool = undefined; // shared: its idle workers leave on their own
    if (this.runDir) await rm(this.runDir, { recursive: true, force: true });
    this.runDir = undefined;
  }
}

/**
 * Count co-occurrences of an in-memory rank stream: 0-based vocabulary ranks,
 * DOC_END (-1) after each document, out-of-vocabulary words already dropped.
 * `ranks` should live in a SharedArrayBuffer (it is copied once otherwise).
 * Returns the matrix sorted by (row, col); with `params.output`, also writes it
 * as a GloVe binary file.
 */
export async function countCooccurrences(
  ranks: Int32Array,
  vocabSize: number,
  params: Partial<CooccurParams>,
  ctx: OpContext,
): Promise<Cooccurrences> {
  const p = resolveCooccurParams(params);
  checkVocabSize(vocabSize);
  const shared = toShared(ranks);
  const engine = new CooccurEngine(vocabSize, p, ctx);
  engine.start(); // workers start while the ranks are checked
  let result: Cooccurrences;
  try {
    engine.totalTokens = validateRanks(shared, vocabSize);
    const seg = engine.segmentTokens(0);
    const N = shared.length;
    if (N <= seg) {
      const sink = new MemorySink(vocabSize);
      await engine.countSegment(shared, 0, N, sink);
      result = sink.result(settingsOf(p));
    } else {
      for (let a = 0; a < N; a += seg) await engine.spillSegment(shared, a, Math.min(N, a + seg));
      result = await engine.mergeAll();
    }
  } finally {
    await engine.close();
  }
  if (p.output) await writeOutput(result, p.output, ctx);
  return result;
}

async function writeOutput(result: Cooccurrences, output: string, ctx: OpContext): Promise<void> {
  const file = resolve(ctx.baseDir, output);
  ctx.progress({ phase: 'saving', done: 0, total: result.size, unit: 'records' });
  await writeCooccurrences(result, file, {
    signal: ctx.signal,
    progress: (done, total) => {
      if (done === total || (done & 0xfffff) === 0) ctx.progress({ phase: 'saving', done, total, unit: 'records' });
    },
  });
  ctx.log(`cooccur: wrote ${result.size} records to ${file}`);
}

/**
 * Counts a rank stream that arrives in pieces (a TokenStream, a corpus file),
 * holding at most one segment of it: ranks go to a shared buffer; when the buffer
 * reaches the segment size given by `memory_mb`, its tokens are counted into a
 * run on disk, keeping `window` tokens of context on each side of the cut, so a
 * cut in the middle of a document changes nothing. If the stream ends within the
 * first segment, it is counted straight into the result.
 */
export class RankStreamCounter {
  readonly vocabSize: number;
  readonly params: CooccurParams;
  private readonly engine: CooccurEngine;
  private readonly ctx: OpContext;
  private readonly segCap: number;
  private readonly buf: GrowableShared;
  private data: Int32Array;
  private filled = 0;
  /** First position of `data` not yet counted (earlier ones are left context). */
  private occStart = 0;
  private seen = 0;
  /** Words read (ids that are not DOC_END) and those kept (in the vocabulary). */
  private words = 0;
  private kept = 0;
  /** Words in the whole source, if known (progress estimates the in-vocabulary share). */
  private readonly sourceWords: number | undefined;

  constructor(vocabSize: number, params: Partial<CooccurParams>, ctx: OpContext, sourceWords?: number) {
    this.params = resolveCooccurParams(params);
    this.vocabSize = vocabSize;
    this.ctx = ctx;
    this.sourceWords = sourceWords;
    this.engine = new CooccurEngine(vocabSize, this.params, ctx);
    this.engine.start();
    // the streaming buffer holds 4 bytes a token
    this.segCap = this.engine.segmentTokens(4);
    this.buf = growableShared(0, Math.min(2 ** 32, this.segCap * 4));
    this.data = new Int32Array(this.buf, 0, 0);
  }

  /**
   * Append ids. With `map`, ids are dictionary ids mapped to ranks by map[id]
   * (-1: out of vocabulary, dropped; `mapped` entries are valid); without it ids
   * are ranks. DOC_END passes through.
   */
  async push(ids: Int32Array, map?: Int32Array, mapped = map ? map.length : 0): Promise<void> {
    let i = 0;
    while (i < ids.length) {
      i = map ? this.fillMapped(ids, i, map, mapped) : this.fillRanks(ids, i);
      if (i < ids.length) await this.makeRoom();
    }
  }

  private fillRanks(ids: Int32Array, i: number): number {
    const data = this.data;
    const cap = data.length;
    const V = this.vocabSize;
    const from = i;
    let f = this.filled;
    for (; i < ids.length && f < cap; i++) {
      const r = ids[i]!;
      if (r >= V || r < DOC_END) validateRanks(ids.subarray(i, i + 1), V, this.seen + (i - from));
      if (r >= 0) this.kept++;
      data[f++] = r;
    }
    this.seen += i - from;
    this.words = this.kept;
    this.filled = f;
    return i;
  }

  private fillMapped(ids: Int32Array, i: number, map: Int32Array, mapped: number): number {
    const data = this.data;
    const cap = data.length;
    let f = this.filled;
    let words = 0;
    let kept = 0;
    for (; i < ids.length && f < cap; i++) {
      const id = ids[i]!;
      if (id < 0) {
        if (id !== DOC_END) throw new WordloomError('E_INPUT', `token id ${id} is neither a dictionary id nor DOC_END`, {}, 'the token stream is corrupt');
        data[f++] = DOC_END;
      } else {
        if (id >= mapped) throw new WordloomError('E_INPUT', `token id ${id} is not in the dictionary (${mapped} words)`, {}, 'the token stream and its dictionary do not match');
        const r = map[id]!;
        words++;
        if (r >= 0) {
          data[f++] = r;
          kept++;
        }
      }
    }
    this.words += words;
    this.kept += kept;
    this.filled = f;
    return i;
  }

  private async makeRoom(): Promise<void> {
    if (this.data.length < this.segCap) {
      const want = Math.min(this.segCap, Math.max(1 << 16, this.data.length * 2));
      this.buf.grow(want * 4);
      this.data = new Int32Array(this.buf, 0, want);
      return;
    }
    // Full: count all but the last `window` tokens, keep 2*window as context.
    if (this.sourceWords !== undefined && this.words > 0) {
      this.engine.totalTokens = Math.round((this.sourceWords * this.kept) / this.words);
    }
    const W = this.params.window;
    const end = this.filled - W;
    await this.engine.spillSegment(this.data.subarray(0, this.filled), this.occStart, end);
    const keep = end - W;
    this.data.copyWithin(0, keep, this.filled);
    this.filled -= keep;
    this.occStart = end - keep;
  }

  /** Count what remains and return the result (also written to `output` if set). */
  async finish(): Promise<Cooccurrences> {
    this.engine.totalTokens = this.kept;
    const view = this.data.subarray(0, this.filled);
    let result: Cooccurrences;
    if (!this.engine.spilled) {
      const sink = new MemorySink(this.vocabSize);
      await this.engine.countSegment(view, this.occStart, this.filled, sink);
      result = sink.result(settingsOf(this.params));
    } else {
      await this.engine.spillSegment(view, this.occStart, this.filled);
      result = await this.engine.mergeAll();
    }
    await this.engine.close();
    if (this.params.output) await writeOutput(result, this.params.output, this.ctx);
    return result;
  }

  /** Release the pool and temporary files (safe to call after finish or on error). */
  close(): Promise<void> {
    return this.engine.close();
  }
}
