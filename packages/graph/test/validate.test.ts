import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WordloomError } from '@wordloom/core';
import { loadPipeline, parsePipeline, PipelineErrors, pipeline, validatePipeline } from '../src/index.js';
import { fakeOps } from './fake-ops.js';
import { findError, lineOf, scratch } from './util.js';

const operators = fakeOps();

const GOOD = (corpus: string) => `# a small pipeline
name: lee-small
seed: 7
nodes:
  - id: tok
    op: read
    params:
      input: ${corpus}
      lowercase: true
  - id: voc
    op: count
    inputs: { tokens: tok }
    params: { min_count: 2 }
  - id: co
    op: pairs
    inputs:
      vocab: voc
      tokens: tok
  - id: emb
    op: embed
    inputs: { cooc: co, vocab: voc }
    params: { dim: 8 }
`;

test('a good pipeline validates, with defaults filled in and a dependency order', () => {
  const s = scratch();
  try {
    const file = s.write('p.yaml', GOOD(s.data('corpora/lee_background.cor')));
    const spec = loadPipeline(file);
    const v = validatePipeline(spec, { operators });
    assert.equal(v.errors.map((e) => e.message), []);
    assert.ok(v.ok);
    assert.equal(v.order, ['tok', 'voc', 'co', 'emb']);
    assert.equal(v.spec.seed, 7);
    assert.ok(typeof v.spec.threads === 'number' && v.spec.threads >= 1);
    assert.equal(v.spec.baseDir, s.dir);
    const voc = v.spec.nodes.find((n) => n.id === 'voc')!;
    assert.equal(voc.params, { min_count: 2, order: 'frequency', slow: false });
    const tok = v.spec.nodes.find((n) => n.id === 'tok')!;
    // a single path for a 'paths' param becomes a list
    assert.equal(tok.params.input, [s.data('corpora/lee_background.cor')]);
    assert.equal(v.spec.nodes.find((n) => n.id === 'co')!.params, { window: 2, symmetric: true, x_max: 100 });
    // the input spec is not modified
    assert.equal(spec.nodes[1]!.params, { min_count: 2 });
  } finally {
    s.cleanup();
  }
});

test('nodes may also be written as a mapping from id to node', () => {
  const text = `name: m
nodes:
  tok: { op: read, params: { input: "${'x'}" } }
  voc: { op: count, inputs: { tokens: tok } }
`;
  const spec = parsePipeline(text, '/tmp/m.yaml');
  assert.equal(spec.nodes.map((n) => n.id), ['tok', 'voc']);
  const v = validatePipeline(spec, { operators, checkFiles: false });
  assert.ok(v.ok, v.errors.map((e) => e.message).join('\n'));
});

const BROKEN = `name: broken
threds: 4
nodes:
  - id: tok
    op: read
    params:
      input:
        - corpus/a.txt
        - missing.txt
        - corpus/**/*.txt
        - nothing/*.cor
      chunk_lines: 0
      lowercase: yes
  - id: voc
    op: count
    inputs: { tokns: tok }
    params:
      min_cont: 5
      order: frequncy
      max_size: 2.5
  - id: co
    op: pairs
    inputs:
      vocab: vocb
      tokens: tok
    params:
      window: 3
      x_max: 0
      window: 4
      symmetric: "true"
  - id: emb
    op: embed
    inputs:
      cooc: voc
    params: { iter: 2 }
  - id: tok
    op: pair
    pipes: 3
`;

