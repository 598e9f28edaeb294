/**
 * Word vectors as fastText and word2vec train them: skip-gram or CBOW, negative
 * sampling, hierarchical softmax or softmax, subsampling of frequent words, windows
 * drawn from 1..ws, a learning rate decaying linearly to 0, and (fastText) character
 * n-grams hashed into `bucket` extra input rows.
 *
 * How it runs: the corpus (vocabulary ranks, DOC_END between documents), the input
 * and output matrices, the negative-sampling table and the Huffman paths live in
 * shared memory; a Piscina pool of `threads` workers each trains on its share of the
 * corpus, updating the matrices without locks (Hogwild, as both tools do). The main
 * thread starts one task per thread and epoch, sums the losses and reports progress.
 * One thread and a seed give the same vectors every run.
 *
 * Resume: given a checkpoint directory (the pipeline's cache gives one per node
 * key), the state after an epoch (both matrices and the words each thread has
 * read, which set the learning rate) is written every `resume_every` epochs or
 * `resume_minutes` minutes, and a later run of the same node goes on from the last
 * one. The seeds of an epoch's tasks derive from the seed and the epoch, so with one
 * thread the resumed run ends with the vectors of a run never stopped.
 */
import { fileURLToPath } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { Piscina } from 'piscina';
import { DOC_END, Embeddings, Rng, WordloomError, sharedFloat32, sharedInt32, type Vocab } from '@wordloom/core';
import type { TokenStream } from '../artifacts.js';
import { standaloneContext, type OpContext } from '../op.js';
import { outputPathProblem } from '../io/atomic.js';
import { checkpointFile, loadCheckpoint, passRng, writeCheckpoint } from '../io/checkpoint.js';
import { defaultArgs, LABEL_PREFIX, type FastTextArgs } from '../subword/args.js';
import { FastTextDictionary, IntList } from '../subword/dictionary.js';
import { DenseMatrix } from '../subword/matrix.js';
import { FastTextModel } from '../subword/model.js';
import { SubwordEmbeddings } from '../subword/embeddings.js';
import { vocabularyVectors, writeFastTextModel, writeVocabularyVectors } from '../subword/writer.js';
import { FORMAT_SUFFIX, resolveWord2VecParams, type ResolvedWord2VecParams, type Word2VecParams } from './params.js';
import type { Word2VecTask } from './worker.js';
import { compileWord2VecKernel, word2vecLayout } from './kernel.js';
import { fillUniform, f32View, i32View, u8View, sharedMemory, wasmSimdAvailable, sigmoidTable, logTable, SIGMOID_TABLE_SIZE, LOG_TABLE_SIZE } from '../kernels/index.js';
import type { WasmMemory } from '../kernels/wasm-asm.js';
import { workerPool } from '../kernels/pool.js';


/** fastText's NEGATIVE_TABLE_SIZE. */
export const NEGATIVE_TABLE_SIZE = 10_000_000;
const WORKER_URL = new URL('./worker.js', import.meta.url);

export interface Word2VecResult {
  /** The vocabulary words' vectors (SubwordEmbeddings, which make vectors for unseen words, when subwords are on). */
  embeddings: Embeddings;
  /** The trained model (args, dictionary, input and output matrices) as fastText stores it. */
  model: FastTextModel;
  /** Mean loss of each epoch (per update, as fastText prints it). */
  losses: number[];
  /** Wall-clock seconds of each epoch. */
  seconds: number[];
  /** Words read per second per thread over the whole run. */
  wordsPerSecondPerThread: number;
  /** Files written. */
  files: string[];
  params: ResolvedWord2VecParams;
  /** The kernel that trained and its threads, e.g. 'wasm-simd:2'. */
  backend: string;
  /** The epoch whose resume checkpoint training went on from (0: trained from the start). */
  resumedFrom: number;
}

let nextJob = 1;

