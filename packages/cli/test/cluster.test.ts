import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath, wordloom } from './helpers.js';

const vectors = repoPath('data/fixtures/wt2-sg-d20-300.txt');
const dir = mkdtempSync(join(tmpdir(), 'wordloom-cluster-'));

test('cluster --help documents both methods', () => {
  const r = wordloom(['cluster', '--help']);
  assert.is(r.code, 0);
  for (const o of ['--method', '--eps', '--min-samples', '--min-similarity', '--weighting', '--html']) assert.ok(r.out.includes(o), o);
  assert.match(wordloom(['--help']).out, /\n  cluster /);
});

test('cluster: chinese whispers prints the largest clusters and writes the HTML report', () => {
  const html = join(dir, 'c.html');
  const r = wordloom(['cluster', vectors, '-n', '8', '--min-similarity', '0.3', '--show', '3', '--html', html]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^chinese-whispers \(top\): 300 words, \d+ clusters/);
  assert.is(r.out.trim().split('\n').filter((l) => /^\s+\d+ \(\d+\)  /.test(l)).length, 3);
  assert.match(r.out, /report: .*c\.html/);
  assert.match(readFileSync(html, 'utf8'), /^<!doctype html>/);
  const j = wordloom(['cluster', vectors, '-n', '8', '--json']);
  const parsed = JSON.parse(j.out) as { labels: Record<string, number>; sizes: number[]; noise: number };
  assert.is(Object.keys(parsed.labels).length, 300);
  assert.is(parsed.sizes.reduce((a, b) => a + b, 0) + parsed.noise, 300);
});

test('cluster: the defaults give many small clusters on GloVe vectors, not one giant one; the list says it is a part', () => {
  // The 1,000 most frequent words of the demo's GloVe vectors: the union of kNN edges
  // (mode symmetric) chains 637 of them into one cluster.
  const glove = repoPath('data/fixtures/wt2-glove-d50-1k.bin');
  const r = wordloom(['cluster', glove, '--json']);
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { count: number; noise: number; sizes: number[]; labels: Record<string, number> };
  assert.is(Object.keys(j.labels).length, 1000);
  const largest = Math.max(...j.sizes);
  assert.ok(largest <= 100, `largest cluster ${largest} of 1000 words`);
  assert.ok(j.count >= 50, `${j.count} clusters`);
  assert.ok(j.noise < 100, `${j.noise} noise`);
  // Words of a kind end up together: the months.
  const months = ['january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
  const monthLabels = new Set(months.map((m) => j.labels[m]));
  assert.ok(monthLabels.size <= 2 && !monthLabels.has(-1), `months in clusters ${[...monthLabels]}`);
  const text = wordloom(['cluster', glove, '--show', '3']);
  assert.is(text.code, 0, text.err);
  assert.match(text.out, new RegExp(`\\n  the 3 largest of ${j.count} clusters, at most 12 members each`));
  assert.match(text.out, /--show N lists more clusters/);
  assert.is(text.err, '');
  // The old default (the union of neighbour lists) is still there, with a note on stderr.
  const sym = wordloom(['cluster', glove, '--mode', 'symmetric', '--min-cluster-size', '1', '--show', '1']);
  assert.is(sym.code, 0, sym.err);
  assert.match(sym.err, /note: one cluster holds \d+ of 1000 words; use --mode mutual/);
});

test('cluster --help documents the defaults and why', () => {
  const r = wordloom(['cluster', '--help']);
  assert.match(r.out, /--mode <mutual\|symmetric\|directed>.*\(default mutual\)/);
  assert.match(r.out, /--min-cluster-size <number>.*\(default 2\)/);
  assert.match(r.out, /examples\/wikitext2-glove\.yaml/);
});

test('cluster: dbscan labels noise; clear errors', () => {
  const r = wordloom(['cluster', vectors, '--method', 'dbscan', '--eps', '0.2', '--min-samples', '3']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^dbscan \(cosine, eps=0\.2, min_samples=3\): 300 words, \d+ clusters \(\d+ singletons\), \d+ noise/);
  const noEps = wordloom(['cluster', vectors, '--method', 'dbscan']);
  assert.is(noEps.code, 2);
  assert.match(noEps.err, /needs --eps/);
  const bad = wordloom(['cluster', vectors, '--method', 'dbscan', '--eps', '0']);
  assert.is(bad.code, 1);
  assert.match(bad.err, /eps must be a positive number/);
  const big = wordloom(['cluster', vectors, '-n', '300']);
  assert.is(big.code, 1);
  assert.match(big.err, /use n <= 299/);
  const nanFile = join(dir, 'nan.txt');
  writeFileSync(nanFile, 'a 1 2\nb NaN 1\nc 0.5 0.5\n');
  const nan = wordloom(['cluster', nanFile]);
  assert.is(nan.code, 1);
  assert.match(nan.err, /nan.txt:2.*NaN/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
