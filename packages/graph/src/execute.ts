/**
 * The pipeline executor. Each node's output is an Observable that emits once and
 * replays to every consumer (shareReplay with refCount off), so a node runs once
 * however many nodes read it. A node starts as soon as all its inputs have
 * emitted; independent branches therefore run concurrently. Token streams are
 * passed downstream as the TokenStream object and consumers pull chunks
 * (backpressure comes from the pull).
 *
 * The first failure aborts the run: the shared AbortSignal tells running ops to
 * stop, the run waits for them to settle, removes its temporary directory and
 * rejects `result` with the error, which names the failing node.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { catchError, defer, forkJoin, from, isObservable, map, merge, Observable, of, shareReplay, Subject, switchMap, throwError, type Subscription } from 'rxjs';
import { isWordloomError, WordloomError } from '@wordloom/core';
import type { OpContext, OperatorDef, ProgressUpdate, TokenStream } from '@wordloom/ops';
import { expandGlob, hasGlob, operators as defaultOperators, processAlive, registerTemporary, runReportPage, unregisterTemporary, writeReportPage } from '@wordloom/ops';
import { ArtifactCache, CACHE_FORMAT, CACHED_KINDS, cacheDirFor, hashText, type CacheEntry, type FileHashes, type OutputFileRecord } from './cache.js';
import type { CacheStatus, NodeProgressEvent, OutputSummary, PipelineEvent } from './events.js';
import { PipelineErrors, withWhere, type NodeSpec, type PipelineSpec } from './spec.js';
import { summarize } from './summary.js';
import { RunRecorder } from './record.js';
import { validatePipeline } from './validate.js';

export interface RunOptions {
  /** Operators the pipeline may use (default: @wordloom/ops `operators`). */
  operators?: readonly OperatorDef[];
  /** Aborting it cancels the run. */
  signal?: AbortSignal;
  /** Called synchronously for every event (before `events$` subscribers). */
  onEvent?: (event: PipelineEvent) => void;
  /** Where the run's temporary directory is made (default: os.tmpdir()). */
  tmpRoot?: string;
  /** Least time between two progress events of a node within a phase (default 100 ms; 0 = every update). */
  progressIntervalMs?: number;
  /** After a failure, how long to wait for running ops to stop before cleaning up (default 30 s). */
  settleTimeoutMs?: number;
  /** Check that input files exist before running (default true). */
  checkFiles?: boolean;
  /**
   * Keep node outputs between runs and reuse those whose key did not change (see
   * cache.ts): a directory, an ArtifactCache, or true for the place cacheDirFor
   * picks (WORDLOOM_CACHE, the pipeline's `cache:`, ~/.cache/wordloom). Default:
   * no cache.
   */
  cache?: boolean | string | ArtifactCache;
  /** With the cache: compute these nodes and every node after them even when cached; true: every node. */
  force?: boolean | readonly string[];
  /**
   * Write a report page of the run to this file when it finishes (see the report
   * op): the graph, each node's time, peak memory and summary, training curves,
   * evaluations and clusters.
   */
  report?: string;
  /**
   * Let a node free an input it is the only reader of once it no longer needs it
   * (OpContext.releasable): lower peak memory, but that output is then empty in
   * the run's result. `wordloom run` sets it; default false.
   */
  release?: boolean;
}

export interface PipelineRun {
  /**
   * All events of the run. The run starts on the next microtask, so subscribing
   * right after `runPipeline` returns sees every event. Completes (never errors)
   * after `pipeline:finished` or `pipeline:failed`.
   */
  events$: Observable<PipelineEvent>;
  /**
   * Node id -> output, in the order of the spec's nodes. Rejects with the first
   * failure (PipelineErrors when validation fails), after the temp dir is removed.
   */
  result: Promise<Map<string, unknown>>;
  /** Stop the run (as aborting `signal` would). */
  cancel(reason?: unknown): void;
}

