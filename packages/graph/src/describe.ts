/**
 * Text documentation of operators for the CLI (`wordloom ops`, `wordloom ops <name>`),
 * generated from the OperatorDefs so that docs and validation never disagree.
 */
import { stringify } from 'yaml';
import type { OperatorDef, ParamSpec } from '@wordloom/ops';

/** "int >= 1", "enum: none | ascii | unicode", "paths (must exist)". */
export function describeParamType(ps: ParamSpec): string {
  let t: string = ps.type;
  if (ps.type === 'enum' && ps.values) t = ps.values.join(' | ');
  const range: string[] = [];
  if (ps.min !== undefined) range.push(`${ps.exclusiveMin ? '>' : '>='} ${ps.min}`);
  if (ps.max !== undefined) range.push(`<= ${ps.max}`);
  if (range.length) t += ' ' + range.join(', ');
  if (ps.mustExist) t += ' (must exist)';
  return t;
}

function showDefault(ps: ParamSpec): string {
  if (ps.default !== undefined) return `default ${JSON.stringify(ps.default)}`;
  return ps.optional ? 'optional' : 'required';
}

function pad(s: string, n: number): string {
  return s.length >= n ? s + ' ' : s + ' '.repeat(n - s.length);
}

/** Documentation of one operator: summary, inputs, output, params and an example node. */
export function describeOperator(op: OperatorDef): string {
  const lines: string[] = [`${op.name}: ${op.summary}`, ''];
  const inputs = Object.entries(op.inputs);
  lines.push('inputs:');
  if (!inputs.length) lines.push('  (none)');
  const inW = Math.max(0, ...inputs.map(([n]) => n.length)) + 2;
  const kindW = Math.max(0, ...inputs.map(([, s]) => s.kind.length)) + 2;
  for (const [name, s] of inputs) lines.push(`  ${pad(name, inW)}${pad(s.kind, kindW)}${s.optional ? '(optional) ' : ''}${s.doc}`);
  lines.push(`output: ${op.output}`, '');
  const params = Object.entries(op.params);
  lines.push('params:');
  if (!params.length) lines.push('  (none)');
  const nameW = Math.max(0, ...params.map(([n]) => n.length)) + 2;
  const typeW = Math.min(32, Math.max(0, ...params.map(([, s]) => describeParamType(s).length)) + 2);
  for (const [name, s] of params) {
    lines.push(`  ${pad(name, nameW)}${pad(describeParamType(s), typeW)}${showDefault(s)}`);
    lines.push(`  ${' '.repeat(nameW)}${s.doc}`);
  }
  lines.push('', 'example:', ...exampleNode(op).trimEnd().split('\n').map((l) => '  ' + l));
  return lines.join('\n') + '\n';
}

/** A list of operators, one line each: name, inputs -> output, summary. */
export function describeOperators(ops: readonly OperatorDef[]): string {
  const w = Math.max(0, ...ops.map((o) => o.name.length)) + 2;
  const flows = ops.map((o) => {
    const ins = Object.values(o.inputs).map((i) => i.kind);
    return `${ins.length ? ins.join(', ') : '-'} -> ${o.output}`;
  });
  const fw = Math.max(0, ...flows.map((f) => f.length)) + 2;
  return ops.map((o, i) => `${pad(o.name, w)}${pad(flows[i]!, fw)}${o.summary}`).join('\n') + '\n';
}

/** A pipeline-file node using the op: its inputs wired to placeholders, its required params. */
export function exampleNode(op: OperatorDef): string {
  const node: Record<string, unknown> = { id: op.name, op: op.name };
  const inputs = Object.entries(op.inputs).filter(([, s]) => !s.optional);
  if (inputs.length) node.inputs = Object.fromEntries(inputs.map(([n, s]) => [n, `<${s.kind} node id>`]));
  const params: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(op.params)) {
    if (s.default !== undefined || s.optional) continue;
    params[name] = placeholder(s);
  }
  if (Object.keys(params).length) node.params = params;
  return stringify([node], { lineWidth: 0 });
}

function placeholder(s: ParamSpec): unknown {
  switch (s.type) {
    case 'int':
    case 'number':
      return s.min !== undefined ? s.min + (s.exclusiveMin ? 1 : 0) : 1;
    case 'boolean':
      return true;
    case 'enum':
      return s.values?.[0] ?? '';
    case 'path':
      return 'path/to/file';
    case 'paths':
      return ['path/to/*.txt'];
    case 'string[]':
      return ['...'];
    case 'map':
      return {};
    default:
      return '...';
  }
}
