/**
 * Reading pipeline files (YAML, or JSON which is read by the same parser so that
 * duplicate keys are caught and every value keeps its line and column), and
 * `--set node.param=value` overrides.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parse as parseYaml, parseDocument, type Document, type Node as YNode } from 'yaml';
import { WordloomError } from '@wordloom/core';
import {
  attachSource,
  cloneSpec,
  NODE_KEYS,
  PIPELINE_KEYS,
  PipelineErrors,
  pathKey,
  sourceOf,
  type NodeSpec,
  type Override,
  type PipelineSpec,
  type Pos,
  type SpecSource,
} from './spec.js';
import { didYouMean } from './suggest.js';

type Path = (string | number)[];

interface Walk {
  locs: Map<string, Pos>;
  dupes: { path: Path; key: string; pos: Pos; first: Pos }[];
  problems: { path: Path; pos: Pos; message: string }[];
}

/**
 * Parse pipeline text. `file` names it in errors and sets `baseDir` (its
 * directory). Throws PipelineErrors when the text is not YAML/JSON or not a
 * mapping at the top; other problems (duplicate keys, misplaced keys) are kept
 * and reported by `validatePipeline` together with everything else.
 */
export function parsePipeline(text: string, file = '<pipeline>'): PipelineSpec {
  const lc = new LineCounter();
  const posAt = (offset: number): Pos => {
    // Without the parser's line table (it may not have run): count the lines up to offset.
    let line = 1;
    let start = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
      start = i + 1;
    }
    return { line, column: offset - start + 1 };
  };
  const bin = binaryAt(text);
  if (bin >= 0) {
    throw new PipelineErrors(
      [new WordloomError('E_SPEC', `not a pipeline file: binary data (character U+${text.charCodeAt(bin).toString(16).toUpperCase().padStart(4, '0')})`, { file, ...posAt(bin) }, 'a pipeline is a YAML or JSON text file; check the path')],
      file,
    );
  }
  const json = /\.json$/i.test(file);
  if (json) {
    // YAML reads most JSON mistakes (trailing commas, single quotes, comments) without
    // a word: a .json file is held to JSON, with the error's line.
    const err = jsonError(text);
    if (err) throw new PipelineErrors([new WordloomError('E_SPEC', `not valid JSON: ${err.message}`, { file, ...posAt(err.offset) }, 'fix the JSON, or name the file .yaml to write YAML')], file);
  }
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, prettyErrors: false });
  const posOf = (offset: number): Pos => {
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const fatal = doc.errors.map((e) => new WordloomError('E_SPEC', `not valid ${json ? 'JSON' : 'YAML'}: ${printable(e.message.split('\n')[0]!)}`, { file, ...posOf(e.pos[0]) }));
  if (fatal.length > MAX_SYNTAX_ERRORS) {
    const more = fatal.length - MAX_SYNTAX_ERRORS;
    fatal.length = MAX_SYNTAX_ERRORS;
    fatal.push(new WordloomError('E_SPEC', `... and ${more} more syntax error${more === 1 ? '' : 's'} (is it a pipeline file?)`, { file }));
  }
  if (fatal.length) throw new PipelineErrors(fatal, file);

  const w: Walk = { locs: new Map(), dupes: [], problems: [] };
  const root = toValue(doc, doc.contents as YNode | null, [], w, posOf, 0);
  if (!isPlainObject(root)) {
    const p = doc.contents ? posOf((doc.contents as YNode).range?.[0] ?? 0) : { line: 1, column: 1 };
    throw new PipelineErrors(
      [new WordloomError('E_SPEC', 'a pipeline file must be a mapping with keys name, nodes, ...', { file, ...p }, 'see packages/graph/README.md for the format')],
      file,
    );
  }
  return fromObject(root, file, w);
}

/** Syntax errors listed before the rest are counted only. */
const MAX_SYNTAX_ERRORS = 5;

/** Where text holds a character no pipeline file has (NUL, other C0 controls but tab, newline, CR, form feed), or -1. */
function binaryAt(text: string): number {
  const m = /[\u0000-\u0008\u000b\u000e-\u001f]/.exec(text);
  return m ? m.index : -1;
}

/** A parser message made safe to print: control characters escaped, at most 100 characters. */
function printable(s: string): string {
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return t.length > 100 ? t.slice(0, 99) + '…' : t;
}

/**
 * The first JSON syntax error of `text` (JSON.parse's message, without its copy of
 * the text) and its offset, or undefined for valid JSON. The offset is the one V8
 * reports, else a trailing comma's, else the end of the text.
 */
