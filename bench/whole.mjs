#!/usr/bin/env node
/**
 * Whole-process benchmarks, like for like with the reference tools' figures, which are
 * whole processes too (data/README.md, "Measured again on 2026-11-25"): each measurement
 * is one `wordloom` command run as a child process, timed from start to exit (wall) with
 * its peak resident memory (/usr/bin/time -v, or /proc/PID/status VmHWM without it).
 * Figures are means ± standard deviation (min-max) over every run and seed, each printed
 * with the command that made it.
 *
 *   node bench/whole.mjs                          # all three, 3 runs (seeds 1-3)
 *   node bench/whole.mjs --only cooccur --runs 5
 *   node bench/whole.mjs --only vectors --seeds 1,2,3
 *   node bench/whole.mjs --only classify --seeds 1-5 --threads 1,2
 *   node bench/whole.mjs --small                  # a smoke test on small inputs (seconds)
 *
 * cooccur   text -> vocab.txt + GloVe binary co-occurrence file (tokenize, vocab, cooccur
 *           ops; WikiText-2 train, lowercased, min_count 5, window 15), against GloVe
 *           vocab_count + cooccur, 2.73 s wall, 539 MB peak.
 * vectors   text -> saved GloVe vectors (the same, then glove: dim 50, x_max 10, 15
 *           iterations, 2 threads, one process per seed), against the GloVe C tools
 *           (vocab_count, cooccur, shuffle, glove): 66.8 s wall, 539 MB peak; seconds an
 *           iteration are the mean over all iterations of all seeds, as the reference's
 *           5.9 s (89.6 s for 15) is a mean.
 * classify  `wordloom classify train` on the seeded 90/10 rt-polarity split written as
 *           fastText text (9,596 / 1,066 lines), fastText's recipe (dim 50, 5 epochs,
 *           word bigrams, bucket 200000, SGD lr 0.1) and the classify defaults, timed as
 *           a process, then `classify test` for P@1; beside it /usr/bin/fasttext
 *           supervised with the same settings on the same files (anchor: 0.69 s wall,
 *           163 MB peak, P@1 0.689), and a linear SVM on TF-IDF unigrams + bigrams
 *           (bench/reference/rt_svm.py, needs python3 with scikit-learn), when present.
 *
 * Run it on a quiet machine: other work on the cores moves every figure.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(root, 'packages/cli/dist/src/bin.js');
const OPS = new URL('../packages/ops/dist/src/index.js', import.meta.url).href;
const TIME = '/usr/bin/time';
const FASTTEXT = '/usr/bin/fasttext';
const PYTHON = '/usr/bin/python3';

// Every run computes every node: the artifact cache would load the outputs of the previous run.
process.env.WORDLOOM_CACHE = 'off';

const argv = process.argv.slice(2);
function arg(name, def) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
}
/** "1-3" or "1,2,5" -> numbers. */
function list(s) {
  return s.split(',').flatMap((p) => {
    const m = /^(\d+)-(\d+)$/.exec(p);
    if (!m) return [Number(p)];
    return Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i);
  });
}
const small = argv.includes('--small');
const only = arg('only', 'cooccur,vectors,classify').split(',');
const seeds = list(arg('seeds', small ? '1' : '1-3'));
const runs = Number(arg('runs', seeds.length));
const threadsList = list(arg('threads', '2'));

const stats = (xs) => {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
};
const fmt = (xs, digits) => {
  const s = stats(xs);
  return `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)}, n=${s.n})`;
};
const quote = (a) => (/^[\w@%+=:,./$-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
const show = (cmd, args) => [cmd, ...args].map(quote).join(' ');

/**
 * Runs one command to its end: wall seconds, peak RSS in MB, exit status, stdout, stderr.
 * Peak RSS from /usr/bin/time -v when installed, else by polling the process's VmHWM.
 */
function measure(cmd, args, opts = {}) {
  return new Promise((done, fail) => {
    const useTime = existsSync(TIME);
    const timeFile = join(tmpdir(), `wordloom-bench-time-${process.pid}-${Date.now()}`);
    const child = useTime ? spawn(TIME, ['-v', '-o', timeFile, cmd, ...args], { cwd: opts.cwd ?? root }) : spawn(cmd, args, { cwd: opts.cwd ?? root });
    const t0 = performance.now();
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    let hwm = 0;
    const poll = useTime
      ? null
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) hwm = Math.max(hwm, Number(m[1]));
          } catch {}
        }, 20);
    child.on('error', fail);
    child.on('close', (code) => {
      const wall = (performance.now() - t0) / 1000;
      if (poll) clearInterval(poll);
      let rssKb = hwm;
      if (useTime) {
        const t = existsSync(timeFile) ? readFileSync(timeFile, 'utf8') : '';
        rmSync(timeFile, { force: true });
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(t);
        if (m) rssKb = Number(m[1]);
        const st = /Exit status: (\d+)/.exec(t);
        if (st) code = Number(st[1]);
      }
      done({ code, wall, rssMb: rssKb / 1024, out, err });
    });
  });
}

