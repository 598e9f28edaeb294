/**
 * Word analogies, as gensim 4.2's KeyedVectors.evaluate_word_analogies:
 *
 * - ": name" lines start sections; other lines must be four whitespace-separated
 *   words "a b c expected" (lines that are not are skipped, uncounted);
 * - the vocabulary is the first restrict_vocab words, keyed by their uppercase form
 *   when case-insensitive (first occurrence wins); a question with any word outside
 *   it is skipped (counted in the OOV ratio);
 * - the answer is found among the restricted words, never a, b or c themselves
 *   (their rows): the five best by 3CosAdd (most_similar(positive=[b, c],
 *   negative=[a])) or 3CosMul (most_similar_cosmul), and the first of those whose
 *   key is not a, b or c is the prediction (if all five are, the last one is);
 * - accuracy = correct / (correct + incorrect), per section and in total; a file
 *   with no question that can be answered is an error (gensim reports 0.0).
 *
 * The arg-max runs on the knn kernels: the cosines of the few distinct question
 * words with every restricted row are one blocked matrix product, and each
 * question's score row is combined from three of those rows.
 *
 * gensim's own evaluate_word_analogies only runs 3CosAdd (its
 * similarity_function argument is unused in 4.2); 3CosMul here is the same loop
 * with most_similar_cosmul, its candidates restricted to restrict_vocab words too
 * (gensim 4.2's most_similar_cosmul ignores restrict_vocab; the two agree whenever
 * the vocabulary is no larger than restrict_vocab).
 */
import type { Embeddings } from '@wordloom/core';
import { WordloomError, sharedFloat32, sharedFloat64, sharedInt32, isShared, toShared } from '@wordloom/core';
import { THREE_COS_ADD, THREE_COS_MUL, analogyMerge } from '../knn/kernel.js';
import { createGpuScorer } from '../knn/gpu.js';
import { SMALL_WORK, gpuDeviceAvailable, kernelPool, throwIfAborted, unitEmbeddings, type KnnBackend } from '../knn/topk.js';
import { ANALOGY_ROW_BLOCK, analogyRange, type KernelTask } from '../knn/worker.js';
import { pySplit, pyStrip, readEvalFile } from './text.js';
import { okVocab, type OkVocab } from './vocab.js';

export type AnalogyMethod = '3CosAdd' | '3CosMul';
export const ANALOGY_METHODS: readonly AnalogyMethod[] = ['3CosAdd', '3CosMul'];

/** gensim's topn in evaluate_word_analogies. */
const TOPN = 5;

export interface AnalogySectionResult {
  section: string;
  correct: number;
  /** correct + incorrect (questions answered in this section). */
  total: number;
  accuracy: number;
}

export interface AnalogyResult {
  file: string;
  method: AnalogyMethod;
  /** gensim's "Total accuracy": correct / (correct + incorrect) over all sections (a file where no question can be answered is an error, not 0/0). */
  accuracy: number;
  correct: number;
  /** Questions answered (all four words in vocabulary). */
  total: number;
  /** Questions skipped because a word was out of vocabulary. */
  skipped: number;
  /** Valid question lines (answered + skipped). */
  questions: number;
  /** skipped / questions in percent (gensim logs it as "Quadruplets with out-of-vocabulary words"). */
  oovRatio: number;
  /** Non-blank lines that are neither a section header nor four words, skipped (gensim: "Skipping invalid line"). */
  invalid: number;
  sections: AnalogySectionResult[];
  /** Kernel that ran. */
  backend: string;
}