function jsonError(text: string): { message: string; offset: number } | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    const raw = (e as Error).message;
    const at = /at position (\d+)/.exec(raw);
    const message = printable(raw.replace(/, (\.\.\.)?".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, ''));
    if (at) {
      const offset = Number(at[1]);
      const before = text.slice(0, offset).trimEnd();
      const trailing = (text[offset] === '}' || text[offset] === ']') && before.endsWith(',');
      return { message: trailing ? `${message} (a comma before the closing bracket)` : message, offset: trailing ? before.length - 1 : offset };
    }
    const comma = trailingComma(text);
    if (comma >= 0) return { message: `${message} (a comma before the closing bracket)`, offset: comma };
    return { message, offset: Math.max(0, text.length - 1) };
  }
}

/** The offset of the first comma followed (past whitespace) by } or ], outside strings; -1 if none. */
function trailingComma(text: string): number {
  let inString = false;
  let comma = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      comma = -1;
    } else if (c === ',') comma = i;
    else if (c === '}' || c === ']') {
      if (comma >= 0) return comma;
    } else if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') comma = -1;
  }
  return -1;
}

/** Read and parse a pipeline file, then apply `--set` overrides. */
export function loadPipeline(file: string, opts: { set?: readonly string[] } = {}): PipelineSpec {
  let text: string;
  try {
    const bytes = readFileSync(file);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      const nul = bytes.indexOf(0);
      throw new PipelineErrors(
        [new WordloomError('E_SPEC', `not a pipeline file: ${nul >= 0 ? 'binary data' : 'not UTF-8 text'}`, { file }, 'a pipeline is a YAML or JSON text file (UTF-8); check the path')],
        file,
      );
    }
  } catch (e) {
    if (e instanceof PipelineErrors) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new WordloomError(
      'E_FILE',
      code === 'ENOENT' ? 'pipeline file not found' : `cannot read the pipeline file (${code ?? String(e)})`,
      { file },
      code === 'ENOENT' ? `check the path (a relative path starts from the current directory, ${process.cwd()})` : undefined,
      { cause: e },
    );
  }
  const spec = parsePipeline(text, file);
  return opts.set && opts.set.length ? applyOverrides(spec, opts.set) : spec;
}

const PIPELINE_OVERRIDABLE = ['name', 'description', 'seed', 'threads', 'cache'];
const NODE_SETTINGS = ['threads', 'seed'];

/**
 * Apply `--set` overrides: `node.param=value` sets a param, `node.threads=` and
 * `node.seed=` the node's settings, `seed=` / `threads=` / `name=` the pipeline's.
 * Values are read as YAML (`5` an int, `0.5` a number, `true` a boolean, `[a, b]`
 * a list, `abc` a string); an empty value removes the param (its default applies).
 * Problems (no such node, no `=`) are kept and reported by validation, and errors
 * about an overridden value say it came from --set.
 */
export function applyOverrides(spec: PipelineSpec, set: readonly string[]): PipelineSpec {
  const out = cloneSpec(spec);
  let src = sourceOf(out);
  if (!src) {
    src = { file: spec.file ?? '', locs: new Map(), nodePaths: [], issues: [], overrides: [] };
    attachSource(out, src);
  }
  for (const text of set) {
    const eq = text.indexOf('=');
    const target = eq < 0 ? text : text.slice(0, eq).trim();
    if (eq < 0 || target === '') {
      src.issues.push(new WordloomError('E_SPEC', `--set "${text}": expected node.param=value (or seed=..., threads=...)`, {}, 'e.g. --set vocab.min_count=10'));
      continue;
    }
    const raw = text.slice(eq + 1);
    let value: unknown;
    try {
      value = raw.trim() === '' ? null : parseYaml(raw);
    } catch {
      value = raw;
    }
    const dot = target.indexOf('.');
    if (dot < 0) {
      if (!PIPELINE_OVERRIDABLE.includes(target)) {
        const ids = out.nodes.map((n) => n.id);
        src.issues.push(
          new WordloomError(
            'E_SPEC',
            `--set "${text}": "${target}" is not a pipeline setting (${PIPELINE_OVERRIDABLE.join(', ')})${didYouMean(target, PIPELINE_OVERRIDABLE)}`,
            {},
            `to set a node's param write node.param=value (nodes: ${ids.join(', ')})`,
          ),
        );
        continue;
      }
      const rec = out as unknown as Record<string, unknown>;
      if (value === null) delete rec[target];
      else rec[target] = value;
      src.overrides.push({ text, key: target, value });
      continue;
    }
    const id = target.slice(0, dot);
    const key = target.slice(dot + 1);
    const node = out.nodes.find((n) => n.id === id);
    if (!node) {
      const ids = out.nodes.map((n) => n.id);
      src.issues.push(new WordloomError('E_SPEC', `--set "${text}": no node "${id}"${didYouMean(id, ids)}`, { node: id }, `nodes: ${ids.join(', ')}`));
      continue;
    }
    if (key === '' || key.includes('.')) {
      src.issues.push(new WordloomError('E_SPEC', `--set "${text}": expected node.param=value with a single param name`, { node: id }));
      continue;
    }
    const ov: Override = { text, node: id, key, value };
    if (NODE_SETTINGS.includes(key)) {
      const rec = node as unknown as Record<string, unknown>;
      if (value === null) delete rec[key];
      else rec[key] = value;
      // A param of the same name set explicitly follows the node setting.
      if (Object.prototype.hasOwnProperty.call(node.params, key)) setParam(node, key, value);
    } else {
      setParam(node, key, value);
    }
    src.overrides.push(ov);
  }
  return out;
}

