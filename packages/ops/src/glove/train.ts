/**
 * GloVe training (Pennington, Socher and Manning, 2014) as Stanford's `glove`
 * tool defines it: weighted least squares on log co-occurrences with separate word
 * and context vectors and biases, trained by AdaGrad, threads updating the shared
 * parameters without locks (Hogwild).
 *
 * How it runs: the parameters and the training records live in one shared
 * WebAssembly memory (layout.ts); a Piscina pool of `threads` workers each owns a
 * share of the records and runs the SIMD kernel (kernel.ts) over it once per
 * iteration, in a fresh random order every time. The main thread packs the
 * co-occurrences into records (pack.ts; no worker sees the matrix, so letting it go
 * frees it at once), then only starts the passes, sums the costs and reports
 * progress.
 *
 * Differences from glove.c, none of which changes the model: parameters are
 * float32 (glove.c: double), which halves the memory traffic that bounds the
 * speed; one pass agrees with a double-precision transliteration of glove.c to
 * about 5e-7 of the largest value (see the tests), and on WikiText-2 the cost after
 * 15 iterations matches the reference tool's. glove.c reads a file that `shuffle`
 * permuted once; here every iteration visits the records in a fresh random order
 * (kernel.ts). Records are dealt to the workers round-robin instead of in
 * contiguous runs of the file.
 *
 * Resume: given a checkpoint directory (the pipeline's cache gives one per node
 * key), training writes the whole state after an iteration every `resume_every`
 * iterations or `resume_minutes` minutes (parameters with their AdaGrad sums, the
 * records in the order the last pass scattered them, the costs so far; the seeds of
 * a pass derive from the seed and the iteration), and a later run of the same node
 * goes on from the last one. With one thread the vectors are then bit-identical to
 * those of a run never stopped.
 */
import { fileURLToPath } from 'node:url';
import { extname, isAbsolute, resolve } from 'node:path';
import { Piscina } from 'piscina';
import { Embeddings, Rng, WordloomError, releaseCooccurrences, sharedFloat32, type Cooccurrences, type Vocab } from '@wordloom/core';
import { standaloneContext, type OpContext } from '../op.js';
import { writeVectors, type VectorsFormat } from '../io/vectors.js';
import { checkpointFile, loadCheckpoint, passRng, writeCheckpoint } from '../io/checkpoint.js';
import { kernelModule } from './kernel.js';
import { packRecords } from './pack.js';
import { makeLayout, type GloveLayout } from './layout.js';
import { resolveGloveParams, type GloveParams, type GloveSave } from './params.js';
import { wasm, type WasmMemory } from '../kernels/wasm-asm.js';
import type { EpochResult, EpochTask, ScatterTask } from './worker.js';
import { workerPool } from '../kernels/pool.js';

/** Access to the trained parameters, in glove.c's layout. */
export interface GloveModel {
  readonly dim: number;
  readonly vocabSize: number;
  /** Word vectors with their bias: vocabSize rows of dim + 1 values (glove.c's W, first half). */
  wordParameters(): Float32Array;
  /** Context vectors with their bias: vocabSize rows of dim + 1 values (glove.c's W, second half). */
  contextParameters(): Float32Array;
  /**
   * The vectors as `save` chooses (word + context summed, or word only), one per
   * vocabulary word; with `unk`, then an "<unk>" vector, the mean of the 100 rarest
   * words' (all words' when there are fewer), as glove.c appends when saving.
   */
  vectors(save?: GloveSave, unk?: boolean): Embeddings;
}

export interface GloveResult {
  embeddings: Embeddings;
  /** Cost of each iteration: sum of 0.5 f(x) (w·c + bw + bc - log x)^2 over the records, divided by their number (as glove.c prints it). */
  costs: number[];
  /** Wall-clock seconds of each iteration. */
  seconds: number[];
  /** Why training stopped. */
  stopped: 'max_iter' | 'tolerance';
  /** Seconds spent packing the records before the first iteration. */
  setupSeconds: number;
  model: GloveModel;
  /** Files written (vectors and checkpoints). */
  files: string[];
  /** The iteration whose resume checkpoint training went on from (0: trained from the start). */
  resumedFrom: number;
}