export interface AnalogyOptions {
  restrict_vocab?: number;
  case_insensitive?: boolean;
  methods?: readonly AnalogyMethod[];
  backend?: KnnBackend;
  threads?: number;
  /** Jobs of fewer multiply-adds than this run on the calling thread even when threads > 1 (default 2e8). */
  parallelThreshold?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Parsed questions: rows (in the restricted vocabulary) of a, b, c and expected. */
export interface AnalogyQuestions {
  sections: string[];
  /** Section of each answered question. */
  section: Int32Array;
  /** 4 rows per answered question: a, b, c, expected. */
  rows: Int32Array;
  skipped: number;
  questions: number;
  /** Questions skipped per section. */
  skippedBySection: number[];
  /** Non-blank lines that are not four words, skipped. */
  invalid: number;
}

export function parseAnalogies(text: string, file: string, vocab: OkVocab): AnalogyQuestions {
  const sections: string[] = [];
  const section: number[] = [];
  const rows: number[] = [];
  const skippedBySection: number[] = [];
  let skipped = 0;
  let questions = 0;
  let invalid = 0;
  const lines = text.split('\n');
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!;
    if (line.startsWith(': ')) {
      sections.push(pyStrip(line.replace(/^[: ]+/, '')));
      skippedBySection.push(0);
      continue;
    }
    if (ln === lines.length - 1 && line === '') break; // the split after a final newline
    if (sections.length === 0) {
      throw new WordloomError('E_INPUT', 'a question comes before any ": section" header line', { file, line: ln + 1 }, 'an analogy file (word2vec questions-words.txt format) starts each section with a line ": name"');
    }
    const words = pySplit(line);
    if (words.length !== 4) {
      if (words.length > 0) invalid++;
      continue; // gensim: "Skipping invalid line"
    }
    questions++;
    const r = words.map((w) => vocab.index.get(vocab.key(w)));
    if (r[0] === undefined || r[1] === undefined || r[2] === undefined || r[3] === undefined) {
      skipped++;
      skippedBySection[sections.length - 1]!++;
      continue;
    }
    section.push(sections.length - 1);
    rows.push(r[0], r[1], r[2], r[3]);
  }
  return { sections, section: Int32Array.from(section), rows: Int32Array.from(rows), skipped, questions, skippedBySection, invalid };
}

export async function evaluateAnalogies(vectors: Embeddings, file: string, opts: AnalogyOptions = {}, ok?: OkVocab): Promise<AnalogyResult[]> {
  const text = await readEvalFile(file, 'analogy questions');
  return evaluateAnalogiesText(vectors, text, file, opts, ok);
}

export async function evaluateAnalogiesText(vectors: Embeddings, text: string, file: string, opts: AnalogyOptions = {}, ok?: OkVocab): Promise<AnalogyResult[]> {
  const methods = opts.methods ?? ANALOGY_METHODS;
  for (const m of methods) {
    if (m !== '3CosAdd' && m !== '3CosMul') throw new WordloomError('E_PARAM', `unknown analogy method "${m}"`, { param: 'methods' }, "use '3CosAdd' and/or '3CosMul'");
  }
  const vocab = ok ?? okVocab(vectors, opts.restrict_vocab ?? 300000, opts.case_insensitive ?? true);
  const qs = parseAnalogies(text, file, vocab);
  const nq = qs.section.length;
  if (nq === 0) {
    // An accuracy of 0/0 would read as a result; it is a wrong file or vocabulary.
    throw new WordloomError(
      'E_INPUT',
      qs.questions === 0
        ? `no analogy question: no line is four words "a b c d"${qs.invalid ? ` (${qs.invalid} other lines)` : ''}`
        : `no analogy question can be asked: all ${qs.questions} have a word outside the ${vocab.rows} words evaluated`,
      { file },
      qs.questions === 0
        ? 'expected the word2vec questions-words.txt format: ": section" lines, then "a b c d" lines'
        : `raise restrict_vocab (now ${vocab.rows} words${vocab.rows < vectors.size ? ` of ${vectors.size}` : ''}), or check the case of the words (case_insensitive)`,
    );
  }
  const ranked = await rankAnalogies(vectors, vocab.rows, qs.rows, methods, opts);
  return methods.map((method, mi) => {
    const idx = ranked.lists[mi]!;
    const correct = new Array<number>(qs.sections.length).fill(0);
    const answered = new Array<number>(qs.sections.length).fill(0);
    for (let q = 0; q < nq; q++) {
      const a = qs.rows[4 * q]!;
      const b = qs.rows[4 * q + 1]!;
      const c = qs.rows[4 * q + 2]!;
      const expected = qs.rows[4 * q + 3]!;
      let predicted = -1;
      for (let j = 0; j < TOPN; j++) {
        const row = idx[q * TOPN + j]!;
        if (row < 0) break;
        predicted = vocab.canon[row]!;
        if (predicted !== a && predicted !== b && predicted !== c) break;
      }
      answered[qs.section[q]!]!++;
      if (predicted === expected) correct[qs.section[q]!]!++;
    }
    const sections = qs.sections.map((section, s) => ({ section, correct: correct[s]!, total: answered[s]!, accuracy: answered[s]! ? correct[s]! / answered[s]! : 0 }));
    const totalCorrect = correct.reduce((x, y) => x + y, 0);
    return {
      file,
      method,
      accuracy: nq ? totalCorrect / nq : 0,
      correct: totalCorrect,
      total: nq,
      skipped: qs.skipped,
      questions: qs.questions,
      oovRatio: qs.questions ? (qs.skipped / qs.questions) * 100 : 0,
      invalid: qs.invalid,
      sections,
      backend: ranked.backend,
    };
  });
}

