/**
 * The record of a run that report pages show: built from the executor's events and
 * its nodes' raw progress updates (every iteration's cost, before the throttle that
 * thins progress events), with the process's memory sampled while nodes run.
 */
import type { CurvePoint, ProgressUpdate, RunNodeRecord, RunRecord, RunView } from '@wordloom/ops';
import type { PipelineEvent } from './events.js';
import type { NodeSpec } from './spec.js';

/** Metrics drawn as curves when an iterative op reports them with an iteration. */
const CURVE_METRICS = ['cost', 'loss'];

export class RunRecorder implements RunView {
  private readonly nodes = new Map<string, RunNodeRecord & { startedAt?: number }>();
  private readonly running = new Set<string>();
  private started = Date.now();
  private ended: number | undefined;
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;
  private pipeline = 'pipeline';

  constructor(
    specNodes: readonly NodeSpec[],
    order: readonly string[],
    private readonly outputs: ReadonlyMap<string, unknown>,
    readonly sampleMs = 100,
    /** Nodes that run last (report pages). */
    last: ReadonlySet<string> = new Set(),
  ) {
    const byId = new Map(specNodes.map((n) => [n.id, n]));
    for (const id of order) {
      const n = byId.get(id)!;
      this.nodes.set(id, { id, op: n.op, inputs: { ...n.inputs }, status: 'waiting', curves: {}, ...(last.has(id) ? { last: true } : {}) });
    }
  }

  /** Start sampling memory (until `stop`). */
  start(pipeline: string): void {
    this.pipeline = pipeline;
    this.started = Date.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.sampleMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    this.ended ??= Date.now();
  }

  private sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    for (const id of this.running) {
      const n = this.nodes.get(id)!;
      if (rss > (n.peakRssBytes ?? 0)) n.peakRssBytes = rss;
    }
  }

  event(e: PipelineEvent): void {
    if (e.type === 'pipeline:started') this.pipeline = e.pipeline;
    if (e.type !== 'node:started' && e.type !== 'node:finished' && e.type !== 'node:failed' && e.type !== 'node:cancelled') return;
    const n = this.nodes.get(e.node);
    if (!n) return;
    if (e.type === 'node:started') {
      n.status = 'running';
      n.startedAt = e.time;
      this.running.add(e.node);
      this.sample();
      return;
    }
    this.sample();
    this.running.delete(e.node);
    n.durationMs = e.durationMs;
    if (e.type === 'node:finished') {
      n.status = 'finished';
      n.summary = e.summary.text;
      if (e.cache) n.cache = e.cache;
    } else n.status = e.type === 'node:failed' ? 'failed' : 'cancelled';
  }

  /** A node's raw progress update: iterations with a cost or loss become curve points. */
  progress(node: string, u: ProgressUpdate): void {
    if (!u || typeof u.iteration !== 'number' || !u.metrics) return;
    const n = this.nodes.get(node);
    if (!n) return;
    for (const m of CURVE_METRICS) {
      const v = u.metrics[m];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const pts = (n.curves[m] ??= []);
      const point: CurvePoint = { iteration: u.iteration, value: v, ...(u.metrics.restored ? { restored: true } : {}) };
      // The last update of an iteration holds its final figure.
      const last = pts[pts.length - 1];
      if (last && last.iteration === u.iteration) pts[pts.length - 1] = point;
      else pts.push(point);
    }
  }

  record(): RunRecord {
    this.sample();
    const now = Date.now();
    const nodes = [...this.nodes.values()].map(({ startedAt, ...n }) => ({
      ...n,
      ...(n.status === 'running' && startedAt !== undefined ? { durationMs: now - startedAt } : {}),
      curves: Object.fromEntries(Object.entries(n.curves).map(([k, v]) => [k, v.slice()])),
    }));
    return { pipeline: this.pipeline, started: this.started, durationMs: (this.ended ?? now) - this.started, peakRssBytes: this.peak, memorySampleMs: this.sampleMs, nodes };
  }

  output(node: string): unknown {
    return this.outputs.get(node);
  }
}
