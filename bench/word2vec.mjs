#!/usr/bin/env node
/**
 * word2vec benchmark: the setting of the fastText comparison in bench/RESULTS.md.
 * WikiText-2 train, ASCII-lowercased, `<unk>` written `unk` (as
 * examples/wikitext2-glove.yaml reads it), min count 5, skip-gram with subwords
 * (fastText's defaults otherwise: neg 5, minn 3, maxn 6, bucket 2,000,000, t 1e-4,
 * lr 0.05), dim 50, ws 5, 5 epochs, 2 threads, over several seeds; beside it
 * Debian's /usr/bin/fasttext skipgram with the same settings on the same text (when
 * present; the script says so when not).
 *
 * Each run is a fresh process timed whole (tokenizing, training and writing the
 * .bin); the .bin of each tool is then read back and evaluated the same way with
 * the evaluate op's code: analogies (questions-words, 3CosAdd), WordSim-353 and
 * SimLex-999 (Spearman), words outside the vocabulary skipped as gensim does.
 * Printed per run: wall seconds, words/s/thread (wordloom: words read per second per
 * thread of training; fastText: its own last "words/sec/thread"), final loss, and
 * the three scores; then mean ± sd per tool.
 *
 *   node bench/word2vec.mjs                      # seeds 1,2,3
 *   node bench/word2vec.mjs --seeds 1 --threads 1
 *   node bench/word2vec.mjs --model cbow                       # CBOW against fastText cbow
 *   node bench/word2vec.mjs --preset word2vec                  # no subwords, against gensim's Word2Vec (skip-gram)
 *   node bench/word2vec.mjs --repeat 4 --seeds 1               # corpus growth: the text 4 times over
 *   node bench/word2vec.mjs --only wordloom --threads 1        # wordloom alone
 *   node bench/word2vec.mjs --preset word2vec --only reference  # gensim (or fastText) alone
 *   node bench/word2vec.mjs --preset word2vec --skipgram-input center   # skip-gram paired as fastText pairs it
 *   node bench/word2vec.mjs --preset word2vec --min-lr 0 --neg-target redraw   # fastText's rate end and redraw
 *   node bench/word2vec.mjs --corpus data/corpora/lee_background.cor --bucket 100000 --seeds 1   # quick check of the script
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const OPS = new URL('../packages/ops/dist/src/index.js', import.meta.url).href;
const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FASTTEXT = '/usr/bin/fasttext';

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const CORPUS = resolve(arg('corpus', join(ROOT, 'data/corpora/wikitext-2/wiki.train.tokens.gz')));
const settings = {
  dim: Number(arg('dim', '50')),
  ws: Number(arg('ws', '5')),
  epoch: Number(arg('epoch', '5')),
  minCount: Number(arg('min-count', '5')),
  threads: Number(arg('threads', '2')),
  bucket: Number(arg('bucket', '2000000')),
  model: arg('model', 'skipgram'),
  backend: arg('backend', 'auto'),
  /** fasttext: subwords, against fastText; word2vec: no subwords, against gensim's Word2Vec. */
  preset: arg('preset', 'fasttext'),
  /** Train on the text this many times over (corpus growth: 4 = four copies end to end), both tools. */
  repeat: Number(arg('repeat', '1')),
  /** Skip-gram: 'center' (fastText) or 'context' (word2vec); unset = the preset's. */
  skipgramInput: arg('skipgram-input', ''),
  /** The rate at the end (fastText 0, gensim's min_alpha 0.0001) and a negative equal to the target ('redraw' or 'skip'); unset = the preset's. */
  minLr: arg('min-lr', ''),
  negTarget: arg('neg-target', ''),
  /** 'wordloom': leave the reference tool out (e.g. 1 vs 2 threads of wordloom alone); 'reference': the reference tool alone. */
  only: arg('only', ''),
};
const GENSIM_SCRIPT = join(ROOT, 'bench/reference/gensim_w2v.py');
const PYTHON = '/usr/bin/python3';

/** The corpus as the tokenize op reads it with lowercase: ascii and <unk> -> unk, as plain text for fastText. */
async function writeText(file) {
  const input = CORPUS.endsWith('.gz') ? createReadStream(CORPUS).pipe(createGunzip()) : createReadStream(CORPUS);
  const out = createWriteStream(file);
  let rest = '';
  for await (const chunk of input) {
    const text = rest + chunk.toString('utf8');
    const cut = text.lastIndexOf('\n') + 1;
    rest = text.slice(cut);
    const part = text.slice(0, cut).replace(/[A-Z]/g, (c) => c.toLowerCase()).replace(/(^|\s)<unk>(?=\s|$)/g, '$1unk');
    if (!out.write(part)) await new Promise((r) => out.once('drain', r));
  }
  out.write(rest.replace(/[A-Z]/g, (c) => c.toLowerCase()).replace(/(^|\s)<unk>(?=\s|$)/g, '$1unk'));
  await new Promise((r) => out.end(r));
}