/** Training counts as diverged when the cost exceeds this multiple of the all-zero model's cost. */
const DIVERGED_FACTOR = 100;
const WORKER_URL = new URL('./worker.js', import.meta.url);
let jobCounter = 0;

/**
 * Train GloVe vectors on a co-occurrence matrix. `params` are the op's params
 * (defaults filled in and checked here); `ctx` gives threads, seed, progress and
 * cancellation.
 */
export async function trainGlove(
  cooc: Cooccurrences,
  vocab: Vocab,
  params: Partial<GloveParams> = {},
  ctx: OpContext = standaloneContext(),
): Promise<GloveResult> {
  const p = resolveGloveParams(params);
  const threads = p.threads ?? ctx.threads;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new WordloomError('E_PARAM', `threads must be an integer >= 1, got ${threads}`, { node: ctx.node, param: 'threads' });
  }
  const seed = p.seed ?? ctx.seed;
  const dim = p.vector_size;
  const V = vocab.size;
  checkInputs(cooc, vocab, ctx);
  if (p.unk_vector && vocab.has('<unk>')) {
    throw new WordloomError(
      'E_INPUT',
      'the vocabulary already has the word "<unk>", so unk_vector cannot add one',
      { node: ctx.node, param: 'unk_vector', word: '<unk>' },
      'rename the token in the corpus (tokenize replace: {"<unk>": "unk"}), or set unk_vector: false',
    );
  }
  const n = cooc.size;
  if (n === 0) {
    throw new WordloomError('E_INPUT', 'there are no co-occurrences to train on', { node: ctx.node }, 'check the corpus and the vocabulary (min_count may drop every word)');
  }

  const layout = makeLayout(dim, V, n, Math.min(threads, n));
  let memory: WasmMemory;
  try {
    memory = new wasm.Memory({ initial: layout.pages, maximum: layout.pages, shared: true });
  } catch (e) {
    throw new WordloomError(
      'E_INPUT',
      `cannot allocate ${(layout.bytes / 2 ** 20).toFixed(0)} MB for the model and the ${n} co-occurrence records: ${(e as Error).message}`,
      { node: ctx.node },
      'raise min_count or lower window (fewer records) or vector_size (smaller rows)',
      { cause: e },
    );
  }
  const module = kernelModule(layout);
  const rng = new Rng(seed);
  initParameters(memory, layout, rng);
  const job = ++jobCounter;
  const files: string[] = [];
  const outputs = p.output === undefined ? [] : outputFiles(p.output, p.formats, ctx.baseDir);

  const pool = workerPool(WORKER_URL, layout.shares.length);
  const model = makeModel(memory, layout, vocab);
  // Workers look at this flag between kernel calls, so cancelling stops an iteration
  // within a few milliseconds instead of at its end.
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = (): void => void Atomics.store(stop, 0, 1);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal.aborted) onAbort();
  try {
    // Pack the records into the shared memory (and deal them into random buckets).
    const t0 = performance.now();
    ctx.progress({ phase: 'packing', done: 0, total: n, unit: 'records' });
    // The records are packed here on the main thread, so that no worker ever sees
    // the co-occurrence arrays and letting them go frees them at once (a shared
    // buffer is freed only after every thread that saw it has collected it). When
    // no other node reads the arrays (the pipeline says so), they shrink as the
    // records are packed and are released after. Packing fills buffer A only; the
    // deal into buffer B's buckets for the first shuffled pass comes after the
    // arrays are gone, so that the arrays and both buffers are never all in memory.
    const scatterSeeds = layout.shares.map((): [number, number] => [rng.nextU32(), rng.nextU32()]);
    const release = ctx.releasable?.('cooccurrences') ?? false;
    const packed = packRecords(memory, layout, cooc, p.x_max, p.alpha, release);
    if (ctx.signal.aborted) throw abortError(ctx);
    if (packed.bad >= 0) badRecord(cooc, vocab, packed.bad, ctx);
    if (release) {
      releaseCooccurrences(cooc);
      ctx.log('co-occurrence arrays released after packing (no other node reads them)');
    }
    if (p.shuffle) {
      await Promise.all(layout.shares.map((share, index) => pool.run({ kind: 'scatter', job, memory, module, share, stop, seed: scatterSeeds[index]! } satisfies ScatterTask)));
      if (ctx.signal.aborted) throw abortError(ctx);
    }
    const zeroCost = packed.zeroCost / n;
    const setupSeconds = (performance.now() - t0) / 1000;
    ctx.progress({ phase: 'packing', done: n, total: n, unit: 'records', metrics: { seconds: round(setupSeconds, 3) } });

    const costs: number[] = [];
    const seconds: number[] = [];
    let stopped: GloveResult['stopped'] = 'max_iter';
    // Resume checkpoints: only with a place tied to the node (the pipeline's cache).
    const ckpt = ctx.checkpointDir !== undefined ? checkpointFile(ctx.checkpointDir, 'glove') : undefined;
    const identity = checkpointIdentity(p, layout, seed);
    let resumedFrom = 0;
    if (ckpt) {
      resumedFrom = await restoreCheckpoint(ckpt, identity, memory, layout, p.shuffle, costs, seconds, ctx);
      for (let i = 0; i < resumedFrom; i++) {
        ctx.progress({
          phase: 'iteration',
          iteration: i + 1,
          done: i + 1,
          total: p.max_iter,
          unit: 'iterations',
          metrics: { cost: round(costs[i]!, 6), seconds: round(seconds[i]!, 3), restored: 1 },
        });
      }
    }
    const writeEvery = ckpt !== undefined && (p.resume_every > 0 || p.resume_minutes > 0);
    let lastCheckpoint = performance.now();
    for (let it = resumedFrom + 1; it <= p.max_iter; it++) {
      if (ctx.signal.aborted) throw abortError(ctx);
      const t1 = performance.now();
      const last = it === p.max_iter;
      // The pass's seeds come from the seed and the iteration alone, so that a resumed run draws the same ones.
      const draws = passRng(seed, it);
      const results = (await Promise.all(
        layout.shares.map((share) => {
          const task: EpochTask = {
            kind: 'epoch', job, memory, module, share, stop,
            shuffle: p.shuffle, fromB: it % 2 === 1, scatter: !last,
            seedAssign: [draws.nextU32(), draws.nextU32()], seedShuffle: [draws.nextU32(), draws.nextU32()],
            eta: p.eta, gradClip: p.grad_clip_value,
          };
          return pool.run(task) as Promise<EpochResult>;
        }),
      ));
      if (ctx.signal.aborted) throw abortError(ctx);
      const secs = (performance.now() - t1) / 1000;
      let total = 0;
      let skipped = 0;
      for (const r of results) {
        total += r.cost;
        skipped += r.skipped;
      }
      const cost = total / n;
      // Diverged: a NaN or infinite error, or a cost far above that of an all-zero
      // model (all vectors and biases 0), which any working run stays below.
      if (!Number.isFinite(cost) || skipped > 0 || cost > DIVERGED_FACTOR * zeroCost) {
        const why =
          skipped > 0
            ? `${skipped} of ${n} co-occurrences gave a NaN or infinite error`
            : Number.isFinite(cost)
              ? `the cost ${cost.toPrecision(4)} is over ${DIVERGED_FACTOR} times that of all-zero vectors (${zeroCost.toPrecision(4)})`
              : `the cost became ${cost}`;
        throw new WordloomError(
          'E_DIVERGED',
          `training diverged in iteration ${it}: ${why}`,
          { node: ctx.node, param: 'eta' },
          `lower eta (now ${p.eta}; GloVe's default is 0.05), and check x_max (now ${p.x_max}) against the co-occurrence values; grad_clip_value (now ${p.grad_clip_value}) bounds each vector step`,
        );
      }
      costs.push(cost);
      seconds.push(secs);
      // One update per iteration: its message is the log line (GloVe's), the rest the live status.
      ctx.progress({
        phase: 'iteration',
        iteration: it,
        done: it,
        total: p.max_iter,
        unit: 'iterations',
        metrics: { cost: round(cost, 6), seconds: round(secs, 3) },
        message: `iter: ${String(it).padStart(3, '0')}, cost: ${cost.toFixed(6)} (${secs.toFixed(2)} s)`,
      });
      if (p.checkpoint_every > 0 && it % p.checkpoint_every === 0 && it < p.max_iter && outputs.length) {
        const emb = model.vectors(p.save, p.unk_vector);
        for (const o of outputs) {
          const file = checkpointName(o.file, it);
          await writeVectors(emb, file, o.format);
          files.push(file);
        }
        ctx.log(`checkpoint after iteration ${it} written`);
      }
      if (p.tolerance > 0 && costs.length >= 2) {
        const prev = costs[costs.length - 2]!;
        if ((prev - cost) / prev < p.tolerance) {
          stopped = 'tolerance';
          ctx.log(`stopping after iteration ${it}: the cost improved by ${(((prev - cost) / prev) * 100).toFixed(3)}%, under tolerance ${p.tolerance}`);
          break;
        }
      }
      const due = (p.resume_every > 0 && it % p.resume_every === 0) || (p.resume_minutes > 0 && performance.now() - lastCheckpoint >= p.resume_minutes * 60_000);
      if (writeEvery && due && it < p.max_iter) {
        if (ctx.signal.aborted) throw abortError(ctx);
        const bytes = await saveCheckpoint(ckpt!, identity, it, memory, layout, p.shuffle, costs, seconds);
        lastCheckpoint = performance.now();
        ctx.log(`resume checkpoint after iteration ${it} written (${(bytes / 2 ** 20).toFixed(1)} MB)`);
      }
    }

    const embeddings = model.vectors(p.save, p.unk_vector);
    if (outputs.length) {
      ctx.progress({ phase: 'saving' });
      for (const o of outputs) {
        await writeVectors(embeddings, o.file, o.format);
        files.push(o.file);
        ctx.log(`wrote ${o.file} (${embeddings.size.toLocaleString('en-US')} x ${embeddings.dim} vectors, ${o.format})`);
      }
    }
    return { embeddings, costs, seconds, stopped, setupSeconds, model, files, resumedFrom };
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await pool.destroy();
  }
}

