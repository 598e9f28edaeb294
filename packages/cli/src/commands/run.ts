import { resolve } from 'node:path';
import { loadPipeline, validatePipeline, runPipeline, PipelineErrors, type PipelineEvent } from '@wordloom/graph';
import { outputPathProblem, type ClustersArtifact, type EvaluationResult, type NeighborsResult } from '@wordloom/ops';
import { formatClusters } from './cluster.js';
import { parseArgs, type OptionSpec } from '../args.js';
import { ProgressView } from '../progress.js';
import { fmtDuration, formatEvaluation, formatNeighbors, table } from '../format.js';
import type { Command } from './types.js';
import { WordloomError } from '@wordloom/core';
import { didYouMean } from '@wordloom/graph/suggest';
import { interruptSignal } from '../interrupt.js';

const options: OptionSpec[] = [
  { name: 'set', type: 'string', repeat: true, valueName: 'node.param=value', doc: 'override a param of a node (or a pipeline key: threads=2, seed=7)' },
  { name: 'quiet', alias: 'q', type: 'boolean', doc: 'no progress, only the summary' },
  { name: 'json', type: 'boolean', doc: 'print the events as JSON lines on stdout instead of text' },
  { name: 'force', type: 'boolean', doc: 'compute the nodes named after the pipeline file (all nodes when none is named) and the nodes after them, even when cached' },
  { name: 'no-cache', type: 'boolean', doc: 'neither load nor store outputs in the artifact cache' },
  { name: 'cache-dir', type: 'string', valueName: 'DIR', doc: 'the artifact cache directory (default: $WORDLOOM_CACHE, the pipeline\'s cache:, ~/.cache/wordloom)' },
  { name: 'report', type: 'string', valueName: 'FILE', doc: 'write one self-contained HTML page of the run to FILE: the graph, times, peak memory, training curves, evaluations, cluster maps' },
];

export const runCommand: Command = {
  interruptible: true,
  name: 'run',
  usage: 'wordloom run <pipeline.yaml|json> [--set node.param=value ...] [--force [node ...]] [--no-cache] [--cache-dir DIR] [--report FILE]',
  summary: 'Validate and run a pipeline, with live progress and a summary at the end.',
  details: [
    'Outputs of vocab, cooccur and vectors nodes are kept in the artifact cache under a key made of',
    "the node's op, params, seed, threads, inputs and the contents of the files it reads; a rerun",
    'loads the nodes whose key did not change and computes the rest (the summary says which).',
    'WORDLOOM_CACHE=DIR (or off) sets the place; wordloom cache ls|clear|gc manages it.',
  ].join('\n'),
  options,
  async main(argv) {
    const a = parseArgs(argv, options);
    if (a.help) return this.help();
    const file = a.positionals[0];
    const forced = a.positionals.slice(1);
    if (!file || (forced.length > 0 && !a.options.force)) return this.usageError(file ? 'name one pipeline file (node ids after it go with --force)' : 'name one pipeline file');
    const spec = loadPipeline(file, { set: (a.options.set as string[] | undefined) ?? [] });
    const v = validatePipeline(spec);
    if (!v.ok) throw new PipelineErrors(v.errors);
    const ids = v.spec.nodes.map((n) => n.id);
    for (const id of forced) {
      if (!ids.includes(id)) throw new WordloomError('E_PARAM', `--force ${id}: the pipeline has no node "${id}"${didYouMean(id, ids)}`, { file }, `nodes: ${ids.join(', ')}`);
    }
    const json = !!a.options.json;
    const view = new ProgressView(process.stderr, !!a.options.quiet || json);
    const cacheDir = a.options['cache-dir'] as string | undefined;
    const report = a.options.report as string | undefined;
    if (report !== undefined) {
      const problem = outputPathProblem(report);
      if (problem) throw new WordloomError('E_PARAM', `--report: ${problem.message}`, { file: report }, problem.hint);
    }
    const run = runPipeline(v.spec, {
      cache: a.options['no-cache'] ? false : (cacheDir ?? true),
      force: a.options.force ? (forced.length ? forced : true) : undefined,
      // the command prints events, never the outputs: a node may free an input only it reads
      release: true,
      ...(report !== undefined ? { report } : {}),
      signal: interruptSignal(),
      onEvent: (e: PipelineEvent) => {
        if (json) process.stdout.write(JSON.stringify(e, (_k, val) => (val instanceof Error ? { message: val.message } : val)) + '\n');
        else view.handle(e);
      },
    });
    let finished: Extract<PipelineEvent, { type: 'pipeline:finished' }> | undefined;
    run.events$.subscribe((e) => {
      if (e.type === 'pipeline:finished') finished = e;
    });
    {
      const outputs = await run.result;
      if (json) return 0;
      const out: string[] = [];
      if (finished) {
        out.push(`\npipeline ${finished.pipeline} finished in ${fmtDuration(finished.durationMs)}`);
        const cached = finished.nodes.some((n) => n.cache !== undefined);
        out.push(
          table(
            finished.nodes.map((n) => [n.node, n.op, ...(cached ? [n.cache === 'computed' ? 'computed' : n.cache === 'loaded' ? 'loaded from cache' : n.cache === 'cached' ? 'cached' : 'skipped'] : []), fmtDuration(n.durationMs), n.summary.text]),
            cached ? ['l', 'l', 'l', 'r', 'l'] : ['l', 'l', 'r', 'l'],
          ),
        );
      }
      if (report !== undefined) out.push(`report: ${resolve(report)}`);
      for (const n of v.spec.nodes) {
        const val = outputs.get(n.id);
        if (n.op === 'evaluate' && val) out.push(`\n[${n.id}] evaluation\n${formatEvaluation(val as EvaluationResult)}`);
        if (n.op === 'knn' && val) out.push(`\n[${n.id}] nearest neighbours\n${formatNeighbors(val as NeighborsResult)}`);
        // Clusters once per clustering: from the report node when there is one (it adds the file).
        const feedsReport = v.spec.nodes.some((m) => m.op === 'report' && Object.values(m.inputs).includes(n.id));
        if ((n.op === 'report' || ((n.op === 'chinese-whispers' || n.op === 'dbscan') && !feedsReport)) && val && (val as ClustersArtifact).count > 0) out.push(`\n[${n.id}] clusters (largest first)\n${formatClusters(val as ClustersArtifact, 8)}`);
      }
      process.stdout.write(out.join('\n') + '\n');
      return 0;
    }
  },
};

export const validateCommand: Command = {
  name: 'validate',
  usage: 'wordloom validate <pipeline.yaml|json> [--set node.param=value ...]',
  summary: 'Check a pipeline (ops, params, wiring, files) without running it.',
  options: options.slice(0, 1),
  async main(argv) {
    const a = parseArgs(argv, this.options);
    if (a.help) return this.help();
    const file = a.positionals[0];
    if (!file || a.positionals.length > 1) return this.usageError('name one pipeline file');
    const spec = loadPipeline(file, { set: (a.options.set as string[] | undefined) ?? [] });
    const v = validatePipeline(spec);
    if (!v.ok) throw new PipelineErrors(v.errors);
    process.stdout.write(`${file}: OK, ${v.spec.nodes.length} nodes\n`);
    process.stdout.write(table(v.spec.nodes.map((n) => [n.id, n.op, Object.entries(n.inputs).map(([k, s]) => `${k} <- ${s}`).join(', ')])) + '\n');
    return 0;
  },
};