/**
 * The TOPN best rows in [0, rows) for each question (4 rows per question in
 * `questionRows`: a, b, c, expected), for each method, excluding the rows of a, b
 * and c. Returns one Int32Array (TOPN per question, -1 padded) per method.
 */
export async function rankAnalogies(
  vectors: Embeddings,
  rows: number,
  questionRows: Int32Array,
  methods: readonly AnalogyMethod[],
  opts: Pick<AnalogyOptions, 'backend' | 'threads' | 'parallelThreshold' | 'signal' | 'onProgress'> = {},
): Promise<{ lists: Int32Array[]; backend: string }> {
  const nq = questionRows.length / 4;
  const dim = vectors.dim;
  const codes = methods.map((m) => (m === '3CosMul' ? THREE_COS_MUL : THREE_COS_ADD));
  // Distinct question words (a, b, c), as unit vectors.
  const unit = unitEmbeddings(vectors);
  const e = isShared(unit.data) ? unit.data : toShared(unit.data);
  const uid = new Map<number, number>();
  const abc = sharedInt32(nq * 3);
  const excl = sharedInt32(nq * 3);
  for (let q = 0; q < nq; q++) {
    for (let t = 0; t < 3; t++) {
      const row = questionRows[4 * q + t]!;
      let u = uid.get(row);
      if (u === undefined) {
        u = uid.size;
        uid.set(row, u);
      }
      abc[3 * q + t] = u;
      excl[3 * q + t] = row;
    }
  }
  const u = uid.size;
  const uv = sharedFloat32(Math.max(1, u) * dim);
  for (const [row, i] of uid) uv.set(e.subarray(row * dim, (row + 1) * dim), i * dim);

  const newLists = () => codes.map((method) => ({ method, idx: sharedInt32(nq * TOPN).fill(-1), sc: sharedFloat64(nq * TOPN).fill(-Infinity) }));
  if (nq === 0 || rows === 0) return { lists: codes.map(() => new Int32Array(nq * TOPN).fill(-1)), backend: 'typescript' };

  const work = u * rows * dim;
  let backend = opts.backend ?? 'auto';
  const auto = backend === 'auto';
  if (auto) backend = work >= SMALL_WORK && (await gpuDeviceAvailable()) ? 'gpu' : 'typescript';

  if (backend === 'gpu') {
    const lists = newLists();
    try {
      const name = await gpuAnalogies(e, dim, rows, uv, u, abc, excl, nq, lists, opts);
      return { lists: lists.map((l) => l.idx), backend: name };
    } catch (err) {
      // 'auto' falls back to TypeScript when the GPU path fails; an explicit 'gpu' reports it.
      if (!auto || opts.signal?.aborted) throw err;
    }
  }

  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  if (threads === 1 || work < (opts.parallelThreshold ?? SMALL_WORK)) {
    const lists = newLists();
    const scratch = new Float32Array(Math.max(1, u * ANALOGY_ROW_BLOCK));
    const step = ANALOGY_ROW_BLOCK * 4;
    for (let r0 = 0; r0 < rows; r0 += step) {
      throwIfAborted(opts.signal);
      const r1 = Math.min(rows, r0 + step);
      analogyRange({ e, dim, r0, r1, uv, u, abc, excl, nq, k: TOPN, lists }, scratch);
      opts.onProgress?.(r1, rows);
      if (work >= SMALL_WORK) await new Promise((r) => setImmediate(r));
    }
    return { lists: lists.map((l) => l.idx), backend: 'typescript' };
  }

  // Workers take row ranges; each keeps its own top lists, merged here in row order.
  const parts = Math.min(threads * 4, Math.ceil(rows / ANALOGY_ROW_BLOCK));
  const per = Math.ceil(rows / parts / ANALOGY_ROW_BLOCK) * ANALOGY_ROW_BLOCK;
  const partLists: ReturnType<typeof newLists>[] = [];
  const pool = kernelPool(threads);
  try {
    let done = 0;
    const tasks: Promise<unknown>[] = [];
    for (let r0 = 0; r0 < rows; r0 += per) {
      const r1 = Math.min(rows, r0 + per);
      const lists = newLists();
      partLists.push(lists);
      const task: KernelTask = { kind: 'analogy', e, dim, r0, r1, uv, u, abc, excl, nq, k: TOPN, lists };
      tasks.push(
        pool.run(task, { signal: opts.signal }).then(() => {
          done += r1 - r0;
          opts.onProgress?.(done, rows);
        }),
      );
    }
    await Promise.all(tasks);
  } catch (err) {
    throwIfAborted(opts.signal);
    throw err;
  } finally {
    await pool.destroy();
  }
  const out = codes.map(() => new Int32Array(nq * TOPN).fill(-1));
  const sc = new Float64Array(TOPN);
  for (let m = 0; m < codes.length; m++) {
    const idx = out[m]!;
    for (let q = 0; q < nq; q++) {
      sc.fill(-Infinity);
      const base = q * TOPN;
      for (const part of partLists) {
        const l = part[m]!;
        for (let j = 0; j < TOPN; j++) {
          const row = l.idx[base + j]!;
          if (row < 0) break;
          const v = l.sc[base + j]!;
          if (!(v > sc[TOPN - 1]!)) break; // the part's list is sorted: nothing better follows
          let p = TOPN - 1;
          while (p > 0 && sc[p - 1]! < v) {
            sc[p] = sc[p - 1]!;
            idx[base + p] = idx[base + p - 1]!;
            p--;
          }
          sc[p] = v;
          idx[base + p] = row;
        }
      }
    }
  }
  return { lists: out, backend: `typescript:${threads}-threads` };
}

