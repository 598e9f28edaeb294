/**
 * Inputs that used to hang, crash with a bare system error or leave files behind:
 * huge k, a directory given as a vectors file, outputs that cannot be made,
 * temporaries of killed writers, cancelling GloVe mid-iteration.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Embeddings, Rng, WordloomError } from '@wordloom/core';
import {
  cosineTopK,
  knnGraph,
  LARGE_K,
  nearestNeighbors,
  outputPathProblem,
  readCooccurrences,
  readVectors,
  readVocabFile,
  removeStaleTemporaries,
  standaloneContext,
  trainGlove,
  unitEmbeddings,
  writeVectors,
} from '../src/index.js';
import { dataPath, tempDir } from './helpers.js';

const TXT = dataPath('fixtures/wt2-sg-d20-300.txt');

async function rejects(p: Promise<unknown>, check: (e: WordloomError) => void): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, WordloomError, String(e));
    check(e as WordloomError);
    return;
  }
  assert.unreachable('expected an error');
}

/** The id of a process that has exited (so no process has it for now). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

test('a vectors path that is a directory is a clear error, not EISDIR', async () => {
  const t = tempDir();
  try {
    await rejects(readVectors(t.dir), (e) => {
      assert.is(e.code, 'E_FILE');
      assert.match(e.message, /is a directory/);
      assert.is(e.where.file, t.dir);
      assert.not.match(e.message, /EISDIR/);
    });
  } finally {
    t.cleanup();
  }
});

test('knn: k above the number of words is capped (with a note), in the order the short lists give', async () => {
  const v = await readVectors(TXT);
  assert.is(v.size, 300);
  const notes: string[] = [];
  const t0 = Date.now();
  const all = await nearestNeighbors(v, ['the', 'city'], { k: 99_999_999, onNote: (m) => notes.push(m) });
  assert.ok(Date.now() - t0 < 5000, 'k = 1e8 must not take long');
  assert.is(notes.length, 1);
  assert.match(notes[0]!, /k 99999999 is more than the 299 other words/);
  assert.is(all.queries.length, 2);
  for (const q of all.queries) {
    assert.is(q.neighbors.length, 299, q.word);
    assert.not.ok(q.neighbors.some((n) => n.word === q.word));
    for (let j = 1; j < q.neighbors.length; j++) assert.ok(q.neighbors[j - 1]!.similarity >= q.neighbors[j]!.similarity);
  }
  // The sorted path (k > LARGE_K) agrees with the insertion path (k <= LARGE_K) on the lists they share.
  const short = await nearestNeighbors(v, ['the', 'city'], { k: LARGE_K });
  for (let i = 0; i < 2; i++) assert.equal(all.queries[i]!.neighbors.slice(0, LARGE_K), short.queries[i]!.neighbors);
  // restrict_vocab caps at the candidates it leaves
  const r = await nearestNeighbors(v, ['the'], { k: 500, restrict_vocab: 40 });
  assert.is(r.queries[0]!.neighbors.length, 39);
});

test('knn: a long search with a huge k stops when its signal aborts', async () => {
  const rows = 20000;
  const dim = 16;
  const rng = new Rng(3);
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < data.length; i++) data[i] = rng.next() - 0.5;
  const unit = unitEmbeddings(new Embeddings(Array.from({ length: rows }, (_, i) => `w${i}`), dim, data));
  const queries = Int32Array.from({ length: 2000 }, (_, i) => i);
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error('stop')), 100);
  const t0 = Date.now();
  await rejects(cosineTopK(unit, queries, 1e8, { signal: ac.signal }), (e) => assert.match(e.message, /cancelled/));
  assert.ok(Date.now() - t0 < 2000, `stopped after ${Date.now() - t0} ms`);
});

test('knn-graph: an absurd n is refused at once', async () => {
  const v = await readVectors(TXT);
  await rejects(knnGraph(v, { n: 1e8 }), (e) => {
    assert.is(e.where.param, 'n');
    assert.match(e.message, /the vectors have 300/);
  });
  // n just below the rows goes through the sorted lists and gives every other row
  const g = await knnGraph(v, { n: 299, mode: 'directed' });
  assert.is(g.targets.length, 300 * 299);
});

test('output paths: a directory, a file in the way and an unmakeable directory are named', () => {
  const t = tempDir();
  try {
    writeFileSync(join(t.dir, 'file'), 'x');
    assert.match(outputPathProblem(t.dir)!.message, /is a directory/);
    assert.match(outputPathProblem(join(t.dir, 'file', 'sub', 'v.txt'))!.message, /needs .*file to be a directory, but it is a file/);
    assert.is(outputPathProblem(join(t.dir, 'new', 'deeper', 'v.txt')), undefined);
    assert.not.ok(existsSync(join(t.dir, 'new')));
    if (existsSync('/proc/self')) assert.match(outputPathProblem('/proc/wordloom-test/v.txt')!.message, /cannot create entries in \/proc/);
  } finally {
    t.cleanup();
  }
});

test('writing under a directory that cannot be made fails at once (mkdir -p under /proc never returned)', async () => {
  if (!existsSync('/proc/self')) return;
  const v = await readVectors(TXT, { limit: 3 });
  await rejects(writeVectors(v, '/proc/wordloom-test/deeper/v.txt', 'glove'), (e) => {
    assert.is(e.code, 'E_FILE');
    assert.match(e.message, /cannot create the directory \/proc\/wordloom-test/);
  });
});

test('a write removes the temporaries that writers of the same file in dead processes left', async () => {
  const t = tempDir();
  try {
    const dead = deadPid();
    const stale = `.v.txt.tmp-${dead}-1700000000000`;
    const live = `.v.txt.tmp-${process.pid}-1700000000000`;
    const other = `.w.txt.tmp-${dead}-1700000000000`;
    for (const n of [stale, live, other]) writeFileSync(join(t.dir, n), 'half');
    const v = await readVectors(TXT, { limit: 3 });
    await writeVectors(v, join(t.dir, 'v.txt'), 'glove');
    assert.equal(readdirSync(t.dir).sort(), [live, other, 'v.txt'].sort());
    assert.equal(await removeStaleTemporaries(join(t.dir, 'w.txt')), [join(t.dir, other)]);
  } finally {
    t.cleanup();
  }
});

test('glove: cancelling stops the iteration in progress, not at its end', async () => {
  const vocab = await readVocabFile(dataPath('glove/lee.vocab.txt'));
  const cooc = await readCooccurrences(dataPath('glove/lee.cooc.w5.bin'), { vocabSize: vocab.size });
  const ac = new AbortController();
  const secs: number[] = [];
  let abortedAt = 0;
  const ctx = standaloneContext({
    threads: 1,
    signal: ac.signal,
    progress: (u) => {
      if (u.phase !== 'iteration') return;
      secs.push(Number(u.metrics!.seconds));
      // a fifth into iteration 3
      if (u.done === 2) setTimeout(() => ((abortedAt = performance.now()), ac.abort(new Error('stop'))), secs[1]! * 200);
    },
  });
  try {
    await trainGlove(cooc, vocab, { vector_size: 300, max_iter: 40 }, ctx);
    assert.unreachable('training should have been cancelled');
  } catch (e) {
    assert.is((e as Error).message, 'stop');
  }
  const took = performance.now() - abortedAt;
  const iteration = Math.min(...secs) * 1000;
  assert.is(secs.length, 2);
  assert.ok(took < iteration / 2, `stopped ${took.toFixed(0)} ms after the abort; an iteration takes ${iteration.toFixed(0)} ms`);
});

test.run();
