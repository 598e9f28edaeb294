#!/usr/bin/env node
/**
 * The character-level GRU classifier on rt-polarity against the same model in
 * PyTorch 1.13 (scripts/char_gru_torch.py: same alphabet, sizes, batches,
 * SparseAdam + Adam, lr, epochs), over seeds: test accuracy and seconds per epoch
 * (training only, in each process), mean ± sd. For each seed the data is split
 * 90/10 by wordloom's seeded split and both train on the same files.
 * PyTorch runs with --threads (default 2: torch.set_num_threads(2)); wordloom's
 * with --wl-threads (default 2: each batch cut into 2 parts run side by side).
 *
 *   node bench/char-gru.mjs                       # seeds 1-3, defaults of the char-gru op
 *   node bench/char-gru.mjs --reverse             # reading right to left
 *   node bench/char-gru.mjs --epoch 10 --hidden 128 --seeds 1,2,3,4,5
 *   node bench/char-gru.mjs --small               # a check of the script: 300 training texts, 1 epoch
 *   node bench/char-gru.mjs --only wordloom       # or --only torch
 *   node bench/char-gru.mjs --only wordloom --kernels typescript   # without WebAssembly SIMD
 *   node bench/char-gru.mjs --curve --epoch 10 --lr 0.02 --batch 128   # test accuracy after every epoch too
 *   node bench/char-gru.mjs --only torch --python python3 --torch-device cuda   # PyTorch on a GPU (accuracy only:
 *                                                 # its seconds are not comparable with wordloom's CPU figures)
 *                                                 # (both sides, a line on stderr each; not counted in the seconds)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const OPS = new URL('../packages/ops/dist/src/index.js', import.meta.url).href;
const { readExamples, splitExamples, fitCharGRU, testCharGRU, exampleText, standaloneContext, CHAR_GRU_DEFAULTS } = await import(OPS);

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const flag = (name) => process.argv.includes(`--${name}`);
const small = flag('small');
const curve = flag('curve');
const only = arg('only', 'both');
const seeds = (() => {
  const s = arg('seeds', small ? '1' : '1-3');
  const m = /^(\d+)-(\d+)$/.exec(s);
  return m ? Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i) : s.split(',').map(Number);
})();
const params = {
  embed_dim: Number(arg('embed-dim', CHAR_GRU_DEFAULTS.embed_dim)),
  hidden: Number(arg('hidden', CHAR_GRU_DEFAULTS.hidden)),
  layers: Number(arg('layers', CHAR_GRU_DEFAULTS.layers)),
  epoch: Number(arg('epoch', small ? 1 : CHAR_GRU_DEFAULTS.epoch)),
  lr: Number(arg('lr', CHAR_GRU_DEFAULTS.lr)),
  batch: Number(arg('batch', CHAR_GRU_DEFAULTS.batch)),
  reverse: flag('reverse'),
  kernels: arg('kernels', 'auto'),
};
const threads = Number(arg('threads', 2));
const wlThreads = Number(arg('wl-threads', 2));
const data = (f) => fileURLToPath(new URL(`../data/classify/${f}`, import.meta.url));
const script = fileURLToPath(new URL('../scripts/char_gru_torch.py', import.meta.url));
const python = arg('python', '/usr/bin/python3');
const torchDevice = arg('torch-device', 'cpu');

const all = await readExamples({ classes: { pos: data('rt-polarity.pos'), neg: data('rt-polarity.neg') } });
const stats = (xs, d = 4) => {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return `${mean.toFixed(d)} ± ${sd.toFixed(d)}`;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fastText = (examples) => examples.map((e) => `__label__${e.labels[0]} ${exampleText(e)}\n`).join('');

const ours = { acc: [], epoch: [] };
const torch = { acc: [], epoch: [], version: '' };
const dir = mkdtempSync(join(tmpdir(), 'char-gru-bench-'));
try {
  for (const seed of seeds) {
    let { train, test } = splitExamples(all, 0.1, seed);
    if (small) {
      train = train.slice(0, 300);
      test = test.slice(0, 200);
    }
    if (only !== 'torch') {
      const accuracies = [];
      const checkpoint = curve ? async (m, ep) => {
        accuracies.push(testCharGRU(m, test).accuracy);
        console.error(`seed ${seed} wordloom epoch ${ep}: test accuracy ${accuracies.at(-1).toFixed(4)}`);
      } : undefined;
      const log = curve ? (m) => console.error(`seed ${seed} wordloom ${m}`) : undefined;
      const res = await fitCharGRU(train, { ...params, seed, threads: wlThreads }, standaloneContext({ seed, log }), { checkpoint });
      const t = testCharGRU(res.model, test);
      ours.acc.push(t.accuracy);
      ours.epoch.push(mean(res.train.epochSeconds));
      console.log(`seed ${seed} wordloom (${res.train.kernels}): accuracy ${t.accuracy.toFixed(4)}, ${mean(res.train.epochSeconds).toFixed(2)} s an epoch (${res.train.epochSeconds.map((s) => s.toFixed(2)).join(', ')}), losses ${res.train.losses.map((l) => l.toFixed(4)).join(' ')}${curve ? `, test accuracies ${accuracies.map((a) => a.toFixed(4)).join(' ')}` : ''}`);
    }
    if (only !== 'wordloom') {
      const trainFile = join(dir, `train-${seed}.txt`);
      const testFile = join(dir, `test-${seed}.txt`);
      writeFileSync(trainFile, fastText(train));
      writeFileSync(testFile, fastText(test));
      const argv = [script, '--train', trainFile, '--test', testFile, '--embed-dim', params.embed_dim, '--hidden', params.hidden, '--layers', params.layers,
        '--epoch', params.epoch, '--lr', params.lr, '--batch', params.batch, '--seed', seed, '--threads', threads, '--device', torchDevice, ...(params.reverse ? ['--reverse'] : []), ...(curve ? ['--eval-each'] : [])].map(String);
      // with --curve the script's line after each epoch goes straight to stderr
      const r = spawnSync(python, argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', curve ? 'inherit' : 'pipe'] });
      if (r.status !== 0) throw new Error(`${python} ${script} failed (${r.status}): ${r.stderr}`);
      const out = JSON.parse(r.stdout.trim().split('\n').at(-1));
      torch.acc.push(out.accuracy);
      torch.epoch.push(mean(out.epoch_seconds));
      torch.version = `${out.torch}${out.device && out.device !== 'cpu' ? ` on ${out.device}` : ''}`;
      console.log(`seed ${seed} PyTorch ${out.torch}: accuracy ${out.accuracy.toFixed(4)}, ${mean(out.epoch_seconds).toFixed(2)} s an epoch (${out.epoch_seconds.map((s) => s.toFixed(2)).join(', ')}), losses ${out.losses.map((l) => l.toFixed(4)).join(' ')}${curve ? `, test accuracies ${out.accuracies.map((a) => a.toFixed(4)).join(' ')}` : ''}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const setting = `embed ${params.embed_dim}, hidden ${params.hidden}, ${params.layers} layer(s), ${params.reverse ? 'right to left' : 'left to right'}, batch ${params.batch}, lr ${params.lr}, ${params.epoch} epochs`;
console.log(`\nrt-polarity${small ? ' (small: 300 training, 200 test texts)' : ''}, characters; ${setting}; seeds ${seeds.join(',')}; mean ± sd\n`);
console.log('| | threads | test accuracy | s an epoch |');
console.log('| --- | --- | --- | --- |');
if (ours.acc.length) console.log(`| wordloom char-gru | ${wlThreads} | ${stats(ours.acc)} | ${stats(ours.epoch, 2)} |`);
if (torch.acc.length) console.log(`| PyTorch ${torch.version} | ${threads} | ${stats(torch.acc)} | ${stats(torch.epoch, 2)} |`);