async function child() {
  const [stem, seedS] = process.argv.slice(3);
  const { tokenize, tokenizeDefaults, buildVocab, trainWord2VecTokens, standaloneContext } = await import(OPS);
  const ctx = standaloneContext({ threads: settings.threads, seed: Number(seedS) });
  // with --repeat, the plain text written for the reference tools (already lowercased, unk), the same tokens
  const textFile = arg('text-file', '');
  const tokens = tokenize(tokenizeDefaults(textFile ? { input: [textFile] } : { input: [CORPUS], lowercase: 'ascii', replace: { '<unk>': 'unk' } }), ctx);
  const vocab = await buildVocab(tokens, { min_count: settings.minCount, max_size: 0 });
  const r = await trainWord2VecTokens(tokens, vocab, {
    preset: settings.preset, model: settings.model, dim: settings.dim, ws: settings.ws, epoch: settings.epoch, bucket: settings.bucket, threads: settings.threads, seed: Number(seedS), output: stem, backend: settings.backend,
    ...(settings.preset === 'word2vec' ? { bucket: 0 } : {}),
    ...(settings.skipgramInput ? { skipgram_input: settings.skipgramInput } : {}),
    ...(settings.minLr !== '' ? { min_lr: Number(settings.minLr) } : {}),
    ...(settings.negTarget ? { neg_target: settings.negTarget } : {}),
  }, ctx);
  console.log(JSON.stringify({ words: vocab.size, wps: r.wordsPerSecondPerThread, loss: r.losses[r.losses.length - 1], train: r.seconds.reduce((a, b) => a + b, 0) }));
}

async function evaluate(bin) {
  const { loadVectors, evaluateVectors } = await import(OPS);
  const v = await loadVectors(bin);
  const r = await evaluateVectors(v, {
    analogies: [join(ROOT, 'data/eval/questions-words.txt')],
    similarity: [join(ROOT, 'data/eval/wordsim353.tsv'), join(ROOT, 'data/eval/simlex999.txt')],
    methods: ['3CosAdd'],
    threads: settings.threads,
  });
  return { analogy: r.analogy[0].accuracy, ws353: r.similarity[0].spearman, simlex: r.similarity[1].spearman };
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1)));
const fmt = (xs, d = 3) => `${mean(xs).toFixed(d)} ± ${sd(xs).toFixed(d)}`;

