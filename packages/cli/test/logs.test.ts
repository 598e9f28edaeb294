import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath, wordloom } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'wordloom-logs-'));
const pipeline = join(dir, 'logs.yaml');
writeFileSync(
  pipeline,
  [
    'name: logs',
    'seed: 1',
    'threads: 2',
    'nodes:',
    `  - { id: corpus, op: tokenize, params: { input: ${repoPath('data/corpora/lee_background.cor')}, lowercase: ascii } }`,
    `  - { id: vocab, op: vocab, inputs: { tokens: corpus }, params: { min_count: 3, output: ${join(dir, 'vocab.txt')} } }`,
    '  - { id: cooccur, op: cooccur, inputs: { tokens: corpus, vocab: vocab }, params: { window: 10 } }',
    `  - { id: glove, op: glove, inputs: { cooccurrences: cooccur, vocab: vocab }, params: { vector_size: 20, max_iter: 3, output: ${join(dir, 'vectors.txt')} } }`,
    `  - { id: evaluate, op: evaluate, inputs: { vectors: glove }, params: { analogies: [${repoPath('data/eval/questions-words.txt')}] } }`,
    '  - { id: graph, op: knn-graph, inputs: { vectors: glove }, params: { n: 5, mode: mutual } }',
    '  - { id: clusters, op: chinese-whispers, inputs: { graph: graph }, params: { max_iter: 5 } }',
    '',
  ].join('\n'),
);

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('run logs (piped): each GloVe iteration once, the corpus read when it is read, files written, edges counted once', () => {
  const r = wordloom(['run', pipeline]);
  assert.is(r.code, 0, r.err);
  const err = r.err;
  // Iterations: GloVe's line once each, no second progress line for the same iteration.
  for (const it of ['001', '002', '003']) assert.is(err.split('\n').filter((l) => l.includes(`iter: ${it},`)).length, 1, `iteration ${it}:\n${err}`);
  assert.not.match(err, /\[glove\] iteration, /);
  // The corpus node opens a stream; the reading is reported when it happens.
  assert.not.match(err, /done in \d+ ms: token stream/);
  assert.match(err, /\[corpus\] ready: the text is read as the next nodes consume it\n/);
  assert.match(err, /\[corpus\] read 59,890 tokens, 300 documents, 10,186 distinct words \(0\.3 MB\) in \d+\.\d s\n/);
  assert.match(r.out, /corpus +tokenize +\d+ ms +59,890 tokens, 300 documents, 10,186 distinct words, read in \d+\.\d s/);
  // Every file written is named.
  assert.match(err, new RegExp(`\\[vocab\\] wrote ${join(dir, 'vocab.txt')} \\(2,947 words\\)\n`));
  assert.match(err, new RegExp(`\\[glove\\] wrote ${join(dir, 'vectors.txt')} \\(2,947 x 20 vectors, glove\\)\n`));
  // Edges of an undirected graph: the same count, called the same, in both lines.
  const live = /\[graph\] done, nodes 2,947, undirected edges ([\d,]+),/.exec(err);
  const fin = /\[graph\] done in [^:]+: 2,947 nodes, ([\d,]+) undirected edges\n/.exec(err);
  assert.ok(live && fin, err);
  assert.is(live![1], fin![1]);
  // Evaluation progress counts candidate words, never "0/N words".
  assert.not.match(err, /analogies, 0\//);
  assert.match(err, /\[evaluate\] analogies: .*questions-words\.txt, each question against 2,947 candidate words\n/);
});

test('run --json: progress events of iterative ops carry their iteration', () => {
  const r = wordloom(['run', pipeline, '--json']);
  assert.is(r.code, 0, r.err);
  const events = r.out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; node?: string; phase?: string; iteration?: number; done?: number });
  // Updates may be throttled: those sent name their iteration, and the last is the last iteration.
  for (const [node, last] of [['glove', 3], ['clusters', undefined]] as const) {
    const it = events.filter((e) => e.type === 'node:progress' && e.node === node && e.phase === 'iteration');
    assert.ok(it.length > 0, node);
    for (const e of it) assert.is(e.iteration, e.done, JSON.stringify(e));
    if (last) assert.is(it[it.length - 1]!.iteration, last);
  }
});

test.run();
