import { appendFileSync, copyFileSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Cooccurrences, Embeddings, Vocab } from '@wordloom/core';
import type { NeighborsResult } from '@wordloom/ops';
import { hashFile } from '../src/cache.js';
import { ArtifactCache, cacheDirFor, parsePipeline, parseSize, runPipeline, validatePipeline, type PipelineEvent, type PipelineSpec } from '../src/index.js';
import { dataPath } from './fake-ops.js';
import { scratch } from './util.js';

/** The Lee pipeline of examples/lee-small.json, reading a copy of the corpus in `dir`. */
function leeSpec(dir: string, glove: Record<string, unknown> = {}): PipelineSpec {
  const text = JSON.stringify({
    name: 'lee-cache',
    seed: 7,
    threads: 2,
    nodes: [
      { id: 'corpus', op: 'tokenize', params: { input: 'lee.cor', lowercase: 'ascii' } },
      { id: 'vocab', op: 'vocab', inputs: { tokens: 'corpus' }, params: { min_count: 3 } },
      { id: 'cooccur', op: 'cooccur', inputs: { tokens: 'corpus', vocab: 'vocab' }, params: { window: 10 } },
      { id: 'glove', op: 'glove', inputs: { cooccurrences: 'cooccur', vocab: 'vocab' }, params: { vector_size: 16, x_max: 10, max_iter: 5, output: 'out/vectors.txt', ...glove } },
      { id: 'neighbors', op: 'knn', inputs: { vectors: 'glove' }, params: { words: ['police', 'government', 'fire'], k: 5 } },
    ],
  });
  return parsePipeline(text, join(dir, 'lee.json'));
}

interface Outcome {
  status: Record<string, string | undefined>;
  started: string[];
  values: Map<string, unknown>;
}

async function run(spec: PipelineSpec, cache: string | false, force?: boolean | string[]): Promise<Outcome> {
  const events: PipelineEvent[] = [];
  const r = runPipeline(spec, { cache, force, onEvent: (e) => events.push(e) });
  const values = await r.result;
  const fin = events.find((e) => e.type === 'pipeline:finished');
  assert.ok(fin && fin.type === 'pipeline:finished');
  const status = Object.fromEntries(fin.nodes.map((n) => [n.node, n.cache]));
  const started = events.filter((e) => e.type === 'node:started').map((e) => (e as { node: string }).node);
  return { status, started, values };
}

function setup() {
  const s = scratch('wordloom-cache-test-');
  copyFileSync(dataPath('corpora/lee_background.cor'), join(s.dir, 'lee.cor'));
  return { ...s, cacheDir: join(s.dir, 'cache') };
}

const ALL_COMPUTED = { corpus: 'computed', vocab: 'computed', cooccur: 'computed', glove: 'computed', neighbors: 'computed' };

test('a rerun loads what it needs from the cache, does not tokenize, and gives the same outputs', async () => {
  const s = setup();
  try {
    const first = await run(leeSpec(s.dir), s.cacheDir);
    assert.equal(first.status, ALL_COMPUTED);
    const vectorsFile = join(s.dir, 'out/vectors.txt');
    const fileBefore = readFileSync(vectorsFile);
    const entries = new ArtifactCache(s.cacheDir).list();
    assert.equal(entries.map((e) => e.node).sort(), ['cooccur', 'glove', 'vocab']);

    const second = await run(leeSpec(s.dir), s.cacheDir);
    assert.equal(second.status, { corpus: 'skipped', vocab: 'cached', cooccur: 'cached', glove: 'loaded', neighbors: 'computed' });
    assert.equal(second.started, ['neighbors'], 'only knn runs: nothing tokenizes, counts or trains');
    const a = first.values.get('glove') as Embeddings;
    const b = second.values.get('glove') as Embeddings;
    assert.equal(b.words, a.words);
    assert.equal(b.dim, a.dim);
    assert.ok(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength).equals(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength)), 'the same float32 vectors');
    assert.equal((second.values.get('neighbors') as NeighborsResult).queries, (first.values.get('neighbors') as NeighborsResult).queries);
    assert.ok(readFileSync(vectorsFile).equals(fileBefore));
    assert.is(second.values.get('corpus'), undefined);

    // Without the cache everything runs again.
    assert.equal((await run(leeSpec(s.dir), false)).status, { corpus: undefined, vocab: undefined, cooccur: undefined, glove: undefined, neighbors: undefined });
  } finally {
    s.cleanup();
  }
});

