import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closest, describeOperator, describeOperators, editDistance, expandGlob, exampleNode, formatPipeline, globMatch, parsePipeline, pipeline, validatePipeline } from '../src/index.js';
import { fakeOps } from './fake-ops.js';
import { scratch } from './util.js';

const operators = fakeOps();

test('edit distance and suggestions', () => {
  assert.is(editDistance('kitten', 'sitting'), 3);
  assert.is(editDistance('tokenise', 'tokenize'), 1);
  assert.is(editDistance('ab', 'ba'), 1, 'a transposition counts once');
  assert.is(closest('tokenise', ['tokenize', 'vocab', 'cooccur', 'glove', 'knn', 'evaluate']), 'tokenize');
  assert.is(closest('coocur', ['tokenize', 'vocab', 'cooccur', 'glove']), 'cooccur');
  assert.is(closest('minCount', ['min_count', 'max_size']), 'min_count');
  assert.is(closest('x-max', ['x_max', 'alpha']), 'x_max');
  assert.is(closest('banana', ['min_count', 'x_max']), undefined);
});

test('glob: *, ?, [..] and ** over real files', () => {
  const s = scratch();
  try {
    for (const f of ['a.txt', 'b.txt', 'c.md', 'ab.txt', '.hidden.txt', 'd/e.txt', 'd/f/g.txt', 'd/f/h.md', 'd/.git/x.txt']) s.write(f, 'x\n');
    const rel = (list: string[]) => list.map((p) => p.slice(s.dir.length + 1));
    assert.equal(rel(expandGlob('*.txt', s.dir)), ['a.txt', 'ab.txt', 'b.txt']);
    assert.equal(rel(expandGlob('?.txt', s.dir)), ['a.txt', 'b.txt']);
    assert.equal(rel(expandGlob('[ab].*', s.dir)), ['a.txt', 'b.txt']);
    assert.equal(rel(expandGlob('[!a]*.txt', s.dir)), ['b.txt']);
    assert.equal(rel(expandGlob('**/*.txt', s.dir)), ['a.txt', 'ab.txt', 'b.txt', 'd/e.txt', 'd/f/g.txt']);
    assert.equal(rel(expandGlob('d/**', s.dir)), ['d/e.txt', 'd/f/g.txt', 'd/f/h.md']);
    assert.equal(rel(expandGlob('d/**/*.md', s.dir)), ['d/f/h.md']);
    assert.equal(rel(expandGlob('.*.txt', s.dir)), ['.hidden.txt']);
    assert.equal(rel(expandGlob(join(s.dir, 'd', '*', '*.txt'), '/elsewhere')), ['d/f/g.txt']);
    assert.equal(expandGlob('nothing/*.txt', s.dir), []);
    assert.equal(rel(expandGlob('c.md', s.dir)), ['c.md']);
    assert.equal(expandGlob('d', s.dir), [], 'a directory is not a file');

    assert.ok(globMatch('**/*.txt', 'a/b/c.txt'));
    assert.ok(globMatch('**/*.txt', 'c.txt'));
    assert.ok(globMatch('a/**/c.txt', 'a/c.txt'));
    assert.not.ok(globMatch('*.txt', 'a/c.txt'));
    assert.not.ok(globMatch('*.txt', '.c.txt'));
    assert.ok(globMatch('file.?z', 'file.gz'));
    assert.not.ok(globMatch('a.txt', 'aXtxt'), 'dots are literal');
  } finally {
    s.cleanup();
  }
});

test('describeOperator documents inputs, output, params and an example that validates', () => {
  const count = operators.find((o) => o.name === 'count')!;
  const text = describeOperator(count);
  assert.match(text, /^count: count words into a vocabulary/);
  assert.match(text, /tokens\s+tokens\s+the corpus/);
  assert.match(text, 'output: vocab');
  assert.match(text, /min_count\s+int >= 1\s+default 1/);
  assert.match(text, /max_size\s+int >= 0\s+optional/);
  assert.match(text, /order\s+frequency \| alpha\s+default "frequency"/);
  const embed = operators.find((o) => o.name === 'embed')!;
  assert.match(describeOperator(embed), /dim\s+int >= 1\s+required/);
  const read = operators.find((o) => o.name === 'read')!;
  assert.match(describeOperator(read), /input\s+paths \(must exist\)\s+required/);
  // The example for embed wires placeholders and names the required param.
  const ex = exampleNode(embed);
  assert.match(ex, 'dim: 1');
  assert.match(ex, 'cooc: <cooccurrences node id>');
  const list = describeOperators(operators);
  assert.is(list.trim().split('\n').length, operators.length);
  assert.match(list, /pairs\s+vocab, tokens -> cooccurrences\s+count word pairs/);
});

test('formatPipeline writes a file that reads back to the same spec', () => {
  const b = pipeline('round', { seed: 3, description: 'round trip', cache: '.cache' })
    .node('tok', 'read', { input: ['a.txt', 'b/*.txt'], lowercase: true })
    .node('voc', 'count', { min_count: 2 }, { tokens: 'tok' }, { threads: 2 });
  for (const format of ['yaml', 'json'] as const) {
    const text = formatPipeline(b.build(), format);
    const back = parsePipeline(text, `/x/round.${format}`);
    assert.equal({ ...back, file: undefined, baseDir: undefined }, { ...b.build(), file: undefined, baseDir: undefined });
    assert.ok(validatePipeline(back, { operators, checkFiles: false }).ok);
  }
});

test.run();
