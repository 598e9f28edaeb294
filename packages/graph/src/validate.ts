/**
 * Validation of a pipeline before anything runs. Every problem is collected (not
 * just the first), each as a WordloomError naming file:line:column, node and
 * param, with a suggestion where one helps. The returned spec has defaults filled
 * in, so operators receive complete params.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { WordloomError, type ErrorCode } from '@wordloom/core';
import { operators as defaultOperators, type OperatorDef, type ParamSpec } from '@wordloom/ops';
import { expandGlob, hasGlob, outputPathProblem } from '@wordloom/ops';
import { cloneSpec, NODE_ID_RE, pathKey, sourceOf, type NodeSpec, type Override, type PipelineSpec, type Pos } from './spec.js';
import { closest, didYouMean, listOf } from './suggest.js';

export interface ValidateOptions {
  /** Operators the pipeline may use (default: @wordloom/ops `operators`). */
  operators?: readonly OperatorDef[];
  /** Check that input files exist (params with mustExist) and that output paths can be written (params with output). Default true. */
  checkFiles?: boolean;
}

export interface ValidationResult {
  ok: boolean;
  /** All problems found, in file order. */
  errors: WordloomError[];
  /** The spec with defaults filled in (params, seed, threads, baseDir). */
  spec: PipelineSpec;
  /** Node ids in an order where every node comes after its inputs (when there is no cycle). */
  order: string[];
}