test("changing glove's max_iter reruns glove and what follows, loading vocab and co-occurrences as they were computed", async () => {
  const s = setup();
  try {
    const first = await run(leeSpec(s.dir), s.cacheDir);
    const again = await run(leeSpec(s.dir, { max_iter: 3 }), s.cacheDir);
    assert.equal(again.status, { corpus: 'skipped', vocab: 'loaded', cooccur: 'loaded', glove: 'computed', neighbors: 'computed' });
    assert.equal(again.started, ['glove', 'neighbors']);
    const v1 = first.values.get('vocab') as Vocab;
    const v2 = again.values.get('vocab') as Vocab;
    assert.equal(v2.words, v1.words);
    assert.equal(Array.from(v2.counts), Array.from(v1.counts));
    const c1 = first.values.get('cooccur') as Cooccurrences;
    const c2 = again.values.get('cooccur') as Cooccurrences;
    assert.is(c2.vocabSize, c1.vocabSize);
    assert.is(c2.size, c1.size);
    assert.equal(Array.from(c2.row), Array.from(c1.row));
    assert.equal(Array.from(c2.col), Array.from(c1.col));
    assert.equal(Array.from(c2.val), Array.from(c1.val));
    assert.equal(c2.settings, c1.settings);
    // Both settings of max_iter are now cached; going back loads glove, unless its output file changed.
    const back = await run(leeSpec(s.dir), s.cacheDir);
    assert.is(back.status.glove, 'computed', 'out/vectors.txt now holds the max_iter 3 vectors: glove writes it again');
    assert.is((await run(leeSpec(s.dir), s.cacheDir)).status.glove, 'loaded');
    rmSync(join(s.dir, 'out/vectors.txt'));
    assert.is((await run(leeSpec(s.dir), s.cacheDir)).status.glove, 'computed', 'a removed output file is written again');
    assert.ok(statSync(join(s.dir, 'out/vectors.txt')).size > 0);
  } finally {
    s.cleanup();
  }
});

test('changing the contents of an input file invalidates every node after it', async () => {
  const s = setup();
  try {
    // An old file: its hash is remembered by path, size and time, and the change must still be seen.
    const corpus = join(s.dir, 'lee.cor');
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(corpus, hourAgo, hourAgo);
    await run(leeSpec(s.dir), s.cacheDir);
    const memo = JSON.parse(readFileSync(join(s.cacheDir, 'file-hashes.json'), 'utf8')) as Record<string, { hash: string }>;
    assert.equal(Object.keys(memo), [corpus]);
    assert.is(memo[corpus]!.hash, await hashFile(corpus));
    assert.is((await run(leeSpec(s.dir), s.cacheDir)).status.glove, 'loaded');
    // The remembered hash is what the key uses (the file is not read again): a different one there misses.
    memo[corpus]!.hash = '0'.repeat(64);
    writeFileSync(join(s.cacheDir, 'file-hashes.json'), JSON.stringify(memo));
    assert.is((await run(leeSpec(s.dir), s.cacheDir)).status.vocab, 'computed');
    appendFileSync(corpus, 'police government fire police government fire police government fire\n');
    const after = await run(leeSpec(s.dir), s.cacheDir);
    assert.equal(after.status, ALL_COMPUTED);
    assert.is(new ArtifactCache(s.cacheDir).list().length, 9);
  } finally {
    s.cleanup();
  }
});

test('force: named nodes and the nodes after them are computed; true computes all', async () => {
  const s = setup();
  try {
    await run(leeSpec(s.dir), s.cacheDir);
    const f = await run(leeSpec(s.dir), s.cacheDir, ['cooccur']);
    assert.equal(f.status, { corpus: 'computed', vocab: 'loaded', cooccur: 'computed', glove: 'computed', neighbors: 'computed' });
    const all = await run(leeSpec(s.dir), s.cacheDir, true);
    assert.equal(all.status, ALL_COMPUTED);
    const err = await run(leeSpec(s.dir), s.cacheDir, ['glov']).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.match(String(err?.message), /cannot force node "glov": the pipeline has no such node/);
  } finally {
    s.cleanup();
  }
});