/** What a checkpoint must agree on to be resumed from: everything that shapes the memory and the updates. */
function checkpointIdentity(p: GloveParams, L: GloveLayout, seed: number): Record<string, unknown> {
  return {
    op: 'glove',
    // 2: 12-byte records (uint16 ranks) when the vocabulary allows it
    format: 2,
    recordBytes: L.recordBytes,
    dim: L.dim,
    vocabSize: L.vocabSize,
    records: L.records,
    shares: L.shares.length,
    bytes: L.bytes,
    seed,
    shuffle: p.shuffle,
    x_max: p.x_max,
    alpha: p.alpha,
    eta: p.eta,
    grad_clip_value: p.grad_clip_value,
    max_iter: p.max_iter,
  };
}

/**
 * The state after iteration `it`, which is all that the next passes read: every
 * parameter row (vectors, biases and their AdaGrad sums) and, for shuffled
 * training, the records as the last pass scattered them (their order is the start
 * of the next pass's permutation) with each share's bucket boundaries.
 */
function stateSections(memory: WasmMemory, L: GloveLayout, shuffle: boolean, it: number): Uint8Array[] {
  const buf = memory.buffer as ArrayBufferLike;
  const out = [new Uint8Array(buf, L.wordBase, L.recordBase - L.wordBase)];
  if (shuffle) {
    // Pass `it` read buffer B when it is odd and scattered into A (see the epoch tasks).
    const intoA = it % 2 === 1;
    for (const s of L.shares) out.push(new Uint8Array(buf, intoA ? s.boundsA : s.boundsB, (s.buckets + 1) * 4));
    out.push(new Uint8Array(buf, intoA ? L.shares[0]!.recA : L.shares[0]!.recB, L.records * L.recordBytes));
  }
  return out;
}

