import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, readFileSync } from 'node:fs';
import { loadPipeline, parsePipeline, PipelineErrors } from '../src/index.js';
import { dataPath } from './fake-ops.js';
import { scratch } from './util.js';

function errorsOf(f: () => unknown): PipelineErrors {
  try {
    f();
  } catch (e) {
    assert.instance(e, PipelineErrors);
    return e as PipelineErrors;
  }
  throw new Error('no error');
}

test('a binary file given as the pipeline: one error, no bytes of it echoed', () => {
  const s = scratch();
  try {
    // Real binary files: word2vec vectors and a gzip corpus, named as pipelines.
    for (const [name, src] of [['p.yaml', 'fixtures/wt2-sg-d20-4k.bin'], ['q.json', 'corpora/wikitext-2/wiki.test.tokens.gz']] as const) {
      const file = s.write(name, '');
      copyFileSync(dataPath(src), file);
      const e = errorsOf(() => loadPipeline(file));
      assert.is(e.errors.length, 1);
      assert.match(e.message, /not a pipeline file: (binary data|not UTF-8 text)/);
      assert.ok(e.message.length < 400, `${e.message.length} characters`);
      assert.not.match(e.message, /[\u0000-\u0008\u000e-\u001f\ufffd]/);
    }
    // Valid UTF-8 with control characters: the line and column of the first.
    const ctl = s.write('c.yaml', 'name: x\nnodes: [\u0001]\n');
    const e = errorsOf(() => loadPipeline(ctl));
    assert.match(e.message, /c\.yaml:2:9: not a pipeline file: binary data \(character U\+0001\)/);
  } finally {
    s.cleanup();
  }
});

test('a text file that is not YAML: the first 5 syntax errors and a count of the rest', () => {
  const text = Array.from({ length: 40 }, (_, i) => `key${i}: "a" b: c: [}\n`).join('');
  const e = errorsOf(() => parsePipeline(text, 'junk.yaml'));
  assert.is(e.errors.length, 6);
  assert.match(e.errors[5]!.message, /\.\.\. and 1\d\d more syntax errors \(is it a pipeline file\?\)/);
  for (const x of e.errors.slice(0, 5)) assert.match(x.message, /not valid YAML/);
});

test('a .json pipeline is held to JSON: a trailing comma is refused with its line', () => {
  const json = readFileSync(dataPath('../examples/lee-small.json'), 'utf8');
  assert.ok(parsePipeline(json, 'lee-small.json').nodes.length > 0);
  // A comma after the last node, on its own line.
  const lines = json.trimEnd().split('\n');
  const last = lines.findIndex((l) => l.includes('"id": "neighbors"'));
  assert.ok(last > 0 && lines[last]!.endsWith('}'));
  lines[last] += ',';
  const bad = lines.join('\n');
  const e = errorsOf(() => parsePipeline(bad, 'lee-small.json'));
  assert.is(e.errors.length, 1);
  assert.match(e.message, new RegExp(`lee-small\\.json:${last + 1}:\\d+: not valid JSON: .*\\(a comma before the closing bracket\\)`));
  assert.match(e.message, /name the file \.yaml to write YAML/);
  // The same text as YAML is accepted (YAML allows it).
  assert.ok(parsePipeline(bad, 'lee-small.yaml').nodes.length > 0);
  // Inside an array, where V8 names no position.
  const e2 = errorsOf(() => parsePipeline('{ "name": "x",\n  "nodes": [ 1, 2, ] }\n', 'p.json'));
  assert.match(e2.message, /p\.json:2:18: not valid JSON: Unexpected token '\]' \(a comma before the closing bracket\)/);
  assert.not.match(e2.message, /is not valid JSON/);
});

test.run();
