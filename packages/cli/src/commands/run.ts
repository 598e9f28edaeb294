import { loadPipeline, validatePipeline, runPipeline, PipelineErrors, type PipelineEvent } from '@wordloom/graph';
import type { ClustersArtifact, EvaluationResult, NeighborsResult } from '@wordloom/ops';
import { formatClusters } from './cluster.js';
import { parseArgs, type OptionSpec } from '../args.js';
import { ProgressView } from '../progress.js';
import { fmtDuration, formatEvaluation, formatNeighbors, table } from '../format.js';
import type { Command } from './types.js';
import { interruptSignal } from '../interrupt.js';

const options: OptionSpec[] = [
  { name: 'set', type: 'string', repeat: true, valueName: 'node.param=value', doc: 'override a param of a node (or a pipeline key: threads=2, seed=7)' },
  { name: 'quiet', alias: 'q', type: 'boolean', doc: 'no progress, only the summary' },
  { name: 'json', type: 'boolean', doc: 'print the events as JSON lines on stdout instead of text' },
];

export const runCommand: Command = {
  interruptible: true,
  name: 'run',
  usage: 'wordloom run <pipeline.yaml|json> [--set node.param=value ...]',
  summary: 'Validate and run a pipeline, with live progress and a summary at the end.',
  options,
  async main(argv) {
    const a = parseArgs(argv, options);
    if (a.help) return this.help();
    const file = a.positionals[0];
    if (!file || a.positionals.length > 1) return this.usageError('name one pipeline file');
    const spec = loadPipeline(file, { set: (a.options.set as string[] | undefined) ?? [] });
    const v = validatePipeline(spec);
    if (!v.ok) throw new PipelineErrors(v.errors);
    const json = !!a.options.json;
    const view = new ProgressView(process.stderr, !!a.options.quiet || json);
    const run = runPipeline(v.spec, {
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
        out.push(table(finished.nodes.map((n) => [n.node, n.op, fmtDuration(n.durationMs), n.summary.text]), ['l', 'l', 'r', 'l']));
      }
      for (const n of v.spec.nodes) {
        const val = outputs.get(n.id);
        if (n.op === 'evaluate' && val) out.push(`\n[${n.id}] evaluation\n${formatEvaluation(val as EvaluationResult)}`);
        if (n.op === 'knn' && val) out.push(`\n[${n.id}] nearest neighbours\n${formatNeighbors(val as NeighborsResult)}`);
        // Clusters once per clustering: from the report node when there is one (it adds the file).
        const feedsReport = v.spec.nodes.some((m) => m.op === 'report' && Object.values(m.inputs).includes(n.id));
        if ((n.op === 'report' || ((n.op === 'chinese-whispers' || n.op === 'dbscan') && !feedsReport)) && val) out.push(`\n[${n.id}] clusters (largest first)\n${formatClusters(val as ClustersArtifact, 8)}`);
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