async function must(cmd, args, opts) {
  const r = await measure(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${show(cmd, args)} exited ${r.code}:\n${r.err.slice(-2000)}`);
  return r;
}

const CORPUS = small ? 'data/corpora/lee_background.cor' : 'data/corpora/wikitext-2/wiki.train.tokens.gz';
const MIN_COUNT = small ? 3 : 5;
const ITERS = Number(arg('iter', small ? 2 : 15));

/** The main job as a pipeline file, up to the co-occurrence file or the saved vectors. */
function pipeline(dir, upTo, threads) {
  const lines = [
    `name: whole-${upTo}`,
    `threads: ${threads}`,
    'nodes:',
    `  - { id: corpus, op: tokenize, params: { input: ${JSON.stringify(join(root, CORPUS))}, lowercase: ascii, replace: { "<unk>": unk } } }`,
    `  - { id: vocab, op: vocab, inputs: { tokens: corpus }, params: { min_count: ${MIN_COUNT}, output: ${JSON.stringify(join(dir, 'vocab.txt'))} } }`,
    `  - { id: cooccur, op: cooccur, inputs: { tokens: corpus, vocab: vocab }, params: { window: 15${upTo === 'cooccur' ? `, output: ${JSON.stringify(join(dir, 'cooc.bin'))}` : ''} } }`,
  ];
  if (upTo === 'vectors') {
    lines.push(`  - { id: glove, op: glove, inputs: { cooccurrences: cooccur, vocab: vocab }, params: { vector_size: 50, x_max: 10, max_iter: ${ITERS}, output: ${JSON.stringify(join(dir, 'vectors.txt'))} } }`);
  }
  const file = join(dir, `${upTo}.yaml`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function benchCooccur(dir) {
  console.log(`\n## text -> co-occurrence file (${CORPUS}, min_count ${MIN_COUNT}, window 15), one process a run`);
  for (const threads of threadsList) {
    const file = pipeline(dir, 'cooccur', threads);
    const args = [CLI, 'run', file, '--quiet'];
    const walls = [];
    const rss = [];
    for (let r = 0; r < runs; r++) {
      const m = await must(process.execPath, args);
      walls.push(m.wall);
      rss.push(m.rssMb);
    }
    console.log(`command: ${show('node', args.map((a) => a.replace(root, '').replace(dir, '$DIR')))}   ($DIR/cooccur.yaml, written by this script:)`);
    console.log(readFileSync(file, 'utf8').replaceAll(root, '').replaceAll(dir, '$DIR').replace(/^/gm, '    ').trimEnd());
    console.log(`  wordloom, ${threads} thread(s): wall s ${fmt(walls, 2)}; peak RSS MB ${fmt(rss, 0)}`);
  }
  console.log('  anchor: GloVe vocab_count + cooccur, text in, file out: 2.73 s wall, 539 MB peak (data/README.md)');
}

async function benchVectors(dir) {
  console.log(`\n## text -> saved GloVe vectors (${CORPUS}, dim 50, x_max 10, ${ITERS} iterations), one process a seed`);
  for (const threads of threadsList) {
    const file = pipeline(dir, 'vectors', threads);
    const walls = [];
    const rss = [];
    const iterS = [];
    const costs = [];
    let shown = '';
    for (const seed of seeds) {
      const args = [CLI, 'run', file, '--json', '--set', `seed=${seed}`];
      shown = show('node', args.map((a) => a.replace(root, '').replace(dir, '$DIR')));
      const m = await must(process.execPath, args);
      walls.push(m.wall);
      rss.push(m.rssMb);
      let last;
      for (const line of m.out.split('\n')) {
        if (!line.startsWith('{')) continue;
        const e = JSON.parse(line);
        if (e.type === 'node:progress' && e.phase === 'iteration' && e.metrics?.seconds !== undefined) {
          iterS.push(Number(e.metrics.seconds));
          last = Number(e.metrics.cost);
        }
      }
      if (last === undefined) throw new Error(`no iteration events in the output of ${shown}`);
      costs.push(last);
    }
    console.log(`command: ${shown}   (seeds ${seeds.join(',')}; $DIR/vectors.yaml is cooccur.yaml without the cooccur output, plus:)`);
    console.log(readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('op: glove')).join('\n').replaceAll(dir, '$DIR').replace(/^/gm, '    '));
    console.log(`  wordloom, ${threads} thread(s): wall s ${fmt(walls, 1)}; peak RSS MB ${fmt(rss, 0)}`);
    console.log(`  seconds an iteration, all iterations of all seeds: ${fmt(iterS, 3)}; final cost ${fmt(costs, 5)}`);
  }
  console.log('  anchor: GloVe C tools (vocab_count, cooccur, shuffle, glove), 2 threads: 66.8 s wall, 539 MB peak; 5.9 s an iteration (mean; 89.6 s for 15); final cost 0.0270 (data/README.md)');
}