function setParam(node: NodeSpec, key: string, value: unknown): void {
  if (value === null) delete node.params[key];
  else Object.defineProperty(node.params, key, { value, enumerable: true, writable: true, configurable: true });
}

/* ---------------------------------------------------------------- internals */

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** YAML AST -> plain JS, recording the position of every value and mapping key. */
function toValue(doc: Document, node: YNode | null, path: Path, w: Walk, posOf: (o: number) => Pos, depth: number): unknown {
  if (node === null || node === undefined) return null;
  if (depth > 64) {
    w.problems.push({ path, pos: posOf(node.range?.[0] ?? 0), message: 'nesting too deep (or a recursive alias)' });
    return null;
  }
  if (isAlias(node)) {
    const target = node.resolve(doc);
    const v = toValue(doc, (target ?? null) as YNode | null, path, w, posOf, depth + 1);
    if (node.range) w.locs.set(pathKey(path), posOf(node.range[0]));
    return v;
  }
  if (node.range) w.locs.set(pathKey(path), posOf(node.range[0]));
  if (isScalar(node)) {
    const v = node.value;
    return typeof v === 'bigint' ? Number(v) : v;
  }
  if (isSeq(node)) {
    return node.items.map((item, i) => toValue(doc, item as YNode | null, [...path, i], w, posOf, depth + 1));
  }
  if (isMap(node)) {
    const obj: Record<string, unknown> = {};
    const firstAt = new Map<string, Pos>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YNode | null;
      const keyPos = keyNode && keyNode.range ? posOf(keyNode.range[0]) : posOf(node.range?.[0] ?? 0);
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
        w.problems.push({ path, pos: keyPos, message: 'a mapping key must be a plain string' });
        continue;
      }
      const key = String(keyNode.value);
      const first = firstAt.get(key);
      if (first) {
        w.dupes.push({ path, key, pos: keyPos, first });
        continue; // the first definition is kept
      }
      firstAt.set(key, keyPos);
      const childPath = [...path, key];
      w.locs.set(pathKey(childPath) + '#key', keyPos);
      const valueNode = pair.value as YNode | null;
      const v = toValue(doc, valueNode, childPath, w, posOf, depth + 1);
      if (!valueNode || !valueNode.range) w.locs.set(pathKey(childPath), keyPos);
      define(obj, key, v);
    }
    return obj;
  }
  return (node as { toJSON?: () => unknown }).toJSON?.() ?? null;
}

