/**
 * Building a pipeline in TypeScript; produces the same spec a pipeline file does.
 *
 *   const spec = pipeline('lee', { seed: 1 })
 *     .node('tok', 'tokenize', { input: ['data/corpora/lee_background.cor'] })
 *     .node('voc', 'vocab', { min_count: 5 }, { tokens: 'tok' })
 *     .build();
 *   const { result } = runPipeline(spec);
 */
import { stringify } from 'yaml';
import type { NodeSpec, PipelineSpec } from './spec.js';
import { runPipeline, type PipelineRun, type RunOptions } from './execute.js';
import { validatePipeline, type ValidateOptions, type ValidationResult } from './validate.js';

export interface PipelineSettings {
  description?: string;
  seed?: number;
  threads?: number;
  /** The artifact cache: false for none, or its directory (see PipelineSpec.cache). */
  cache?: boolean | string;
  /** Directory relative paths resolve against (default: the current directory). */
  baseDir?: string;
}

export interface NodeSettings {
  threads?: number;
  seed?: number;
  description?: string;
}

export class PipelineBuilder {
  private readonly spec: PipelineSpec;

  constructor(name: string, settings: PipelineSettings = {}) {
    this.spec = { name, nodes: [] };
    if (settings.description !== undefined) this.spec.description = settings.description;
    if (settings.seed !== undefined) this.spec.seed = settings.seed;
    if (settings.threads !== undefined) this.spec.threads = settings.threads;
    if (settings.cache !== undefined) this.spec.cache = settings.cache;
    if (settings.baseDir !== undefined) this.spec.baseDir = settings.baseDir;
  }

  /** Add a node: id, op name, params (snake_case) and inputs (input name -> node id). */
  node(id: string, op: string, params: Record<string, unknown> = {}, inputs: Record<string, string> = {}, settings: NodeSettings = {}): this {
    const n: NodeSpec = { id, op, params: { ...params }, inputs: { ...inputs } };
    if (settings.threads !== undefined) n.threads = settings.threads;
    if (settings.seed !== undefined) n.seed = settings.seed;
    if (settings.description !== undefined) n.description = settings.description;
    this.spec.nodes.push(n);
    return this;
  }

  seed(seed: number): this {
    this.spec.seed = seed;
    return this;
  }

  threads(threads: number): this {
    this.spec.threads = threads;
    return this;
  }

  description(text: string): this {
    this.spec.description = text;
    return this;
  }

  baseDir(dir: string): this {
    this.spec.baseDir = dir;
    return this;
  }

  /** The spec (a copy; the builder can go on). */
  build(): PipelineSpec {
    return {
      ...this.spec,
      nodes: this.spec.nodes.map((n) => ({ ...n, params: structuredClone(n.params), inputs: { ...n.inputs } })),
    };
  }

  validate(opts?: ValidateOptions): ValidationResult {
    return validatePipeline(this.build(), opts);
  }

  run(opts?: RunOptions): PipelineRun {
    return runPipeline(this.build(), opts);
  }

  /** The pipeline as a YAML file's text. */
  toYAML(): string {
    return formatPipeline(this.build(), 'yaml');
  }
}

export function pipeline(name: string, settings?: PipelineSettings): PipelineBuilder {
  return new PipelineBuilder(name, settings);
}

/** A spec as pipeline-file text (YAML or JSON), nodes as a list. baseDir and file are left out. */
export function formatPipeline(spec: PipelineSpec, format: 'yaml' | 'json' = 'yaml'): string {
  const out: Record<string, unknown> = { name: spec.name };
  if (spec.description !== undefined) out.description = spec.description;
  if (spec.seed !== undefined) out.seed = spec.seed;
  if (spec.threads !== undefined) out.threads = spec.threads;
  if (spec.cache !== undefined) out.cache = spec.cache;
  out.nodes = spec.nodes.map((n) => {
    const o: Record<string, unknown> = { id: n.id, op: n.op };
    if (n.description !== undefined) o.description = n.description;
    if (Object.keys(n.inputs).length) o.inputs = n.inputs;
    if (Object.keys(n.params).length) o.params = n.params;
    if (n.threads !== undefined) o.threads = n.threads;
    if (n.seed !== undefined) o.seed = n.seed;
    return o;
  });
  return format === 'json' ? JSON.stringify(out, null, 2) + '\n' : stringify(out, { lineWidth: 0 });
}
