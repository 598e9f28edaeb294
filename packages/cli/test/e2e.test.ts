import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoPath, wordloom } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'wordloom-e2e-'));
const vectors = join(dir, 'lee.vectors.txt');

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('run: the Lee pipeline trains, saves vectors and prints neighbours and a summary', () => {
  const r = wordloom(['run', 'examples/lee-small.json', '--set', `glove.output=${vectors}`]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /pipeline lee-small finished in/);
  assert.match(r.out, /glove\s+glove\s+[\d.]+ (ms|s)\s+2,947 x 30 vectors/);
  assert.match(r.out, /police: \S+ \(0\.\d{3}\)/);
  assert.match(r.err, /\[glove\] .*cost/);
  assert.ok(existsSync(vectors));
  const lines = readFileSync(vectors, 'utf8').trimEnd().split('\n');
  assert.is(lines.length, 2947);
  assert.is(lines[0]!.split(' ').length, 31);
  // no temporary files left beside the output
  assert.equal(readdirSync(dir).filter((f) => f !== 'lee.vectors.txt'), []);
});

test('neighbors, analogy and eval on the saved vectors', () => {
  const n = wordloom(['neighbors', vectors, 'police', 'nosuchword', '-k', '3']);
  assert.is(n.code, 0, n.err);
  assert.match(n.out, /^police: \S+ \(0\.\d{3}\), \S+ \(0\.\d{3}\), \S+ \(0\.\d{3}\)$/m);
  assert.match(n.out, /nosuchword: not in the vocabulary/);
  assert.match(n.out, /backend: /);
  const a = wordloom(['analogy', vectors, 'man', 'king', 'woman']);
  assert.is(a.code, 0, a.err);
  assert.match(a.out, /man : king :: woman : \S+ +\(3CosAdd/);
  assert.match(a.out, /\(3CosMul/);
  const bad = wordloom(['analogy', vectors, 'man', 'king', 'qqqq']);
  assert.is(bad.code, 1);
  assert.match(bad.err, /word "qqqq".*not in the vocabulary/);
  const e = wordloom(['eval', vectors]);
  assert.is(e.code, 0, e.err);
  assert.match(e.out, /analogies questions-words\.txt: 3CosAdd \d+\.\d+% \(\d+\/\d+; \d+ skipped/);
  assert.match(e.out, /similarity wordsim353\.tsv: Spearman -?0\.\d{4}/);
  assert.match(e.out, /similarity simlex999\.txt: Spearman/);
});

test('run: a node that fails before any output names itself and writes nothing', () => {
  const out = join(dir, 'never.txt');
  const r = wordloom(['run', 'examples/lee-small.json', '--set', 'vocab.min_count=100000', '--set', `glove.output=${out}`]);
  assert.is(r.code, 1);
  assert.match(r.err, /node "vocab"/);
  assert.match(r.err, /min_count 100000 leaves the vocabulary empty/);
  assert.not.ok(existsSync(out));
});

/**
 * Runs the Lee pipeline with its vectors written to `out` under a file-size limit of 200 KB
 * (ulimit -f): everything before GloVe's output fits, the vectors file (about 800 KB) does not, so
 * the write fails with EFBIG after the output was opened and partly written.
 */
function runWithSmallFileLimit(out: string, tmp: string) {
  const bin = fileURLToPath(new URL('../src/bin.js', import.meta.url));
  mkdirSync(tmp, { recursive: true });
  const r = spawnSync('/bin/sh', ['-c', 'ulimit -f 200 && exec "$0" "$@"', process.execPath, bin, 'run', 'examples/lee-small.json', '--set', `glove.output=${out}`], {
    cwd: repoPath(''),
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, CI: '1', NO_COLOR: '1', TMPDIR: tmp, WORDLOOM_CACHE: 'off' },
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('run: a write that fails inside glove (file too large) names the node and leaves no half-written file', () => {
  const sub = join(dir, 'efbig-new');
  mkdirSync(sub);
  const out = join(sub, 'vectors.txt');
  const r = runWithSmallFileLimit(out, join(sub, 'tmp'));
  assert.is(r.code, 1, r.err);
  assert.match(r.err, /\[glove\] iter: 020/, 'training finished before the write');
  assert.ok(r.err.includes(`${out}, node "glove": could not finish writing: EFBIG`), r.err.slice(-600));
  assert.not.ok(existsSync(out));
  assert.equal(readdirSync(sub).sort(), ['tmp'], 'no temporary file beside the output');
  assert.equal(readdirSync(join(sub, 'tmp')), [], "the run's temporary directory is removed");
});

test('run: an existing output file survives a failed write unchanged (the write is atomic)', () => {
  const sub = join(dir, 'efbig-existing');
  mkdirSync(sub);
  const out = join(sub, 'vectors.txt');
  const before = 'the 0.1 0.2\nof 0.3 0.4\n';
  writeFileSync(out, before);
  const r = runWithSmallFileLimit(out, join(sub, 'tmp'));
  assert.is(r.code, 1, r.err);
  assert.ok(r.err.includes(`${out}, node "glove": could not finish writing: EFBIG`), r.err.slice(-600));
  assert.is(readFileSync(out, 'utf8'), before);
  assert.equal(readdirSync(sub).sort(), ['tmp', 'vectors.txt'], 'no temporary file beside the output');
});

test('run: a corpus read from standard input ("-"), vocab written as GloVe vocab.txt', () => {
  const pipeline = join(dir, 'stdin.yaml');
  const vocabFile = join(dir, 'stdin-vocab.txt');
  writeFileSync(pipeline, ['name: stdin', 'nodes:', '  - { id: corpus, op: tokenize, params: { input: ["-"] } }', `  - { id: vocab, op: vocab, inputs: { tokens: corpus }, params: { min_count: 2, output: ${vocabFile} } }`, ''].join('\n'));
  const r = wordloom(['run', pipeline], { input: 'b a b\nc b a\nd\n' });
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /7 tokens, 3 documents, 4 distinct words/);
  assert.is(readFileSync(vocabFile, 'utf8'), 'b 3\na 2\n');
});

test('neighbors: a missing vectors file is a clear error', () => {
  const r = wordloom(['neighbors', join(dir, 'missing.txt'), 'a']);
  assert.is(r.code, 1);
  assert.match(r.err, /missing\.txt: cannot read the vectors file: ENOENT/);
});

test.run();