async function saveCheckpoint(
  file: string, identity: Record<string, unknown>, it: number, memory: WasmMemory, L: GloveLayout, shuffle: boolean, costs: number[], seconds: number[],
): Promise<number> {
  const sections = stateSections(memory, L, shuffle, it);
  await writeCheckpoint(file, { identity, iteration: it, costs, seconds, written: new Date().toISOString() }, sections);
  return sections.reduce((s, x) => s + x.byteLength, 0);
}

/** Load the checkpoint at `file` when it belongs to this training; returns its iteration (0: none, start afresh). */
async function restoreCheckpoint(
  file: string, identity: Record<string, unknown>, memory: WasmMemory, L: GloveLayout, shuffle: boolean, costs: number[], seconds: number[], ctx: OpContext,
): Promise<number> {
  const max = identity.max_iter as number;
  const got = await loadCheckpoint(file, identity, 'iteration', max, (h) => {
    const it = h.iteration;
    if (typeof it !== 'number' || !Number.isInteger(it) || it < 1 || it >= max || !Array.isArray(h.costs) || h.costs.length !== it || !Array.isArray(h.seconds)) return { damaged: 'its iteration or costs are damaged' };
    return { step: it };
  }, (it) => stateSections(memory, L, shuffle, it), ctx);
  if (!got) return 0;
  costs.push(...(got.header.costs as number[]));
  seconds.push(...(got.header.seconds as number[]));
  return got.step;
}

