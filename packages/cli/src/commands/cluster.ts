import { availableParallelism } from 'node:os';
import { WordloomError } from '@wordloom/core';
import { loadVectors, knnGraph, chineseWhispers, dbscan, outputPathProblem, writeClusterReport, type ClustersArtifact } from '@wordloom/ops';
import { interruptSignal } from '../interrupt.js';
import { parseArgs, type OptionSpec } from '../args.js';
import type { Command } from './types.js';

const options: OptionSpec[] = [
  { name: 'method', alias: 'm', type: 'string', default: 'cw', valueName: 'cw|dbscan', doc: 'Chinese Whispers on the kNN graph (cw) or DBSCAN' },
  { name: 'limit', type: 'number', doc: 'cluster only the first N vectors of the file (the most frequent words)' },
  { name: 'n', alias: 'n', type: 'number', default: 10, doc: 'cw: neighbours per word in the kNN graph' },
  { name: 'min-similarity', type: 'number', doc: 'cw: drop graph edges of lower cosine similarity' },
  { name: 'mode', type: 'string', default: 'mutual', valueName: 'mutual|symmetric|directed', doc: 'cw: which kNN edges make the graph (mutual: both words among each other\'s n; symmetric chains most words of a vectors file into one cluster)' },
  { name: 'weighting', type: 'string', default: 'top', valueName: 'top|lin|log', doc: "cw: a neighbour's vote (edge weight, / degree, / log2(1 + degree))" },
  { name: 'max-iter', type: 'number', default: 20, doc: 'cw: at most this many passes' },
  { name: 'min-cluster-size', type: 'number', default: 2, doc: 'cw: smaller clusters are reported as noise (2: words left alone are noise)' },
  { name: 'eps', type: 'number', doc: 'dbscan: neighbourhood radius (cosine distance 1 - cos, or euclidean)' },
  { name: 'min-samples', type: 'number', default: 5, doc: 'dbscan: points within eps (itself included) that make a core point' },
  { name: 'metric', type: 'string', default: 'cosine', valueName: 'cosine|euclidean', doc: 'dbscan: distance' },
  { name: 'backend', type: 'string', default: 'auto', valueName: 'auto|gpu|wasm|typescript', doc: 'cw: kernel of the kNN graph' },
  { name: 'threads', type: 'number', doc: 'worker threads (default: all cores)' },
  { name: 'seed', type: 'number', default: 1, doc: 'cw: seed of the node order' },
  { name: 'show', type: 'number', default: 10, doc: 'clusters to print (largest first)' },
  { name: 'html', type: 'string', valueName: 'FILE', doc: 'also write an HTML report (members and a map of the words)' },
  { name: 'json', type: 'boolean', doc: 'print every label as JSON ({ word: cluster }, -1 = noise) with the sizes' },
];

/** The largest `show` clusters, each with up to `members` words in row (frequency) order. */
export function formatClusters(c: ClustersArtifact, show = 10, members = 12): string {
  const names = c.names ?? Array.from(c.labels, (_, i) => String(i));
  const lists: string[][] = [];
  const order = Array.from({ length: c.count }, (_, k) => k).sort((a, b) => c.sizes[b]! - c.sizes[a]! || a - b);
  const want = new Map<number, number>();
  order.slice(0, show).forEach((k, r) => {
    want.set(k, r);
    lists.push([]);
  });
  for (let i = 0; i < c.labels.length; i++) {
    const r = want.get(c.labels[i]!);
    if (r !== undefined && lists[r]!.length < members) lists[r]!.push(names[i]!);
  }
  const singletons = Array.from(c.sizes).filter((s) => s === 1).length;
  const lines = [`${c.method}: ${c.labels.length} words, ${c.count} clusters (${singletons} singletons), ${c.noise} noise${c.iterations !== undefined ? `, ${c.iterations} iterations${c.converged ? '' : ' (not converged)'}` : ''}`];
  const shown = Math.min(show, c.count);
  if (shown < c.count) lines.push(`  the ${shown} largest of ${c.count} clusters, at most ${members} members each, most frequent first${c.noise ? '; noise words not listed' : ''}`);
  order.slice(0, show).forEach((k, r) => {
    const size = c.sizes[k]!;
    lines.push(`  ${String(k).padStart(4)} (${size})  ${lists[r]!.join(' ')}${size > lists[r]!.length ? ' ...' : ''}`);
  });
  if (c.report) lines.push(`  report: ${c.report}`);
  return lines.join('\n');
}