test('cache list, gc by size (least recently used first) and clear', async () => {
  const s = setup();
  try {
    await run(leeSpec(s.dir), s.cacheDir);
    const cache = new ArtifactCache(s.cacheDir);
    const entries = cache.list();
    assert.is(entries.length, 3);
    const cooc = entries.find((e) => e.node === 'cooccur')!;
    assert.ok(cooc.bytes > 100_000);
    assert.is(cache.size(), entries.reduce((t, e) => t + e.bytes, 0));
    // Last use is meta.json's time: make co-occurrences the least recently used, then vocab, then glove.
    const at = (node: string, secondsAgo: number) => {
      const t = new Date(Date.now() - secondsAgo * 1000);
      utimesSync(join(entries.find((e) => e.node === node)!.dir, 'meta.json'), t, t);
    };
    at('cooccur', 300);
    at('vocab', 200);
    at('glove', 100);
    assert.equal(cache.list().map((e) => e.node), ['glove', 'vocab', 'cooccur']);
    const total = cache.size();
    assert.equal(cache.gc(total).removed, [], 'everything fits');
    const gc = cache.gc(total - 1);
    assert.equal(gc.removed.map((e) => e.node), ['cooccur']);
    assert.is(gc.kept, 2);
    assert.is(cache.size(), total - cooc.bytes);
    // A rerun that needs co-occurrences computes them again; loading marks vocab used.
    const again = await run(leeSpec(s.dir, { max_iter: 3 }), s.cacheDir);
    assert.equal(again.status, { corpus: 'computed', vocab: 'loaded', cooccur: 'computed', glove: 'computed', neighbors: 'computed' });
    assert.ok(cache.list().find((e) => e.node === 'vocab')!.used > Date.now() - 60_000);
    assert.is(cache.list().length, 4);
    assert.equal(cache.clear().entries, 4);
    assert.is(cache.list().length, 0);
    assert.is(parseSize('2G'), 2 * 1024 ** 3);
    assert.is(parseSize('500M'), 500 * 1024 ** 2);
    assert.is(parseSize('0'), 0);
    assert.throws(() => parseSize('lots'), /expected a size/);
  } finally {
    s.cleanup();
  }
});

test("where the cache lives: the run's choice, WORDLOOM_CACHE, the pipeline's cache:, the user's cache directory", () => {
  const spec = { cache: 'here', baseDir: '/p' };
  assert.is(cacheDirFor(spec, '/x', { WORDLOOM_CACHE: '/e' }), '/x');
  assert.is(cacheDirFor(spec, false, {}), undefined);
  assert.is(cacheDirFor(spec, undefined, { WORDLOOM_CACHE: '/e' }), '/e');
  assert.is(cacheDirFor(spec, undefined, { WORDLOOM_CACHE: 'off' }), undefined);
  assert.is(cacheDirFor(spec, undefined, {}), '/p/here');
  assert.is(cacheDirFor({ cache: false }, undefined, {}), undefined);
  assert.is(cacheDirFor({}, undefined, { XDG_CACHE_HOME: '/xdg' }), '/xdg/wordloom');
  assert.match(String(cacheDirFor({}, true, {})), /\/\.cache\/wordloom$/);
  const bad = validatePipeline(parsePipeline('name: p\ncache: 5\nnodes:\n  - { id: t, op: tokenize, params: { input: a.txt } }\n', '/tmp/p.yaml'), { checkFiles: false });
  assert.match(bad.errors.map((e) => e.message).join('\n'), /p\.yaml:2:8: cache must be true, false or a directory, got 5/);
  const good = validatePipeline(parsePipeline('name: p\ncache: false\nnodes:\n  - { id: t, op: tokenize, params: { input: a.txt } }\n', '/tmp/p.yaml'), { checkFiles: false });
  assert.equal(good.errors, []);
  assert.is(good.spec.cache, false);
});

test.run();