export function runPipeline(spec: PipelineSpec, opts: RunOptions = {}): PipelineRun {
  const subject = new Subject<PipelineEvent>();
  let resolveResult!: (m: Map<string, unknown>) => void;
  let rejectResult!: (e: unknown) => void;
  const result = new Promise<Map<string, unknown>>((res, rej) => {
    resolveResult = res;
    rejectResult = rej;
  });
  // A failure is also reported on events$; a caller that only watches events must
  // not get an unhandled rejection (handlers attached to `result` still see it).
  result.catch(() => {});
  const exec = new Execution(spec, opts, subject, resolveResult, rejectResult);
  queueMicrotask(() => exec.start());
  return {
    events$: subject.asObservable(),
    result,
    cancel: (reason?: unknown) => exec.cancel(reason),
  };
}

/** Run a pipeline and wait for its outputs (rejects with the first failure). */
export function runPipelineToEnd(spec: PipelineSpec, opts: RunOptions = {}): Promise<Map<string, unknown>> {
  return runPipeline(spec, opts).result;
}

interface NodeState {
  node: NodeSpec;
  op: OperatorDef;
  /** With the cache: the node's key (null: it reads stdin, or an input does) and how its output is had. */
  key?: string | null;
  status?: CacheStatus;
  entry?: CacheEntry;
  started?: number;
  finished?: number;
  running?: Promise<unknown>;
  /** progress bookkeeping */
  phase?: string;
  phaseStart: number;
  lastUpdate: number;
  lastEmit: number;
  pending?: NodeProgressEvent;
  timer?: NodeJS.Timeout;
}

class Execution {
  private readonly controller = new AbortController();
  private readonly states = new Map<string, NodeState>();
  private readonly inflight = new Set<Promise<unknown>>();
  private tmpDir = '';
  private t0 = Date.now();
  private done = false;
  /** Set once the final event is out: nothing more is emitted. */
  private closed = false;
  private failure: WordloomError | undefined;
  private subscription: Subscription | undefined;
  private order: string[] = [];
  private pipelineName: string;
  private readonly interval: number;
  private cache: ArtifactCache | undefined;
  /** Node outputs as they finish. */
  private readonly values = new Map<string, unknown>();
  private recorder: RunRecorder | undefined;

  constructor(
    private readonly input: PipelineSpec,
    private readonly opts: RunOptions,
    private readonly subject: Subject<PipelineEvent>,
    private readonly resolve: (m: Map<string, unknown>) => void,
    private readonly reject: (e: unknown) => void,
  ) {
    this.pipelineName = typeof input.name === 'string' ? input.name : 'pipeline';
    this.interval = opts.progressIntervalMs ?? 100;
  }

  private emit(e: PipelineEvent): void {
    if (this.closed) return;
    this.recorder?.event(e);
    try {
      this.opts.onEvent?.(e);
    } catch {
      /* a listener's error must not break the run */
    }
    this.subject.next(e);
  }

  cancel(reason?: unknown): void {
    if (this.done) return;
    const err = reason instanceof Error ? reason : new WordloomError('E_STATE', 'the pipeline run was cancelled', {}, undefined, reason === undefined ? undefined : { cause: reason });
    void this.stop(err, true);
  }

  start(): void {
    const userSignal = this.opts.signal;
    if (userSignal) {
      if (userSignal.aborted) return this.cancel(userSignal.reason);
      userSignal.addEventListener('abort', () => this.cancel(userSignal.reason), { once: true });
    }
    let spec: PipelineSpec;
    try {
      const v = validatePipeline(this.input, { operators: this.opts.operators, checkFiles: this.opts.checkFiles });
      if (!v.ok) throw new PipelineErrors(v.errors, this.input.file);
      spec = v.spec;
      this.order = v.order;
      this.pipelineName = spec.name;
      const ops = this.opts.operators ?? defaultOperators;
      for (const node of spec.nodes) {
        this.states.set(node.id, { node, op: ops.find((o) => o.name === node.op)!, phaseStart: 0, lastUpdate: 0, lastEmit: 0 });
      }
      this.recorder = new RunRecorder(spec.nodes, this.order, this.values, 100, new Set(this.order.filter((id) => this.states.get(id)!.op.runsLast)));
      const root = this.opts.tmpRoot ?? tmpdir();
      removeStaleRunDirs(root);
      this.tmpDir = mkdtempSync(join(root, `wordloom-run-${process.pid}-`));
      registerTemporary(this.tmpDir);
      const c = this.opts.cache;
      if (c instanceof ArtifactCache) this.cache = c;
      else if (c !== undefined && c !== false) {
        const dir = cacheDirFor(spec, c === true ? undefined : c);
        if (dir) this.cache = new ArtifactCache(dir);
      }
      const force = this.opts.force;
      if (Array.isArray(force)) {
        for (const id of force) {
          if (!this.states.has(id)) throw new WordloomError('E_PARAM', `cannot force node "${id}": the pipeline has no such node`, { file: spec.file }, `nodes: ${this.order.join(', ')}`);
        }
      }
    } catch (e) {
      void this.stop(e instanceof Error ? e : new Error(String(e)), false);
      return;
    }
    this.t0 = Date.now();
    if (!this.cache) return this.launch(spec);
    this.plan(spec).then(
      () => this.launch(spec),
      (e) => void this.stop(e instanceof Error ? e : new Error(String(e)), false),
    );
  }

