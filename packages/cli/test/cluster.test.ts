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
  const parsed = JSON.parse(j.out) as { labels: Record<string, number>; sizes: number[] };
  assert.is(Object.keys(parsed.labels).length, 300);
  assert.is(parsed.sizes.reduce((a, b) => a + b, 0), 300);
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