/** Default worker threads: the machine's available parallelism, at most 16. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(16, availableParallelism()));
}

const MAX_SEED = 0xffffffff;

type Path = (string | number)[];

export function validatePipeline(input: PipelineSpec, opts: ValidateOptions = {}): ValidationResult {
  const ops = opts.operators ?? defaultOperators;
  const checkFiles = opts.checkFiles ?? true;
  const spec = cloneSpec(input);
  const src = sourceOf(spec);
  const file = src?.file || spec.file || undefined;
  const errors: WordloomError[] = [...(src?.issues ?? [])];
  const overrides = src?.overrides ?? [];
  const baseDir = spec.baseDir ?? (spec.file ? dirname(resolve(spec.file)) : process.cwd());
  spec.baseDir = baseDir;

  /* ---- locations */
  const lookup = (path: Path, key: boolean): Pos | undefined => {
    if (!src) return undefined;
    for (let p = path; p.length > 0; p = p.slice(0, -1)) {
      const k = pathKey(p);
      const hit = (key && p === path ? src.locs.get(k + '#key') : undefined) ?? src.locs.get(k);
      if (hit) return hit;
    }
    return undefined;
  };
  const nodePath = (i: number): Path => src?.nodePaths[i] ?? ['nodes', i];
  /** Position of a node: its id (list form) or its key (map form). */
  const nodePos = (i: number): Pos | undefined => {
    const np = nodePath(i);
    if (typeof np[1] === 'string') return lookup(np, true);
    return src?.locs.get(pathKey([...np, 'id'])) ?? lookup(np, false);
  };
  const overrideFor = (node: string | undefined, key: string): Override | undefined => {
    for (let k = overrides.length - 1; k >= 0; k--) {
      const o = overrides[k]!;
      if (o.node === node && o.key === key) return o;
    }
    return undefined;
  };
  const report = (
    code: ErrorCode,
    message: string,
    at: { pos?: Pos; node?: string; param?: string; override?: Override },
    hint?: string,
  ): void => {
    let msg = message;
    let pos = at.pos;
    if (at.override) {
      msg += ` (set by --set ${at.override.text})`;
      pos = undefined;
    }
    errors.push(new WordloomError(code, msg, { file, ...(pos ?? {}), node: at.node, param: at.param }, hint));
  };

  /* ---- pipeline-level settings */
  if (typeof spec.name !== 'string' || spec.name === '') {
    report('E_SPEC', `name must be a non-empty string, got ${show(spec.name)}`, { pos: lookup(['name'], false), override: overrideFor(undefined, 'name') });
  }
  if (spec.description !== undefined && typeof spec.description !== 'string') {
    report('E_SPEC', `description must be a string, got ${show(spec.description)}`, { pos: lookup(['description'], false) });
  }
  const checkSetting = (value: unknown, what: 'seed' | 'threads', path: Path, node?: string): boolean => {
    if (value === undefined) return true;
    const ov = overrideFor(node, what);
    const min = what === 'seed' ? 0 : 1;
    const max = what === 'seed' ? MAX_SEED : 1024;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      report('E_PARAM', `${what} must be an integer from ${min} to ${max}, got ${show(value)}`, { pos: lookup(path, false), node, param: what, override: ov });
      return false;
    }
    return true;
  };
  checkSetting(spec.seed, 'seed', ['seed']);
  checkSetting(spec.threads, 'threads', ['threads']);
  if (spec.cache !== undefined && typeof spec.cache !== 'boolean' && (typeof spec.cache !== 'string' || spec.cache === '')) {
    report('E_SPEC', `cache must be true, false or a directory, got ${show(spec.cache)}`, { pos: lookup(['cache'], false), override: overrideFor(undefined, 'cache') }, 'e.g. cache: false, or cache: ../.wordloom-cache');
  }
  if (typeof spec.seed !== 'number') spec.seed = 1;
  if (typeof spec.threads !== 'number') spec.threads = defaultThreads();

  if (!Array.isArray(spec.nodes)) {
    report('E_SPEC', 'nodes must be a list of nodes', {});
    spec.nodes = [];
  } else if (spec.nodes.length === 0 && !src) {
    report('E_SPEC', 'the pipeline has no nodes', {}, 'add nodes with id, op, params and inputs');
  }

  /* ---- node ids */
  const firstIndex = new Map<string, number>();
  spec.nodes.forEach((node, i) => {
    const id = node.id;
    if (typeof id !== 'string' || !NODE_ID_RE.test(id)) {
      if (id !== '') {
        report('E_SPEC', `invalid node id ${show(id)}`, { pos: nodePos(i) }, 'an id starts with a letter or _ and has only letters, digits, _ and -');
      }
      return;
    }
    const first = firstIndex.get(id);
    if (first !== undefined) {
      // Map-form duplicates were already reported by the parser as duplicate keys.
      if (typeof nodePath(i)[1] !== 'string') {
        const fp = nodePos(first);
        report('E_GRAPH', `duplicate node id "${id}"${fp ? ` (first defined at line ${fp.line})` : ''}`, { pos: nodePos(i), node: id }, 'give each node a unique id');
      }
      return;
    }
    firstIndex.set(id, i);
  });
  const ids = [...firstIndex.keys()];

  /* ---- ops and params */
  const opNames = ops.map((o) => o.name);
  const opOf: (OperatorDef | undefined)[] = spec.nodes.map((node, i) => {
    const np = nodePath(i);
    const nodeId = typeof node.id === 'string' && node.id ? node.id : undefined;
    if (node.op === undefined || node.op === null || node.op === ('' as string)) {
      report('E_SPEC', `node has no op`, { pos: nodePos(i), node: nodeId }, `add op: one of ${listOf(opNames)}`);
      return undefined;
    }
    if (typeof node.op !== 'string') {
      report('E_SPEC', `op must be a string, got ${show(node.op)}`, { pos: lookup([...np, 'op'], false), node: nodeId });
      return undefined;
    }
    const op = ops.find((o) => o.name === node.op);
    if (!op) {
      const near = closest(node.op, opNames);
      report(
        'E_SPEC',
        `unknown op "${node.op}"${near ? `; did you mean "${near}"?` : ''}`,
        { pos: lookup([...np, 'op'], false), node: nodeId },
        opNames.length ? `ops are ${listOf(opNames)} (wordloom ops describes them)` : 'no operators are registered',
      );
      return undefined;
    }
    return op;
  });

  spec.nodes.forEach((node, i) => {
    const op = opOf[i];
    const nodeId = typeof node.id === 'string' && node.id ? node.id : undefined;
    const np = nodePath(i);
    checkSetting(node.threads, 'threads', [...np, 'threads'], nodeId);
    checkSetting(node.seed, 'seed', [...np, 'seed'], nodeId);
    if (node.description !== undefined && typeof node.description !== 'string') {
      report('E_SPEC', `description must be a string, got ${show(node.description)}`, { pos: lookup([...np, 'description'], false), node: nodeId });
    }
    if (!op) return;
    const params = node.params;
    const names = Object.keys(op.params);
    for (const key of Object.keys(params)) {
      if (Object.prototype.hasOwnProperty.call(op.params, key)) continue;
      const near = closest(key, names);
      report(
        'E_PARAM',
        `unknown param "${key}" for op ${op.name}${near ? `; did you mean "${near}"?` : ''}`,
        { pos: lookup([...np, 'params', key], true), node: nodeId, param: key, override: overrideFor(nodeId, key) },
        names.length ? `params of ${op.name}: ${names.join(', ')}` : `op ${op.name} takes no params`,
      );
      delete params[key];
    }
    const filled: Record<string, unknown> = {};
    for (const [name, ps] of Object.entries(op.params)) {
      const has = Object.prototype.hasOwnProperty.call(params, name);
      let value = has ? params[name] : undefined;
      const where = { pos: lookup([...np, 'params', name], false), node: nodeId, param: name, override: overrideFor(nodeId, name) };
      if (value === undefined || value === null) {
        // A `seed` or `threads` param left unset follows the node's or pipeline's setting.
        if ((name === 'seed' || name === 'threads') && ps.type === 'int') {
          const inherited = name === 'seed' ? (node.seed ?? input.seed) : (node.threads ?? input.threads);
          if (typeof inherited === 'number') {
            filled[name] = inherited;
            continue;
          }
        }
        if (ps.default !== undefined) {
          filled[name] = cloneValue(ps.default);
        } else if (!ps.optional) {
          report(
            'E_PARAM',
            `op ${op.name} needs param "${name}" (${ps.doc})`,
            { pos: lookup([...np, 'params'], true) ?? nodePos(i), node: nodeId, param: name },
            `add it under params:, e.g. ${name}: ${exampleValue(ps)}`,
          );
        }
        continue;
      }
      const problem = checkValue(value, ps);
      if (problem) {
        report('E_PARAM', problem.message, where, problem.hint);
        continue;
      }
      value = normalize(value, ps);
      filled[name] = value;
      if (checkFiles && ps.mustExist && (ps.type === 'path' || ps.type === 'paths')) {
        const list = ps.type === 'path' ? [value as string] : (value as string[]);
        list.forEach((p, k) => {
          const itemPos = ps.type === 'paths' && Array.isArray(has ? params[name] : undefined) ? lookup([...np, 'params', name, k], false) : where.pos;
          const missing = missingFile(p, baseDir);
          if (missing) report('E_FILE', missing.message, { ...where, pos: itemPos }, missing.hint);
        });
      }
      if (checkFiles && ps.output && ps.type === 'path') {
        // Before anything runs: an output that cannot be written would fail (or hang) after the whole training.
        const problem = outputPathProblem(resolve(baseDir, value as string));
        if (problem) report('E_FILE', problem.message, where, problem.hint);
      }
    }
    node.params = filled;
  });

  /* ---- inputs and wiring */
  const byId = new Map<string, number>();
  for (const [id, i] of firstIndex) byId.set(id, i);
  const edges: [number, number, string][] = []; // [from, to, input name]
  spec.nodes.forEach((node, i) => {
    const op = opOf[i];
    const nodeId = typeof node.id === 'string' && node.id ? node.id : undefined;
    const np = nodePath(i);
    for (const [name, from] of Object.entries(node.inputs)) {
      const pos = lookup([...np, 'inputs', name], false);
      const ispec = op?.inputs[name];
      if (op && !ispec) {
        const names = Object.keys(op.inputs);
        const near = closest(name, names);
        report(
          'E_GRAPH',
          `unknown input "${name}" for op ${op.name}${near ? `; did you mean "${near}"?` : ''}`,
          { pos: lookup([...np, 'inputs', name], true), node: nodeId },
          names.length ? `inputs of ${op.name}: ${names.map((n) => `${n} (${op.inputs[n]!.kind})`).join(', ')}` : `op ${op.name} takes no inputs`,
        );
        continue;
      }
      const j = byId.get(from);
      if (j === undefined) {
        const dot = from.indexOf('.');
        const hint =
          dot > 0 && byId.has(from.slice(0, dot))
            ? `a node has a single output: write just "${from.slice(0, dot)}"`
            : ids.length
              ? `node ids are ${listOf(ids)}`
              : undefined;
        report('E_GRAPH', `input "${name}" is wired to "${from}", which is not a node${didYouMean(from, ids)}`, { pos, node: nodeId }, hint);
        continue;
      }
      edges.push([j, i, name]);
      const srcOp = opOf[j];
      if (ispec && srcOp && srcOp.output !== ispec.kind) {
        const fitting = spec.nodes.filter((_, k) => opOf[k]?.output === ispec.kind && k !== i).map((n) => n.id);
        report(
          'E_GRAPH',
          `input "${name}" of op ${op!.name} takes ${ispec.kind}, but node "${from}" (op ${srcOp.name}) outputs ${srcOp.output}`,
          { pos, node: nodeId },
          fitting.length ? `nodes that output ${ispec.kind}: ${listOf(fitting)}` : `add a node whose op outputs ${ispec.kind}`,
        );
      }
    }
    if (!op) return;
    for (const [name, ispec] of Object.entries(op.inputs)) {
      if (ispec.optional || Object.prototype.hasOwnProperty.call(node.inputs, name)) continue;
      const fitting = spec.nodes.filter((_, k) => opOf[k]?.output === ispec.kind && k !== i).map((n) => n.id);
      report(
        'E_GRAPH',
        `op ${op.name} needs input "${name}" (${ispec.kind}: ${ispec.doc})`,
        { pos: lookup([...np, 'inputs'], true) ?? nodePos(i), node: nodeId },
        `add inputs: { ${name}: <node id> }` + (fitting.length ? `; nodes that output ${ispec.kind}: ${listOf(fitting)}` : ''),
      );
    }
  });

  /* ---- cycles and order */
  const order = topoOrder(spec.nodes.length, edges);
  for (const cycle of findCycles(spec.nodes.length, edges)) {
    const names = cycle.map((k) => spec.nodes[k]!.id);
    report(
      'E_GRAPH',
      `cycle: ${[...names, names[0]].join(' -> ')}`,
      { pos: nodePos(cycle[0]!), node: names[0] },
      'a node cannot depend on its own output; remove one of these inputs',
    );
  }

  errors.sort((a, b) => (a.where.line ?? Infinity) - (b.where.line ?? Infinity) || (a.where.column ?? 0) - (b.where.column ?? 0));
  return {
    ok: errors.length === 0,
    errors,
    spec,
    order: order ? order.map((k) => spec.nodes[k]!.id) : [],
  };
}

