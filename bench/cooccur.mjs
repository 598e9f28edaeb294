#!/usr/bin/env node
/**
 * cooccur benchmark: WikiText-2 train, ASCII-lowercased (as `tr A-Z a-z`; this
 * gives the reference's 20,487 words), `<unk>` written `unk`, vocabulary
 * min_count 5, window 15, symmetric, distance-weighted.
 *
 * The corpus is tokenized once (tokenize + vocab ops) into a rank stream saved in
 * a temporary file. Each measurement then runs in a fresh process that loads the
 * ranks into shared memory (repeated `scale` times: 1x, 4x, 16x WikiText-2),
 * times countCooccurrences (ranks in memory -> sorted Cooccurrences, pool start
 * included) and writing the GloVe binary file, and reports the process's peak
 * RSS (process.resourceUsage().maxRSS).
 *
 *   node bench/cooccur.mjs                          # scale 1, threads 2, best of 3
 *   node bench/cooccur.mjs --scales 1,4,16 --threads 1,2 --runs 2
 *   node bench/cooccur.mjs --scales 16 --memory-mb 100     # segments spilled to disk
 *
 * count_s: wall time of countCooccurrences; cpu_s: CPU time of all its threads.
 *
 * This times counting alone, from ranks already in memory: it has no counterpart among
 * the reference figures, which are whole processes (GloVe vocab_count + cooccur, text
 * in, file out: 2.73 s wall, 539 MB peak). For that comparison run
 * `node bench/whole.mjs --only cooccur`, which times the same work as a whole
 * `wordloom run` process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OPS = new URL('../packages/ops/dist/src/index.js', import.meta.url).href;
const CORPUS = fileURLToPath(new URL('../data/corpora/wikitext-2/wiki.train.tokens.gz', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

async function child() {
  const [ranksFile, vocabSizeS, scaleS, threadsS, outDir, memoryS] = process.argv.slice(3);
  const { countCooccurrences, writeCooccurrences, standaloneContext } = await import(OPS);
  const vocabSize = Number(vocabSizeS);
  const scale = Number(scaleS);
  const threads = Number(threadsS);
  const file = readFileSync(ranksFile);
  const one = new Int32Array(file.buffer, file.byteOffset, file.length / 4);
  const ranks = new Int32Array(new SharedArrayBuffer(one.length * scale * 4));
  for (let s = 0; s < scale; s++) ranks.set(one, s * one.length);
  const ctx = standaloneContext({ threads, tmpDir: outDir });
  const params = { window: 15, symmetric: true, distance_weighting: true, ...(memoryS !== 'default' ? { memory_mb: Number(memoryS) } : {}) };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const cooc = await countCooccurrences(ranks, vocabSize, params, ctx);
  const t1 = performance.now();
  const cpu = process.cpuUsage(c0);
  const rssCount = process.resourceUsage().maxRSS / 1024;
  await writeCooccurrences(cooc, join(outDir, `cooc-${process.pid}.bin`));
  const t2 = performance.now();
  const rssAll = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ count_s: (t1 - t0) / 1000, cpu_s: (cpu.user + cpu.system) / 1e6, write_s: (t2 - t1) / 1000, records: cooc.size, tokens: ranks.length, peak_rss_mb_count: rssCount, peak_rss_mb: rssAll }) + '\n');
}

async function prepare(dir) {
  const { tokenize, tokenizeDefaults, buildVocab, rankMap, standaloneContext } = await import(OPS);
  const ctx = standaloneContext({ tmpDir: dir });
  const t0 = performance.now();
  const tokens = tokenize(tokenizeDefaults({ input: [CORPUS], lowercase: 'ascii', replace: { '<unk>': 'unk' } }), ctx);
  const vocab = await buildVocab(tokens, { min_count: 5, max_size: 0 }, ctx);
  const map = rankMap(tokens.dictionary, vocab);
  const parts = [];
  let n = 0;
  for await (const chunk of tokens.chunks()) {
    const ids = chunk.ids;
    const out = new Int32Array(ids.length);
    let k = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id < 0) out[k++] = -1;
      else if (map[id] >= 0) out[k++] = map[id];
    }
    parts.push(out.subarray(0, k));
    n += k;
  }
  const ranks = new Int32Array(n);
  let o = 0;
  for (const p of parts) {
    ranks.set(p, o);
    o += p.length;
  }
  const file = join(dir, 'wt2-train.ranks');
  writeFileSync(file, new Uint8Array(ranks.buffer));
  console.log(`prepared: ${vocab.size} words, ${n} ranks (tokens + DOC_END) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { file, vocabSize: vocab.size };
}

async function main() {
  const scales = arg('scales', '1').split(',').map(Number);
  const threadsList = arg('threads', '2').split(',').map(Number);
  const runs = Number(arg('runs', '3'));
  const memory = arg('memory-mb', 'default');
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-bench-cooccur-'));
  try {
    const { file, vocabSize } = await prepare(dir);
    console.log(`window 15, symmetric, weighted; memory_mb ${memory}; best of ${runs} fresh processes; counting from ranks in memory (not comparable with a whole process: see bench/whole.mjs)`);
    console.log('scale threads   count_s    cpu_s  write_s   records  peak_rss_MB (count only)');
    for (const scale of scales) {
      for (const threads of threadsList) {
        let best;
        for (let r = 0; r < runs; r++) {
          const res = spawnSync(process.execPath, [SELF, '--child', file, String(vocabSize), String(scale), String(threads), dir, memory], { encoding: 'utf8', maxBuffer: 1 << 20 });
          if (res.status !== 0) throw new Error(`child failed: ${res.stderr}`);
          const m = JSON.parse(res.stdout.trim().split('\n').pop());
          if (!best || m.count_s < best.count_s) best = { ...m, write_s: Math.min(m.write_s, best?.write_s ?? Infinity) };
          else best.write_s = Math.min(best.write_s, m.write_s);
          best.peak_rss_mb = Math.min(best.peak_rss_mb, m.peak_rss_mb);
          best.peak_rss_mb_count = Math.min(best.peak_rss_mb_count, m.peak_rss_mb_count);
        }
        console.log(
          `${String(scale).padStart(4)}x ${String(threads).padStart(7)} ${best.count_s.toFixed(3).padStart(9)} ${best.cpu_s.toFixed(2).padStart(8)} ${best.write_s.toFixed(3).padStart(8)} ${String(best.records).padStart(9)}  ${best.peak_rss_mb.toFixed(0).padStart(5)} (${best.peak_rss_mb_count.toFixed(0)})`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child();
else await main();