/** Vocabulary ranks of a token stream, DOC_END between documents, in shared memory; out-of-vocabulary words dropped (as fastText drops words not in its dictionary). */
export async function corpusRanks(tokens: TokenStream, vocab: Vocab, signal?: AbortSignal): Promise<{ ids: Int32Array; words: number }> {
  let map = new Int32Array(1024);
  let mapped = 0;
  let buf = new Int32Array(1 << 16);
  let n = 0;
  let words = 0;
  for await (const chunk of tokens.chunks(signal)) {
    const dict = tokens.dictionary;
    if (dict.size > mapped) {
      if (dict.size > map.length) {
        const m = new Int32Array(Math.max(dict.size, map.length * 2));
        m.set(map.subarray(0, mapped));
        map = m;
      }
      for (let i = mapped; i < dict.size; i++) map[i] = vocab.id(dict.words[i]!);
      mapped = dict.size;
    }
    const ids = chunk.ids;
    if (n + ids.length > buf.length) {
      const b = new Int32Array(Math.max(buf.length * 2, n + ids.length));
      b.set(buf.subarray(0, n));
      buf = b;
    }
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      if (id === DOC_END) {
        if (n > 0 && buf[n - 1] !== DOC_END) buf[n++] = DOC_END;
        continue;
      }
      const r = id >= 0 && id < mapped ? map[id]! : -1;
      if (r >= 0) {
        buf[n++] = r;
        words++;
      }
    }
  }
  const out = sharedInt32(Math.max(n, 1)).subarray(0, n); // (a shared array of length 0 cannot be made)
  out.set(buf.subarray(0, n));
  return { ids: out, words };
}

/** Train on a token stream and the vocabulary that names the rows. */
export async function trainWord2VecTokens(tokens: TokenStream, vocab: Vocab, params: Partial<Word2VecParams> = {}, ctx: OpContext = standaloneContext()): Promise<Word2VecResult> {
  const p = resolveWord2VecParams(params);
  checkOutput(p, ctx);
  checkVocab(vocab, ctx);
  ctx.progress({ phase: 'reading', message: 'reading the corpus' });
  const { ids, words } = await corpusRanks(tokens, vocab, ctx.signal);
  return trainWord2Vec(ids, vocab, p, ctx, words);
}

function emptyCorpus(ctx: OpContext): never {
  throw new WordloomError(
    'E_INPUT',
    'the corpus has no word of the vocabulary to train on (min_count may have dropped every word)',
    { node: ctx.node },
    'lower the vocab op\'s min_count, or give a larger corpus',
  );
}

function checkVocab(vocab: Vocab, ctx: OpContext): void {
  if (vocab.size === 0) emptyCorpus(ctx);
}

function outputStem(p: ResolvedWord2VecParams, ctx: OpContext): string | undefined {
  if (p.output === undefined) return undefined;
  const path = isAbsolute(p.output) ? p.output : resolve(ctx.baseDir, p.output);
  return path.replace(/\.(w2v\.bin|bin|vec)$/, '');
}

/** Refuse an output whose files cannot be written (a folder in the way, no permission), before any work. */
export function checkOutput(p: ResolvedWord2VecParams, ctx: OpContext): void {
  const stem = outputStem(p, ctx);
  if (stem === undefined) return;
  for (const f of p.formats.map((x) => stem + FORMAT_SUFFIX[x])) {
    const problem = outputPathProblem(f);
    if (problem) throw new WordloomError('E_PARAM', problem.message, { node: ctx.node, param: 'output', file: f }, problem.hint);
  }
}

/**
 * Train on `corpus`: vocabulary ranks with DOC_END (-1) between documents (in shared
 * memory, or copied there). `words` is the number of ranks (counted when left out).
 */