/* ---------------------------------------------------------------- values */

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

function expected(ps: ParamSpec): string {
  switch (ps.type) {
    case 'int':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'a string';
    case 'enum':
      return `one of ${listOf(ps.values ?? [])}`;
    case 'path':
      return 'a file path';
    case 'paths':
      return 'a file path or glob, or a list of them';
    case 'string[]':
      return 'a list of strings';
    case 'map':
      return 'a mapping (key: value)';
  }
}

function exampleValue(ps: ParamSpec): string {
  switch (ps.type) {
    case 'int':
      return String(ps.min !== undefined ? Math.max(ps.min + (ps.exclusiveMin ? 1 : 0), 1) : 1);
    case 'number':
      return String(ps.min !== undefined ? ps.min + (ps.exclusiveMin ? 1 : 0) : 1);
    case 'boolean':
      return 'true';
    case 'enum':
      return ps.values?.[0] ?? '...';
    case 'path':
      return 'data/file.txt';
    case 'paths':
      return '[data/*.txt]';
    case 'string[]':
      return '[a, b]';
    case 'map':
      return '{ key: value }';
    default:
      return '...';
  }
}

function checkValue(v: unknown, ps: ParamSpec): { message: string; hint?: string } | undefined {
  const wrong = (hint?: string) => ({ message: `expected ${expected(ps)}, got ${show(v)}`, hint });
  switch (ps.type) {
    case 'int':
    case 'number': {
      if (typeof v !== 'number') {
        const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
        return wrong(Number.isFinite(n) ? 'write the number without quotes' : undefined);
      }
      if (!Number.isFinite(v)) return wrong();
      if (ps.type === 'int' && !Number.isInteger(v)) return wrong(`use a whole number, e.g. ${Math.round(v)}`);
      return checkRange(v, ps);
    }
    case 'boolean':
      if (typeof v === 'boolean') return undefined;
      if (typeof v === 'string' && /^(true|false)$/i.test(v)) return wrong(`write ${v.toLowerCase()} without quotes`);
      return wrong(typeof v === 'string' && /^(yes|no|on|off|y|n)$/i.test(v) ? 'YAML 1.2 reads this as a string: write true or false' : undefined);
    case 'string':
      if (typeof v === 'string') return undefined;
      return wrong(typeof v === 'number' || typeof v === 'boolean' ? `quote it: "${String(v)}"` : undefined);
    case 'enum': {
      const values = ps.values ?? [];
      if (typeof v === 'string' && values.includes(v)) return undefined;
      const near = typeof v === 'string' ? closest(v, values) : undefined;
      return { message: `expected one of ${listOf(values)}, got ${show(v)}${near ? `; did you mean "${near}"?` : ''}` };
    }
    case 'path':
      if (typeof v === 'string' && v !== '') return undefined;
      return wrong();
    case 'paths':
    case 'string[]': {
      const list = typeof v === 'string' ? [v] : v;
      if (!Array.isArray(list)) return wrong();
      const bad = list.findIndex((x) => typeof x !== 'string' || (ps.type === 'paths' && x === ''));
      if (bad >= 0) return { message: `item ${bad + 1} of the list: expected ${ps.type === 'paths' ? 'a file path' : 'a string'}, got ${show(list[bad])}` };
      if (ps.values) {
        const unknown = list.findIndex((x) => !ps.values!.includes(x as string));
        if (unknown >= 0) return { message: `item ${unknown + 1} of the list: ${show(list[unknown])} is not one of ${ps.values.join(', ')}` };
      }
      if (ps.type === 'paths' && list.length === 0) return { message: 'expected at least one file path or glob, got an empty list' };
      return undefined;
    }
    case 'map':
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) return undefined;
      return wrong();
  }
  return undefined;
}