export const clusterCommand: Command = {
  interruptible: true,
  name: 'cluster',
  usage: 'wordloom cluster <vectors> [--method cw|dbscan] [-n 10] [--eps 0.3] [--html FILE]',
  summary: 'Cluster the words of a vectors file without choosing k: Chinese Whispers on the kNN graph, or DBSCAN with noise.',
  options,
  details: [
    'cw builds the exact cosine kNN graph (the kernels of `wordloom neighbors`) and runs Chinese Whispers on it;',
    'dbscan labels points in sparse regions as noise (-1), as scikit-learn does. Clusters print largest first,',
    'members most frequent first (vectors files from GloVe are in frequency order).',
    '',
    'The cw defaults are those of the demo pipeline (examples/wikitext2-glove.yaml): the 10 mutual nearest',
    'neighbours of each word (an edge only when each word is among the other\'s 10), and words left alone are',
    'noise (--min-cluster-size 2). With --mode symmetric (an edge when either word is among the other\'s',
    'neighbours) a few frequent words join everything and one cluster holds most of the vocabulary.',
    '',
    'examples:',
    '  wordloom cluster out/wikitext2/vectors.txt --limit 10000 --min-similarity 0.6 --html clusters.html',
    '  wordloom cluster vectors.txt --method dbscan --eps 0.25 --min-samples 5 --limit 5000',
  ].join('\n'),
  async main(argv) {
    const a = parseArgs(argv, options);
    if (a.help) return this.help();
    const [file, ...rest] = a.positionals;
    if (!file || rest.length) return this.usageError('name one vectors file');
    const method = String(a.options.method);
    if (method !== 'cw' && method !== 'dbscan') return this.usageError(`unknown method "${method}" (use cw or dbscan)`);
    if (method === 'dbscan' && a.options.eps === undefined) return this.usageError('dbscan needs --eps (e.g. --eps 0.3 for cosine distance)');
    const threads = (a.options.threads as number | undefined) ?? Math.max(1, availableParallelism());
    const html = a.options.html as string | undefined;
    const problem = html === undefined ? undefined : outputPathProblem(html);
    if (problem) throw new WordloomError('E_FILE', problem.message, { param: 'html' }, problem.hint);
    const signal = interruptSignal();
    const vectors = await loadVectors(file, { limit: a.options.limit as number | undefined });
    let c: ClustersArtifact;
    if (method === 'cw') {
      const g = await knnGraph(vectors, {
        n: a.options.n as number,
        min_similarity: a.options['min-similarity'] as number | undefined,
        mode: a.options.mode as 'symmetric',
        backend: a.options.backend as 'auto',
        threads,
        signal,
      });
      c = chineseWhispers(g, {
        weighting: a.options.weighting as 'top',
        max_iter: a.options['max-iter'] as number,
        min_cluster_size: a.options['min-cluster-size'] as number,
        seed: a.options.seed as number,
      });
    } else {
      const metric = String(a.options.metric);
      if (metric !== 'cosine' && metric !== 'euclidean') throw new WordloomError('E_PARAM', `unknown metric "${metric}"`, { param: 'metric' }, 'use cosine or euclidean');
      c = await dbscan(vectors, { eps: a.options.eps as number, min_samples: a.options['min-samples'] as number, metric, threads, signal });
    }
    if (html) {
      await writeClusterReport(html, c, vectors, { title: `clusters of ${file}` });
      c = { ...c, report: html };
    }
    if (a.options.json) {
      const labels: Record<string, number> = {};
      vectors.words.forEach((w, i) => (labels[w] = c.labels[i]!));
      process.stdout.write(JSON.stringify({ method: c.method, count: c.count, noise: c.noise, sizes: Array.from(c.sizes), labels }) + '\n');
    } else {
      const show = a.options.show as number;
      process.stdout.write(formatClusters(c, show) + (show < c.count ? '\n  (--show N lists more clusters, --json prints every label)' : '') + '\n');
    }
    const largest = c.sizes.reduce((m, s) => Math.max(m, s), 0);
    if (c.labels.length >= 100 && largest > c.labels.length / 2) {
      const hint = method === 'cw' ? (a.options.mode === 'mutual' ? 'raise --min-similarity or lower -n' : 'use --mode mutual') : 'lower --eps';
      process.stderr.write(`wordloom cluster: note: one cluster holds ${largest} of ${c.labels.length} words; ${hint} for smaller clusters\n`);
    }
    return 0;
  },
};