test('every validation error is reported, located and with a suggestion', () => {
  const s = scratch();
  try {
    s.write('corpus/a.txt', 'a b c\n');
    s.write('corpus/sub/b.txt', 'd e\n');
    const file = s.write('broken.yaml', BROKEN);
    const v = validatePipeline(loadPipeline(file), { operators });
    assert.not.ok(v.ok);
    const at = (re: RegExp, marker: string, n = 1) => {
      const e = findError(v.errors, re);
      assert.ok(e instanceof WordloomError);
      assert.is(e.where.file, file, e.message);
      assert.is(e.where.line, lineOf(BROKEN, marker, n), e.message);
      assert.ok(typeof e.where.column === 'number' && e.where.column >= 1);
      assert.ok(e.message.startsWith(`${file}:${e.where.line}:${e.where.column}`), e.message);
      return e;
    };
    // unknown top-level key
    assert.match(at(/unknown key "threds"/, 'threds').message, 'did you mean "threads"?');
    // missing files, one per list item, globs expanded
    const missing = at(/file not found: "missing.txt"/, 'missing.txt');
    assert.is(missing.code, 'E_FILE');
    assert.is(missing.where.node, 'tok');
    assert.is(missing.where.param, 'input');
    assert.match(at(/no file matches "nothing\/\*\.cor"/, 'nothing/*.cor').message, 'nothing');
    // out of range and wrong type
    const range = at(/param "chunk_lines": must be >= 1, got 0/, 'chunk_lines');
    assert.is(range.code, 'E_PARAM');
    assert.match(at(/param "lowercase": expected true or false, got the string "yes"/, 'lowercase: yes').hint ?? '', 'true or false');
    // unknown input and param, enum, int
    assert.match(at(/unknown input "tokns"/, 'tokns').message, 'did you mean "tokens"?');
    const unknownParam = at(/unknown param "min_cont"/, 'min_cont');
    assert.match(unknownParam.message, 'did you mean "min_count"?');
    assert.is(unknownParam.where.param, 'min_cont');
    assert.is(unknownParam.where.node, 'voc');
    assert.match(at(/param "order": expected one of "frequency" and "alpha"/, 'frequncy').message, 'did you mean "frequency"?');
    assert.match(at(/param "max_size": expected an integer, got 2\.5/, 'max_size').message, '2.5');
    // voc lacks its required input tokens (tokns is not it)
    at(/op count needs input "tokens"/, 'tokns');
    // wiring to a missing node
    assert.match(at(/input "vocab" is wired to "vocb", which is not a node/, 'vocab: vocb').message, 'did you mean "voc"?');
    // duplicate key (the second one), with the first's line
    const dup = at(/duplicate key "window"/, 'window: 4');
    assert.match(dup.message, `first defined at line ${lineOf(BROKEN, 'window: 3')}`);
    assert.match(at(/param "x_max": must be > 0, got 0/, 'x_max').message, 'x_max');
    at(/param "symmetric": expected true or false, got the string "true"/, 'symmetric');
    // kind mismatch, missing required param and input
    const kind = at(/input "cooc" of op embed takes cooccurrences, but node "voc" \(op count\) outputs vocab/, 'cooc: voc');
    assert.match(kind.hint ?? '', 'nodes that output cooccurrences: "co"');
    const need = at(/op embed needs param "dim"/, 'params: { iter: 2 }');
    assert.is(need.where.param, 'dim');
    assert.match(at(/op embed needs input "vocab"/, 'inputs:', 3).hint ?? '', '"voc"');
    // duplicate node id, unknown op, unknown node key
    assert.match(at(/duplicate node id "tok"/, '- id: tok', 2).message, `first defined at line ${lineOf(BROKEN, '- id: tok')}`);
    assert.match(at(/unknown op "pair"/, 'op: pair', 2).message, 'did you mean "pairs"?');
    at(/unknown node key "pipes"/, 'pipes');
    // nothing else, and errors come in file order
    assert.is(v.errors.length, 20, v.errors.map((e) => e.message).join('\n'));
    const lines = v.errors.map((e) => e.where.line!);
    assert.equal(lines, [...lines].sort((a, b) => a - b));
  } finally {
    s.cleanup();
  }
});

test('JSON pipelines are located too, duplicate keys included', () => {
  const text = `{
  "name": "j",
  "nodes": [
    { "id": "tok", "op": "read", "params": { "input": "a.txt" } },
    { "id": "voc", "op": "count", "inputs": { "tokens": "tok" },
      "params": { "mincount": 2, "order": "alpha", "order": "frequency" } }
  ]
}
`;
  const s = scratch();
  try {
    s.write('a.txt', 'x y\n');
    const file = s.write('p.json', text);
    const v = validatePipeline(loadPipeline(file), { operators });
    assert.is(v.errors.length, 2, v.errors.map((e) => e.message).join('\n'));
    const unknown = findError(v.errors, /unknown param "mincount"/);
    assert.match(unknown.message, 'did you mean "min_count"?');
    assert.is(unknown.where.line, 6);
    assert.is(unknown.where.column, text.split('\n')[5]!.indexOf('"mincount"') + 1);
    const dup = findError(v.errors, /duplicate key "order"/);
    assert.is(dup.where.line, 6);
  } finally {
    s.cleanup();
  }
});