function checkRange(v: number, ps: ParamSpec): { message: string; hint?: string } | undefined {
  if (ps.min !== undefined) {
    if (ps.exclusiveMin ? !(v > ps.min) : !(v >= ps.min)) {
      return { message: `must be ${ps.exclusiveMin ? '>' : '>='} ${ps.min}, got ${v}`, hint: rangeText(ps) };
    }
  }
  if (ps.max !== undefined && !(v <= ps.max)) return { message: `must be <= ${ps.max}, got ${v}`, hint: rangeText(ps) };
  return undefined;
}

/** "valid values: >= 1 and <= 10" style text, or undefined when unbounded. */
export function rangeText(ps: ParamSpec): string | undefined {
  const parts: string[] = [];
  if (ps.min !== undefined) parts.push(`${ps.exclusiveMin ? '>' : '>='} ${ps.min}`);
  if (ps.max !== undefined) parts.push(`<= ${ps.max}`);
  return parts.length ? `valid values: ${parts.join(' and ')}` : undefined;
}

function normalize(v: unknown, ps: ParamSpec): unknown {
  if ((ps.type === 'paths' || ps.type === 'string[]') && typeof v === 'string') return [v];
  if (Array.isArray(v)) return [...v];
  if (ps.type === 'map') return cloneValue(v);
  return v;
}

