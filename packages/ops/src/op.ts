/**
 * The contract every operator follows. An operator is a typed function plus a
 * description of its params, inputs and output, so that pipelines can validate a
 * graph before anything runs and the CLI can document every op from one place.
 */
import type { Observable } from 'rxjs';
import type { RunView } from './report/run-record.js';

/** What flows along a pipeline edge. An input accepts only an output of its kind. */
export type ArtifactKind =
  | 'tokens' // TokenStream: replayable stream of token-id chunks plus its Dictionary
  | 'vocab' // VocabArtifact
  | 'cooccurrences' // Cooccurrences (core)
  | 'vectors' // Embeddings (core)
  | 'neighbors' // NeighborsResult
  | 'evaluation' // EvaluationResult
  | 'graph' // GraphArtifact: a weighted graph as CSR (knn-graph, edge-list files)
  | 'clusters' // ClustersArtifact: a label per node (chinese-whispers, dbscan)
  | 'classifier' // ClassifierResult: a trained text classifier with its train/test figures (classify)
  | 'char-classifier' // CharGRUResult: a character-level GRU classifier with its figures (char-gru)
  | 'autoencoder' // KSparseOpResult: a k-sparse autoencoder with its figures (ksparse)
  | 'linear'; // LinearTrainResult: a linear model on hashed features with its training figures (linear)

export type ParamType = 'int' | 'number' | 'boolean' | 'string' | 'enum' | 'path' | 'paths' | 'string[]' | 'map';

export interface ParamSpec {
  type: ParamType;
  /** One line of documentation. */
  doc: string;
  /** Default value; a param without a default and without `optional` is required. */
  default?: unknown;
  /** The param may be left unset (undefined) with no default. */
  optional?: boolean;
  min?: number;
  max?: number;
  /** min is exclusive (value must be > min). */
  exclusiveMin?: boolean;
  /** Allowed values for 'enum' (and for the items of a 'string[]'). */
  values?: readonly string[];
  /** 'path' / 'paths': files that must exist before the pipeline runs. */
  mustExist?: boolean;
  /** 'path': a file the op writes; validation checks that it can be made (see outputPathProblem). */
  output?: boolean;
  /** The param does not change the op's output (how often checkpoints are written): left out of the node's cache key. */
  inert?: boolean;
}

export type ParamSpecs = Record<string, ParamSpec>;

export interface InputSpec {
  kind: ArtifactKind;
  doc: string;
  optional?: boolean;
}

/** Progress reported by a running operator; the executor adds node id and time. */
export interface ProgressUpdate {
  /** A short phase name: "reading", "counting", "iteration", "merging", "saving"... */
  phase: string;
  /** Work done and total in `unit`, when known. */
  done?: number;
  total?: number;
  unit?: string; // "tokens", "bytes", "iterations", "records", "words"
  /** Metrics to show (cost, tokens/s, ...). */
  metrics?: Record<string, number | string>;
  /** A line for the log. */
  message?: string;
  /** The iteration (pass, epoch) this update belongs to, 1-based, for iterative ops. */
  iteration?: number;
}

export interface OpContext {
  /** Pipeline node id (for errors). */
  readonly node: string;
  readonly signal: AbortSignal;
  /** Worker threads the op may use. */
  readonly threads: number;
  /** Seed for this node (from params or pipeline). */
  readonly seed: number;
  /** Directory for temporary files (spills); the executor removes it afterwards. */
  readonly tmpDir: string;
  /** Directory relative paths in params resolve against (the pipeline file's). */
  readonly baseDir: string;
  /**
   * Where a training op keeps its resume checkpoints between runs, or undefined
   * (no cache: nothing to resume). Tied to the node's cache key, so a rerun of the
   * same node with the same params and inputs finds them; the executor removes it
   * once the node's output is stored.
   */
  readonly checkpointDir?: string;
  /** The pipeline run this node is part of (what ran, times, memory, curves, outputs); undefined outside a pipeline. */
  readonly run?: RunView;
  /**
   * Whether this node may free the memory of one of its inputs once it no longer
   * needs it: true when it is the only reader of that input and the run keeps no
   * output for its caller (`wordloom run`). Glove frees the co-occurrence arrays
   * once they are packed for training. Undefined or false: leave inputs as they are.
   */
  releasable?(input: string): boolean;
  progress(update: ProgressUpdate): void;
  log(message: string): void;
}

export interface OperatorDef<P = any, O = unknown> {
  /** Name used in pipeline files ("tokenize", "cooccur", ...). */
  readonly name: string;
  readonly summary: string;
  readonly params: ParamSpecs;
  readonly inputs: Record<string, InputSpec>;
  readonly output: ArtifactKind;
  /**
   * Version of what the op computes (default 1): part of the key its outputs are
   * cached under. Raise it when a change makes the same params and inputs give
   * another output, so that outputs cached before are not reused.
   */
  readonly version?: number;
  /**
   * Run once every node that does not depend on this one has finished (a report
   * of the run: `ctx.run` then holds all of it).
   */
  readonly runsLast?: boolean;
  /** Run with resolved inputs and validated params (defaults filled in). */
  run(inputs: Record<string, any>, params: P, ctx: OpContext): Promise<O> | Observable<O>;
}

export function defineOp<P, O>(def: OperatorDef<P, O>): OperatorDef<P, O> {
  return def;
}

/** A context for calling ops directly from code and tests: no events, given threads. */
export function standaloneContext(over: Partial<OpContext> = {}): OpContext {
  return {
    node: over.node ?? 'standalone',
    signal: over.signal ?? new AbortController().signal,
    threads: over.threads ?? 2,
    seed: over.seed ?? 1,
    tmpDir: over.tmpDir ?? (process.env.TMPDIR || '/tmp'),
    baseDir: over.baseDir ?? process.cwd(),
    ...(over.checkpointDir !== undefined ? { checkpointDir: over.checkpointDir } : {}),
    ...(over.run !== undefined ? { run: over.run } : {}),
    progress: over.progress ?? (() => {}),
    log: over.log ?? (() => {}),
  };
}