/** Build the spec from the parsed object, recording shape problems as issues. */
function fromObject(root: Record<string, unknown>, file: string, w: Walk): PipelineSpec {
  const issues: WordloomError[] = [];
  const at = (path: Path, key = false): Pos | undefined => w.locs.get(pathKey(path) + (key ? '#key' : '')) ?? w.locs.get(pathKey(path));
  const issue = (message: string, path: Path, opts: { key?: boolean; node?: string; param?: string; hint?: string } = {}) => {
    const p = at(path, opts.key);
    issues.push(new WordloomError('E_SPEC', message, { file, ...(p ?? {}), node: opts.node, param: opts.param }, opts.hint));
  };

  const nodeIdAt = (path: Path): string | undefined => {
    if (path[0] !== 'nodes' || path.length < 2) return undefined;
    if (typeof path[1] === 'string') return path[1];
    const n = Array.isArray(root.nodes) ? (root.nodes as unknown[])[path[1]!] : undefined;
    const id = isPlainObject(n) ? n.id : undefined;
    return typeof id === 'string' ? id : undefined;
  };
  for (const d of w.dupes) {
    if (d.path.length === 1 && d.path[0] === 'nodes') {
      issues.push(new WordloomError('E_GRAPH', `duplicate node id "${d.key}" (first defined at line ${d.first.line})`, { file, ...d.pos, node: d.key }, 'give each node a unique id'));
    } else {
      const node = nodeIdAt(d.path);
      const param = node !== undefined && d.path.length === 3 && d.path[2] === 'params' ? d.key : undefined;
      issues.push(new WordloomError('E_SPEC', `duplicate key "${d.key}" (first defined at line ${d.first.line}); the first value is used`, { file, ...d.pos, node, param }, 'remove one of them'));
    }
  }
  for (const p of w.problems) issues.push(new WordloomError('E_SPEC', p.message, { file, ...p.pos, node: nodeIdAt(p.path) }));

  for (const key of Object.keys(root)) {
    // `$schema` names the JSON Schema editors check the file against (wordloom schema writes it).
    if (key === '$schema' && typeof root[key] === 'string') continue;
    if (!(PIPELINE_KEYS as readonly string[]).includes(key)) {
      issue(`unknown key "${key}" at the top of the pipeline${didYouMean(key, PIPELINE_KEYS)}`, [key], {
        key: true,
        hint: `pipeline keys are ${PIPELINE_KEYS.join(', ')}; ops and params go under nodes:`,
      });
    }
  }

  const spec: PipelineSpec = {
    name: (root.name as string) ?? basename(file, extname(file)),
    nodes: [],
    file,
    baseDir: dirname(resolve(file)),
  };
  if (root.description !== undefined) spec.description = root.description as string;
  if (root.seed !== undefined && root.seed !== null) spec.seed = root.seed as number;
  if (root.threads !== undefined && root.threads !== null) spec.threads = root.threads as number;
  if (root.cache !== undefined && root.cache !== null) spec.cache = root.cache as boolean | string;

  const nodePaths: Path[] = [];
  const rawNodes = root.nodes;
  const entries: { path: Path; value: unknown; id?: string }[] = [];
  if (rawNodes === undefined || rawNodes === null) {
    issue('the pipeline has no nodes', rawNodes === null ? ['nodes'] : [], { key: true, hint: 'add nodes: with a list of { id, op, params, inputs }' });
  } else if (Array.isArray(rawNodes)) {
    rawNodes.forEach((v, i) => entries.push({ path: ['nodes', i], value: v }));
  } else if (isPlainObject(rawNodes)) {
    for (const [id, v] of Object.entries(rawNodes)) entries.push({ path: ['nodes', id], value: v, id });
  } else {
    issue('nodes must be a list of nodes (or a mapping from node id to node)', ['nodes']);
  }
  if ((Array.isArray(rawNodes) || isPlainObject(rawNodes)) && entries.length === 0) {
    issue('the pipeline has no nodes', ['nodes'], { key: true, hint: 'add nodes with id, op, params and inputs' });
  }

  for (const e of entries) {
    const v = e.value;
    if (!isPlainObject(v)) {
      issue(`a node must be a mapping with id, op, params, inputs`, e.path, { node: e.id });
      continue;
    }
    let id: string;
    if (e.id !== undefined) {
      id = e.id;
      if (v.id !== undefined && v.id !== e.id) {
        issue(`node "${e.id}" also says id: ${JSON.stringify(v.id)}`, [...e.path, 'id'], { node: e.id, hint: 'in a mapping of nodes the key is the id; remove the id: line' });
      }
    } else if (v.id === undefined || v.id === null) {
      issue('node has no id', e.path, { hint: 'give each node an id, e.g. id: vocab' });
      id = '';
    } else {
      id = v.id as string;
    }
    const node: NodeSpec = { id, op: v.op as string, params: {}, inputs: {} };
    const nodeName = typeof id === 'string' && id ? id : undefined;
    for (const key of Object.keys(v)) {
      if ((NODE_KEYS as readonly string[]).includes(key)) continue;
      issue(`unknown node key "${key}"${didYouMean(key, NODE_KEYS)}`, [...e.path, key], {
        key: true,
        node: nodeName,
        hint: `node keys are ${NODE_KEYS.join(', ')}; an op's params go under params:`,
      });
    }
    if (v.params !== undefined && v.params !== null) {
      if (isPlainObject(v.params)) node.params = v.params;
      else issue('params must be a mapping param: value', [...e.path, 'params'], { node: nodeName });
    }
    if (v.inputs !== undefined && v.inputs !== null) {
      if (isPlainObject(v.inputs)) {
        for (const [name, src] of Object.entries(v.inputs)) {
          if (typeof src === 'string') node.inputs[name] = src;
          else issue(`input "${name}" must name a node id (a string)`, [...e.path, 'inputs', name], { node: nodeName });
        }
      } else {
        issue('inputs must be a mapping input: node id', [...e.path, 'inputs'], { node: nodeName, hint: 'e.g. inputs: { tokens: tok }' });
      }
    }
    if (v.threads !== undefined && v.threads !== null) node.threads = v.threads as number;
    if (v.seed !== undefined && v.seed !== null) node.seed = v.seed as number;
    if (v.description !== undefined) node.description = v.description as string;
    spec.nodes.push(node);
    nodePaths.push(e.path);
  }

  const source: SpecSource = { file, locs: w.locs, nodePaths, issues, overrides: [] };
  return attachSource(spec, source);
}