function round(x: number, digits: number): number {
  const m = 10 ** digits;
  return Math.round(x * m) / m;
}

function abortError(ctx: OpContext): unknown {
  const reason = ctx.signal.reason;
  return reason instanceof Error ? reason : new WordloomError('E_STATE', 'glove training was cancelled', { node: ctx.node });
}

function checkInputs(cooc: Cooccurrences, vocab: Vocab, ctx: OpContext): void {
  const n = cooc.size;
  if (cooc.row.length < n || cooc.col.length < n || cooc.val.length < n) {
    throw new WordloomError('E_INPUT', `the co-occurrence arrays are shorter than its size (${n})`, { node: ctx.node });
  }
  if (cooc.vocabSize > vocab.size) {
    throw new WordloomError(
      'E_INPUT',
      `the co-occurrences were counted over ${cooc.vocabSize} words but the vocabulary has ${vocab.size}`,
      { node: ctx.node },
      'give glove the vocabulary that the co-occurrences were counted with',
    );
  }
}

function badRecord(cooc: Cooccurrences, vocab: Vocab, k: number, ctx: OpContext): never {
  const r = cooc.row[k]!;
  const c = cooc.col[k]!;
  const x = cooc.val[k]!;
  const inRange = (i: number): boolean => i >= 0 && i < vocab.size;
  if (!inRange(r) || !inRange(c)) {
    throw new WordloomError(
      'E_INPUT',
      `co-occurrence record ${k + 1} refers to word rank ${inRange(r) ? c : r}, outside the vocabulary of ${vocab.size} words`,
      { node: ctx.node },
      'give glove the vocabulary that the co-occurrences were counted with',
    );
  }
  throw new WordloomError(
    'E_INPUT',
    `co-occurrence record ${k + 1} (${vocab.words[r]}, ${vocab.words[c]}) has the value ${x}; GloVe needs positive finite counts`,
    { node: ctx.node, word: vocab.words[r] },
    'co-occurrence values are (weighted) counts and must be > 0',
  );
}

