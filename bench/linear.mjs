#!/usr/bin/env node
/**
 * Linear models on hashed features: wordloom's `linear` beside liblinear (Debian's
 * liblinear-tools) on the SAME features, and the classify op, as whole processes.
 *
 * 1. rt-polarity (data/classify), the classify op's seeded 90/10 split (9,596 / 1,066):
 *    unigrams + bigrams hashed by wordloom into 2^bits (default 18) and written as
 *    libsvm files (index + 1, duplicates summed) for liblinear-train -s 1 and -s 2
 *    (L2-regularized L2-loss SVM, dual and primal; -B 1 for the bias). Reported:
 *    accuracy on the test split, whole-process training seconds and the training alone
 *    (wordloom: its update rule, learnSeconds; liblinear: its train() call timed by
 *    bench/reference/liblinear_time.c, built here when gcc and Debian's liblinear-dev are
 *    installed, else its run less one stopped after the first solver iteration by
 *    -e 1e30; --no-timer forces the latter), mean ± sd over
 *    --runs), `wordloom linear train` (hinge, normalized update, --passes) and
 *    `wordloom classify train` (accuracy only matters here; its defaults).
 *    Prediction speed: `wordloom linear test` predictions per second.
 * 2. SpamAssassin (data/spam/*.txt.gz, made by scripts/make_spam_dataset.mjs: 5,442 / 604
 *    messages, seeded): the same, words + bigrams into 2^bits.
 * 3. The seed's scale: synthetic, --features (250,000) features, about --per (25) a
 *    example, --examples (1,000,000) examples, labels from a planted linear rule
 *    (sign of a random ±1 weight vector times the example, 5% of labels flipped);
 *    `wordloom linear train` on 1 and 2 threads: examples per second and peak memory
 *    (/usr/bin/time), and the same for --bits-list (how time and memory grow with bits);
 *    --synth-passes 3 adds passes over the cache of hashed examples (learning only: the
 *    part the threads share; the first pass is bound by parsing on the main thread).
 *
 *   node bench/linear.mjs                         # all parts, full scale
 *   node bench/linear.mjs --only rt --runs 5
 *   node bench/linear.mjs --only synth --examples 1000000 --bits-list 18,22,26
 *   node bench/linear.mjs --only synth --examples-list 100000,300000,1000000 --synth-passes 3
 *   node bench/linear.mjs --only synth --examples 1000000 --synth-test 100000 --synth-passes 3   # held-out accuracy too
 *   node bench/linear.mjs --small                 # a quick check of the script
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, createWriteStream, readFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OPS = new URL('../packages/ops/dist/src/index.js', import.meta.url).href;
const CLI = join(ROOT, 'packages/cli/dist/src/bin.js');
const { readExamples, splitExamples, FeatureBuilder } = await import(OPS);

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const flag = (name) => process.argv.includes(`--${name}`);
const small = flag('small');
const only = arg('only');
const runs = Number(arg('runs', small ? 1 : 3));
const seed = Number(arg('seed', 1));
const bits = Number(arg('bits', 18));
const passes = Number(arg('passes', 5));
const dir = mkdtempSync(join(tmpdir(), 'wordloom-linear-bench-'));

/**
 * liblinear's train() timed alone: bench/reference/liblinear_time.c, built here when gcc and
 * liblinear's header are there (apt-get install gcc liblinear-dev); else undefined.
 */
const TIMER = (() => {
  if (flag('no-timer') || !existsSync('/usr/include/linear.h')) return undefined;
  const out = join(dir, 'liblinear_time');
  const r = spawnSync('gcc', ['-O2', '-o', out, join(ROOT, 'bench/reference/liblinear_time.c'), '-llinear'], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`(could not build the liblinear timer: ${r.error?.message ?? r.stderr.trim()}; liblinear's training alone is then a difference of two runs)`);
    return undefined;
  }
  return out;
})();