test('a cycle is named, node by node', () => {
  const text = `name: loop
nodes:
  - { id: tok, op: read, params: { input: a.txt } }
  - { id: voc, op: count, inputs: { tokens: tok } }
  - { id: p1, op: prune, inputs: { vocab: p3 } }
  - { id: p2, op: prune, inputs: { vocab: p1 } }
  - { id: p3, op: prune, inputs: { vocab: p2 } }
  - { id: self, op: prune, inputs: { vocab: self } }
`;
  const v = validatePipeline(parsePipeline(text, '/x/loop.yaml'), { operators, checkFiles: false });
  assert.is(v.errors.length, 2, v.errors.map((e) => e.message).join('\n'));
  const cycle = findError(v.errors, /cycle: p1 -> p2 -> p3 -> p1/);
  assert.is(cycle.code, 'E_GRAPH');
  assert.is(cycle.where.line, 5);
  assert.is(cycle.where.node, 'p1');
  findError(v.errors, /cycle: self -> self/);
  assert.equal(v.order, []);
});

test('syntax errors are thrown at once, with their position', () => {
  try {
    parsePipeline('name: x\nnodes: [\n  { id: a\n', '/p/bad.yaml');
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, PipelineErrors);
    const err = (e as PipelineErrors).errors[0]!;
    assert.is(err.where.file, '/p/bad.yaml');
    assert.ok((err.where.line ?? 0) >= 2, err.message);
    assert.match(err.message, 'not valid YAML');
  }
  try {
    parsePipeline('- a\n- b\n', '/p/list.yaml');
    assert.unreachable('should throw');
  } catch (e) {
    assert.match((e as Error).message, 'must be a mapping');
  }
  try {
    loadPipeline('/nonexistent/dir/p.yaml');
    assert.unreachable('should throw');
  } catch (e) {
    assert.is((e as WordloomError).code, 'E_FILE');
  }
});

test('--set overrides are parsed as YAML scalars and type-checked like the file', () => {
  const s = scratch();
  try {
    const text = GOOD(s.data('corpora/lee_background.cor'));
    const file = s.write('p.yaml', text);
    const good = validatePipeline(
      loadPipeline(file, { set: ['voc.min_count=3', 'tok.lowercase=false', 'emb.dim=16', 'seed=9', 'voc.order=alpha', 'emb.threads=2', 'voc.max_size=100', 'voc.max_size='] }),
      { operators },
    );
    assert.equal(good.errors.map((e) => e.message), []);
    const node = (id: string) => good.spec.nodes.find((n) => n.id === id)!;
    assert.is(node('voc').params.min_count, 3);
    assert.is(node('voc').params.order, 'alpha');
    assert.is(node('voc').params.max_size, undefined);
    assert.is(node('tok').params.lowercase, false);
    assert.is(node('emb').params.dim, 16);
    assert.is(node('emb').threads, 2);
    assert.is(good.spec.seed, 9);
    // lists parse as YAML flow sequences
    const list = loadPipeline(file, { set: ['tok.input=[a.txt, "b c.txt"]'] });
    assert.equal(list.nodes[0]!.params.input, ['a.txt', 'b c.txt']);

    const bad = validatePipeline(
      loadPipeline(file, { set: ['voc.min_count=abc', 'voc.min_cnt=3', 'vco.min_count=3', 'co.window=0', 'threads=many', 'nodes', 'colour=red'] }),
      { operators },
    );
    assert.is(bad.errors.length, 7, bad.errors.map((e) => e.message).join('\n'));
    const type = findError(bad.errors, /param "min_count": expected an integer, got the string "abc"/);
    assert.match(type.message, '(set by --set voc.min_count=abc)');
    assert.is(type.where.line, undefined, 'an override has no line in the file');
    assert.is(type.where.node, 'voc');
    assert.is(type.where.param, 'min_count');
    const unknown = findError(bad.errors, /unknown param "min_cnt"/);
    assert.match(unknown.message, 'did you mean "min_count"?');
    assert.match(unknown.message, '--set voc.min_cnt=3');
    assert.match(findError(bad.errors, /--set "vco.min_count=3": no node "vco"/).message, 'did you mean "voc"?');
    assert.match(findError(bad.errors, /param "window": must be >= 1, got 0/).message, '--set co.window=0');
    assert.match(findError(bad.errors, /threads must be an integer/).message, '--set threads=many');
    findError(bad.errors, /--set "nodes": expected node.param=value/);
    findError(bad.errors, /--set "colour=red": "colour" is not a pipeline setting/);
  } finally {
    s.cleanup();
  }
});