/** glove.c's initialisation: every vector value and bias (r - 0.5) / dim for r uniform in [0, 1); AdaGrad sums 1. */
function initParameters(memory: WasmMemory, L: GloveLayout, rng: Rng): void {
  const f32 = new Float32Array(memory.buffer);
  const { dim, pad, rowFloats } = L;
  const rows = 2 * L.vocabSize;
  const base = L.wordBase >> 2;
  for (let r = 0; r < rows; r++) {
    const o = base + r * rowFloats;
    for (let b = 0; b < dim; b++) f32[o + b] = (rng.next() - 0.5) / dim;
    f32[o + 2 * pad] = (rng.next() - 0.5) / dim;
    for (let b = 0; b < pad; b++) f32[o + pad + b] = 1;
    f32[o + 2 * pad + 1] = 1;
  }
}

function makeModel(memory: WasmMemory, L: GloveLayout, vocab: Vocab): GloveModel {
  const { dim, pad, rowFloats, vocabSize: V } = L;
  const params = (base: number): Float32Array => {
    const f32 = new Float32Array(memory.buffer);
    const out = new Float32Array(V * (dim + 1));
    for (let i = 0; i < V; i++) {
      const o = (base >> 2) + i * rowFloats;
      out.set(f32.subarray(o, o + dim), i * (dim + 1));
      out[i * (dim + 1) + dim] = f32[o + 2 * pad]!;
    }
    return out;
  };
  return {
    dim,
    vocabSize: V,
    wordParameters: () => params(L.wordBase),
    contextParameters: () => params(L.contextBase),
    vectors(save: GloveSave = 'word+context', unk = false) {
      const f32 = new Float32Array(memory.buffer);
      const rows = unk ? V + 1 : V;
      const data = sharedFloat32(rows * dim);
      const w0 = L.wordBase >> 2;
      const c0 = L.contextBase >> 2;
      for (let i = 0; i < V; i++) {
        const ow = w0 + i * rowFloats;
        const oc = c0 + i * rowFloats;
        const d = i * dim;
        if (save === 'word') for (let b = 0; b < dim; b++) data[d + b] = f32[ow + b]!;
        else for (let b = 0; b < dim; b++) data[d + b] = f32[ow + b]! + f32[oc + b]!;
      }
      if (!unk) return new Embeddings(vocab.words, dim, data);
      // glove.c: the mean of the word (and context) vectors of the rarest words, in double
      const rare = Math.min(V, 100);
      const mean = new Float64Array(dim);
      for (let i = V - rare; i < V; i++) {
        const ow = w0 + i * rowFloats;
        const oc = c0 + i * rowFloats;
        for (let b = 0; b < dim; b++) mean[b] += (save === 'word' ? f32[ow + b]! : f32[ow + b]! + f32[oc + b]!) / rare;
      }
      data.set(mean, V * dim);
      return new Embeddings([...vocab.words, '<unk>'], dim, data);
    },
  };
}

const EXT: Record<VectorsFormat, string> = { glove: '.txt', 'word2vec-text': '.vec', 'word2vec-binary': '.bin' };

/** One format: the output path as given; several: the extension replaced per format. */
export function outputFiles(output: string, formats: readonly VectorsFormat[], baseDir: string): { file: string; format: VectorsFormat }[] {
  const path = isAbsolute(output) ? output : resolve(baseDir, output);
  if (formats.length === 1) return [{ file: path, format: formats[0]! }];
  const ext = extname(path);
  const stem = ext ? path.slice(0, -ext.length) : path;
  return formats.map((format) => ({ file: stem + EXT[format], format }));
}

/** glove.c names checkpoints "<save-file>.<iter, 3 digits>.<ext>". */
export function checkpointName(file: string, iteration: number): string {
  const ext = extname(file);
  const stem = ext ? file.slice(0, -ext.length) : file;
  return `${stem}.${String(iteration).padStart(3, '0')}${ext}`;
}
