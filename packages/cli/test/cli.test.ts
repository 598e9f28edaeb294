import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wordloom, repoPath } from './helpers.js';

test('--help lists the commands; each command has --help', () => {
  const r = wordloom(['--help']);
  assert.is(r.code, 0);
  for (const c of ['run', 'validate', 'neighbors', 'analogy', 'eval', 'ops']) assert.match(r.out, new RegExp(`\\n  ${c} `));
  for (const c of ['run', 'validate', 'neighbors', 'analogy', 'eval', 'ops']) {
    const h = wordloom([c, '--help']);
    assert.is(h.code, 0, c);
    assert.match(h.out, new RegExp(`usage: wordloom ${c}`));
  }
});

test('unknown command and unknown option are clear errors', () => {
  const r = wordloom(['trian']);
  assert.is(r.code, 2);
  assert.match(r.err, /unknown command "trian"/);
  const o = wordloom(['validate', 'x.yaml', '--sett', 'a.b=1']);
  assert.is(o.code, 1);
  assert.match(o.err, /unknown option --sett/);
  assert.match(o.err, /did you mean --set/);
});

test('ops lists the operators and documents one', () => {
  const r = wordloom(['ops']);
  assert.is(r.code, 0);
  for (const op of ['tokenize', 'vocab', 'cooccur', 'glove', 'knn', 'evaluate']) assert.match(r.out, new RegExp(op));
  const v = wordloom(['ops', 'vocab']);
  assert.match(v.out, /min_count/);
  const bad = wordloom(['ops', 'vocabb']);
  assert.is(bad.code, 1);
  assert.match(bad.err, /did you mean "vocab"/);
});

test('schema prints the JSON Schema of pipelines, or writes it with --output', () => {
  const r = wordloom(['schema']);
  assert.is(r.code, 0, r.err);
  const schema = JSON.parse(r.out);
  assert.is(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.ok(schema.definitions.node.properties.op.enum.includes('glove'));
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-schema-'));
  try {
    const w = wordloom(['schema', '--output', join(dir, 'sub', 'p.schema.json')]);
    assert.is(w.code, 0, w.err);
    assert.equal(JSON.parse(readFileSync(join(dir, 'sub', 'p.schema.json'), 'utf8')), schema);
    assert.is(wordloom(['schema', 'extra']).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('validate: the bundled examples are valid', () => {
  for (const f of ['examples/wikitext2-glove.yaml', 'examples/wikitext2-fasttext.yaml', 'examples/lee-small.json', 'examples/rt-polarity-char-gru.yaml', 'examples/wikitext2-stem-triplet.yaml', 'examples/mnist-ksparse.yaml']) {
    const r = wordloom(['validate', f]);
    assert.is(r.code, 0, r.err);
    assert.match(r.out, /OK/);
  }
});

test('validate: every error of a broken pipeline with its line, and --set errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-cli-'));
  try {
    const f = join(dir, 'bad.yaml');
    writeFileSync(
      f,
      [
        'name: bad',
        'nodes:',
        '  - id: corpus',
        '    op: tokenize',
        `    params: { input: ${repoPath('data/corpora/lee_background.cor')} }`,
        '  - id: vocab',
        '    op: vocab',
        '    inputs: { tokens: corpus }',
        '    params: { min_cuont: 5 }',
        '  - id: glove',
        '    op: glvoe',
        '    inputs: { cooccurrences: vocab }',
        '',
      ].join('\n'),
    );
    const r = wordloom(['validate', f]);
    assert.is(r.code, 1);
    assert.match(r.err, /bad\.yaml:9:\d+.*min_cuont/);
    assert.match(r.err, /min_count/);
    assert.match(r.err, /bad\.yaml:11:\d+.*glvoe/);
    assert.match(r.err, /glove/);
    const s = wordloom(['validate', 'examples/wikitext2-glove.yaml', '--set', 'cooccur.window=0']);
    assert.is(s.code, 1);
    assert.match(s.err, /window/);
    assert.match(s.err, /--set/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