async function gpuAnalogies(
  e: Float32Array,
  dim: number,
  rows: number,
  uv: Float32Array,
  u: number,
  abc: Int32Array,
  excl: Int32Array,
  nq: number,
  lists: { method: number; idx: Int32Array; sc: Float64Array }[],
  opts: Pick<AnalogyOptions, 'threads' | 'signal' | 'onProgress'>,
): Promise<string> {
  let scorer: ReturnType<typeof createGpuScorer>;
  try {
    scorer = createGpuScorer(e, dim, rows, { threads: opts.threads });
  } catch (err) {
    throw new WordloomError('E_INTERNAL', `the gpu.js backend could not start: ${(err as Error).message}`, { param: 'backend' }, "use backend: 'typescript'", { cause: err });
  }
  try {
    const rb = scorer.rowBlock;
    const cos = new Float32Array(u * rb);
    const aux = new Float64Array(2 * u * rb);
    for (let b = 0; b < scorer.blocks; b++) {
      throwIfAborted(opts.signal);
      const r0 = b * rb;
      const n = Math.min(rows, r0 + rb) - r0;
      for (let q0 = 0; q0 < u; q0 += scorer.queryBlock) {
        const m = Math.min(scorer.queryBlock, u - q0);
        const out = await scorer.scoreBlock(uv, q0 * dim, m, b);
        for (let q = 0; q < m; q++) cos.set((out[q] as Float32Array).subarray(0, rb), (q0 + q) * rb);
      }
      for (const l of lists) analogyMerge(cos, rb, n, r0, abc, excl, 0, nq, l.method, TOPN, l.idx, l.sc, aux, u);
      opts.onProgress?.(r0 + n, rows);
    }
    return scorer.backend();
  } finally {
    await scorer.dispose();
  }
}
