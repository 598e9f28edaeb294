#!/usr/bin/env node
/**
 * Quality study of the subwords op: how well learned character n-gram vectors
 * stand in for words a model does not hold.
 *
 * 1. Held-out words: a seeded 10% of the vocabulary is hidden while the n-gram
 *    rows are learned; for each hidden word, the cosine between the mean of its
 *    n-gram rows and its true vector, and the overlap of their 10 nearest
 *    neighbours among the vocabulary. On the main job's GloVe vectors
 *    (out/wikitext2/vectors.txt: run `npm run demo` once first) and on the
 *    vocabulary vectors of a fastText model (data/fasttext/ft_wt2_sg.bin), where
 *    fastText's own n-gram rows (the mean of the hidden word's n-gram rows in the
 *    original model) are the yardstick. "mean vector" predicts every word by the
 *    mean of all vectors: the floor a prediction has to clear.
 * 2. Evaluation with out-of-vocabulary words: analogy (questions-words, 3CosAdd)
 *    and similarity (WordSim-353, SimLex-999) scores, gensim's way (questions with
 *    a word outside the vocabulary are skipped) and with those words given subword
 *    vectors (n-gram rows learned from every word; fastText's own for the model).
 *
 *   node bench/subwords.mjs [--vectors out/wikitext2/vectors.txt] [--threads 2] [--seed 1] [--epoch 10]
 */
import { existsSync, readFileSync } from 'node:fs';
import { repoPath } from './lib/main-job.mjs';

const OPS = new URL('../packages/ops/dist/src/index.js', import.meta.url).href;
const ops = await import(OPS);
const { readVectors, readFastTextModel, learnSubwords, predictionQuality, evaluateVectors, standaloneContext, IntList, wrapWord } = ops;
const { Embeddings } = await import(new URL('../packages/core/dist/src/index.js', import.meta.url).href);

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const threads = Number(arg('threads', 2));
const seed = Number(arg('seed', 1));
const epoch = Number(arg('epoch', 10));
const gloveFile = arg('vectors', repoPath('out/wikitext2/vectors.txt'));
const ftFile = repoPath('data/fasttext/ft_wt2_sg.bin');
if (!existsSync(gloveFile)) {
  console.error(`no GloVe vectors at ${gloveFile}: run the demo pipeline once (npm run demo), or name a file with --vectors`);
  process.exit(1);
}
const ctx = standaloneContext({ threads, seed, log: () => {} });
const learnParams = { holdout: 0.1, seed, threads, epoch };

/** A fastText model's vocabulary vectors (as fastText computes them) as Embeddings. */
function modelVectors(model) {
  const n = model.dict.nwords;
  const d = model.dim;
  const data = new Float32Array(n * d);
  const words = [];
  for (let i = 0; i < n; i++) {
    words.push(model.dict.word(i));
    model.entryVector(i, data.subarray(i * d, (i + 1) * d));
  }
  return new Embeddings(words, d, data);
}

/** The mean of a word's n-gram rows in a fastText model (without its own row). */
function modelNgramVector(model) {
  const rows = new IntList(64);
  return (w) => {
    rows.clear();
    model.dict.addCharNgramRows(wrapWord(w), rows);
    if (rows.length === 0) return undefined;
    const v = new Float32Array(model.dim);
    const r = new Float32Array(model.dim);
    for (let k = 0; k < rows.length; k++) {
      model.input.row(rows.data[k], r);
      for (let j = 0; j < v.length; j++) v[j] += r[j];
    }
    for (let j = 0; j < v.length; j++) v[j] /= rows.length;
    return v;
  };
}

function meanVector(v) {
  const m = new Float32Array(v.dim);
  for (let i = 0; i < v.size; i++) for (let j = 0; j < v.dim; j++) m[j] += v.data[i * v.dim + j] / v.size;
  return () => m;
}

const fmt = (x) => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
const rowsOut = [];
async function heldOut(name, vectors, yardstick) {
  const t = performance.now();
  const sv = await learnSubwords(vectors, learnParams, ctx);
  const secs = (performance.now() - t) / 1000;
  const words = sv.info.heldOut;
  const ours = predictionQuality(vectors, words, (w) => sv.ngramVector(w));
  rowsOut.push([name, `subwords (${sv.info.loss}${sv.info.centered ? ", centered" : ""}, ${sv.info.optimizer}, ${epoch} epochs, ${secs.toFixed(0)} s)`, words.length, ours]);
  if (yardstick) rowsOut.push([name, "fastText's own n-gram rows", words.length, predictionQuality(vectors, words, yardstick)]);
  rowsOut.push([name, 'mean vector', words.length, predictionQuality(vectors, words, meanVector(vectors))]);
}