function run(cmd, args, { input } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M', cmd, ...args], { encoding: 'utf8', input, maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const m = /MAXRSS (\d+)/.exec(r.stderr);
  return { seconds, stdout: r.stdout, stderr: r.stderr, maxRssMb: m ? Number(m[1]) / 1024 : NaN, command: `${cmd} ${args.join(' ')}` };
}
const stats = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
  return `${m.toFixed(3)} ± ${sd.toFixed(3)}`;
};

/** fastText lines and libsvm lines of the same hashed features (wordloom's hashing, no bias: liblinear adds -B 1). */
function writeSets(name, train, test, ngram) {
  const b = new FeatureBuilder({ bits, ngram, quadratic: [], bias: false });
  const files = {};
  for (const [part, exs] of [['train', train], ['test', test]]) {
    const ft = [];
    const svm = [];
    for (const e of exs) {
      ft.push(`__label__${e.labels[0]} ${e.tokens.join(' ')}`);
      b.reset();
      b.namespace('');
      for (const t of e.tokens) b.feature(t, 1);
      b.finish();
      const acc = new Map();
      for (let k = 0; k < b.n; k++) acc.set(b.idx[k] + 1, (acc.get(b.idx[k] + 1) ?? 0) + b.val[k]);
      const feats = [...acc.entries()].sort((x, y) => x[0] - y[0]).map(([i, v]) => `${i}:${v}`);
      svm.push(`${e.labels[0] === train[0].labels[0] ? 1 : -1} ${feats.join(' ')}`);
    }
    files[`${part}Ft`] = join(dir, `${name}.${part}.txt`);
    files[`${part}Svm`] = join(dir, `${name}.${part}.svm`);
    writeFileSync(files[`${part}Ft`], ft.join('\n') + '\n');
    writeFileSync(files[`${part}Svm`], svm.join('\n') + '\n');
  }
  return files;
}

