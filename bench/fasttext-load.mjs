#!/usr/bin/env node
// Load a large fastText .bin and print vectors for 10,000 words (5,000 of its
// vocabulary, the same 5,000 with "xq" appended, so half are unseen): whole
// processes side by side, wall time and peak RSS (GNU time), mean and spread over runs.
//
//   node bench/fasttext-load.mjs [--runs 3] [--model PATH]
//
// wordloom runs twice: as `wordloom vectors` runs by default (the rows of the first
// 20,000 words read from the file as needed, which covers these 10,000) and with
// --eager (the whole matrix read first, as fastText and gensim do).
//
// Without --model the model is made once under bench/out/ by Debian's fasttext:
// skipgram on WikiText-2 train lowercased (<unk> -> unk), dim 100, bucket 2,000,000,
// 1 epoch, min count 5 (about 0.8 GB). The anchors (fastText print-word-vectors,
// gensim 4.2 load_facebook_vectors) run when present; the bench says when they are not.
// The printed vectors of every tool are compared with fastText's (relative 1e-4).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, statSync, createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'bench/out/fasttext-load');
mkdirSync(outDir, { recursive: true });
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const runs = Number(arg('runs', 3));
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const hasFasttext = has('fasttext');
const hasGensim = spawnSync(python, ['-c', 'import gensim'], { stdio: 'ignore' }).status === 0;
const hasTime = existsSync('/usr/bin/time');
if (!hasTime) {
  console.error('GNU time (/usr/bin/time) is needed to measure peak memory: apt-get install time');
  process.exit(1);
}

let model = arg('model', '');
if (!model) {
  model = join(outDir, 'wt2_d100.bin');
  if (!existsSync(model)) {
    if (!hasFasttext) {
      console.error('no --model given and Debian\'s fasttext is not installed to make one (apt-get install fasttext)');
      process.exit(1);
    }
    const text = gunzipSync(readFileSync(join(root, 'data/corpora/wikitext-2/wiki.train.tokens.gz'))).toString('utf8').toLowerCase().replaceAll('<unk>', 'unk');
    writeFileSync(join(outDir, 'wt2.train.txt'), text);
    console.log('making the model: fasttext skipgram -dim 100 -bucket 2000000 -epoch 1 -minCount 5 ...');
    const r = spawnSync('fasttext', ['skipgram', '-input', join(outDir, 'wt2.train.txt'), '-output', join(outDir, 'wt2_d100'), '-dim', '100', '-bucket', '2000000', '-epoch', '1', '-minCount', '5', '-thread', '2', '-verbose', '0'], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(1);
  }
}
const size = statSync(model).size;

// The word list: every k-th word of the model's vocabulary (read from the .vec next
// to it, or printed by wordloom), then the same words with "xq" appended.
const wordsFile = join(outDir, 'words.txt');
{
  const vec = model.replace(/\.bin$/, '.vec');
  let vocab;
  if (existsSync(vec)) {
    vocab = readFileSync(vec, 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.slice(0, l.indexOf(' ')));
  } else {
    const r = spawnSync(process.execPath, [join(root, 'packages/cli/dist/src/bin.js'), 'ngrams', model, '--list-words'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    vocab = r.stdout.split('\n').filter(Boolean);
  }
  const step = Math.max(1, Math.floor(vocab.length / 5000));
  const picked = [];
  for (let i = 0; i < vocab.length && picked.length < 5000; i += step) if (vocab[i] !== '</s>') picked.push(vocab[i]);
  writeFileSync(wordsFile, [...picked, ...picked.map((w) => w + 'xq')].join('\n') + '\n');
}

const tools = [];
tools.push({ name: 'wordloom vectors', argv: [process.execPath, join(root, 'packages/cli/dist/src/bin.js'), 'vectors', model, wordsFile] });
tools.push({ name: 'wordloom vectors --eager', argv: [process.execPath, join(root, 'packages/cli/dist/src/bin.js'), 'vectors', '--eager', model, wordsFile] });
if (hasFasttext) tools.push({ name: 'fastText print-word-vectors', argv: ['sh', '-c', `fasttext print-word-vectors '${model}' < '${wordsFile}'`] });
else console.log('fastText is not installed (apt-get install fasttext): its figures are left out');
if (hasGensim) tools.push({ name: 'gensim 4.2 load_facebook_vectors', argv: ['sh', '-c', `${python} '${join(root, 'bench/reference/gensim_print_vectors.py')}' '${model}' < '${wordsFile}'`] });
else console.log('python3-gensim is not installed (apt-get install python3-gensim): its figures are left out');

function measure(t, i) {
  const outFile = join(outDir, `${t.name.replace(/[^a-z0-9]+/gi, '-')}.out.txt`);
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...t.argv], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${t.name} failed (exit ${r.status}):\n${r.stderr.toString().slice(-2000)}`);
  writeFileSync(outFile, r.stdout);
  const last = r.stderr.toString().trim().split('\n').pop();
  const [wall, kb] = last.split(' ').map(Number);
  return { wall, mb: kb / 1024, outFile };
}

const stats = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return { m, sd, min: Math.min(...xs), max: Math.max(...xs) };
};

console.log(`model ${model}: ${(size / 1e6).toFixed(0)} MB; 10,000 words (5,000 unseen); ${runs} runs each, interleaved`);
const res = new Map(tools.map((t) => [t.name, { wall: [], mb: [], outFile: '' }]));
for (let i = 0; i < runs; i++) {
  for (const t of tools) {
    const m = measure(t, i);
    const r = res.get(t.name);
    r.wall.push(m.wall);
    r.mb.push(m.mb);
    r.outFile = m.outFile;
  }
}

function readVecs(file) {
  const map = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const parts = line.trim().split(' ');
    map.set(parts[0], parts.slice(1).map(Number));
  }
  return map;
}
const ref = hasFasttext ? readVecs(res.get('fastText print-word-vectors').outFile) : null;
const base = res.get('wordloom vectors').wall;
console.log('\n| tool | wall s (mean ± sd, min-max) | peak MB (mean) | peak / file | time vs wordloom vectors | vectors equal to fastText\'s |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const t of tools) {
  const r = res.get(t.name);
  const w = stats(r.wall);
  const mb = stats(r.mb);
  let eq = '-';
  if (ref) {
    const got = readVecs(r.outFile);
    let bad = 0;
    let n = 0;
    for (const [word, v] of ref) {
      const g = got.get(word);
      n++;
      if (!g || g.length !== v.length || v.some((x, j) => Math.abs(x - g[j]) > 1e-4 * Math.max(Math.abs(x), Math.abs(g[j])) + 1e-5)) bad++;
    }
    eq = bad === 0 ? `all ${n}` : `${n - bad} of ${n}`;
  }
  console.log(`| ${t.name} | ${w.m.toFixed(2)} ± ${w.sd.toFixed(2)} (${w.min.toFixed(2)}-${w.max.toFixed(2)}) | ${mb.m.toFixed(0)} | ${(mb.m * 1024 * 1024 / size).toFixed(2)}x | ${(w.m / stats(base).m).toFixed(2)}x | ${eq} |`);
}