function cloneValue<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  try {
    return structuredClone(v);
  } catch {
    return v;
  }
}

/** Why a mustExist path is not usable, or undefined when it is. */
function missingFile(p: string, baseDir: string): { message: string; hint?: string } | undefined {
  if (p === '-') return undefined;
  if (hasGlob(p)) {
    if (expandGlob(p, baseDir).length > 0) return undefined;
    return { message: `no file matches "${p}"`, hint: `globs resolve against ${baseDir}` };
  }
  const abs = resolve(baseDir, p);
  if (existsSync(abs)) {
    try {
      if (statSync(abs).isDirectory()) return { message: `"${p}" is a directory, not a file`, hint: `name files, or a glob such as ${p.replace(/\/$/, '')}/*.txt` };
    } catch {
      /* reported as missing below */
    }
    return undefined;
  }
  let hint = `looked for ${abs}`;
  const dir = dirname(abs);
  if (existsSync(dir)) {
    let entries: string[] = [];
    try {
      entries = readdirSync(dir);
    } catch {
      /* unreadable directory: no suggestion */
    }
    const near = closest(basename(abs), entries);
    if (near) hint += `; did you mean "${near}"?`;
  } else {
    hint += ` (the directory ${dir} does not exist)`;
  }
  return { message: `file not found: "${p}"`, hint };
}

