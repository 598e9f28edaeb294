/**
 * A JSON Schema (draft-07, the draft the YAML language server and VS Code know
 * best) of pipeline files, made from the operators' param specs: op names as an
 * enum, each op's params (types, defaults, ranges, allowed values, docs) and
 * inputs chosen by `op` with if/then. Editors use it to complete and check
 * pipeline files as they are typed; `validatePipeline` stays the authority (it
 * also checks files, wiring and cycles, which a schema cannot).
 */
import { operators as defaultOperators, type OperatorDef, type ParamSpec } from '@wordloom/ops';
import { NODE_ID_RE } from './spec.js';

type Json = Record<string, unknown>;

const MAX_SEED = 0xffffffff;

/** The JSON Schema of pipeline files for these operators (default: every registered op). */
export function pipelineSchema(operators: readonly OperatorDef[] = defaultOperators): Json {
  const names = operators.map((o) => o.name);
  const definitions: Json = {};
  const nodeProperties = (withId: boolean): Json => ({
    ...(withId ? { id: { type: 'string', pattern: NODE_ID_RE.source, description: 'Unique node id: a letter or _, then letters, digits, _ or -.' } } : {}),
    op: { type: 'string', enum: names, description: 'The operator (wordloom ops describes each).' },
    params: { type: ['object', 'null'], description: "The op's params (snake_case keys)." },
    inputs: { type: ['object', 'null'], description: 'Input name -> id of the node whose output feeds it.' },
    threads: { type: 'integer', minimum: 1, maximum: 1024, description: "Worker threads for this node (overrides the pipeline's)." },
    seed: { type: 'integer', minimum: 0, maximum: MAX_SEED, description: "Seed for this node (overrides the pipeline's)." },
    description: { type: 'string' },
  });
  const perOp = operators.map((op) => ({
    if: { properties: { op: { const: op.name } }, required: ['op'] },
    then: {
      properties: { params: { $ref: `#/definitions/params:${op.name}` }, inputs: { $ref: `#/definitions/inputs:${op.name}` } },
      ...requiredKeys(op),
    },
  }));
  for (const op of operators) {
    definitions[`params:${op.name}`] = paramsSchema(op);
    definitions[`inputs:${op.name}`] = inputsSchema(op);
  }
  definitions.node = {
    type: 'object',
    description: 'A node: an op, its params and the nodes that feed its inputs.',
    required: ['id', 'op'],
    properties: nodeProperties(true),
    additionalProperties: false,
    allOf: perOp,
  };
  definitions.nodeInMap = {
    type: 'object',
    description: 'A node (its key in nodes: is its id).',
    required: ['op'],
    properties: nodeProperties(true),
    additionalProperties: false,
    allOf: perOp,
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'wordloom pipeline',
    description: 'A wordloom pipeline file: nodes (an op each) wired by their inputs. Made by `wordloom schema`.',
    type: 'object',
    required: ['nodes'],
    properties: {
      $schema: { type: 'string', description: 'The schema this file follows (for editors; wordloom ignores it).' },
      name: { type: 'string', minLength: 1, description: 'A name for logs and reports (default: the file name).' },
      description: { type: 'string' },
      seed: { type: 'integer', minimum: 0, maximum: MAX_SEED, default: 1, description: 'Seed for every node (a node may override it).' },
      threads: { type: 'integer', minimum: 1, maximum: 1024, description: 'Worker threads per node (default: available cores, at most 16).' },
      cache: {
        type: ['boolean', 'string'],
        minLength: 1,
        description: 'The artifact cache that lets a rerun load unchanged outputs: false for none, or its directory (relative to this file). Default: $WORDLOOM_CACHE, else ~/.cache/wordloom.',
      },
      nodes: {
        description: 'The nodes: a list of { id, op, params, inputs }, or a mapping from node id to { op, params, inputs }.',
        oneOf: [
          { type: 'array', minItems: 1, items: { $ref: '#/definitions/node' } },
          {
            type: 'object',
            minProperties: 1,
            propertyNames: { pattern: NODE_ID_RE.source },
            additionalProperties: { $ref: '#/definitions/nodeInMap' },
          },
        ],
      },
    },
    additionalProperties: false,
    definitions,
  };
}

