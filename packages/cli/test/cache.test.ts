import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { wordloom } from './helpers.js';

/** The summary row of a node: "glove  glove  loaded from cache  21 ms  ...". */
const row = (out: string, node: string): string => out.split('\n').find((l) => l.startsWith(node + ' ')) ?? '';

test('run twice: the second run loads from the cache and says so; --force, cache ls, gc and clear', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-cli-cache-'));
  const env = { WORDLOOM_CACHE: join(dir, 'cache') };
  const vectors = join(dir, 'vectors.txt');
  const args = ['run', 'examples/lee-small.json', '--set', `glove.output=${vectors}`, '--set', 'glove.max_iter=3'];
  try {
    const first = wordloom(args, { env });
    assert.is(first.code, 0, first.err);
    for (const n of ['corpus', 'vocab', 'cooccur', 'glove', 'neighbors']) assert.match(row(first.out, n), / computed /, n);
    const bytes = readFileSync(vectors);

    const second = wordloom(args, { env });
    assert.is(second.code, 0, second.err);
    assert.match(row(second.out, 'corpus'), / skipped /);
    assert.match(row(second.out, 'vocab'), / cached /);
    assert.match(row(second.out, 'glove'), / loaded from cache /);
    assert.match(row(second.out, 'neighbors'), / computed /);
    assert.match(second.err, /\[glove\] loaded from the cache in/);
    assert.not.match(second.err, /\[corpus\] tokenize started/);
    assert.ok(readFileSync(vectors).equals(bytes));
    // The neighbours printed are the same.
    assert.is(second.out.slice(second.out.indexOf('[neighbors]')), first.out.slice(first.out.indexOf('[neighbors]')));

    const forced = wordloom([...args, '--force', 'glove'], { env });
    assert.is(forced.code, 0, forced.err);
    assert.match(row(forced.out, 'vocab'), / loaded from cache /);
    assert.match(row(forced.out, 'glove'), / computed /);
    const bad = wordloom([...args, '--force', 'glov'], { env });
    assert.is(bad.code, 1);
    assert.match(bad.err, /no node "glov"; did you mean "glove"\?/);
    assert.is(wordloom([...args, 'glove'], { env }).code, 2, 'node ids go with --force');

    const off = wordloom([...args, '--no-cache'], { env });
    assert.is(off.code, 0, off.err);
    assert.not.match(off.out, /loaded from cache|computed/);

    const ls = wordloom(['cache', 'ls'], { env });
    assert.is(ls.code, 0, ls.err);
    assert.match(ls.out, /lee-small +vocab +vocab +vocab /);
    assert.match(ls.out, /lee-small +cooccur +cooccur +cooccurrences /);
    assert.match(ls.out, /lee-small +glove +glove +vectors /);
    assert.match(ls.out, /\n3 entries, [\d.]+ MB in /);
    const gc = wordloom(['cache', 'gc', '--max-size', '1M'], { env });
    assert.is(gc.code, 0, gc.err);
    assert.match(gc.out, /removed 1 entry .*kept 2/, 'the co-occurrences (5.6 MB) go');
    const clear = wordloom(['cache', 'clear'], { env });
    assert.match(clear.out, /removed 2 entries/);
    assert.match(wordloom(['cache', 'ls'], { env }).out, /^0 entries/);
    assert.is(wordloom(['cache', 'list'], { env }).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corpus read from standard input is never taken from the cache (nothing to recognise it by)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-cli-cache-'));
  const env = { WORDLOOM_CACHE: join(dir, 'cache') };
  try {
    const pipeline = join(dir, 'stdin.yaml');
    writeFileSync(pipeline, ['name: stdin', 'nodes:', '  - { id: corpus, op: tokenize, params: { input: ["-"] } }', '  - { id: vocab, op: vocab, inputs: { tokens: corpus }, params: { min_count: 1 } }', ''].join('\n'));
    const a = wordloom(['run', pipeline], { input: 'b a b\n', env });
    assert.match(row(a.out, 'vocab'), / computed .* 2 words$/);
    const b = wordloom(['run', pipeline], { input: 'c c d e\n', env });
    assert.match(row(b.out, 'vocab'), / computed .* 3 words$/);
    assert.match(wordloom(['cache', 'ls'], { env }).out, /^0 entries/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
