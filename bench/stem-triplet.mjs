#!/usr/bin/env node
/**
 * The triplet stem embedding on WikiText-2's vocabulary (lowercased a-z words seen
 * 5 times or more, grouped by Porter stem, 20% of the stems held out): word vectors
 * from characters (embedding -> dropout -> GRU -> linear) trained with the cosine
 * triplet margin loss (margin 0.3), read left to right against right to left, with
 * dropout 0.1 after the embedding against none. On the held-out stems: precision@1
 * (the nearest other held-out word shares the stem; and the nearest of the whole
 * vocabulary, training words included) and the ROC AUC of same-stem
 * against different-stem cosines, before training (the random encoder) and after;
 * mean ± sd over seeds (each seed its own split, initialisation and triplets).
 *
 *   node bench/stem-triplet.mjs                 # seeds 1-3, 5 epochs, the four settings
 *   node bench/stem-triplet.mjs --epoch 10 --seeds 1,2,3,4,5
 *   node bench/stem-triplet.mjs --small         # a check of the script: words seen 50 times or more, 1 epoch, seed 1
 */
import { fileURLToPath } from 'node:url';

const OPS = new URL('../packages/ops/dist/src/index.js', import.meta.url).href;
const { countWords, groupByStem, fitStemTriplet, standaloneContext, STEM_TRIPLET_DEFAULTS } = await import(OPS);

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const small = process.argv.includes('--small');
const seeds = (() => {
  const s = arg('seeds', small ? '1' : '1-3');
  const m = /^(\d+)-(\d+)$/.exec(s);
  return m ? Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i) : s.split(',').map(Number);
})();
const epoch = Number(arg('epoch', small ? 1 : STEM_TRIPLET_DEFAULTS.epoch));
const minCount = Number(arg('min-count', small ? 50 : STEM_TRIPLET_DEFAULTS.min_count));
const input = fileURLToPath(new URL('../data/corpora/wikitext-2/wiki.train.tokens.gz', import.meta.url));
const counts = await countWords(input, { minLength: STEM_TRIPLET_DEFAULTS.min_length, maxLength: STEM_TRIPLET_DEFAULTS.max_length });

const stats = (xs, d = 4) => {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return `${mean.toFixed(d)} ± ${sd.toFixed(d)}`;
};
const settings = [
  { name: 'left to right', reverse: false, dropout: 0 },
  { name: 'left to right, dropout 0.1', reverse: false, dropout: 0.1 },
  { name: 'right to left', reverse: true, dropout: 0 },
  { name: 'right to left, dropout 0.1', reverse: true, dropout: 0.1 },
];
const rows = settings.map(() => ({ p0: [], auc0: [], p1: [], auc1: [], v0: [], v1: [], secs: [] }));
let info = '';
for (const seed of seeds) {
  const groups = groupByStem(counts, minCount, STEM_TRIPLET_DEFAULTS.held_out, seed);
  info = `${groups.words.length} words; ${groups.train.length} training stems, ${groups.heldOut.length} held out`;
  for (const [i, s] of settings.entries()) {
    const res = await fitStemTriplet(groups, { reverse: s.reverse, dropout: s.dropout, epoch }, standaloneContext({ seed }));
    const r = rows[i];
    r.p0.push(res.initial.precisionAt1);
    r.auc0.push(res.initial.auc);
    r.p1.push(res.heldOut.precisionAt1);
    r.auc1.push(res.heldOut.auc);
    r.v0.push(res.initial.precisionAt1Vocabulary);
    r.v1.push(res.heldOut.precisionAt1Vocabulary);
    r.secs.push(res.train.epochSeconds.reduce((a, b) => a + b, 0) / res.train.epochSeconds.length);
    console.log(`seed ${seed}, ${s.name}: P@1 ${res.initial.precisionAt1.toFixed(4)} -> ${res.heldOut.precisionAt1.toFixed(4)}, AUC ${res.initial.auc.toFixed(4)} -> ${res.heldOut.auc.toFixed(4)} (${res.heldOut.words} held-out words), losses ${res.train.losses.map((l) => l.toFixed(4)).join(' ')}`);
  }
}
const d = STEM_TRIPLET_DEFAULTS;
console.log(`\nWikiText-2 train vocabulary (a-z, min_count ${minCount}): ${info} (last seed); embed ${d.embed_dim}, GRU ${d.hidden}, vectors ${d.dim}, margin ${d.margin}, batch ${d.batch}, lr ${d.lr}, ${epoch} epoch(s); seeds ${seeds.join(',')}; mean ± sd\n`);
console.log('| reading | held-out P@1 untrained | P@1 trained | P@1 in the whole vocabulary, untrained | trained | AUC untrained | AUC trained | s an epoch |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
settings.forEach((s, i) => {
  const r = rows[i];
  console.log(`| ${s.name} | ${stats(r.p0)} | ${stats(r.p1)} | ${stats(r.v0)} | ${stats(r.v1)} | ${stats(r.auc0)} | ${stats(r.auc1)} | ${stats(r.secs, 2)} |`);
});