export async function trainWord2Vec(
  corpusIn: Int32Array,
  vocab: Vocab,
  params: Partial<Word2VecParams> | ResolvedWord2VecParams = {},
  ctx: OpContext = standaloneContext(),
  words?: number,
): Promise<Word2VecResult> {
  const p = resolveWord2VecParams(params as Partial<Word2VecParams>);
  checkOutput(p, ctx);
  checkVocab(vocab, ctx);
  const threads = p.threads ?? ctx.threads;
  const seed = p.seed ?? ctx.seed;
  const V = vocab.size;
  const corpus = corpusIn.buffer instanceof SharedArrayBuffer ? corpusIn : (() => {
    const c = sharedInt32(corpusIn.length);
    c.set(corpusIn);
    return c;
  })();
  let nw = 0;
  for (let i = 0; i < corpus.length; i++) {
    const r = corpus[i]!;
    if (r === DOC_END) continue;
    if (r < 0 || r >= V) {
      throw new WordloomError('E_INPUT', `corpus position ${i + 1} holds the rank ${r}, outside the vocabulary of ${V} words`, { node: ctx.node }, 'give word2vec the vocabulary the corpus was mapped with');
    }
    nw++;
  }
  if (words !== undefined && words !== nw) words = nw;
  if (nw === 0) emptyCorpus(ctx);

  const dim = p.dim;
  const subwords = p.maxn > 0;
  const bucket = subwords ? p.bucket : 0;
  const dict = FastTextDictionary.fromEntries(vocab.words, vocab.counts, {
    params: { minn: subwords ? p.minn : 0, maxn: subwords ? p.maxn : 0, bucket, wordNgrams: 1, label: LABEL_PREFIX },
  });
  const inputRows = V + bucket;
  const rng = new Rng(seed);
  const nThreads = Math.max(1, Math.min(threads, nw));

  // Each word's input rows (its own row, then its n-gram rows).
  const list = new IntList(64);
  const rowParts: Int32Array[] = [];
  let total = 0;
  let maxRows = 1;
  for (let i = 0; i < V; i++) {
    dict.entryRows(i, list);
    rowParts.push(list.toArray());
    total += list.length;
    maxRows = Math.max(maxRows, list.length);
  }
  const negReps = p.loss === 'ns' ? negativeRepeats(vocab.counts, p.power) : undefined;
  const tree = p.loss === 'hs' ? huffmanPaths(vocab.counts) : undefined;

  // The kernel: the generated WebAssembly one when the runtime has SIMD, the loss is
  // ns or hs and the model fits one WebAssembly memory; else the TypeScript loops.
  const layout = word2vecLayout({
    dim, nwords: V, inputRows, rowCount: total, negSize: negReps?.size ?? 0, pathCount: tree?.paths.length ?? 0,
    bowCapacity: p.model === 'cbow' ? 2 * p.ws * maxRows : 1, threads: nThreads,
  });
  let backend: 'wasm' | 'typescript' = p.backend === 'typescript' || p.loss === 'softmax' ? 'typescript' : 'wasm';
  if (backend === 'wasm' && !wasmSimdAvailable()) {
    if (p.backend === 'wasm') throw new WordloomError('E_PARAM', 'this runtime has no WebAssembly SIMD', { node: ctx.node, param: 'backend' }, "use backend: 'typescript' or 'auto'");
    backend = 'typescript';
  }
  if (backend === 'wasm' && !layout.fits) {
    const gib = (layout.bytes / 2 ** 30).toFixed(2);
    if (p.backend === 'wasm') throw new WordloomError('E_PARAM', `the model needs ${gib} GiB, more than the 4 GiB a WebAssembly memory holds`, { node: ctx.node, param: 'backend' }, "lower bucket or dim, or use backend: 'typescript'");
    ctx.log(`the model needs ${gib} GiB, more than one WebAssembly memory: training on the TypeScript kernel`);
    backend = 'typescript';
  }
  const alloc = (what: string, mb: number, make: () => void): void => {
    try {
      make();
    } catch (e) {
      if (e instanceof WordloomError) throw e;
      throw new WordloomError('E_INPUT', `cannot allocate ${mb.toFixed(0)} MB for ${what}: ${(e as Error).message}`, { node: ctx.node, param: 'bucket' }, 'lower bucket or dim', { cause: e });
    }
  };
  let memory: WasmMemory | undefined;
  let input!: Float32Array;
  let output!: Float32Array;
  let rowOffsets!: Int32Array;
  let rows!: Int32Array;
  let negTable!: Int32Array;
  let paths: { offsets: Int32Array; paths: Int32Array; codes: Uint8Array } = { offsets: sharedInt32(V + 1), paths: sharedInt32(1).subarray(0, 0), codes: new Uint8Array(new SharedArrayBuffer(1)).subarray(0, 0) };
  alloc(`the input (${inputRows} rows) and output matrices`, (layout.bytes / 2 ** 20), () => {
    if (backend === 'wasm') {
      memory = sharedMemory(layout, 'the word2vec model');
      input = f32View(memory, layout.input, inputRows * dim);
      output = f32View(memory, layout.output, V * dim);
      rowOffsets = i32View(memory, layout.rowOffsets, V + 1);
      rows = i32View(memory, layout.rows, total);
      negTable = i32View(memory, layout.negTable, negReps?.size ?? 0);
      if (tree) paths = { offsets: i32View(memory, layout.pathOffsets, V + 1), paths: i32View(memory, layout.paths, tree.paths.length), codes: u8View(memory, layout.codes, tree.codes.length) };
      f32View(memory, layout.sigmoid, SIGMOID_TABLE_SIZE + 1).set(sigmoidTable());
      f32View(memory, layout.log, LOG_TABLE_SIZE + 1).set(logTable());
    } else {
      input = sharedFloat32(inputRows * dim);
      output = sharedFloat32(V * dim);
      rowOffsets = sharedInt32(V + 1);
      rows = sharedInt32(Math.max(1, total)).subarray(0, total);
      negTable = sharedInt32(Math.max(1, negReps?.size ?? 1));
      if (tree) paths = { offsets: sharedInt32(V + 1), paths: sharedInt32(Math.max(1, tree.paths.length)).subarray(0, tree.paths.length), codes: new Uint8Array(new SharedArrayBuffer(Math.max(1, tree.codes.length))).subarray(0, tree.codes.length) };
    }
  });
  // fastText: input uniform in [-1/dim, 1/dim], output zero.
  const a = 1 / dim;
  if (memory) fillUniform(memory, layout.input, inputRows * dim, a, seed);
  else for (let i = 0; i < input.length; i++) input[i] = (rng.next() * 2 - 1) * a;
  total = 0;
  rowParts.forEach((r, i) => {
    rows.set(r, total);
    total += r.length;
    rowOffsets[i + 1] = total;
  });
  rowParts.length = 0;
  if (negReps) fillNegativeTable(negTable, negReps.reps, rng);
  if (tree) {
    paths.offsets.set(tree.offsets);
    paths.paths.set(tree.paths);
    paths.codes.set(tree.codes);
  }

  // Subsampling (fastText's initTableDiscard): keep with probability sqrt(t/f) + t/f.
  const ntokens = dict.ntokens;
  const keep = new Float32Array(new SharedArrayBuffer(V * 4));
  for (let i = 0; i < V; i++) {
    const f = vocab.counts[i]! / ntokens;
    keep[i] = p.t > 0 && f > 0 ? Math.sqrt(p.t / f) + p.t / f : 1;
  }
  const job = nextJob++;
  const module = backend === 'wasm' ? compileWord2VecKernel({ model: p.model, loss: p.loss as 'ns' | 'hs', skipgramInput: p.skipgram_input, negTarget: p.neg_target, ws: p.ws, neg: p.neg, layout }) : undefined;
  ctx.log(`training on the ${backend === 'wasm' ? 'WebAssembly SIMD' : 'TypeScript'} kernel, ${nThreads} thread${nThreads > 1 ? 's' : ''}`);

  const stats = new Float64Array(new SharedArrayBuffer(nThreads * 3 * 8));
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = (): void => void Atomics.store(stop, 0, 1);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal.aborted) onAbort();
  const pool = workerPool(WORKER_URL, nThreads);
  const shares: [number, number][] = [];
  for (let t = 0; t < nThreads; t++) shares.push([Math.floor((t * corpus.length) / nThreads), Math.floor(((t + 1) * corpus.length) / nThreads)]);
  const totalWords = nw * p.epoch;
  const losses: number[] = [];
  const seconds: number[] = [];
  const t0 = performance.now();
  const wordsDone = (): number => {
    let s = 0;
    for (let t = 0; t < nThreads; t++) s += stats[t * 3]!;
    return s;
  };
  const lossNow = (): number => {
    let s = 0;
    let c = 0;
    for (let t = 0; t < nThreads; t++) {
      s += stats[t * 3 + 1]!;
      c += stats[t * 3 + 2]!;
    }
    return c > 0 ? s / c : NaN;
  };
  const report = (epoch: number): void => {
    const done = wordsDone();
    const secs = (performance.now() - t0) / 1000;
    const wst = secs > 0 ? done / secs / nThreads : 0;
    const eta = done > 0 ? (secs * (totalWords - done)) / done : undefined;
    const loss = lossNow();
    ctx.progress({
      phase: 'training',
      iteration: epoch,
      done,
      total: totalWords,
      unit: 'words',
      metrics: { 'words/s/thread': Math.round(wst), loss: Number.isFinite(loss) ? round(loss, 6) : 'n/a', lr: round(p.lr - (p.lr - p.min_lr) * Math.min(1, done / totalWords), 6), ...(eta !== undefined ? { eta_s: round(eta, 1) } : {}) },
    });
  };
  // Resume checkpoints: only with a place tied to the node (the pipeline's cache).
  const ckpt = ctx.checkpointDir !== undefined ? checkpointFile(ctx.checkpointDir, 'word2vec') : undefined;
  const identity = {
    op: 'word2vec', format: 1, dim, vocabSize: V, inputRows, corpus: corpus.length, words: nw, threads: nThreads, seed,
    model: p.model, loss: p.loss, skipgramInput: p.skipgram_input, ws: p.ws, neg: p.neg, negTarget: p.neg_target, lr: p.lr, minLr: p.min_lr, t: p.t, minn: p.minn, maxn: p.maxn, bucket, power: p.power, epoch: p.epoch,
  };
  const sections = (): Uint8Array[] => [
    new Uint8Array(input.buffer, input.byteOffset, input.byteLength),
    new Uint8Array(output.buffer, output.byteOffset, output.byteLength),
    new Uint8Array(stats.buffer, stats.byteOffset, stats.byteLength),
  ];
  let resumedFrom = 0;
  if (ckpt) {
    resumedFrom = await restoreCheckpoint(ckpt, identity, sections(), losses, seconds, ctx);
    for (let i = 0; i < resumedFrom; i++) {
      ctx.progress({ phase: 'epoch', iteration: i + 1, done: i + 1, total: p.epoch, unit: 'epochs', metrics: { loss: round(losses[i]!, 6), seconds: round(seconds[i]!, 3), restored: 1 } });
    }
  }
  const resumedWords = wordsDone();
  const writeEvery = ckpt !== undefined && (p.resume_every > 0 || p.resume_minutes > 0);
  let lastCheckpoint = performance.now();
  try {
    for (let ep = resumedFrom + 1; ep <= p.epoch; ep++) {
      if (ctx.signal.aborted) throw abortError(ctx);
      const t1 = performance.now();
      // The tasks' seeds come from the seed and the epoch alone, so that a resumed run draws the same ones.
      const epRng = passRng(seed, ep);
      const timer = setInterval(() => report(ep), 1000);
      let results: { diverged: boolean }[];
      try {
        results = (await Promise.all(
          shares.map(([start, end], index) => {
            const task: Word2VecTask = {
              input, output, dim, corpus, start, end, rowOffsets, rows, keep, model: p.model, loss: p.loss, skipgramInput: p.skipgram_input, ws: p.ws, neg: p.neg, negTarget: p.neg_target, lr: p.lr, minLr: p.min_lr, epoch: 1,
              negTable, pathOffsets: paths.offsets, paths: paths.paths, codes: paths.codes, totalWords, stats, index, seed: epRng.nextU32() | 0, stop,
              ...(memory && module ? { wasm: { job, module, memory, scratch: layout.threads[index]! } } : {}),
            };
            return pool.run(task) as Promise<{ diverged: boolean }>;
          }),
        ));
      } finally {
        clearInterval(timer);
      }
      if (ctx.signal.aborted) throw abortError(ctx);
      const loss = lossNow();
      if (results.some((r) => r.diverged) || Number.isNaN(loss) && stats.some((v, i) => i % 3 === 2 && v > 0)) {
        throw new WordloomError(
          'E_DIVERGED',
          `training diverged in epoch ${ep}: the loss became NaN; nothing was written`,
          { node: ctx.node, param: 'lr' },
          `lower lr (now ${p.lr}; fastText uses 0.05, word2vec 0.025 for skip-gram)`,
        );
      }
      losses.push(loss);
      seconds.push((performance.now() - t1) / 1000);
      report(ep);
      ctx.progress({
        phase: 'epoch', iteration: ep, done: ep, total: p.epoch, unit: 'epochs',
        metrics: { loss: round(loss, 6), seconds: round(seconds[seconds.length - 1]!, 3) },
        message: `epoch ${ep}/${p.epoch}: loss ${loss.toFixed(6)} (${seconds[seconds.length - 1]!.toFixed(2)} s)`,
      });
      for (let t = 0; t < nThreads; t++) stats[t * 3 + 1] = stats[t * 3 + 2] = 0;
      const due = (p.resume_every > 0 && ep % p.resume_every === 0) || (p.resume_minutes > 0 && performance.now() - lastCheckpoint >= p.resume_minutes * 60_000);
      if (writeEvery && due && ep < p.epoch) {
        if (ctx.signal.aborted) throw abortError(ctx);
        const parts = sections();
        await writeCheckpoint(ckpt!, { identity, epoch: ep, losses, seconds, written: new Date().toISOString() }, parts);
        lastCheckpoint = performance.now();
        ctx.log(`resume checkpoint after epoch ${ep} written (${(parts.reduce((a, x) => a + x.byteLength, 0) / 2 ** 20).toFixed(1)} MB)`);
      }
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await pool.destroy();
  }
  const elapsed = (performance.now() - t0) / 1000;
  let minCount = Infinity;
  for (let i = 0; i < V; i++) minCount = Math.min(minCount, vocab.counts[i]!);
  const args: FastTextArgs = defaultArgs({
    dim, ws: p.ws, epoch: p.epoch, minCount: Number.isFinite(minCount) ? Math.max(1, Math.floor(minCount)) : 1, neg: p.neg, loss: p.loss, model: p.model,
    bucket, minn: subwords ? p.minn : 0, maxn: subwords ? p.maxn : 0, t: p.t,
  });
  const model = new FastTextModel({
    name: 'word2vec', version: 12, args, dict, input: new DenseMatrix(inputRows, dim, input), output: new DenseMatrix(V, dim, output), quantInput: false,
  });
  const embeddings = subwords ? SubwordEmbeddings.fromModel(model) : vocabularyVectors(model);
  const files: string[] = [];
  const stem = outputStem(p, ctx);
  if (stem !== undefined) {
    ctx.progress({ phase: 'saving' });
    for (const format of p.formats) {
      const file = stem + FORMAT_SUFFIX[format];
      if (format === 'fasttext') await writeFastTextModel(model, file);
      else await writeVocabularyVectors(model, file, format);
      files.push(file);
    }
    ctx.log(`wrote ${files.join(', ')} (${V.toLocaleString('en-US')} words x ${dim})`);
  }
  return { embeddings, model, losses, seconds, wordsPerSecondPerThread: elapsed > 0 ? (totalWords - resumedWords) / elapsed / nThreads : 0, files, params: p, resumedFrom, backend: backend === 'wasm' ? `wasm-simd:${nThreads}` : `typescript:${nThreads}` };
}

