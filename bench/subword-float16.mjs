#!/usr/bin/env node
/**
 * What float16 storage costs a subword model: the model is written as a compact
 * subword model in float32 and in float16 (with and without the words' own rows),
 * read back, and compared with the original fastText model:
 *
 * - vector error: max and mean absolute error of the components, and the max
 *   error relative to the vector's largest component, for a seeded sample of
 *   vocabulary words and for words outside the vocabulary (made from vocabulary
 *   words: a suffix, a prefix, two letters swapped; only those the model does not know);
 * - neighbour overlap@10: the 10 nearest vocabulary words by cosine (over the
 *   accumulated word matrix of each model) of the same query words, shared with
 *   the original's 10, averaged over the queries;
 * - file sizes.
 *
 *   node bench/subword-float16.mjs [model.bin] [--queries 300] [--seed 1]
 *
 * Default model: data/fasttext/ft_wt2_sg.bin. The figures in bench/RESULTS.md are for
 * the large WikiText-2 model (dim 100, bucket 2,000,000).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OPS = new URL('../packages/ops/dist/src/index.js', import.meta.url).href;
const { readFastTextModel, writeSubwordModel, vocabularyVectors } = await import(OPS);

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !(i > 0 && all[i - 1].startsWith('--')));
const modelFile = positional[0] ?? fileURLToPath(new URL('../data/fasttext/ft_wt2_sg.bin', import.meta.url));
const nq = Number(arg('queries', 300));
let seed = Number(arg('seed', 1)) >>> 0 || 1;
const rnd = () => {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 4294967296;
};

const t0 = performance.now();
const orig = readFastTextModel(modelFile, { output: false });
const { dict, dim } = orig;
console.log(`model ${modelFile}: ${dict.nwords} words, dim ${dim}, ${dict.inputRows - dict.nwords} n-gram rows (read in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);

// query words: in-vocabulary (seeded, skipping </s> and one-letter words) and made-up unseen ones
const inVocab = [];
const tries = new Set();
while (inVocab.length < nq && tries.size < dict.nwords) {
  const i = Math.floor(rnd() * dict.nwords);
  if (tries.has(i)) continue;
  tries.add(i);
  const w = dict.word(i);
  if (w !== '</s>' && [...w].length > 1) inVocab.push(w);
}
const oov = [];
for (const w of inVocab) {
  const chars = [...w];
  const k = Math.floor(rnd() * Math.max(1, chars.length - 1));
  const swapped = chars.slice();
  [swapped[k], swapped[k + 1]] = [swapped[k + 1] ?? '', swapped[k]];
  for (const c of [w + 'ness', 'pre' + w, swapped.join('')]) {
    if (dict.getId(c) < 0 && orig.wordVector(c).rows > 0) {
      oov.push(c);
      break;
    }
  }
}

const dir = mkdtempSync(join(tmpdir(), 'wordloom-f16-'));
try {
  const variants = [
    ['float32, word rows', { float16: false, wordRows: true }],
    ['float16, word rows', { float16: true, wordRows: true }],
    ['float16, no word rows', { float16: true, wordRows: false }],
  ];
  const origVocab = normalized(vocabularyVectors(orig));
  const rows = [];
  for (const [name, opts] of variants) {
    const f = join(dir, name.replace(/[^a-z0-9]+/g, '_') + '.subword');
    await writeSubwordModel(orig, f, opts);
    const m = readFastTextModel(f);
    const row = { name, bytes: statSync(f).size };
    rmSync(f); // one variant on disk at a time (a float32 copy of a large model is most of a gigabyte)
    const vocab = normalized(vocabularyVectors(m));
    for (const [kind, words] of [['in-vocabulary', inVocab], ['unseen', oov]]) {
      let maxAbs = 0;
      let sumAbs = 0;
      let n = 0;
      let maxRel = 0;
      let overlap = 0;
      for (const w of words) {
        const a = orig.wordVector(w).vector;
        const b = m.wordVector(w).vector;
        let big = 0;
        let worst = 0;
        for (let j = 0; j < dim; j++) {
          const e = Math.abs(a[j] - b[j]);
          worst = Math.max(worst, e);
          sumAbs += e;
          n++;
          big = Math.max(big, Math.abs(a[j]));
        }
        maxAbs = Math.max(maxAbs, worst);
        if (big > 0) maxRel = Math.max(maxRel, worst / big);
        const na = top10(origVocab, a, w);
        const nb = new Set(top10(vocab, b, w));
        overlap += na.filter((x) => nb.has(x)).length / 10;
      }
      row[kind] = { words: words.length, maxAbs, meanAbs: sumAbs / n, maxRel, overlap: overlap / words.length };
    }
    rows.push(row);
  }
  const origBytes = statSync(modelFile).size;
  console.log(`\noriginal .bin: ${origBytes} bytes; queries: ${inVocab.length} in-vocabulary words, ${oov.length} unseen\n`);
  console.log('| stored as | bytes | words | max abs error | mean abs error | max error / largest component | neighbour overlap@10 |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    for (const kind of ['in-vocabulary', 'unseen']) {
      const x = r[kind];
      console.log(`| ${r.name} | ${r.bytes} | ${kind} (${x.words}) | ${x.maxAbs.toExponential(2)} | ${x.meanAbs.toExponential(2)} | ${x.maxRel.toExponential(2)} | ${x.overlap.toFixed(4)} |`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Rows scaled to unit length (zero rows stay zero), with the words. */
function normalized(emb) {
  const data = new Float32Array(emb.data);
  for (let i = 0; i < emb.size; i++) {
    let s = 0;
    for (let j = 0; j < emb.dim; j++) s += data[i * emb.dim + j] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < emb.dim; j++) data[i * emb.dim + j] *= inv;
  }
  return { words: emb.words, dim: emb.dim, size: emb.size, data };
}

/** The 10 vocabulary words most similar (cosine) to q, leaving out the query word itself. */
function top10(vocab, q, self) {
  const { data, dim, size, words } = vocab;
  const best = [];
  for (let i = 0; i < size; i++) {
    if (words[i] === self) continue;
    let s = 0;
    const o = i * dim;
    for (let j = 0; j < dim; j++) s += data[o + j] * q[j];
    if (best.length < 10 || s > best[best.length - 1][0]) {
      best.push([s, i]);
      best.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
      if (best.length > 10) best.pop();
    }
  }
  return best.map((x) => x[1]);
}