  /**
   * With the cache: every node's key, then how each output will be had. A node
   * whose kind is cached and whose key is in the cache (with its output files as it
   * left them) is loaded, unless forced; a node runs when what it feeds runs and
   * needs it, when nothing reads it, or when it writes files; the rest are skipped.
   */
  private async plan(spec: PipelineSpec): Promise<void> {
    const cache = this.cache!;
    const baseDir = spec.baseDir ?? process.cwd();
    const consumers = new Map<string, string[]>(this.order.map((id) => [id, []]));
    for (const id of this.order) for (const from of Object.values(this.states.get(id)!.node.inputs)) consumers.get(from)?.push(id);
    const forced = new Set<string>();
    const force = this.opts.force;
    if (force === true) this.order.forEach((id) => forced.add(id));
    else if (Array.isArray(force)) {
      for (const id of this.order) {
        const st = this.states.get(id)!;
        if (force.includes(id) || Object.values(st.node.inputs).some((f) => forced.has(f))) forced.add(id);
      }
    }
    // Keys are made only where a cached node depends on them (hashing the input of a sink that is never cached is wasted time),
    // and for nodes that can resume from a checkpoint (their checkpoints live under their key).
    const wantKey = new Set<string>();
    for (const id of [...this.order].reverse()) {
      const op = this.states.get(id)!.op;
      if (CACHED_KINDS.includes(op.output) || op.params.resume_every !== undefined || consumers.get(id)!.some((c) => wantKey.has(c))) wantKey.add(id);
    }
    const hashes = cache.fileHashes();
    for (const id of this.order) {
      const st = this.states.get(id)!;
      st.status = 'computed';
      if (!wantKey.has(id)) continue;
      st.key = await this.keyOf(st, spec, baseDir, hashes);
      // Forced: computed afresh, not resumed from a checkpoint either.
      if (st.key && forced.has(id)) cache.removeCheckpoints(st.key);
      if (st.key === null || forced.has(id) || !CACHED_KINDS.includes(st.op.output)) continue;
      const entry = cache.lookup(st.key);
      if (entry && outputsUnchanged(entry, outputFiles(st, baseDir))) {
        st.entry = entry;
        st.status = 'loaded';
      }
    }
    const needed = new Set<string>();
    for (const id of [...this.order].reverse()) {
      const st = this.states.get(id)!;
      const readers = consumers.get(id)!;
      const writesFiles = st.status === 'computed' && outputFiles(st, baseDir).length > 0;
      if (readers.length === 0 || writesFiles || readers.some((r) => needed.has(r) && this.states.get(r)!.status === 'computed')) needed.add(id);
    }
    for (const id of this.order) {
      const st = this.states.get(id)!;
      if (!needed.has(id)) st.status = st.status === 'loaded' ? 'cached' : 'skipped';
    }
  }

