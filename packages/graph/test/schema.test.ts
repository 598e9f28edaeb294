import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { Ajv } from 'ajv';
import { loadPipeline, pipelineSchema, pipelineSchemaText, validatePipeline } from '../src/index.js';
import { repoPath } from './fake-ops.js';

const schema = pipelineSchema();
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const check = ajv.compile(schema);

const examples = readdirSync(repoPath('examples')).filter((f) => /\.(ya?ml|json)$/.test(f));

/** Errors of the schema for a pipeline given as YAML text ([] when it passes). */
function errorsOf(text: string): string[] {
  const ok = check(parseYaml(text));
  return ok ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

const BASE = `
name: t
nodes:
  - id: corpus
    op: tokenize
    params: { input: a.txt, lowercase: ascii }
  - id: vocab
    op: vocab
    inputs: { tokens: corpus }
    params: { min_count: 3 }
  - id: cooccur
    op: cooccur
    inputs: { tokens: corpus, vocab: vocab }
  - id: glove
    op: glove
    inputs: { cooccurrences: cooccur, vocab: vocab }
    params: { vector_size: 30, max_iter: 20 }
`;

test('the schema validates every pipeline in examples/ (which wordloom also accepts)', () => {
  assert.ok(examples.length >= 5, `examples: ${examples.join(', ')}`);
  for (const f of examples) {
    const text = readFileSync(repoPath('examples/' + f), 'utf8');
    assert.equal(errorsOf(text), [], f);
    // The file names the committed schema, and wordloom reads it with the editors' key/comment in it.
    assert.ok(/\$schema.{0,4}\.\.\/docs\/pipeline\.schema\.json/.test(text.split('\n').slice(0, 3).join('\n')), `${f} names the schema on its first lines`);
    const v = validatePipeline(loadPipeline(repoPath('examples/' + f)), { checkFiles: false });
    assert.equal(v.errors.map((e) => e.message), [], f);
  }
  assert.equal(errorsOf(BASE), []);
  // The mapping form of nodes (id as key) is valid too.
  assert.equal(errorsOf('nodes:\n  tok: { op: tokenize, params: { input: a.txt } }\n  voc: { op: vocab, inputs: { tokens: tok } }\n'), []);
});

test('docs/pipeline.schema.json is what wordloom schema writes today', () => {
  assert.equal(readFileSync(repoPath('docs/pipeline.schema.json'), 'utf8'), pipelineSchemaText(), 'run: node packages/cli/dist/src/bin.js schema -o docs/pipeline.schema.json');
});

test('the schema rejects typical mistakes: unknown op, unknown param, wrong type, out of range, bad enum, unknown input', () => {
  const bad = (from: string, to: string, want: RegExp) => {
    assert.ok(BASE.includes(from), from);
    const errs = errorsOf(BASE.replace(from, to));
    assert.ok(errs.some((e) => want.test(e)), `${to}: ${errs.join('\n')}`);
  };
  bad('op: glove', 'op: glov', /\/nodes\/3\/op must be equal to one of the allowed values/);
  bad('min_count: 3', 'min_cont: 3', /\/nodes\/1\/params must NOT have additional properties .*min_cont/);
  bad('vector_size: 30', 'vector_size: "30"', /\/nodes\/3\/params\/vector_size must be integer/);
  bad('vector_size: 30', 'vector_size: 2.5', /\/nodes\/3\/params\/vector_size must be integer/);
  bad('max_iter: 20', 'max_iter: 0', /\/nodes\/3\/params\/max_iter must be >= 1/);
  bad('lowercase: ascii', 'lowercase: asci', /\/nodes\/0\/params\/lowercase must be equal to one of the allowed values/);
  bad('inputs: { tokens: corpus }', 'inputs: { token: corpus }', /\/nodes\/1\/inputs must NOT have additional properties .*token/);
  bad('inputs: { cooccurrences: cooccur, vocab: vocab }', 'inputs: { vocab: vocab }', /\/nodes\/3\/inputs must have required property 'cooccurrences'/);
  bad('    params: { input: a.txt, lowercase: ascii }', '    params: { lowercase: ascii }', /\/nodes\/0\/params must have required property 'input'/);
  bad('  - id: vocab', '  - ids: vocab', /\/nodes\/1 must NOT have additional properties .*ids/);
  bad('name: t', 'name: t\nthread: 2', /must NOT have additional properties .*thread/);
});

test('ranges, defaults and docs come from the param specs', () => {
  const defs = schema.definitions as Record<string, { properties: Record<string, Record<string, unknown>> }>;
  const glove = defs['params:glove']!.properties;
  assert.equal(glove.max_iter!.minimum, 1);
  assert.type(glove.max_iter!.description, 'string');
  assert.ok('default' in glove.max_iter!);
  const ops = ((schema.definitions as Record<string, { properties: { op: { enum: string[] } } }>).node!.properties.op.enum);
  assert.ok(ops.includes('glove') && ops.includes('tokenize') && ops.includes('knn'));
});

test.run();