/* ---------------------------------------------------------------- graph */

/** Kahn's algorithm (stable: ready nodes in spec order); undefined when there is a cycle. */
function topoOrder(n: number, edges: readonly [number, number, string][]): number[] | undefined {
  const indeg = new Array<number>(n).fill(0);
  const out: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) {
    indeg[b]!++;
    out[a]!.push(b);
  }
  const order: number[] = [];
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) ready.push(i);
  while (ready.length) {
    ready.sort((x, y) => x - y);
    const k = ready.shift()!;
    order.push(k);
    for (const m of out[k]!) if (--indeg[m]! === 0) ready.push(m);
  }
  return order.length === n ? order : undefined;
}

/**
 * One cycle per strongly connected component that has one (Tarjan), as node
 * indices in dependency order (each node feeds the next, the last feeds the first).
 */
function findCycles(n: number, edges: readonly [number, number, string][]): number[][] {
  const out: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) out[a]!.push(b);
  let index = 0;
  const idx = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const comps: number[][] = [];
  const strong = (v: number): void => {
    idx[v] = low[v] = index++;
    stack.push(v);
    onStack[v] = true;
    for (const w of out[v]!) {
      if (idx[w] === -1) {
        strong(w);
        low[v] = Math.min(low[v]!, low[w]!);
      } else if (onStack[w]) low[v] = Math.min(low[v]!, idx[w]!);
    }
    if (low[v] === idx[v]) {
      const comp: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = false;
        comp.push(w);
      } while (w !== v);
      comps.push(comp);
    }
  };
  for (let v = 0; v < n; v++) if (idx[v] === -1) strong(v);
  const cycles: number[][] = [];
  for (const comp of comps) {
    const inComp = new Set(comp);
    const start = Math.min(...comp);
    if (comp.length === 1 && !out[start]!.includes(start)) continue;
    // Shortest path inside the component from start back to start (BFS).
    const prev = new Map<number, number>();
    const queue = [start];
    let end = -1;
    while (queue.length && end < 0) {
      const v = queue.shift()!;
      for (const w of out[v]!.filter((x) => inComp.has(x)).sort((a, b) => a - b)) {
        if (w === start) {
          end = v;
          break;
        }
        if (!prev.has(w)) {
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    const path: number[] = [];
    for (let v = end; v !== start; v = prev.get(v)!) path.push(v);
    path.push(start);
    cycles.push(path.reverse());
  }
  cycles.sort((a, b) => a[0]! - b[0]!);
  return cycles;
}