/** Load the checkpoint at `file` into `targets` when it belongs to this training; returns its epoch (0: none, start afresh). */
async function restoreCheckpoint(file: string, identity: Record<string, unknown>, targets: Uint8Array[], losses: number[], seconds: number[], ctx: OpContext): Promise<number> {
  const epochs = identity.epoch as number;
  const got = await loadCheckpoint(file, identity, 'epoch', epochs, (h) => {
    const ep = h.epoch;
    if (typeof ep !== 'number' || !Number.isInteger(ep) || ep < 1 || ep >= epochs || !Array.isArray(h.losses) || h.losses.length !== ep || !Array.isArray(h.seconds)) return { damaged: 'its epoch or contents are damaged' };
    return { step: ep };
  }, () => targets, ctx);
  if (!got) return 0;
  losses.push(...(got.header.losses as number[]));
  seconds.push(...(got.header.seconds as number[]));
  return got.step;
}

/** How many times each word appears in fastText's negative table: ceil(c_i * size / z), c_i = count_i^power, z their sum. */
export function negativeRepeats(counts: ArrayLike<number>, power: number, size = NEGATIVE_TABLE_SIZE): { reps: Float64Array; size: number } {
  const V = counts.length;
  let z = 0;
  for (let i = 0; i < V; i++) z += Math.pow(counts[i]!, power);
  let n = 0;
  const reps = new Float64Array(V);
  for (let i = 0; i < V; i++) {
    reps[i] = Math.ceil((Math.pow(counts[i]!, power) * size) / z);
    n += reps[i]!;
  }
  return { reps, size: n };
}

