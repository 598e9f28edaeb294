import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Embeddings, WordloomError } from '@wordloom/core';
import { readVectors } from '../src/io/vectors.js';
import { cosineTopK, unitEmbeddings, nearestNeighbors, knnOp, type TopKResult } from '../src/knn/index.js';
import { standaloneContext } from '../src/op.js';
import type { NeighborsResult } from '../src/artifacts.js';
import { findOperator } from '../src/registry.js';
import { dataPath } from './helpers.js';

interface KnnRef {
  word: string;
  restrict_vocab: number | null;
  missing?: boolean;
  neighbors?: [string, number][];
}
// most_similar(word, topn=10[, restrict_vocab]) from gensim 4.2 (scripts/gensim_reference.py).
const REF = JSON.parse(readFileSync(dataPath('fixtures/gensim-reference.json'), 'utf8')) as { vectors: string; knn: KnnRef[] };
const vectorsP = readVectors(dataPath('fixtures/wt2-sg-d20-4k.bin'));

/** Exact cosine top-k by brute force in float64, ties to the lower row. */
function bruteForce(u: Embeddings, q: number, k: number, rows = u.size): { idx: number[]; sc: number[] } {
  const d = u.dim;
  const all: [number, number][] = [];
  for (let r = 0; r < rows; r++) {
    if (r === q) continue;
    let s = 0;
    for (let j = 0; j < d; j++) s += u.data[q * d + j]! * u.data[r * d + j]!;
    all.push([s, r]);
  }
  all.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  return { idx: all.slice(0, k).map((x) => x[1]), sc: all.slice(0, k).map((x) => x[0]) };
}

/**
 * Two top-k results agree: scores within float32 rounding, and the same rows
 * wherever the scores around a position are not a near-exact tie.
 */
function sameNeighbours(a: TopKResult, b: TopKResult, nq: number, k: number): void {
  for (let q = 0; q < nq; q++) {
    for (let j = 0; j < k; j++) {
      const i = q * k + j;
      assert.ok(Math.abs(a.scores[i]! - b.scores[i]!) < 1e-6, `query ${q} slot ${j}: ${a.scores[i]} vs ${b.scores[i]}`);
      if (a.indices[i] !== b.indices[i]) {
        const near = (x: number) => x >= 0 && x < k && Math.abs(a.scores[q * k + x]! - a.scores[i]!) < 1e-6;
        assert.ok(near(j - 1) || near(j + 1), `query ${q} slot ${j}: row ${a.indices[i]} vs ${b.indices[i]} without a tie`);
      }
    }
  }
}

for (const backend of ['typescript', 'gpu'] as const) {
  test(`${backend}: neighbours and similarities equal gensim's most_similar`, async () => {
    const v = await vectorsP;
    for (const rv of [null, 1000]) {
      const items = REF.knn.filter((x) => x.restrict_vocab === rv);
      // 19 query words per setting, one of them out of the vocabulary, 10 neighbours each.
      assert.is(items.length, 19, `gensim cases with restrict_vocab ${rv}`);
      assert.is(items.filter((x) => x.missing).length, 1);
      let compared = 0;
      const res = await nearestNeighbors(v, items.map((x) => x.word), { k: 10, backend, restrict_vocab: rv ?? undefined, case_insensitive: false });
      assert.is(res.queries.length, items.length);
      assert.ok(backend === 'gpu' ? res.backend.startsWith('gpu.js:') : res.backend === 'typescript', res.backend);
      items.forEach((it, i) => {
        const got = res.queries[i]!;
        assert.is(got.word, it.word);
        if (it.missing) {
          assert.is(got.missing, true);
          assert.equal(got.neighbors, []);
          return;
        }
        assert.is(got.missing, undefined);
        assert.equal(got.neighbors.map((n) => n.word), it.neighbors!.map((n) => n[0]), `${it.word} restrict ${rv}`);
        assert.is(got.neighbors.length, 10, it.word);
        got.neighbors.forEach((n, j) => assert.ok(Math.abs(n.similarity - it.neighbors![j]![1]) < 1e-6, `${it.word}: ${n.similarity} vs ${it.neighbors![j]![1]}`));
        compared += got.neighbors.length;
      });
      assert.is(compared, 18 * 10, `neighbours compared with restrict_vocab ${rv}`);
    }
  });
}

test('typescript and gpu.js kernels give the same neighbours for every row (k=25)', async () => {
  const u = unitEmbeddings(await vectorsP);
  const rows = Int32Array.from({ length: u.size }, (_, i) => i);
  const ts = await cosineTopK(u, rows, 25, { backend: 'typescript' });
  const gpu = await cosineTopK(u, rows, 25, { backend: 'gpu' });
  assert.is(ts.backend, 'typescript');
  assert.match(gpu.backend, /^gpu\.js:/);
  sameNeighbours(ts, gpu, u.size, 25);
  // Against brute force on a sample, and never the query itself.
  for (const q of [0, 1, 17, 999, 2500, 3999]) {
    const bf = bruteForce(u, q, 25);
    assert.ok(!Array.from(ts.indices.subarray(q * 25, q * 25 + 25)).includes(q));
    for (let j = 0; j < 25; j++) {
      assert.is(ts.indices[q * 25 + j], bf.idx[j]);
      assert.ok(Math.abs(ts.scores[q * 25 + j]! - bf.sc[j]!) < 1e-6);
    }
  }
});