function compare(name, train, test, ngram, classes) {
  const f = writeSets(name, train, test, ngram);
  console.log(`\n## ${name}: ${train.length} training, ${test.length} test examples; words${ngram > 1 ? ' + bigrams' : ''} hashed into 2^${bits}; ${runs} run(s) each; ${cpus().length} CPUs`);
  const rows = [];
  const model = join(dir, `${name}.bin`);
  const wlArgs = [CLI, 'linear', 'train', f.trainFt, '--ngram', String(ngram), '--bits', String(bits), '--passes', String(passes), '-o', model, '-Q', '--json', '--threads', '1'];
  // every tool once per run, in turn (the machine's speed drifts over minutes)
  const tools = [{ key: 'wl', secs: [], learn: [] }];
  const haveLiblinear = existsSync('/usr/bin/liblinear-train');
  if (haveLiblinear) for (const sv of ['1', '2']) tools.push({ key: sv, secs: [], learn: [], args: ['-s', sv, '-B', '1', '-q', f.trainSvm, join(dir, `${name}.ll${sv}`)], argsRead: ['-s', sv, '-B', '1', '-e', '1e30', '-q', f.trainSvm, join(dir, `${name}.llx`)] });
  for (let r = 0; r < runs; r++) {
    for (const t of tools) {
      if (t.key === 'wl') {
        const o = run(process.execPath, wlArgs);
        t.secs.push(o.seconds);
        t.learn.push(JSON.parse(o.stdout).learnSeconds);
      } else {
        const full = run('/usr/bin/liblinear-train', t.args).seconds;
        t.secs.push(full);
        if (TIMER) {
          // liblinear's train() timed alone in a process of its own (bench/reference/liblinear_time.c)
          t.learn.push(JSON.parse(run(TIMER, [t.key, f.trainSvm]).stdout).train_seconds);
        } else {
          // without the timer: its run less a run that stops after the solver's first iteration
          // (-e 1e30: the same reading, setup and model writing); an underestimate by one iteration
          const read = run('/usr/bin/liblinear-train', t.argsRead).seconds;
          t.learn.push(Math.max(0, full - read));
        }
      }
    }
  }
  const t = JSON.parse(run(process.execPath, [CLI, 'linear', 'test', model, f.testFt, '--json']).stdout);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const wl = tools[0];
  rows.push({ tool: `wordloom linear (hinge, normalized, ${passes} passes)`, accuracy: t.accuracy, seconds: stats(wl.secs), learn: stats(wl.learn), command: `node ${wlArgs.slice(0, -2).join(' ').replace(ROOT, '')}`, extra: `${Math.round(t.predictionsPerSecond)} predictions/s (in process)` });
  if (haveLiblinear) {
    for (const tl of tools.slice(1)) {
      const out = run('/usr/bin/liblinear-predict', [f.testSvm, tl.args.at(-1), join(dir, 'pred.txt')]).stdout;
      const acc = Number(/Accuracy = ([\d.]+)%/.exec(out)?.[1]) / 100;
      // wordloom's learning time over liblinear's training time (means: each liblinear figure is a difference of two noisy runs)
      rows.push({ tool: `liblinear-train -s ${tl.key} -B 1`, accuracy: acc, seconds: stats(tl.secs), learn: stats(tl.learn), command: `liblinear-train ${tl.args.join(' ')}`, extra: `training alone, wordloom / liblinear: ${(mean(wl.learn) / mean(tl.learn)).toFixed(2)}; whole process: ${(mean(wl.secs) / mean(tl.secs)).toFixed(2)}` });
    }
  } else console.log('(liblinear-train not installed: apt-get install liblinear-tools)');
  if (classes) {
    const c = run(process.execPath, [CLI, 'classify', 'train', ...Object.entries(classes).flatMap(([l, p]) => ['--class', `${l}=${p}`]), '--test-fraction', '0.1', '--seed', String(seed), '--threads', '1', '--json', ...(small ? ['--epoch', '1'] : [])]);
    const j = JSON.parse(c.stdout);
    rows.push({ tool: 'wordloom classify (defaults, 1 thread)', accuracy: j.test.precision, seconds: c.seconds.toFixed(3), command: c.command.replace(ROOT, '') });
  }
  console.log('| tool | accuracy | whole process | training alone | |');
  for (const r of rows) console.log(`| ${r.tool} | ${(100 * r.accuracy).toFixed(2)}% | ${r.seconds} s | ${r.learn ?? '—'} s |${r.extra ? ` ${r.extra} |` : ''}\n    ${r.command}`);
  console.log(`(training alone: wordloom's update rule without reading, parsing or hashing (learnSeconds of --json); liblinear: ${TIMER ? "its train() call timed in a process of its own (bench/reference/liblinear_time.c, linked with Debian's liblinear)" : 'its run less a run stopped after the first solver iteration with -e 1e30'})`);
}

if (!only || only === 'rt') {
  const classes = { pos: join(ROOT, 'data/classify/rt-polarity.pos'), neg: join(ROOT, 'data/classify/rt-polarity.neg') };
  let all = await readExamples({ classes });
  const { train, test } = splitExamples(all, 0.1, seed);
  compare('rt-polarity', small ? train.slice(0, 2000) : train, test, 2, small ? undefined : classes);
}

if (!only || only === 'spam') {
  const tr = join(ROOT, 'data/spam/train.txt.gz');
  if (existsSync(tr)) {
    const read = (p) => gunzipSync(readFileSync(p)).toString('utf8').split('\n').filter(Boolean).map((l) => {
      const toks = l.split(/\s+/);
      return { labels: [toks[0].replace('__label__', '')], tokens: toks.slice(1) };
    });
    compare('spamassassin', read(tr), read(join(ROOT, 'data/spam/test.txt.gz')), 2);
  } else console.log('\n(SpamAssassin skipped: data/spam/ is not bundled; see scripts/make_spam_dataset.mjs)');
}