async function main() {
  const seeds = arg('seeds', '1,2,3').split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-w2v-'));
  console.log(`word2vec bench: ${CORPUS}, ${JSON.stringify(settings)}, seeds ${seeds.join(',')}`);
  const rows = { wordloom: [], fasttext: [], gensim: [] };
  try {
    const gensimRun = settings.preset === 'word2vec';
    const haveFt = settings.only !== 'wordloom' && !gensimRun && existsSync(FASTTEXT);
    const haveGensim = settings.only !== 'wordloom' && gensimRun && existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import gensim'], { stdio: 'ignore' }).status === 0;
    let text;
    if (haveFt || haveGensim || settings.repeat > 1) {
      text = join(dir, 'corpus.txt');
      await writeText(text);
      if (settings.repeat > 1) {
        const once = readFileSync(text);
        for (let i = 1; i < settings.repeat; i++) appendFileSync(text, once);
        console.log(`corpus: the text ${settings.repeat} times over (${((once.length * settings.repeat) / 2 ** 20).toFixed(0)} MB)`);
      }
    }
    if (settings.only !== 'wordloom' && !gensimRun && !haveFt) console.log(`${FASTTEXT} not found: fastText is left out (apt-get install fasttext)`);
    if (settings.only !== 'wordloom' && gensimRun && !haveGensim) console.log(`${PYTHON} with gensim not found: gensim is left out (apt-get install python3-gensim)`);
    for (const seed of seeds) {
      const stem = join(dir, `wl-${seed}`);
      let t0 = performance.now();
      if (settings.only !== 'reference') {
        const c = spawnSync(process.execPath, [SELF, '--child', stem, String(seed), ...process.argv.slice(2), ...(settings.repeat > 1 ? ['--text-file', text] : [])], { encoding: 'utf8', maxBuffer: 1 << 26 });
        const wall = (performance.now() - t0) / 1000;
        if (c.status !== 0) throw new Error(`wordloom run failed: ${c.stderr}`);
        const info = JSON.parse(c.stdout.trim().split('\n').pop());
        const ev = await evaluate(stem + '.bin');
        rows.wordloom.push({ seed, wall, ...info, ...ev });
        console.log(`wordloom seed ${seed}: ${wall.toFixed(2)} s whole, ${Math.round(info.wps)} words/s/thread, loss ${info.loss.toFixed(4)}, ${info.words} words; analogy ${ev.analogy.toFixed(3)}, WS353 ${ev.ws353.toFixed(3)}, SimLex ${ev.simlex.toFixed(3)}`);
      }
      if (haveGensim) {
        const out = join(dir, `gensim-${seed}.vec`);
        t0 = performance.now();
        const g = spawnSync(PYTHON, [GENSIM_SCRIPT, text, out, settings.model, String(settings.dim), String(settings.ws), String(settings.epoch), String(settings.minCount), String(settings.threads), String(seed)], { encoding: 'utf8', maxBuffer: 1 << 26 });
        const gWall = (performance.now() - t0) / 1000;
        if (g.status !== 0) throw new Error(`gensim failed: ${g.stderr}`);
        const gi = JSON.parse(g.stdout.trim().split('\n').pop());
        const ev3 = await evaluate(out);
        rows.gensim.push({ seed, wall: gWall, wps: NaN, ...ev3 });
        console.log(`gensim   seed ${seed}: ${gWall.toFixed(2)} s whole (${gi.train.toFixed(2)} s training), ${gi.words} words; analogy ${ev3.analogy.toFixed(3)}, WS353 ${ev3.ws353.toFixed(3)}, SimLex ${ev3.simlex.toFixed(3)}`);
      }
      if (haveFt) {
        const ftStem = join(dir, `ft-${seed}`);
        t0 = performance.now();
        const f = spawnSync(FASTTEXT, [settings.model, '-input', text, '-output', ftStem, '-dim', String(settings.dim), '-ws', String(settings.ws), '-epoch', String(settings.epoch), '-minCount', String(settings.minCount), '-thread', String(settings.threads), '-bucket', String(settings.bucket), '-seed', String(seed)], { encoding: 'utf8', maxBuffer: 1 << 28 });
        const ftWall = (performance.now() - t0) / 1000;
        if (f.status !== 0) throw new Error(`fasttext failed: ${f.stderr}`);
        const out = f.stderr + f.stdout;
        const wps = [...out.matchAll(/words\/sec\/thread:\s*(\d+)/gi)].pop();
        const loss = [...out.matchAll(/loss:\s*([\d.]+)/gi)].pop();
        const ev2 = await evaluate(ftStem + '.bin');
        rows.fasttext.push({ seed, wall: ftWall, wps: wps ? Number(wps[1]) : NaN, loss: loss ? Number(loss[1]) : NaN, ...ev2 });
        console.log(`fasttext seed ${seed}: ${ftWall.toFixed(2)} s whole, ${wps ? wps[1] : '?'} words/s/thread, loss ${loss ? loss[1] : '?'}; analogy ${ev2.analogy.toFixed(3)}, WS353 ${ev2.ws353.toFixed(3)}, SimLex ${ev2.simlex.toFixed(3)}`);
      }
    }
    console.log('\nmeans ± sd over seeds:');
    for (const [tool, rs] of Object.entries(rows)) {
      if (!rs.length) continue;
      const col = (k) => rs.map((r) => r[k]);
      console.log(`${tool.padEnd(9)} wall ${fmt(col('wall'), 2)} s, ${fmt(col('wps'), 0)} words/s/thread, analogy ${fmt(col('analogy'), 4)}, WS353 ${fmt(col('ws353'), 4)}, SimLex ${fmt(col('simlex'), 4)}`);
    }
    if (rows.fasttext.length && rows.wordloom.length) console.log(`time ratio wordloom / fastText: ${(mean(rows.wordloom.map((r) => r.wall)) / mean(rows.fasttext.map((r) => r.wall))).toFixed(2)}`);
    if (rows.gensim.length && rows.wordloom.length) console.log(`time ratio wordloom / gensim: ${(mean(rows.wordloom.map((r) => r.wall)) / mean(rows.gensim.map((r) => r.wall))).toFixed(2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child();
else await main();