test('worker threads give the same result as the calling thread', async () => {
  const u = unitEmbeddings(await vectorsP);
  const rows = Int32Array.from({ length: 1500 }, (_, i) => (i * 7) % u.size);
  const one = await cosineTopK(u, rows, 10, { backend: 'typescript' });
  let progress = 0;
  const two = await cosineTopK(u, rows, 10, { backend: 'typescript', threads: 2, parallelThreshold: 0, onProgress: (d) => (progress = d) });
  assert.is(two.backend, 'typescript:2-threads');
  assert.is(progress, rows.length);
  assert.equal(Array.from(two.indices), Array.from(one.indices));
  assert.equal(Array.from(two.scores), Array.from(one.scores));
});

test('vector queries, restrict, exclusions, k beyond the candidates', async () => {
  const u = unitEmbeddings(await vectorsP);
  const king = u.id('king');
  // A raw (unnormalized) vector query finds the word itself first, cosine 1.
  const raw = Float32Array.from(u.row(king), (x) => x * 3);
  const r = await cosineTopK(u, raw, 5, {});
  assert.is(r.indices[0], king);
  assert.ok(Math.abs(r.scores[0]! - 1) < 1e-6);
  // Row query with excludeSelf false also finds itself; extra exclusions are honoured.
  const self = await cosineTopK(u, Int32Array.of(king), 5, { excludeSelf: false });
  assert.is(self.indices[0], king);
  const ex = await cosineTopK(u, Int32Array.of(king), 3, { exclude: Int32Array.of(r.indices[1]!, r.indices[2]!), excludeWidth: 2 });
  assert.equal(Array.from(ex.indices), [r.indices[3], r.indices[4], r.indices[5] ?? ex.indices[2]]);
  // Only 4 candidate rows, one being the query: k is capped at 4, 3 neighbours, then an empty slot.
  const few = await cosineTopK(u, Int32Array.of(2), 5, { rows: 4 });
  assert.is(few.k, 4);
  assert.is(few.indices.length, 4);
  assert.equal(Array.from(few.indices.subarray(3)), [-1]);
  assert.equal(Array.from(few.scores.subarray(3)), [-Infinity]);
  assert.equal(new Set(few.indices.subarray(0, 3)), new Set([0, 1, 3]));
  // Errors.
  try {
    await cosineTopK(u, Int32Array.of(u.size), 3);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, WordloomError);
  }
  try {
    await cosineTopK(u, Int32Array.of(1), 0);
    assert.unreachable();
  } catch (e) {
    assert.is((e as WordloomError).where.param, 'k');
  }
});

test('knn op: registered, reports missing words and the backend', async () => {
  assert.is(findOperator('knn'), knnOp);
  const v = await vectorsP;
  const logs: string[] = [];
  const r = (await knnOp.run({ vectors: v }, { words: ['France', 'zzzz-unknown', 'war'], k: 3, backend: 'typescript', case_insensitive: false }, standaloneContext({ log: (m) => logs.push(m) }))) as NeighborsResult;
  assert.is(r.backend, 'typescript');
  assert.is(r.queries.length, 3);
  assert.is(r.queries[1]!.missing, true);
  assert.is(r.queries[0]!.neighbors.length, 3);
  const ref = REF.knn.find((x) => x.word === 'France' && x.restrict_vocab === null)!;
  assert.equal(r.queries[0]!.neighbors.map((n) => n.word), ref.neighbors!.slice(0, 3).map((n) => n[0]));
  assert.match(logs.join('\n'), /zzzz-unknown/);
});

test('knn op: query words match case-insensitively by default, the most frequent spelling winning', async () => {
  const v = await vectorsP;
  assert.ok(v.id('The') > v.id('the') && v.id('the') >= 0);
  const run = async (words: string[], case_insensitive: boolean) =>
    (await knnOp.run({ vectors: v }, { words, k: 3, backend: 'typescript', case_insensitive }, standaloneContext())) as NeighborsResult;
  const folded = await run(['The', 'THE', 'the'], true);
  assert.is(folded.queries[0]!.match, 'the');
  assert.is(folded.queries[1]!.match, 'the');
  assert.is(folded.queries[2]!.match, undefined);
  assert.equal(folded.queries[0]!.neighbors, folded.queries[2]!.neighbors);
  const exact = await run(['The', 'THE'], false);
  assert.is(exact.queries[0]!.match, undefined);
  assert.not.equal(exact.queries[0]!.neighbors, folded.queries[2]!.neighbors);
  assert.is(exact.queries[1]!.missing, true);
  assert.is(knnOp.params.case_insensitive!.default, true);
});

test.run();
