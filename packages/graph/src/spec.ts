/**
 * The pipeline spec: what a pipeline file (YAML or JSON) or the TypeScript
 * builder describes. Plain data; positions in the source file are kept aside (see
 * `sourceOf`) so that validation errors can name file:line:column.
 */
import { WordloomError } from '@wordloom/core';

export interface PipelineSpec {
  /** A name for logs and reports. */
  name: string;
  description?: string;
  /** Seed for every node (a node may override it). Default 1. */
  seed?: number;
  /** Worker threads per node (a node may override it). Default: available cores, at most 16. */
  threads?: number;
  /** The artifact cache: false for none, or its directory (relative to the pipeline file). Default: the user's cache. */
  cache?: boolean | string;
  /** Nodes in the order written. */
  nodes: NodeSpec[];
  /** Directory that relative paths in params resolve against (the pipeline file's). Default: cwd. */
  baseDir?: string;
  /** The file the spec was read from, if any. */
  file?: string;
}

export interface NodeSpec {
  /** Unique id: a letter or `_`, then letters, digits, `_` or `-`. */
  id: string;
  /** Operator name (`wordloom ops` lists them). */
  op: string;
  /** The op's params (snake_case keys). */
  params: Record<string, unknown>;
  /** Input name -> id of the node whose output feeds it. */
  inputs: Record<string, string>;
  /** Worker threads for this node (overrides the pipeline's). */
  threads?: number;
  /** Seed for this node (overrides the pipeline's). */
  seed?: number;
  description?: string;
}

/** Pipeline-level keys. */
export const PIPELINE_KEYS = ['name', 'description', 'seed', 'threads', 'cache', 'nodes'] as const;
/** Node-level keys. */
export const NODE_KEYS = ['id', 'op', 'params', 'inputs', 'threads', 'seed', 'description'] as const;

export const NODE_ID_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A 1-based position in a source file. */
export interface Pos {
  line: number;
  column: number;
}

/** A `--set` override applied to a spec. */
export interface Override {
  /** The argument as given: "voc.min_count=5". */
  text: string;
  /** Node id, or undefined for a pipeline-level key. */
  node?: string;
  /** Param (or `threads`/`seed` for node-level keys, or a pipeline-level key). */
  key: string;
  value: unknown;
}

/** Where the parts of a spec came from. */
export interface SpecSource {
  file: string;
  /** Positions by path key (see `pathKey`); `#key` suffixed for a mapping key's own position. */
  locs: Map<string, Pos>;
  /** The source path of node i: ["nodes", i] for a list, ["nodes", id] for a map. */
  nodePaths: (string | number)[][];
  /** Problems found while reading the file (duplicate keys, wrong shapes), reported by validation. */
  issues: WordloomError[];
  /** `--set` overrides applied, in order. */
  overrides: Override[];
}

const sources = new WeakMap<PipelineSpec, SpecSource>();

/** Source positions of a spec read from a file, if any. */
export function sourceOf(spec: PipelineSpec): SpecSource | undefined {
  return sources.get(spec);
}

export function attachSource<T extends PipelineSpec>(spec: T, source: SpecSource | undefined): T {
  if (source) sources.set(spec, source);
  return spec;
}

export function pathKey(path: readonly (string | number)[]): string {
  return JSON.stringify(path);
}

/** A copy of a spec (params and inputs copied one level deep) that keeps its source. */
export function cloneSpec(spec: PipelineSpec): PipelineSpec {
  const copy: PipelineSpec = {
    ...spec,
    nodes: Array.isArray(spec.nodes) ? spec.nodes.map((n) => ({ ...n, params: { ...n.params }, inputs: { ...n.inputs } })) : spec.nodes,
  };
  const src = sourceOf(spec);
  if (src) attachSource(copy, { ...src, issues: [...src.issues], overrides: [...src.overrides] });
  return copy;
}

/** Strip the location prefix and hint that WordloomError adds to its message. */
export function rawMessage(err: WordloomError): string {
  let m = err.message;
  if (err.hint !== undefined) {
    const suffix = `\n  hint: ${err.hint}`;
    if (m.endsWith(suffix)) m = m.slice(0, -suffix.length);
  }
  const probe = new WordloomError(err.code, '', err.where);
  const prefix = probe.message; // "loc: " or ""
  if (prefix && m.startsWith(prefix)) m = m.slice(prefix.length);
  return m;
}

/** The same error with more `where` filled in (fields already set are kept). */
export function withWhere(err: WordloomError, extra: WordloomError['where']): WordloomError {
  const where = { ...extra, ...stripUndefined(err.where) };
  const same = Object.keys(where).every((k) => (err.where as Record<string, unknown>)[k] === (where as Record<string, unknown>)[k]);
  if (same) return err;
  const e = new WordloomError(err.code, rawMessage(err), where, err.hint, { cause: err.cause ?? err });
  if (err.stack) e.stack = e.message + '\n' + err.stack.split('\n').slice(1).join('\n');
  return e;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * All the errors found in a pipeline, thrown at once (by `parsePipeline` for
 * unreadable files, by `runPipeline` when validation fails). `errors` holds them.
 */
export class PipelineErrors extends WordloomError {
  readonly errors: readonly WordloomError[];
  constructor(errors: readonly WordloomError[], file?: string) {
    const head = `${errors.length} error${errors.length === 1 ? '' : 's'} in pipeline${file ? ' ' + file : ''}`;
    const body = errors.map((e) => '  - ' + e.message.replace(/\n/g, '\n    ')).join('\n');
    super(errors[0]?.code ?? 'E_SPEC', `${head}:\n${body}`);
    this.name = 'PipelineErrors';
    this.errors = errors;
  }
}
