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
  ClassifierModel,
  cosineTopK,
  evaluateAnalogiesText,
  evaluateWordPairsText,
  fitClassifier,
  knnGraph,
  knnOp,
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
  // The knn op (a pipeline node with k 1e8) does the same and logs the note.
  const logs: string[] = [];
  const op = (await knnOp.run({ vectors: v }, { words: ['city'], k: 1e8, backend: 'auto', case_insensitive: true }, standaloneContext({ log: (m) => logs.push(m) }))) as Awaited<ReturnType<typeof nearestNeighbors>>;
  assert.is(op.queries[0]!.neighbors.length, 299);
  assert.ok(logs.some((l) => /k 100000000 is more than the 299 other words/.test(l)), logs.join('\n'));
  // restrict_vocab caps at the candidates it leaves
  const r = await nearestNeighbors(v, ['the'], { k: 500, restrict_vocab: 40 });
  assert.is(r.queries[0]!.neighbors.length, 39);
});

test('knn: the sorted lists of a large k equal the insertion lists over many row blocks', async () => {
  const rows = 5000;
  const dim = 8;
  const rng = new Rng(5);
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < data.length; i++) data[i] = rng.next() - 0.5;
  const unit = unitEmbeddings(new Embeddings(Array.from({ length: rows }, (_, i) => `w${i}`), dim, data));
  const queries = Int32Array.from({ length: 70 }, (_, i) => i * 71);
  const long = await cosineTopK(unit, queries, LARGE_K + 1000);
  const short = await cosineTopK(unit, queries, LARGE_K);
  assert.is(long.k, LARGE_K + 1000);
  for (let q = 0; q < queries.length; q++) {
    assert.equal(Array.from(long.indices.subarray(q * long.k, q * long.k + LARGE_K)), Array.from(short.indices.subarray(q * LARGE_K, (q + 1) * LARGE_K)), `query ${q}`);
    assert.equal(Array.from(long.scores.subarray(q * long.k, q * long.k + LARGE_K)), Array.from(short.scores.subarray(q * LARGE_K, (q + 1) * LARGE_K)), `query ${q}`);
  }
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
      // a tenth into iteration 3: finishing the iteration would take about 90% of one more
      if (u.done === 2) setTimeout(() => ((abortedAt = performance.now()), ac.abort(new Error('stop'))), secs[1]! * 100);
    },
  });
  try {
    await trainGlove(cooc, vocab, { vector_size: 300, max_iter: 40 }, ctx);
    assert.unreachable('training should have been cancelled');
  } catch (e) {
    assert.is((e as Error).message, 'stop');
  }
  const took = performance.now() - abortedAt;
  const iteration = ((secs[0]! + secs[1]!) / 2) * 1000;
  assert.is(secs.length, 2);
  // The workers check between kernel calls (a quarter of this iteration each at most).
  assert.ok(took < iteration * 0.55, `stopped ${took.toFixed(0)} ms after the abort; an iteration takes ${iteration.toFixed(0)} ms`);
});

test('analogies: a file with no question that can be asked is an error, not 0.00% (0/0)', async () => {
  const v = await readVectors(TXT);
  const none = (text: string) => evaluateAnalogiesText(v, text, 'q.txt', { methods: ['3CosAdd'] });
  await rejects(none(': s\nthe city\nof and in the way\n'), (e) => {
    assert.is(e.where.file, 'q.txt');
    assert.match(e.message, /no analogy question: no line is four words "a b c d" \(2 other lines\)/);
  });
  await rejects(none(': s\nqqq rrr sss ttt\n'), (e) => assert.match(e.message, /all 1 have a word outside the 300 words evaluated/));
  // one question left: a result, with the invalid lines counted
  const [r] = await none(': s\nthe city\nthe of the of\n');
  assert.is(r!.total, 1);
  assert.is(r!.invalid, 1);
});

test('word pairs: a NaN or infinite score names its line instead of giving Spearman NaN', async () => {
  const v = await readVectors(TXT);
  for (const bad of ['nan', 'inf', '-Infinity']) {
    await rejects(Promise.resolve().then(() => evaluateWordPairsText(v, `# pairs\nthe\tcity\t3\nof\tand\t${bad}\nin\tthe\t2\n`, 'p.tsv')), (e) => {
      assert.is(e.where.file, 'p.tsv');
      assert.is(e.where.line, 3);
      assert.match(e.message, /is not a finite number/);
    });
  }
  const ok = evaluateWordPairsText(v, 'the\tcity\t3\nof\tand\t7\nin\tthe\t2\nbad line\nof\tin\tseven\n', 'p.tsv');
  assert.ok(Number.isFinite(ok.spearman));
  assert.is(ok.invalid, 2);
  // equal scores: no correlation exists
  await rejects(Promise.resolve().then(() => evaluateWordPairsText(v, 'the\tcity\t3\nof\tand\t3\nin\tthe\t3\n', 'p.tsv')), (e) => assert.match(e.message, /all 3 usable pairs have the same score/));
});

test('classifier: a model whose weights hold NaN is refused at load and at predict, not an empty prediction', async () => {
  const t = tempDir();
  try {
    const m = new ClassifierModel(['good', 'bad'], ['pos', 'neg'], 2, 1, 0, '__label__');
    m.input.set([1, 0, 0, 1]);
    m.output.set([1, 0, NaN, 1]);
    assert.throws(() => m.predict('good'), /NaN probabilities/);
    const file = join(t.dir, 'm.bin');
    await m.save(file);
    await rejects(ClassifierModel.load(file), (e) => {
      assert.is(e.where.file, file);
      assert.match(e.message, /the output vector of label "neg" holds NaN/);
    });
  } finally {
    t.cleanup();
  }
});

test('classifier: training on examples with labels and no words is an error; some of them a warning with the count', async () => {
  const ex = (tokens: string[], label: string, line: number) => ({ tokens, labels: [label], file: 'in.txt', line });
  await rejects(fitClassifier([ex([], 'a', 1), ex([], 'b', 2)], { epoch: 1, threads: 1 }), (e) => {
    assert.is(e.where.file, 'in.txt');
    assert.is(e.where.line, 1);
    assert.match(e.message, /none of the 2 training examples has a word to learn from; the first, line 1: it has labels and no words/);
  });
  const logs: string[] = [];
  const r = await fitClassifier([ex(['x', 'y'], 'a', 1), ex([], 'b', 2), ex(['y', 'z'], 'b', 3)], { epoch: 2, threads: 1 }, standaloneContext({ log: (m) => logs.push(m) }));
  assert.ok(r.train.losses.every((l) => l > 0));
  assert.equal(logs.filter((l) => l.startsWith('warning:')), ['warning: 1 of 3 training examples have no word to learn from and are skipped (the first: in.txt:2, it has labels and no words)']);
});

test.run();
