#!/usr/bin/env node
/**
 * Peak memory of the main job as the corpus grows: WikiText-2 train 1, 4 and 16
 * times over (the text repeated, so the tokens grow N-fold while the distinct
 * words and pairs grow far less), text -> vocab -> cooccur -> glove -> evaluate as
 * one `wordloom run` process (WORDLOOM_CACHE=off, --report for each node's peak),
 * and beside it, when their binaries are given, the GloVe C tools on the same text
 * (vocab_count, cooccur, shuffle, glove; the peak of the chain is its largest
 * process). Peaks are whole-process maximum resident set sizes from /usr/bin/time -v,
 * in MiB (kB / 1024).
 *
 *   node bench/memory.mjs                                   # scales 1,4,16, glove 2 iterations
 *   node bench/memory.mjs --scales 1 --iter 15              # the main job's settings
 *   node bench/memory.mjs --glove-bin ~/GloVe/build         # with the C tools
 *   node bench/memory.mjs --small                           # a smoke test on the Lee corpus
 *
 * The peak is reached in the first pass of training (both record buffers are in
 * use from then on), so a few iterations give the same peak as 15; the wall times
 * printed are for the iterations run. Memory figures hold on a busy machine, wall
 * times only on a quiet one.
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { once } from 'node:events';

const root = fileURLToPath(new URL('..', import.meta.url));
const TIME = '/usr/bin/time';
const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
const small = argv.includes('--small');
const scales = arg('scales', small ? '1,2' : '1,4,16').split(',').map(Number);
const iters = Number(arg('iter', '2'));
const gloveBin = arg('glove-bin', process.env.GLOVE_BIN);
const CORPUS = join(root, small ? 'data/corpora/lee_background.cor' : 'data/corpora/wikitext-2/wiki.train.tokens.gz');
const MIN_COUNT = small ? 3 : 5;

/** Runs a command (stdin/stdout optionally from/to files) under /usr/bin/time -v: wall s, peak MiB. */
function measure(cmd, args, { stdin, stdout, env } = {}) {
  return new Promise((done, fail) => {
    const timeFile = join(tmpdir(), `wordloom-mem-${process.pid}-${Date.now()}`);
    const child = spawn(TIME, ['-v', '-o', timeFile, cmd, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const t0 = performance.now();
    let err = '';
    let out = '';
    if (stdin) createReadStream(stdin).pipe(child.stdin);
    else child.stdin.end();
    if (stdout) child.stdout.pipe(createWriteStream(stdout));
    else child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', fail);
    child.on('close', (code) => {
      const wall = (performance.now() - t0) / 1000;
      const t = existsSync(timeFile) ? readFileSync(timeFile, 'utf8') : '';
      rmSync(timeFile, { force: true });
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(t);
      const st = /Exit status: (\d+)/.exec(t);
      if ((st ? Number(st[1]) : code) !== 0) return fail(new Error(`${cmd} ${args.join(' ')} failed:\n${err.slice(-2000)}`));
      done({ wall, peak: m ? Number(m[1]) / 1024 : NaN, out, err });
    });
  });
}

/** The corpus N times over as plain text; `reference`: lowercased and <unk> written unk, as the C tools read it. */
async function corpusText(dir, n, reference) {
  const file = join(dir, `corpus-x${n}${reference ? '-ref' : ''}.txt`);
  const chunks = [];
  const src = createReadStream(CORPUS);
  for await (const c of CORPUS.endsWith('.gz') ? src.pipe(createGunzip()) : src) chunks.push(c);
  let text = Buffer.concat(chunks).toString('utf8');
  if (reference) text = text.replace(/[A-Z]+/g, (s) => s.toLowerCase()).replace(/(^|[ \t\n])<unk>(?=[ \t\n]|$)/g, '$1unk');
  const out = createWriteStream(file);
  for (let i = 0; i < n; i++) if (!out.write(text)) await once(out, 'drain');
  out.end();
  await once(out, 'close');
  return file;
}

function pipelineFile(dir, input) {
  const file = join(dir, 'memory.yaml');
  const q = JSON.stringify;
  writeFileSync(
    file,
    [
      'name: memory',
      'seed: 1',
      'threads: 2',
      'nodes:',
      `  - { id: corpus, op: tokenize, params: { input: ${q(input)}, lowercase: ascii, replace: { "<unk>": unk } } }`,
      `  - { id: vocab, op: vocab, inputs: { tokens: corpus }, params: { min_count: ${MIN_COUNT}, output: ${q(join(dir, 'vocab.txt'))} } }`,
      '  - { id: cooccur, op: cooccur, inputs: { tokens: corpus, vocab: vocab }, params: { window: 15 } }',
      `  - { id: glove, op: glove, inputs: { cooccurrences: cooccur, vocab: vocab }, params: { vector_size: 50, x_max: 10, max_iter: ${iters}, output: ${q(join(dir, 'vectors.txt'))} } }`,
      `  - { id: evaluate, op: evaluate, inputs: { vectors: glove }, params: { analogies: [${q(join(root, 'data/eval/questions-words.txt'))}], similarity: [${q(join(root, 'data/eval/wordsim353.tsv'))}] } }`,
      '',
    ].join('\n'),
  );
  return file;
}

/** Each node's peak from the report page's graph ("op · time · N MB"). */
function nodePeaks(html) {
  const out = [];
  for (const m of html.matchAll(/data-node="([\w-]+)"><title>[^<]*<\/title><rect[^>]*\/><text[^>]*>[^<]*<\/text><text[^>]*>([^<]*)<\/text>/g)) {
    out.push(`${m[1]} ${m[2].split('·').pop().trim()}`);
  }
  return out.join(', ');
}

const dir = mkdtempSync(join(tmpdir(), 'wordloom-mem-'));
try {
  console.log(`# peak memory by corpus size: glove ${iters} iteration(s), 2 threads; MiB from /usr/bin/time -v`);
  for (const n of scales) {
    const input = n === 1 ? CORPUS : await corpusText(dir, n, false);
    const report = join(dir, `run-x${n}.html`);
    const bin = join(root, 'packages/cli/dist/src/bin.js');
    const args = [bin, 'run', pipelineFile(dir, input), '--report', report];
    const w = await measure(process.execPath, args, { env: { WORDLOOM_CACHE: 'off' } });
    const records = /([\d,]+) records over ([\d,]+) words/.exec(w.out);
    console.log(`x${n}: wordloom ${w.peak.toFixed(0)} MiB peak, ${w.wall.toFixed(1)} s wall; ${records ? `${records[1]} records, ${records[2]} words` : ''}`);
    console.log(`  nodes: ${nodePeaks(readFileSync(report, 'utf8'))}`);
    console.log(`  command: WORDLOOM_CACHE=off /usr/bin/time -v node ${args.map((a) => a.replace(root, '')).join(' ')}`);
    if (gloveBin) {
      const text = await corpusText(dir, n, true);
      const b = (t) => join(gloveBin, t);
      const f = (x) => join(dir, x);
      const steps = [
        ['vocab_count', ['-min-count', String(MIN_COUNT), '-verbose', '0'], text, f('c-vocab.txt')],
        ['cooccur', ['-memory', '4.0', '-vocab-file', f('c-vocab.txt'), '-verbose', '0', '-window-size', '15'], text, f('c-cooc.bin')],
        ['shuffle', ['-memory', '4.0', '-verbose', '0'], f('c-cooc.bin'), f('c-cooc.shuf.bin')],
        ['glove', ['-save-file', f('c-vectors'), '-threads', '2', '-input-file', f('c-cooc.shuf.bin'), '-x-max', '10', '-iter', String(iters), '-vector-size', '50', '-binary', '0', '-vocab-file', f('c-vocab.txt'), '-verbose', '0', '-seed', '1'], undefined, undefined],
      ];
      const parts = [];
      let wall = 0;
      let peak = 0;
      for (const [tool, a, stdin, stdout] of steps) {
        const r = await measure(b(tool), a, { stdin, stdout });
        parts.push(`${tool} ${r.peak.toFixed(0)}`);
        wall += r.wall;
        peak = Math.max(peak, r.peak);
      }
      console.log(`x${n}: GloVe C tools ${peak.toFixed(0)} MiB peak (${parts.join(', ')}), ${wall.toFixed(1)} s wall`);
      for (const x of ['c-cooc.bin', 'c-cooc.shuf.bin']) rmSync(f(x), { force: true });
    }
    if (n !== 1) rmSync(input, { force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
