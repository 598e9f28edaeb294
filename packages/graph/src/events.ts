/**
 * Events a pipeline run emits, in order, on `events$` (and to `onEvent`). Times
 * are epoch milliseconds (Date.now()); durations are milliseconds.
 */
import type { WordloomError } from '@wordloom/core';
import type { ArtifactKind } from '@wordloom/ops';

export interface PipelineStartedEvent {
  type: 'pipeline:started';
  time: number;
  pipeline: string;
  /** Node ids in a dependency order. */
  nodes: string[];
  /** The run's temporary directory (removed when the run ends). */
  tmpDir: string;
}

export interface NodeStartedEvent {
  type: 'node:started';
  time: number;
  node: string;
  op: string;
  threads: number;
  seed: number;
}

export interface NodeProgressEvent {
  type: 'node:progress';
  time: number;
  node: string;
  op: string;
  phase: string;
  done?: number;
  total?: number;
  unit?: string;
  metrics?: Record<string, number | string>;
  message?: string;
  /** The iteration (pass, epoch) of an iterative op, 1-based. */
  iteration?: number;
  /** Since the node started. */
  elapsedMs: number;
  /** Since this phase started (the first update with this phase name). */
  phaseElapsedMs: number;
  /** done / total, when both are known. */
  fraction?: number;
  /** Average `unit`s per second in this phase, when `done` is known. */
  rate?: number;
  /** Estimated time left in this phase at `rate`, when `total` is known. */
  etaMs?: number;
}

export interface NodeLogEvent {
  type: 'node:log';
  time: number;
  node: string;
  message: string;
}

/** A short description of a node's output. */
export interface OutputSummary {
  kind: ArtifactKind | 'unknown';
  /** One line: "10,392 words", "2,847,263 records", "10,392 x 50 vectors". */
  text: string;
  /** The figures behind `text`. */
  stats: Record<string, number | string | boolean>;
}

/**
 * How a node's output was had, when the run uses the artifact cache: computed (and
 * stored when its kind is cached), loaded from the cache, cached (up to date in the
 * cache and not loaded: nothing that ran needed it), or skipped (not run: every
 * node that reads it was had from the cache).
 */
export type CacheStatus = 'computed' | 'loaded' | 'cached' | 'skipped';

export interface NodeFinishedEvent {
  type: 'node:finished';
  time: number;
  node: string;
  op: string;
  durationMs: number;
  summary: OutputSummary;
  /** With the cache on: how the output was had. */
  cache?: CacheStatus;
}

export interface NodeFailedEvent {
  type: 'node:failed';
  time: number;
  node: string;
  op: string;
  durationMs: number;
  /** The error, with its `where.node` filled in (an upstream stream's error names that node). */
  error: WordloomError;
}

/** A node that was running when the run stopped (another node failed, or cancelled). */
export interface NodeCancelledEvent {
  type: 'node:cancelled';
  time: number;
  node: string;
  op: string;
  durationMs: number;
}

export interface PipelineFinishedEvent {
  type: 'pipeline:finished';
  time: number;
  pipeline: string;
  durationMs: number;
  /** Per node, in dependency order, with summaries taken at the end (streams are then fully read). */
  nodes: { node: string; op: string; durationMs: number; summary: OutputSummary; cache?: CacheStatus }[];
}

/** `report` (RunOptions) was written, just before pipeline:finished. */
export interface PipelineReportEvent {
  type: 'pipeline:report';
  time: number;
  pipeline: string;
  file: string;
}

export interface PipelineFailedEvent {
  type: 'pipeline:failed';
  time: number;
  pipeline: string;
  durationMs: number;
  error: Error;
  /** True when the run was stopped by its AbortSignal. */
  cancelled: boolean;
}

export type PipelineEvent =
  | PipelineStartedEvent
  | NodeStartedEvent
  | NodeProgressEvent
  | NodeLogEvent
  | NodeFinishedEvent
  | NodeFailedEvent
  | NodeCancelledEvent
  | PipelineFinishedEvent
  | PipelineReportEvent
  | PipelineFailedEvent;
