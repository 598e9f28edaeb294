/**
 * @wordloom/graph: pipelines of operators. A pipeline is read from a YAML/JSON
 * file (`loadPipeline`) or built in code (`pipeline(...)`), validated with every
 * error located (`validatePipeline`), and run on RxJS (`runPipeline`), emitting
 * events for progress display.
 */
export { loadPipeline, parsePipeline, applyOverrides } from './parse.js';
export { validatePipeline, defaultThreads, type ValidateOptions, type ValidationResult } from './validate.js';
export { pipelineSchema, pipelineSchemaText } from './schema.js';
export { ArtifactCache, CACHED_KINDS, cacheDirFor, defaultCacheDir, parseSize, type CacheEntry } from './cache.js';
export { runPipeline, runPipelineToEnd, type RunOptions, type PipelineRun } from './execute.js';
export { pipeline, PipelineBuilder, formatPipeline, type PipelineSettings, type NodeSettings } from './builder.js';
export { describeOperator, describeOperators, describeParamType, exampleNode } from './describe.js';
export { summarize } from './summary.js';
export { RunRecorder } from './record.js';
export { expandGlob, globMatch, hasGlob } from '@wordloom/ops';
export { closest, editDistance } from './suggest.js';
export { PipelineErrors, sourceOf, NODE_KEYS, PIPELINE_KEYS, type PipelineSpec, type NodeSpec, type Override, type Pos, type SpecSource } from './spec.js';
export type * from './events.js';