if (!only || only === 'synth') {
  const F = Number(arg('features', 250000));
  const per = Number(arg('per', 25));
  // --examples-list 100000,300000,1000000: how time and memory grow with the examples
  const sizes = (arg('examples-list') ?? arg('examples', small ? '20000' : '1000000')).split(',').map(Number);
  const bitsList = (arg('bits-list', '18')).split(',').map(Number);
  // the first pass is bound by parsing and hashing; passes over the cache of hashed examples are
  // learning only
  const synthPasses = Number(arg('synth-passes', 1));
  for (const N of sizes) {
    const file = join(dir, `synth-${N}.svm`);
    // --synth-test M: M more examples of the same rule, written apart, for held-out accuracy
    const testN = Number(arg('synth-test', 0));
    const testFile = join(dir, `synth-${N}-test.svm`);
    let s = seed >>> 0;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
    const w = new Float32Array(F);
    for (let i = 0; i < F; i++) w[i] = rnd() < 0.5 ? -1 : 1;
    let out = createWriteStream(file);
    let buf = '';
    for (let e = 0; e < N + testN; e++) {
      if (e === N) {
        out.write(buf);
        await new Promise((r) => out.end(r));
        out = createWriteStream(testFile);
        buf = '';
      }
      const k = Math.max(1, Math.round(per + (rnd() - 0.5) * 10));
      const ids = new Set();
      while (ids.size < k) ids.add(1 + Math.floor(rnd() * F));
      const sorted = [...ids].sort((a, b) => a - b);
      let z = 0;
      const parts = [];
      for (const i of sorted) {
        const v = Math.round(rnd() * 1000) / 1000 + 0.001;
        z += w[i - 1] * v;
        parts.push(`${i}:${v}`);
      }
      let y = z > 0 ? 1 : -1;
      if (rnd() < 0.05) y = -y;
      buf += `${y} ${parts.join(' ')}\n`;
      if (buf.length > 1 << 20) {
        if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
        buf = '';
      }
    }
    out.write(buf);
    await new Promise((r) => out.end(r));
    console.log(`\n## synthetic: ${N} examples, ${F} features, ~${per} a example, planted linear rule, 5% label noise (libsvm file)`);
    for (const b of bitsList) {
      for (const threads of [1, 2]) {
        const model = join(dir, 'synth.bin');
        const args = [CLI, 'linear', 'train', file, '--format', 'libsvm', '--bits', String(b), '--threads', String(threads), '--passes', String(synthPasses), '--json', ...(testN ? ['-o', model] : [])];
        const r = run(process.execPath, args);
        const j = JSON.parse(r.stdout);
        const held = testN ? JSON.parse(run(process.execPath, [CLI, 'linear', 'test', model, testFile, '--format', 'libsvm', '--json']).stdout).accuracy : undefined;
        console.log(`| ${N} examples | bits ${b} | ${threads} thread(s) | ${synthPasses} pass(es) | ${Math.round(j.examplesPerSecond)} examples/s (in training) | ${Math.round((N * synthPasses) / r.seconds)} examples/s (whole process, ${r.seconds.toFixed(2)} s) | progressive error ${j.progressiveError.toFixed(4)}${held !== undefined ? ` | held-out accuracy ${held.toFixed(4)}` : ''} | peak RSS ${r.maxRssMb.toFixed(0)} MB |\n    node ${args.join(' ').replace(ROOT, '').replaceAll(dir, '$TMP')}`);
      }
    }
    if (existsSync('/usr/bin/liblinear-train') && !flag('no-liblinear-synth')) {
      for (const solver of ['1', '2']) {
        const r = run('/usr/bin/liblinear-train', ['-s', solver, '-B', '1', '-q', file, join(dir, 'synth.ll')]);
        let held = '';
        if (testN) {
          const out = run('/usr/bin/liblinear-predict', [testFile, join(dir, 'synth.ll'), join(dir, 'pred.txt')]).stdout;
          held = ` | held-out accuracy ${(Number(/Accuracy = ([\d.]+)%/.exec(out)[1]) / 100).toFixed(4)}`;
        }
        console.log(`| ${N} examples | liblinear-train -s ${solver} -B 1 | ${Math.round(N / r.seconds)} examples/s (whole process, ${r.seconds.toFixed(2)} s)${held} | peak RSS ${r.maxRssMb.toFixed(0)} MB |`);
      }
    }
    rmSync(file, { force: true });
    rmSync(testFile, { force: true });
  }
}

rmSync(dir, { recursive: true, force: true });