const glove = await readVectors(gloveFile);
const ftModel = readFastTextModel(ftFile, { output: false });
const ftVectors = modelVectors(ftModel);
console.log(`GloVe: ${glove.size} words, dim ${glove.dim}; fastText ${ftFile.split('/').pop()}: ${ftVectors.size} words, dim ${ftVectors.dim}, minn ${ftModel.args.minn}, maxn ${ftModel.args.maxn}, bucket ${ftModel.args.bucket}`);
console.log(`learning: holdout 0.1, seed ${seed}, ${threads} threads, defaults otherwise (minn 3, maxn 6, bucket 200000, squared loss on centered vectors, LazyAdam lr 0.01)\n`);
await heldOut('GloVe WikiText-2', glove, undefined);
await heldOut('fastText ft_wt2_sg', ftVectors, modelNgramVector(ftModel));

console.log('Held-out words: predicted (mean of the n-gram rows) against true vectors\n');
console.log('| vectors | prediction | held-out words | mean cosine | 10-NN overlap | no n-gram |');
console.log('| --- | --- | ---: | ---: | ---: | ---: |');
for (const [v, how, n, q] of rowsOut) console.log(`| ${v} | ${how} | ${n} | ${fmt(q.cosine)} | ${fmt(q.overlap)} | ${q.missing} |`);

// ---- 2. evaluation with out-of-vocabulary words
const evalFiles = { analogies: [repoPath('data/eval/questions-words.txt')], similarity: [repoPath('data/eval/wordsim353.tsv'), repoPath('data/eval/simlex999.txt')], methods: ['3CosAdd'], threads };

/** Every word of the evaluation files. */
function evalWords() {
  const out = new Set();
  for (const line of readFileSync(evalFiles.analogies[0], 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith(':')) continue;
    for (const w of line.trim().split(/\s+/)) out.add(w);
  }
  for (const f of evalFiles.similarity) {
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      if (!line.trim() || line.startsWith('#')) continue;
      const [a, b] = line.split('\t');
      if (a && b) out.add(a).add(b);
    }
  }
  return [...out];
}

/** The vectors plus a row for each evaluation word they lack (case-insensitively), made by `oov`. */
function withOov(vectors, oov, lower) {
  const keys = new Set(vectors.words.map((w) => w.toUpperCase()));
  const extra = [];
  for (const w0 of evalWords()) {
    const w = lower ? w0.toLowerCase() : w0;
    if (keys.has(w.toUpperCase())) continue;
    const v = oov(w);
    if (!v) continue;
    keys.add(w.toUpperCase());
    extra.push([w, v]);
  }
  const d = vectors.dim;
  const data = new Float32Array((vectors.size + extra.length) * d);
  data.set(vectors.data.subarray(0, vectors.size * d));
  extra.forEach(([, v], k) => data.set(v, (vectors.size + k) * d));
  return { vectors: new Embeddings([...vectors.words, ...extra.map(([w]) => w)], d, data), added: extra.length };
}

const evalRows = [];
async function evalBoth(name, vectors, oov, lower, how) {
  const skip = await evaluateVectors(vectors, evalFiles);
  evalRows.push([name, "gensim's way: skip questions with unknown words", 0, skip]);
  const { vectors: full, added } = withOov(vectors, oov, lower);
  evalRows.push([name, how, added, await evaluateVectors(full, evalFiles)]);
}
const t2 = performance.now();
const gloveAll = await learnSubwords(glove, { ...learnParams, holdout: 0 }, ctx);
await evalBoth('GloVe WikiText-2', glove, (w) => gloveAll.oov(w), true, `unknown words from learned subwords (${((performance.now() - t2) / 1000).toFixed(0)} s to learn)`);
await evalBoth('fastText ft_wt2_sg', ftVectors, (w) => { const r = ftModel.wordVector(w); return r.rows > 0 ? r.vector : undefined; }, false, "unknown words from fastText's own n-grams");
const ftAll = await learnSubwords(ftVectors, { ...learnParams, holdout: 0 }, ctx);
const { vectors: ftLearned, added: ftAdded } = withOov(ftVectors, (w) => ftAll.oov(w), false);
evalRows.push(['fastText ft_wt2_sg', 'unknown words from learned subwords', ftAdded, await evaluateVectors(ftLearned, evalFiles)]);

console.log('\nEvaluation (restrict_vocab 300000, case-insensitive, 3CosAdd)\n');
console.log('| vectors | unknown words | rows added | analogy accuracy (answered / questions) | correct (of all questions) | WordSim-353 Spearman (pairs used) | SimLex-999 Spearman (pairs used) |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const [v, how, added, r] of evalRows) {
  const a = r.analogy[0];
  const [ws, sl] = r.similarity;
  console.log(`| ${v} | ${how} | ${added} | ${fmt(a.accuracy)} (${a.total} / ${a.questions}) | ${a.correct} (${fmt(a.correct / a.questions)}) | ${fmt(ws.spearman)} (${ws.used} / ${ws.pairs}) | ${fmt(sl.spearman)} (${sl.used} / ${sl.pairs}) |`);
}
