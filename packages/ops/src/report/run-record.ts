/**
 * What a report page knows of a pipeline run: the graph, and per node how its
 * output was had, its time, the peak memory while it ran, its summary and the
 * curves (cost, loss) of its iterations. The executor (@wordloom/graph) records
 * it from its events; ops see it through `OpContext.run`.
 */

export type RunNodeStatus = 'waiting' | 'running' | 'finished' | 'failed' | 'cancelled';

/** One point of a training curve. */
export interface CurvePoint {
  iteration: number;
  value: number;
  /** Taken from a resume checkpoint rather than trained in this run. */
  restored?: boolean;
}

export interface RunNodeRecord {
  id: string;
  op: string;
  /** Input name -> the node that feeds it. */
  inputs: Record<string, string>;
  status: RunNodeStatus;
  /** With the cache: computed, loaded, cached or skipped. */
  cache?: string;
  durationMs?: number;
  /** Largest resident set size (bytes) of the process sampled while the node ran (nodes running at the same time share it). */
  peakRssBytes?: number;
  /** One line about the output ("20,487 x 50 vectors"). */
  summary?: string;
  /** Metric name (cost, loss) -> one point per iteration, in order. */
  curves: Record<string, CurvePoint[]>;
  /** The node runs after every node that does not read it (a report page). */
  last?: boolean;
}

export interface RunRecord {
  pipeline: string;
  /** Epoch ms. */
  started: number;
  durationMs: number;
  /** Largest resident set size of the process over the run (bytes). */
  peakRssBytes: number;
  /** How often memory was sampled (ms). */
  memorySampleMs: number;
  /** Nodes in a dependency order. */
  nodes: RunNodeRecord[];
}

/** A running pipeline as an op sees it (`OpContext.run`). */
export interface RunView {
  /** The run so far. */
  record(): RunRecord;
  /** A node's output, when it has one in memory (undefined for nodes not run or not finished). */
  output(node: string): unknown;
}
