#!/usr/bin/env node
/**
 * glove benchmark: the reference setting of bench/RESULTS.md. WikiText-2 train,
 * ASCII-lowercased, `<unk>` written `unk`, vocabulary min_count 5 (20,487 words),
 * co-occurrences window 15 symmetric 1/distance (~9.55M records), then GloVe
 * with 50 dimensions, x_max 10, 15 iterations, seed 1.
 *
 * The co-occurrences are counted once with the tokenize, vocab and cooccur ops
 * and saved to a temporary GloVe binary file; each training run then happens in a
 * fresh process (reading that file), so runs do not share memory or JIT state.
 * Printed: the seconds and cost of every iteration of every run, the setup time
 * (packing records into the shared memory and the worker pool start), and the
 * seconds an iteration as mean ± sd (min-max) over all iterations of all runs (the
 * reference's 5.9 s is a mean too), and the final cost.
 *
 *   node bench/glove.mjs                        # threads 1 and 2, 15 iterations, 3 runs each
 *   node bench/glove.mjs --threads 2 --runs 5
 *   node bench/glove.mjs --iters 5 --dim 100
 *
 * Reference (README, same machine class): Stanford glove, 2 threads, 5.9 s an
 * iteration, cost 0.0270 after 15 iterations; a plain single-threaded JavaScript
 * loop of the same update, 6.5 s an iteration.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OPS = new URL('../packages/ops/dist/src/index.js', import.meta.url).href;
// --corpus FILE --min-count N: another corpus, for a quick check of the script (not for figures).
const CORPUS = process.argv.includes('--corpus') ? process.argv[process.argv.indexOf('--corpus') + 1] : fileURLToPath(new URL('../data/corpora/wikitext-2/wiki.train.tokens.gz', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

async function prepare(dir) {
  const { tokenize, tokenizeDefaults, buildVocab, countTokenStream, writeCooccurrences, writeVocabFile, standaloneContext } = await import(OPS);
  const ctx = standaloneContext({ tmpDir: dir, threads: 2 });
  const t0 = performance.now();
  const tokens = tokenize(tokenizeDefaults({ input: [CORPUS], lowercase: 'ascii', replace: { '<unk>': 'unk' } }), ctx);
  const vocab = await buildVocab(tokens, { min_count: Number(arg('min-count', '5')), max_size: 0 }, ctx);
  const cooc = await countTokenStream(tokens, vocab, { window: 15, symmetric: true, distance_weighting: true }, ctx);
  const vocabFile = join(dir, 'vocab.txt');
  const coocFile = join(dir, 'cooc.bin');
  await writeVocabFile(vocab, vocabFile);
  await writeCooccurrences(cooc, coocFile);
  console.log(`prepared: ${vocab.size} words, ${cooc.size} co-occurrence records in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { vocabFile, coocFile };
}

async function child() {
  const [vocabFile, coocFile, threadsS, itersS, dimS] = process.argv.slice(3);
  const { readVocabFile, readCooccurrences, trainGlove, standaloneContext } = await import(OPS);
  const vocab = await readVocabFile(vocabFile);
  const cooc = await readCooccurrences(coocFile, { vocabSize: vocab.size });
  const ctx = standaloneContext({
    threads: Number(threadsS),
    seed: 1,
    log: (m) => process.stderr.write(`  ${m}\n`),
    progress: (u) => u.message && process.stderr.write(`  ${u.message}\n`),
  });
  const t0 = performance.now();
  const r = await trainGlove(cooc, vocab, { vector_size: Number(dimS), x_max: 10, max_iter: Number(itersS), seed: 1 }, ctx);
  const total = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ costs: r.costs, seconds: r.seconds, setup: r.setupSeconds, total, records: cooc.size }) + '\n');
}

const stats = (xs) => {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
};

async function main() {
  const threadsList = arg('threads', '1,2').split(',').map(Number);
  const runs = Number(arg('runs', '3'));
  const iters = Number(arg('iters', '15'));
  const dim = Number(arg('dim', '50'));
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-bench-glove-'));
  try {
    const { vocabFile, coocFile } = await prepare(dir);
    const summary = [];
    for (const threads of threadsList) {
      const all = [];
      for (let r = 0; r < runs; r++) {
        console.log(`threads ${threads}, run ${r + 1}/${runs}:`);
        const res = spawnSync(process.execPath, [SELF, '--child', vocabFile, coocFile, String(threads), String(iters), String(dim)], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
          maxBuffer: 1 << 20,
        });
        if (res.status !== 0) throw new Error(`child failed with status ${res.status}`);
        all.push(JSON.parse(res.stdout.trim().split('\n').pop()));
      }
      summary.push({ threads, all });
    }
    // Every iteration of every run counts: the reference's seconds an iteration is a mean too.
    console.log(`\nGloVe on WikiText-2 train (${summary[0].all[0].records} records), dim ${dim}, x_max 10, ${iters} iterations, ${runs} fresh process(es) each`);
    console.log('mean ± sd (min-max) over all iterations of all runs; setup and total: mean over runs');
    console.log('threads  setup_s  s/iteration                      total_s  final_cost');
    for (const s of summary) {
      const it = stats(s.all.flatMap((m) => m.seconds));
      const setup = stats(s.all.map((m) => m.setup));
      const total = stats(s.all.map((m) => m.total));
      const cost = stats(s.all.map((m) => m.costs[m.costs.length - 1]));
      console.log(
        `${String(s.threads).padStart(7)} ${setup.mean.toFixed(2).padStart(8)}  ${`${it.mean.toFixed(3)} ± ${it.sd.toFixed(3)} (${it.min.toFixed(3)}-${it.max.toFixed(3)}, n=${it.n})`.padEnd(32)} ${total.mean.toFixed(1).padStart(7)} ${cost.mean.toFixed(5).padStart(11)}`,
      );
    }
    console.log('\ncost per iteration (first run):');
    for (const s of summary) console.log(`  ${s.threads} thread(s): ${s.all[0].costs.map((c) => c.toFixed(5)).join(' ')}`);
    console.log('seconds per iteration, each run:');
    for (const s of summary) for (const m of s.all) console.log(`  ${s.threads} thread(s): ${m.seconds.map((c) => c.toFixed(2)).join(' ')}`);
    console.log('\nreference: Stanford glove, 2 threads: 5.9 s/iteration (the mean: 89.6 s for 15), cost 0.0270 after 15 iterations; plain JS loop: 6.5 s/iteration (1 thread).');
    console.log('This times the training alone, from co-occurrences in memory; text to saved vectors as a whole process, like the reference tools, is bench/whole.mjs --only vectors.');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child();
else await main();