test('the builder produces the same spec as the file', () => {
  const s = scratch();
  try {
    const corpus = s.data('corpora/lee_background.cor');
    const fromFile = validatePipeline(loadPipeline(s.write('p.yaml', GOOD(corpus))), { operators });
    const built = pipeline('lee-small', { seed: 7, baseDir: s.dir })
      .node('tok', 'read', { input: corpus, lowercase: true })
      .node('voc', 'count', { min_count: 2 }, { tokens: 'tok' })
      .node('co', 'pairs', {}, { vocab: 'voc', tokens: 'tok' })
      .node('emb', 'embed', { dim: 8 }, { cooc: 'co', vocab: 'voc' })
      .validate({ operators });
    assert.ok(built.ok, built.errors.map((e) => e.message).join('\n'));
    const strip = (sp: typeof built.spec) => ({ ...sp, file: undefined });
    assert.equal(strip(built.spec), strip(fromFile.spec));
    // builder errors carry node and param (no file position)
    const bad = pipeline('b').node('voc', 'count', { min_count: 'x' }, { tokens: 'nope' }).validate({ operators });
    const e = findError(bad.errors, /param "min_count": expected an integer/);
    assert.is(e.where.node, 'voc');
    assert.is(e.where.line, undefined);
    findError(bad.errors, /wired to "nope"/);
  } finally {
    s.cleanup();
  }
});

test('type and range checks for every kind of param', () => {
  const text = `name: types
nodes:
  - id: tok
    op: read
    params:
      input: { a: 1 }
  - id: b1
    op: boom
    params: { message: 42, after_chunks: "3" }
  - id: co
    op: pairs
    inputs: { vocab: b1, tokens: tok }
    params: { window: 500, x_max: fast, symmetric: 1 }
  - id: b2
    op: boom
    params: { message: [a, b], after_chunks: -1 }
`;
  const v = validatePipeline(parsePipeline(text, '/t/types.yaml'), { operators, checkFiles: false });
  const at = (re: RegExp, marker: string) => {
    const e = findError(v.errors, re);
    assert.is(e.where.line, lineOf(text, marker), e.message);
    assert.is(e.code, 'E_PARAM');
    return e;
  };
  at(/param "input": expected a file path or glob, or a list of them, got a mapping/, 'input:');
  assert.match(at(/param "message": expected a string, got 42/, 'message: 42').hint ?? '', 'quote it');
  assert.match(at(/param "after_chunks": expected an integer, got the string "3"/, 'after_chunks: "3"').hint ?? '', 'without quotes');
  assert.match(at(/param "window": must be <= 100, got 500/, 'window: 500').hint ?? '', '>= 1 and <= 100');
  at(/param "x_max": expected a number, got the string "fast"/, 'x_max: fast');
  at(/param "symmetric": expected true or false, got 1/, 'symmetric: 1');
  at(/param "message": expected a string, got a list/, 'message: [a, b]');
  at(/param "after_chunks": must be >= 0, got -1/, 'after_chunks: -1');
  assert.is(v.errors.length, 8, v.errors.map((e) => e.message).join('\n'));
});

test('a pipeline without nodes is an error', () => {
  for (const text of ['name: x\nnodes: []\n', 'name: x\nnodes:\n', 'name: x\n']) {
    const v = validatePipeline(parsePipeline(text, '/x.yaml'), { operators });
    assert.is(v.errors.length, 1, text);
    assert.match(v.errors[0]!.message, 'the pipeline has no nodes');
  }
  assert.match(validatePipeline(pipeline('empty').build(), { operators }).errors[0]!.message, 'no nodes');
});

test('an op without a close name lists the valid ops', () => {
  const v = validatePipeline(parsePipeline('name: x\nnodes:\n  - id: a\n    op: zzzzzzzz\n', '/x.yaml'), { operators });
  const e = findError(v.errors, /unknown op "zzzzzzzz"/);
  assert.not.match(e.message, 'did you mean');
  assert.match(e.hint ?? '', '"read"');
  assert.is(e.where.line, 4);
  assert.is(e.where.column, 9);
});

test.run();
