import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipeline, validatePipeline } from '../src/index.js';
import { findError, scratch } from './util.js';

/** A real pipeline (default operators) whose vocab and glove nodes write the given files. */
function spec(dir: string, vocabOut: string, gloveOut: string) {
  const text = JSON.stringify({
    name: 'outputs',
    nodes: [
      { id: 'corpus', op: 'tokenize', params: { input: join(dir, 'c.txt') } },
      { id: 'vocab', op: 'vocab', inputs: { tokens: 'corpus' }, params: { output: vocabOut } },
      { id: 'cooccur', op: 'cooccur', inputs: { tokens: 'corpus', vocab: 'vocab' } },
      { id: 'glove', op: 'glove', inputs: { cooccurrences: 'cooccur', vocab: 'vocab' }, params: { output: gloveOut } },
    ],
  });
  return parsePipeline(text, join(dir, 'p.json'));
}

test('validation refuses output paths that cannot be written, before anything runs', () => {
  const s = scratch();
  try {
    s.write('c.txt', 'a b c\n');
    s.write('plain-file', 'x');
    // a directory where the file must go, a file where a directory must be
    const v = validatePipeline(spec(s.dir, 'plain-file/vocab.txt', '.'));
    assert.not.ok(v.ok);
    const a = findError(v.errors, /plain-file is a file|needs .*plain-file to be a directory/);
    assert.is(a.where.node, 'vocab');
    assert.is(a.where.param, 'output');
    const b = findError(v.errors, /is a directory/);
    assert.is(b.where.node, 'glove');
    assert.is(b.where.param, 'output');
    // nothing was made while checking
    assert.equal(readdirSync(s.dir).sort(), ['c.txt', 'plain-file']);
  } finally {
    s.cleanup();
  }
});

test('validation refuses an output where directories cannot be made (under /proc), without hanging', () => {
  if (!existsSync('/proc/self')) return;
  const s = scratch();
  try {
    s.write('c.txt', 'a b c\n');
    const v = validatePipeline(spec(s.dir, 'out/vocab.txt', '/proc/wordloom-test/deeper/vectors.txt'));
    const e = findError(v.errors, /cannot write the output/);
    assert.is(e.where.node, 'glove');
    assert.match(e.message, /\/proc/);
    // a missing directory that can be made is fine, and is not made by validation
    assert.is(v.errors.length, 1);
    assert.not.ok(existsSync(join(s.dir, 'out')));
  } finally {
    s.cleanup();
  }
});

test.run();