/** params: and inputs: are required when the op has a required param or input. */
function requiredKeys(op: OperatorDef): Json {
  const keys: string[] = [];
  if (Object.entries(op.params).some(([name, ps]) => isRequired(name, ps))) keys.push('params');
  if (Object.values(op.inputs).some((is) => !is.optional)) keys.push('inputs');
  return keys.length ? { required: keys } : {};
}

/** A param wordloom reports as missing when unset (seed and threads params follow the node's or the pipeline's setting). */
function isRequired(name: string, ps: ParamSpec): boolean {
  const inherits = (name === 'seed' || name === 'threads') && ps.type === 'int';
  return ps.default === undefined && !ps.optional && !inherits;
}

function paramsSchema(op: OperatorDef): Json {
  const properties: Json = {};
  const required: string[] = [];
  for (const [name, ps] of Object.entries(op.params)) {
    const needed = isRequired(name, ps);
    if (needed) required.push(name);
    properties[name] = paramSchema(ps, !needed);
  }
  return {
    type: ['object', 'null'],
    description: `Params of ${op.name}: ${op.summary}`,
    properties,
    ...(required.length ? { required } : {}),
    additionalProperties: false,
  };
}

/** One param; `nullable`: an empty value (null) leaves it at its default, as wordloom reads it. */
export function paramSchema(ps: ParamSpec, nullable: boolean): Json {
  const s: Json = {};
  const withNull = (t: string): string | string[] => (nullable ? [t, 'null'] : t);
  switch (ps.type) {
    case 'int':
    case 'number':
      s.type = withNull(ps.type === 'int' ? 'integer' : 'number');
      if (ps.min !== undefined) s[ps.exclusiveMin ? 'exclusiveMinimum' : 'minimum'] = ps.min;
      if (ps.max !== undefined) s.maximum = ps.max;
      break;
    case 'boolean':
      s.type = withNull('boolean');
      break;
    case 'string':
      s.type = withNull('string');
      break;
    case 'enum':
      s.type = withNull('string');
      s.enum = nullable ? [...(ps.values ?? []), null] : [...(ps.values ?? [])];
      break;
    case 'path':
      s.type = withNull('string');
      s.minLength = 1;
      break;
    case 'paths':
    case 'string[]': {
      const item = ps.type === 'paths' ? { type: 'string', minLength: 1 } : ps.values ? { type: 'string', enum: [...ps.values] } : { type: 'string' };
      s.anyOf = [item, { type: 'array', items: item, ...(ps.type === 'paths' ? { minItems: 1 } : {}) }, ...(nullable ? [{ type: 'null' }] : [])];
      break;
    }
    case 'map':
      s.type = withNull('object');
      break;
  }
  const notes: string[] = [];
  if (ps.type === 'paths') notes.push('A file path or glob, or a list of them.');
  if (ps.output) notes.push('A file the op writes.');
  if (ps.inert) notes.push('Does not change the output: changing it does not rerun the node.');
  const def = jsonDefault(ps.default);
  if (def !== undefined) s.default = def;
  s.description = [ps.doc, ...notes, def !== undefined ? `Default: ${JSON.stringify(def)}.` : ''].filter(Boolean).join(' ');
  return s;
}

/** A default as JSON, or undefined when it has no JSON form (Infinity, functions). */
function jsonDefault(v: unknown): unknown {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && !Number.isFinite(v)) return undefined;
  try {
    const text = JSON.stringify(v);
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function inputsSchema(op: OperatorDef): Json {
  const properties: Json = {};
  const required: string[] = [];
  for (const [name, is] of Object.entries(op.inputs)) {
    if (!is.optional) required.push(name);
    properties[name] = { type: 'string', pattern: NODE_ID_RE.source, description: `Id of the node whose ${is.kind} feed this input: ${is.doc}` };
  }
  return {
    type: ['object', 'null'],
    description: Object.keys(op.inputs).length ? `Inputs of ${op.name}.` : `${op.name} takes no inputs.`,
    properties,
    ...(required.length ? { required } : {}),
    additionalProperties: false,
  };
}

/** The schema as the text `wordloom schema` writes (2-space JSON and a newline). */
export function pipelineSchemaText(operators?: readonly OperatorDef[]): string {
  return JSON.stringify(pipelineSchema(operators), null, 2) + '\n';
}