/** The seeded 90/10 split of rt-polarity as fastText text files, the split the ops use. */
async function writeSplit(dir) {
  const { readExamples, splitExamples } = await import(OPS);
  const data = (f) => join(root, 'data/classify', f);
  let all = await readExamples({ classes: { pos: data('rt-polarity.pos'), neg: data('rt-polarity.neg') } });
  if (small) all = all.filter((_, i) => i % 10 === 0);
  const { train, test } = splitExamples(all, 0.1, 1);
  const text = (xs) => xs.map((e) => `${e.labels.map((l) => `__label__${l}`).join(' ')} ${e.tokens.join(' ')}`).join('\n') + '\n';
  const trainFile = join(dir, 'rt.train.txt');
  const testFile = join(dir, 'rt.test.txt');
  writeFileSync(trainFile, text(train));
  writeFileSync(testFile, text(test));
  return { trainFile, testFile, nTrain: train.length, nTest: test.length };
}

async function benchClassify(dir) {
  const { trainFile, testFile, nTrain, nTest } = await writeSplit(dir);
  const epochs = small ? 1 : 5;
  console.log(`\n## classifier: rt-polarity seeded 90/10 split (${nTrain} training, ${nTest} test lines, fastText text), training as one process a run`);
  const model = join(dir, 'm.bin');
  const settings = [
    ["fastText's recipe: dim 50, bigrams, bucket 200000, SGD lr 0.1", ['--optimizer', 'sgd', '--lr', '0.1']],
    ['classify defaults: dim 50, bigrams, bucket 200000, LazyAdam + Adam lr 0.001', []],
  ];
  const haveFt = existsSync(FASTTEXT);
  // Every configuration runs once per seed, one after the other, before the next seed: the
  // machine's speed drifts (up to 1.5x over minutes), so the tools are timed side by side
  // rather than in separate spells.
  const configs = [];
  for (const [label, extra] of settings) for (const threads of threadsList) configs.push({ tool: 'wordloom', label, extra, threads, walls: [], rss: [], p1: [], shown: '' });
  if (haveFt) for (const threads of threadsList) configs.push({ tool: 'fasttext', label: 'fastText supervised', extra: [], threads, walls: [], rss: [], p1: [], shown: '' });
  for (const seed of seeds) {
    for (const c of configs) {
      if (c.tool === 'wordloom') {
        const args = [CLI, 'classify', 'train', trainFile, '-o', model, '--dim', '50', '--epoch', String(epochs), '--word-ngrams', '2', '--bucket', '200000', ...c.extra, '--threads', String(c.threads), '--seed', String(seed), '--quiet'];
        c.shown = show('node', args.map((a) => a.replace(root, '').replace(dir, '$DIR')));
        const m = await must(process.execPath, args);
        c.walls.push(m.wall);
        c.rss.push(m.rssMb);
        const t = await must(process.execPath, [CLI, 'classify', 'test', model, testFile, '--json']);
        const res = JSON.parse(t.out.slice(t.out.indexOf('{')));
        c.p1.push(Number(res.precision));
      } else {
        const args = ['supervised', '-input', trainFile, '-output', join(dir, 'ft'), '-dim', '50', '-epoch', String(epochs), '-wordNgrams', '2', '-bucket', '200000', '-lr', '0.1', '-thread', String(c.threads), '-seed', String(seed), '-verbose', '0'];
        c.shown = show(FASTTEXT, args.map((a) => a.replace(dir, '$DIR')));
        const m = await must(FASTTEXT, args);
        c.walls.push(m.wall);
        c.rss.push(m.rssMb);
        const t = spawnSync(FASTTEXT, ['test', join(dir, 'ft.bin'), testFile], { encoding: 'utf8' });
        const pm = /P@1\s+([\d.]+)/.exec(t.stdout);
        if (!pm) throw new Error(`fasttext test printed no P@1: ${t.stdout}${t.stderr}`);
        c.p1.push(Number(pm[1]));
      }
    }
  }
  console.log(`(seeds ${seeds.join(',')}, each seed running every configuration in turn; then wordloom classify test $DIR/m.bin $DIR/rt.test.txt --json, or fasttext test $DIR/ft.bin $DIR/rt.test.txt)`);
  for (const c of configs) {
    console.log(`command: ${c.shown}`);
    if (c.tool === 'wordloom') console.log(`  wordloom, ${c.label}, ${c.threads} thread(s): wall s ${fmt(c.walls, 2)}; peak RSS MB ${fmt(c.rss, 0)}; P@1 ${fmt(c.p1, 4)}${c.threads > 1 ? ' (Hogwild: runs of one seed differ)' : ' (one thread: a seed gives one model)'}`);
    else console.log(`  fastText supervised, ${c.threads} thread(s): wall s ${fmt(c.walls, 2)}; peak RSS MB ${fmt(c.rss, 0)}; P@1 ${fmt(c.p1, 4)}`);
  }
  for (const threads of threadsList) {
    const ft = configs.find((c) => c.tool === 'fasttext' && c.threads === threads);
    if (!ft) continue;
    for (const c of configs.filter((x) => x.tool === 'wordloom' && x.threads === threads)) {
      const ratios = c.walls.map((w, i) => w / ft.walls[i]);
      console.log(`  time ratio wordloom / fastText, ${c.label.split(':')[0]}, ${threads} thread(s), per seed: ${fmt(ratios, 2)}`);
    }
  }
  if (!haveFt) {
    console.log(`  fastText: ${FASTTEXT} is not installed, so there is no side-by-side figure (anchor from data/README.md: 0.69 s wall, 163 MB peak, P@1 0.689, 2 threads)`);
  }
  const svm = join(root, 'bench/reference/rt_svm.py');
  const hasSklearn = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0;
  if (hasSklearn) {
    const args = [svm, trainFile, testFile];
    const m = await must(PYTHON, args);
    console.log(`command: ${show('python3', ['bench/reference/rt_svm.py', '$DIR/rt.train.txt', '$DIR/rt.test.txt'])}`);
    console.log(`  linear SVM (scikit-learn LinearSVC, TF-IDF unigrams + bigrams), deterministic: ${m.out.trim()}; wall ${m.wall.toFixed(2)} s`);
  } else {
    console.log(`  linear SVM: ${PYTHON} with scikit-learn is not available, so there is no SVM figure`);
  }
  console.log('  anchor: fastText supervised, 2 threads, the same settings: 0.69 s wall, 163 MB peak, P@1 0.689 (data/README.md)');
}

const dir = mkdtempSync(join(tmpdir(), 'wordloom-bench-whole-'));
try {
  console.log(`whole-process benchmarks${small ? ' (--small: smoke test on small inputs, not comparable with the anchors)' : ''}; peak RSS from ${existsSync(TIME) ? '/usr/bin/time -v' : '/proc/PID/status VmHWM'}`);
  if (only.includes('cooccur')) await benchCooccur(dir);
  if (only.includes('vectors')) await benchVectors(dir);
  if (only.includes('classify')) await benchClassify(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