  /** A node's cache key: its op and version, params, seed, threads, input keys and the contents of the files it reads. */
  private async keyOf(st: NodeState, spec: PipelineSpec, baseDir: string, hashes: FileHashes): Promise<string | null> {
    const { node, op } = st;
    const inputs: [string, string][] = [];
    for (const [name, from] of Object.entries(node.inputs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const k = this.states.get(from)?.key;
      if (k === null || k === undefined) return null;
      inputs.push([name, k]);
    }
    const files: [string, string, string][] = [];
    for (const [name, ps] of Object.entries(op.params)) {
      if (ps.output || (ps.type !== 'path' && ps.type !== 'paths')) continue;
      const v = node.params[name];
      if (v === undefined || v === null) continue;
      for (const p of typeof v === 'string' ? [v] : (v as string[])) {
        if (p === '-') return null; // stdin: nothing to recognise it by
        const matches = hasGlob(p) ? expandGlob(p, baseDir) : [resolve(baseDir, p)];
        for (const f of matches) {
          let h = 'missing';
          try {
            if (statSync(f).isFile()) h = await hashes.of(f);
          } catch {
            /* missing: the op reports it */
          }
          files.push([name, f.startsWith(baseDir) ? f.slice(baseDir.length) : f, h]);
        }
      }
    }
    hashes.save();
    const threads = node.threads ?? spec.threads ?? 1;
    const seedParam = op.params.seed?.type === 'int' && typeof node.params.seed === 'number' ? (node.params.seed as number) : undefined;
    const seed = seedParam ?? node.seed ?? spec.seed ?? 1;
    // Params that do not change the output (how often checkpoints are written) stay out of the key.
    const params = Object.fromEntries(Object.entries(node.params).filter(([k]) => !op.params[k]?.inert));
    return hashText(JSON.stringify({ format: CACHE_FORMAT, op: op.name, version: op.version ?? 1, params, seed, threads, inputs, files }));
  }

  private launch(spec: PipelineSpec): void {
    if (this.done) return;
    this.recorder?.start(spec.name);
    this.emit({ type: 'pipeline:started', time: this.t0, pipeline: spec.name, nodes: [...this.order], tmpDir: this.tmpDir });
    // Nodes that depend on each node (to let a node that runs last wait for all the others).
    const descendants = new Map<string, Set<string>>();
    for (const id of [...this.order].reverse()) {
      const d = new Set<string>();
      for (const other of this.order) {
        if (Object.values(this.states.get(other)!.node.inputs).includes(id)) {
          d.add(other);
          for (const x of descendants.get(other) ?? []) d.add(x);
        }
      }
      descendants.set(id, d);
    }

    const outputs = new Map<string, Observable<unknown>>();
    for (const id of this.order) {
      const st = this.states.get(id)!;
      if (st.status === 'cached' || st.status === 'skipped') {
        st.started = st.finished = Date.now();
        const text = st.status === 'cached' ? 'up to date in the cache (not loaded: nothing that ran needed it)' : 'not run: the nodes that read it were loaded from the cache';
        this.emit({ type: 'node:finished', time: st.finished, node: id, op: st.op.name, durationMs: 0, summary: { kind: st.op.output, text, stats: {} }, cache: st.status });
        outputs.set(id, of(undefined));
        continue;
      }
      if (st.status === 'loaded') {
        outputs.set(id, defer(() => from(this.loadNode(st))).pipe(shareReplay({ bufferSize: 1, refCount: false })));
        continue;
      }
      const deps = Object.entries(st.node.inputs);
      let inputs$: Observable<Record<string, unknown>> = deps.length
        ? forkJoin(Object.fromEntries(deps.map(([name, fromId]) => [name, outputs.get(fromId)!])))
        : of({});
      if (st.op.runsLast) {
        // Wait for every node that does not depend on this one (and does not run last itself).
        const others = this.order.filter((o) => o !== id && !descendants.get(id)!.has(o) && !this.states.get(o)!.op.runsLast);
        const ready = inputs$;
        inputs$ = defer(() => (others.length ? forkJoin(others.map((o) => outputs.get(o)!)) : of([]))).pipe(switchMap(() => ready));
      }
      const out$ = inputs$.pipe(
        switchMap((inputs) => defer(() => from(this.runNode(st, spec, inputs)))),
        shareReplay({ bufferSize: 1, refCount: false }),
      );
      outputs.set(id, out$);
    }
    const values = this.values;
    this.subscription = merge(...this.order.map((id) => outputs.get(id)!.pipe(map((v) => [id, v] as const)))).subscribe({
      next: ([id, v]) => values.set(id, v),
      error: (e) => void this.stop(e instanceof Error ? e : new Error(String(e)), false),
      complete: () => void this.succeed(spec, values),
    });
  }

  /** Read a node's output from the cache. */
  private loadNode(st: NodeState): Promise<unknown> {
    const p = (async () => {
      await null;
      const { node, op } = st;
      st.started = Date.now();
      let value: unknown;
      try {
        value = await this.cache!.load(st.entry!, this.controller.signal);
      } catch (e) {
        const err = withWhere(
          new WordloomError('E_FILE', `could not load the cached output: ${e instanceof Error ? e.message : String(e)}`, { file: st.entry!.dir }, 'remove it with wordloom cache clear, or run with --force ' + node.id),
          { node: node.id },
        );
        this.failure = err;
        this.emit({ type: 'node:failed', time: Date.now(), node: node.id, op: op.name, durationMs: Date.now() - st.started, error: err });
        this.controller.abort(err);
        throw err;
      }
      st.finished = Date.now();
      this.values.set(node.id, value);
      this.emit({ type: 'node:finished', time: st.finished, node: node.id, op: op.name, durationMs: st.finished - st.started, summary: summarize(op.output, value), cache: 'loaded' });
      return value;
    })();
    this.inflight.add(p);
    const forget = () => this.inflight.delete(p);
    p.then(forget, forget);
    return p;
  }

  /** Keep a computed output in the cache; a failure to store is logged, not fatal. */
  private async storeNode(st: NodeState, spec: PipelineSpec, value: unknown): Promise<void> {
    const { node, op } = st;
    if (!this.cache || !st.key || !CACHED_KINDS.includes(op.output)) return;
    try {
      const outputs: OutputFileRecord[] = [];
      for (const o of outputFiles(st, spec.baseDir ?? process.cwd())) {
        if (!existsSync(o.path)) continue;
        const s = statSync(o.path);
        outputs.push({ param: o.param, path: o.path, size: s.size, mtimeMs: s.mtimeMs });
      }
      const entry = await this.cache.store({ key: st.key, kind: op.output, op: op.name, node: node.id, pipeline: spec.name, outputs }, value, this.controller.signal);
      if (entry) this.emit({ type: 'node:log', time: Date.now(), node: node.id, message: `stored in the cache (${(entry.bytes / 1048576).toFixed(1)} MB)` });
    } catch (e) {
      if (this.controller.signal.aborted) return;
      this.emit({ type: 'node:log', time: Date.now(), node: node.id, message: `could not store the output in the cache: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  /** Run one node once its inputs are ready. */
  private runNode(st: NodeState, spec: PipelineSpec, inputs: Record<string, unknown>): Promise<unknown> {
    const p = this.runNodeInner(st, spec, inputs);
    this.inflight.add(p);
    const forget = () => this.inflight.delete(p);
    p.then(forget, forget);
    return p;
  }

  private async runNodeInner(st: NodeState, spec: PipelineSpec, inputs: Record<string, unknown>): Promise<unknown> {
    // Start on a later microtask, so that this run is in `inflight` before the op's code runs.
    await null;
    const { node, op } = st;
    const signal = this.controller.signal;
    if (signal.aborted) throw signal.reason;
    const threads = node.threads ?? spec.threads ?? 1;
    const seedParam = op.params.seed?.type === 'int' && typeof node.params.seed === 'number' ? (node.params.seed as number) : undefined;
    const seed = seedParam ?? node.seed ?? spec.seed ?? 1;
    const tmp = join(this.tmpDir, node.id);
    st.started = Date.now();
    st.phaseStart = st.lastUpdate = st.started;
    let tmpMade = false;
    const exec = this;
    const ctx: OpContext = {
      node: node.id,
      signal,
      threads,
      seed,
      // Made on first use: most ops never spill, and directories are not free.
      get tmpDir() {
        if (!tmpMade && !exec.done) {
          mkdirSync(tmp, { recursive: true });
          tmpMade = true;
        }
        return tmp;
      },
      baseDir: spec.baseDir ?? process.cwd(),
      ...(this.cache && st.key ? { checkpointDir: this.cache.checkpointDir(st.key) } : {}),
      ...(this.recorder ? { run: this.recorder } : {}),
      releasable: (input: string): boolean => {
        if (!this.opts.release) return false;
        const from = node.inputs[input];
        if (from === undefined) return false;
        let readers = 0;
        for (const id of this.order) if (Object.values(this.states.get(id)!.node.inputs).includes(from)) readers++;
        return readers === 1;
      },
      progress: (u) => this.progress(st, u),
      log: (message) => this.emit({ type: 'node:log', time: Date.now(), node: node.id, message: String(message) }),
    };
    this.emit({ type: 'node:started', time: st.started, node: node.id, op: op.name, threads, seed });
    let value: unknown;
    try {
      value = await settle(op.run(inputs, node.params, ctx), signal);
    } catch (e) {
      this.flushProgress(st);
      const duration = Date.now() - st.started;
      if (signal.aborted) {
        this.emit({ type: 'node:cancelled', time: Date.now(), node: node.id, op: op.name, durationMs: duration });
        throw e;
      }
      const err = asNodeError(e, node.id, op.name);
      this.failure = err;
      this.emit({ type: 'node:failed', time: Date.now(), node: node.id, op: op.name, durationMs: duration, error: err });
      // Stop the others now, before the error travels through the graph.
      this.controller.abort(err);
      throw err;
    }
    if (op.output === 'tokens' && isTokenStream(value)) value = tagStream(value, node.id, op.name, signal);
    this.flushProgress(st);
    st.finished = Date.now();
    if (this.cache) {
      await this.storeNode(st, spec, value);
      // The output is had: resume checkpoints of this node are of no more use.
      if (st.key) this.cache.removeCheckpoints(st.key);
    }
    this.values.set(node.id, value);
    this.emit({ type: 'node:finished', time: st.finished, node: node.id, op: op.name, durationMs: st.finished - st.started, summary: summarize(op.output, value), ...(st.status ? { cache: st.status } : {}) });
    return value;
  }

  private progress(st: NodeState, u: ProgressUpdate): void {
    if (this.done || !u || typeof u !== 'object') return;
    const now = Date.now();
    const node = st.node.id;
    this.recorder?.progress(node, u);
    if (u.message) this.emit({ type: 'node:log', time: now, node, message: String(u.message) });
    const phase = String(u.phase ?? '');
    const newPhase = phase !== st.phase;
    if (newPhase) {
      // The phase began when the previous update (or the node) ended.
      st.phaseStart = st.lastUpdate || st.started || now;
      st.phase = phase;
      this.flushProgress(st);
    }
    st.lastUpdate = now;
    const ev: NodeProgressEvent = {
      type: 'node:progress',
      time: now,
      node,
      op: st.op.name,
      phase,
      elapsedMs: now - (st.started ?? now),
      phaseElapsedMs: now - st.phaseStart,
    };
    if (u.done !== undefined) ev.done = u.done;
    if (u.total !== undefined) ev.total = u.total;
    if (u.unit !== undefined) ev.unit = u.unit;
    if (u.metrics !== undefined) ev.metrics = { ...u.metrics };
    if (u.message !== undefined) ev.message = u.message;
    if (typeof u.iteration === 'number') ev.iteration = u.iteration;
    if (typeof u.done === 'number' && typeof u.total === 'number' && u.total > 0) ev.fraction = Math.min(1, u.done / u.total);
    const secs = ev.phaseElapsedMs / 1000;
    if (typeof u.done === 'number' && secs > 0) {
      ev.rate = u.done / secs;
      if (typeof u.total === 'number' && ev.rate > 0) ev.etaMs = Math.max(0, ((u.total - u.done) / ev.rate) * 1000);
    }
    const final = typeof u.done === 'number' && typeof u.total === 'number' && u.done >= u.total;
    if (newPhase || final || this.interval <= 0 || now - st.lastEmit >= this.interval) {
      if (st.timer) clearTimeout(st.timer);
      st.timer = undefined;
      st.pending = undefined;
      st.lastEmit = now;
      this.emit(ev);
      return;
    }
    st.pending = ev;
    if (!st.timer) {
      st.timer = setTimeout(() => {
        st.timer = undefined;
        this.flushProgress(st);
      }, this.interval - (now - st.lastEmit));
      st.timer.unref?.();
    }
  }

  private flushProgress(st: NodeState): void {
    if (st.timer) clearTimeout(st.timer);
    st.timer = undefined;
    const ev = st.pending;
    st.pending = undefined;
    if (ev) {
      st.lastEmit = Date.now();
      this.emit(ev);
    }
  }

  private async succeed(spec: PipelineSpec, values: Map<string, unknown>): Promise<void> {
    if (this.done) return;
    // Progress held back by the throttle (streams report after their node finished).
    for (const st of this.states.values()) this.flushProgress(st);
    const summaries = this.order.map((id) => {
      const st = this.states.get(id)!;
      const summary: OutputSummary =
        st.status === 'cached' || st.status === 'skipped'
          ? { kind: st.op.output, text: st.status === 'cached' ? 'up to date in the cache, not loaded' : 'not run (what reads it was loaded from the cache)', stats: {} }
          : summarize(st.op.output, values.get(id));
      return {
        node: id,
        op: st.op.name,
        durationMs: (st.finished ?? 0) - (st.started ?? 0),
        summary,
        ...(st.status ? { cache: st.status } : {}),
      };
    });
    if (this.opts.report && this.recorder) {
      // The page of the run, written before the run counts as finished (a failure to write fails it).
      this.recorder.stop();
      try {
        const file = resolve(this.opts.report);
        await writeReportPage(file, runReportPage(this.recorder, spec.name, {}), { seed: spec.seed ?? 1, threads: spec.threads ?? 1, signal: this.controller.signal });
        this.emit({ type: 'pipeline:report', time: Date.now(), pipeline: spec.name, file });
      } catch (e) {
        const err = isWordloomError(e) ? e : new WordloomError('E_FILE', `could not write the report: ${e instanceof Error ? e.message : String(e)}`, { file: this.opts.report });
        void this.stop(err, false);
        return;
      }
    }
    this.recorder?.stop();
    this.cleanup();
    this.done = true;
    const ordered = new Map<string, unknown>();
    for (const n of spec.nodes) ordered.set(n.id, values.get(n.id));
    this.emit({ type: 'pipeline:finished', time: Date.now(), pipeline: spec.name, durationMs: Date.now() - this.t0, nodes: summaries });
    this.closed = true;
    this.subject.complete();
    this.resolve(ordered);
  }

  private async stop(err: Error, cancelled: boolean): Promise<void> {
    if (this.done) return;
    this.done = true;
    const reason = cancelled ? err : (this.failure ?? err);
    if (!this.controller.signal.aborted) this.controller.abort(reason);
    this.subscription?.unsubscribe();
    for (const st of this.states.values()) {
      if (st.timer) clearTimeout(st.timer);
      st.timer = undefined;
    }
    // Let running ops see the abort and stop before their temporary files go.
    if (this.inflight.size) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((res) => {
        timer = setTimeout(res, this.opts.settleTimeoutMs ?? 30_000);
        timer.unref?.();
      });
      await Promise.race([Promise.allSettled([...this.inflight]), timeout]);
      if (timer) clearTimeout(timer);
    }
    this.recorder?.stop();
    if (this.opts.report && this.recorder && this.pipelineName) {
      // The page of a failed run too: it shows which node failed and what ran before.
      try {
        const file = resolve(this.opts.report);
        await writeReportPage(file, runReportPage(this.recorder, this.pipelineName, {}), { seed: this.input.seed ?? 1, threads: 1 });
        this.emit({ type: 'pipeline:report', time: Date.now(), pipeline: this.pipelineName, file });
      } catch {
        /* the run's own error is the one to report */
      }
    }
    this.cleanup();
    this.emit({ type: 'pipeline:failed', time: Date.now(), pipeline: this.pipelineName, durationMs: Date.now() - this.t0, error: reason, cancelled });
    this.closed = true;
    this.subject.complete();
    this.reject(reason);
  }

  private cleanup(): void {
    if (!this.tmpDir) return;
    try {
      rmSync(this.tmpDir, { recursive: true, force: true, maxRetries: 3 });
      unregisterTemporary(this.tmpDir);
    } catch {
      /* best effort: the OS temp dir is cleaned eventually */
    }
  }
}

/* ---------------------------------------------------------------- helpers */

/** The files a node writes (its output params that are set), resolved. */
function outputFiles(st: NodeState, baseDir: string): { param: string; path: string }[] {
  const out: { param: string; path: string }[] = [];
  for (const [name, ps] of Object.entries(st.op.params)) {
    const v = st.node.params[name];
    if (ps.output && ps.type === 'path' && typeof v === 'string' && v !== '') out.push({ param: name, path: resolve(baseDir, v) });
  }
  return out;
}

/** The files a node writes are where and as the cached run left them. */
function outputsUnchanged(entry: CacheEntry, files: { param: string; path: string }[]): boolean {
  for (const f of files) {
    const rec = entry.outputs.find((o) => o.param === f.param && o.path === f.path);
    if (!rec) return false;
    try {
      const s = statSync(f.path);
      if (s.size !== rec.size || s.mtimeMs !== rec.mtimeMs) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Remove the temporary directories of runs whose process no longer runs (killed with no chance to clean up). */
function removeStaleRunDirs(root: string): void {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^wordloom-run-(\d+)-[A-Za-z0-9]{6}$/.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    try {
      rmSync(join(root, name), { recursive: true, force: true });
    } catch {
      /* not ours to fight over */
    }
  }
}

/** An op's result as a promise: a Promise, a plain value, or an Observable's last value. */
function settle(r: unknown, signal: AbortSignal): Promise<unknown> {
  if (!isObservable(r)) return Promise.resolve(r);
  return new Promise((resolve, reject) => {
    let last: unknown;
    let has = false;
    let sub: Subscription | undefined;
    const onAbort = () => {
      sub?.unsubscribe();
      reject(signal.reason);
    };
    const done = () => signal.removeEventListener('abort', onAbort);
    signal.addEventListener('abort', onAbort, { once: true });
    sub = r.subscribe({
      next: (v) => {
        last = v;
        has = true;
      },
      error: (e) => {
        done();
        reject(e);
      },
      complete: () => {
        done();
        if (has) resolve(last);
        else reject(new WordloomError('E_INTERNAL', 'the op completed without an output'));
      },
    });
    if (signal.aborted) onAbort();
  });
}

function asNodeError(e: unknown, node: string, op: string): WordloomError {
  if (isWordloomError(e)) return withWhere(e, { node });
  const cause = e instanceof Error ? e : undefined;
  const err = new WordloomError('E_INTERNAL', `op ${op} failed: ${cause ? cause.message : String(e)}`, { node }, undefined, { cause: e });
  if (cause?.stack) err.stack = err.message + '\n' + cause.stack.split('\n').slice(1).join('\n');
  return err;
}

function isTokenStream(v: unknown): v is TokenStream {
  return typeof v === 'object' && v !== null && typeof (v as TokenStream).chunks === 'function';
}

/**
 * The stream as consumers see it: the same object (a Proxy, so methods, getters
 * and instanceof keep working) whose errors name the producing node, and whose
 * chunks() follows the run's AbortSignal when the consumer passes none.
 */
function tagStream(stream: TokenStream, node: string, op: string, runSignal: AbortSignal): TokenStream {
  const tag = (e: unknown) => (runSignal.aborted ? e : asNodeError(e, node, op));
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'chunks') {
        return (signal?: AbortSignal): AsyncIterable<unknown> => {
          const inner = target.chunks(signal ?? runSignal);
          return {
            [Symbol.asyncIterator]() {
              const it = inner[Symbol.asyncIterator]();
              return {
                next: async () => {
                  try {
                    return await it.next();
                  } catch (e) {
                    throw tag(e);
                  }
                },
                return: async (v?: unknown) => (it.return ? it.return(v as never) : { done: true, value: v }),
                throw: async (e?: unknown) => {
                  if (it.throw) return it.throw(e);
                  throw e;
                },
              };
            },
          };
        };
      }
      if (prop === 'observable') {
        return () => target.observable().pipe(catchError((e) => throwError(() => tag(e))));
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