/** Fill `table` (of the repeats' size) with each word its number of times, then shuffle it. */
export function fillNegativeTable(table: Int32Array, reps: Float64Array, rng: Rng): void {
  let k = 0;
  for (let i = 0; i < reps.length; i++) for (let j = 0; j < reps[i]!; j++) table[k++] = i;
  const n = k;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = table[i]!;
    table[i] = table[j]!;
    table[j] = t;
  }
}

/**
 * fastText's negative-sampling table: word i appears ceil(c_i * size / z) times,
 * c_i = count_i^power, z their sum (about `size` entries in all), then shuffled.
 */
export function negativeTable(counts: ArrayLike<number>, power: number, rng: Rng, size = NEGATIVE_TABLE_SIZE): Int32Array {
  const r = negativeRepeats(counts, power, size);
  const table = sharedInt32(r.size);
  fillNegativeTable(table, r.reps, rng);
  return table;
}

/**
 * fastText's Huffman tree over the word counts (sorted most frequent first):
 * for each word, the output rows (internal node - nwords) on its path to the root
 * and the binary code of each step.
 */
export function huffmanPaths(counts: ArrayLike<number>): { offsets: Int32Array; paths: Int32Array; codes: Uint8Array } {
  const osz = counts.length;
  const nodes = 2 * osz - 1;
  const parent = new Int32Array(nodes).fill(-1);
  const count = new Float64Array(nodes).fill(1e15);
  const binary = new Uint8Array(nodes);
  for (let i = 0; i < osz; i++) count[i] = counts[i]!;
  let leaf = osz - 1;
  let node = osz;
  for (let i = osz; i < nodes; i++) {
    const mini = [0, 0];
    for (let j = 0; j < 2; j++) {
      if (leaf >= 0 && count[leaf]! < count[node]!) mini[j] = leaf--;
      else mini[j] = node++;
    }
    count[i] = count[mini[0]!]! + count[mini[1]!]!;
    parent[mini[0]!] = i;
    parent[mini[1]!] = i;
    binary[mini[1]!] = 1;
  }
  const offsets = sharedInt32(osz + 1);
  const p: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < osz; i++) {
    let j = i;
    while (parent[j] !== -1) {
      p.push(parent[j]! - osz);
      c.push(binary[j]!);
      j = parent[j]!;
    }
    offsets[i + 1] = p.length;
  }
  const paths = sharedInt32(p.length);
  paths.set(p);
  const codes = new Uint8Array(new SharedArrayBuffer(Math.max(1, c.length)));
  codes.set(c);
  return { offsets, paths, codes };
}

function round(x: number, digits: number): number {
  const m = 10 ** digits;
  return Math.round(x * m) / m;
}

function abortError(ctx: OpContext): unknown {
  const reason = ctx.signal.reason;
  return reason instanceof Error ? reason : new WordloomError('E_STATE', 'word2vec training was cancelled', { node: ctx.node });
}
