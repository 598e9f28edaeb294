/**
 * report: one self-contained HTML page (page.ts). In a pipeline it shows the whole
 * run (the graph, each node's time, peak memory and summary, the cost or loss curve
 * of every training node, the evaluation tables) and every clustering: its clusters'
 * sizes and members (most frequent first: vectors files from glove are in frequency
 * order, so row order is frequency order) and a UMAP map of the most frequent words,
 * the largest clusters coloured. Called alone (wordloom cluster --html) it shows one
 * clustering. A report node runs after every node that does not read it, so that
 * the page covers the run.
 */
import { resolve } from 'node:path';
import { Embeddings, WordloomError } from '@wordloom/core';
import { defineOp, type OpContext, type ParamSpecs } from '../op.js';
import type { ClustersArtifact, EvaluationResult } from '../artifacts.js';
import { writeAtomic } from '../io/atomic.js';
import { reportPageHtml, type MapLayout, type ReportClustering, type ReportOptions, type ReportPage } from './page.js';
import { umapLayout } from './umap.js';

export { reportPageHtml, reportCoverage, graphSvg, curveSvg, clusterColour, fmtBytes, fmtMs } from './page.js';
export type { MapLayout, ReportClustering, ReportOptions, ReportPage } from './page.js';
export { umapLayout } from './umap.js';
export type { UmapOptions } from './umap.js';
export type { RunRecord, RunNodeRecord, RunNodeStatus, RunView, CurvePoint } from './run-record.js';

/**
 * The first two principal components of the rows of `m` (centred), by power
 * iteration on the covariance matrix with deflation; float64. Returns x, y per row.
 */
export function pca2(m: Embeddings, rows = m.size): { x: Float64Array; y: Float64Array; variance: [number, number] } {
  const d = m.dim;
  const n = Math.min(rows, m.size);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += m.data[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j] /= Math.max(1, n);
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = m.data[i * d + j]! - mean[j]!;
    for (let a = 0; a < d; a++) {
      const ra = row[a]!;
      if (ra === 0) continue;
      for (let b = a; b < d; b++) cov[a * d + b] += ra * row[b]!;
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a]!;
  const comps: Float64Array[] = [];
  const variance: [number, number] = [0, 0];
  for (let c = 0; c < 2; c++) {
    let v = new Float64Array(d);
    for (let j = 0; j < d; j++) v[j] = 1 + ((j * 7919 + c * 104729) % 17) / 17; // deterministic start
    let lambda = 0;
    for (let it = 0; it < 300; it++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let b = 0; b < d; b++) s += cov[a * d + b]! * v[b]!;
        w[a] = s;
      }
      for (const p of comps) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += w[j]! * p[j]!;
        for (let j = 0; j < d; j++) w[j] -= dot * p[j]!;
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += w[j]! * w[j]!;
      norm = Math.sqrt(norm);
      if (norm === 0) break;
      for (let j = 0; j < d; j++) w[j] /= norm;
      let delta = 0;
      for (let j = 0; j < d; j++) delta += Math.abs(w[j]! - v[j]!);
      v = w;
      lambda = norm;
      if (delta < 1e-12) break;
    }
    comps.push(v);
    variance[c] = lambda / Math.max(1, n - 1);
  }
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sx = 0;
    let sy = 0;
    for (let j = 0; j < d; j++) {
      const v = m.data[i * d + j]! - mean[j]!;
      sx += v * comps[0]![j]!;
      sy += v * comps[1]![j]!;
    }
    x[i] = sx;
    y[i] = sy;
  }
  return { x, y, variance };
}

export type MapMethod = 'umap' | 'pca' | 'none';

/** Coordinates of the first `rows` rows of `vectors` by `method`. */
export async function mapLayout(vectors: Embeddings, rows: number, method: MapMethod, o: { seed?: number; epochs?: number; threads?: number; signal?: AbortSignal } = {}): Promise<MapLayout | undefined> {
  const n = Math.min(rows, vectors.size);
  if (method === 'none' || n === 0) return undefined;
  if (method === 'pca') {
    const p = pca2(vectors, n);
    return { x: p.x, y: p.y, method: 'PCA' };
  }
  const u = await umapLayout(vectors, n, { seed: o.seed, epochs: o.epochs, threads: o.threads, signal: o.signal });
  return { x: u.x, y: u.y, method: 'UMAP' };
}

/** The HTML text of a page about one clustering; the map by PCA unless `layout` is given (writeClusterReport makes a UMAP one). */
export function clusterReportHtml(c: ClustersArtifact, vectors: Embeddings | undefined, o: ReportOptions & { layout?: MapLayout } = {}): string {
  checkVectors(c, vectors);
  let layout = o.layout;
  if (!layout && vectors) {
    const p = pca2(vectors, Math.min(o.max_points ?? 3000, vectors.size));
    layout = { x: p.x, y: p.y, method: 'PCA' };
  }
  return reportPageHtml({ title: o.title ?? 'word clusters', clusterings: [{ node: 'clusters', clusters: c, vectors, layout }], options: o });
}

function checkVectors(c: ClustersArtifact, vectors: Embeddings | undefined): void {
  if (vectors && vectors.size !== c.labels.length) {
    throw new WordloomError('E_INPUT', `the vectors have ${vectors.size} rows but the clusters label ${c.labels.length} nodes`, {}, 'wire the same vectors that were clustered');
  }
}

/** Write a page about one clustering to `file` (atomically), its map by UMAP (or `map`). */
export async function writeClusterReport(file: string, c: ClustersArtifact, vectors: Embeddings | undefined, o: ReportOptions & { map?: MapMethod; seed?: number; epochs?: number } = {}): Promise<void> {
  checkVectors(c, vectors);
  const layout = vectors ? await mapLayout(vectors, o.max_points ?? 3000, o.map ?? 'umap', { seed: o.seed, epochs: o.epochs }) : undefined;
  const html = clusterReportHtml(c, vectors, { ...o, ...(layout ? { layout } : {}) });
  await writeAtomic(file, async (w) => w.write(html));
}

/** Make the maps a page lacks (by `map`), then its HTML. */
export async function buildReportPage(page: ReportPage, o: { map?: MapMethod; seed?: number; epochs?: number; threads?: number; signal?: AbortSignal } = {}): Promise<string> {
  const rows = page.options?.max_points ?? 3000;
  const clusterings: ReportClustering[] = [];
  for (const r of page.clusterings ?? []) {
    let v = r.vectors;
    if (v && v.size > r.clusters.labels.length) v = v.head(r.clusters.labels.length);
    if (v && v.size !== r.clusters.labels.length) v = undefined; // not the clustered rows: no map
    const layout = r.layout ?? (v ? await mapLayout(v, rows, o.map ?? 'umap', o) : undefined);
    clusterings.push({ ...r, ...(v ? { vectors: v } : {}), ...(layout ? { layout } : {}) });
  }
  return reportPageHtml({ ...page, clusterings });
}

/** Write a report page to `file` atomically (see buildReportPage). */
export async function writeReportPage(file: string, page: ReportPage, o: Parameters<typeof buildReportPage>[1] = {}): Promise<void> {
  const html = await buildReportPage(page, o);
  await writeAtomic(file, async (w) => w.write(html));
}

const isClusters = (v: unknown): v is ClustersArtifact =>
  typeof v === 'object' && v !== null && (v as ClustersArtifact).labels instanceof Int32Array && (v as ClustersArtifact).sizes instanceof Int32Array && typeof (v as ClustersArtifact).count === 'number';

/**
 * The page of a running pipeline (`ctx.run`): the run so far, the evaluations of
 * its evaluate nodes and its clusterings (`extra`: one more, e.g. a report node's
 * own input, named after the node that made it when it is one of the run's).
 */
export function runReportPage(view: NonNullable<OpContext['run']>, title: string, options: ReportOptions, extra?: { clusters: ClustersArtifact; vectors?: Embeddings }): ReportPage {
  const record = view.record();
  const evaluations: { node: string; result: EvaluationResult }[] = [];
  const clusterings: ReportClustering[] = [];
  let extraPlaced = false;
  for (const n of record.nodes) {
    const out = view.output(n.id);
    if (out === undefined || out === null || n.op === 'report') continue;
    if (n.op === 'evaluate') evaluations.push({ node: n.id, result: out as EvaluationResult });
    else if (isClusters(out)) {
      const same = extra !== undefined && extra.clusters === out;
      extraPlaced ||= same;
      const vectors = same && extra!.vectors ? extra!.vectors : out.vectors;
      clusterings.push({ node: n.id, clusters: out, ...(vectors ? { vectors } : {}) });
    }
  }
  if (extra && !extraPlaced) clusterings.push({ node: 'clusters', clusters: extra.clusters, ...(extra.vectors ? { vectors: extra.vectors } : {}) });
  return { title, run: record, evaluations, clusterings, options };
}

export interface ReportParams {
  output: string;
  title?: string;
  max_clusters: number;
  max_members: number;
  max_points: number;
  coloured: number;
  map: MapMethod;
  map_epochs: number;
}

export const reportParams: ParamSpecs = {
  output: { type: 'path', output: true, doc: 'the HTML file to write (one self-contained file)' },
  title: { type: 'string', optional: true, doc: 'page title (default: the pipeline name, or the node id)' },
  max_clusters: { type: 'int', default: 200, min: 1, doc: 'clusters listed, largest first' },
  max_members: { type: 'int', default: 25, min: 1, doc: 'members listed per cluster, most frequent first' },
  max_points: { type: 'int', default: 3000, min: 1, doc: 'words on the map (the most frequent); UMAP takes about 3 s per 1,000 words' },
  coloured: { type: 'int', default: 10, min: 1, max: 40, doc: 'largest clusters drawn in colour on the map; the others are grey' },
  map: { type: 'enum', values: ['umap', 'pca', 'none'], default: 'umap', doc: "how the map is made: 'umap' (umap-js over the exact cosine neighbours, seeded), 'pca' (first two principal components, fast), 'none'" },
  map_epochs: { type: 'int', default: 200, min: 10, max: 2000, doc: 'UMAP optimisation epochs (more: a steadier map, slower)' },
};

export const reportOp = defineOp<ReportParams, ClustersArtifact>({
  name: 'report',
  summary: 'One self-contained HTML page of the run: the pipeline graph, each node\'s time, peak memory and summary, training curves, evaluation tables, and per clustering a UMAP map (largest clusters coloured, hover, search) and the members.',
  params: reportParams,
  inputs: {
    clusters: { kind: 'clusters', optional: true, doc: 'a clustering to show (default: every clustering of the run)' },
    vectors: { kind: 'vectors', optional: true, doc: 'vectors for the map of the clusters input (default: the ones that were clustered)' },
  },
  output: 'clusters',
  runsLast: true,
  run: async (inputs, params, ctx) => {
    const c = inputs.clusters as ClustersArtifact | undefined;
    let v = (inputs.vectors as Embeddings | undefined) ?? c?.vectors;
    if (c && v && v.size > c.labels.length) v = v.head(c.labels.length);
    const options: ReportOptions = { max_clusters: params.max_clusters, max_members: params.max_members, max_points: params.max_points, coloured: params.coloured };
    let page: ReportPage;
    if (ctx.run) page = runReportPage(ctx.run, params.title ?? ctx.run.record().pipeline, options, c ? { clusters: c, ...(v ? { vectors: v } : {}) } : undefined);
    else {
      if (!c) throw new WordloomError('E_GRAPH', 'report has nothing to show: outside a pipeline it needs a clusters input', { node: ctx.node }, 'wire a chinese-whispers or dbscan node to its clusters input');
      if (v) checkVectors(c, v);
      page = { title: params.title ?? ctx.node, clusterings: [{ node: 'clusters', clusters: c, ...(v ? { vectors: v } : {}) }], options };
    }
    const file = resolve(ctx.baseDir, params.output);
    ctx.progress({ phase: 'writing', message: page.clusterings?.length && params.map !== 'none' ? `making the ${params.map === 'umap' ? 'UMAP' : 'PCA'} map${page.clusterings.length > 1 ? 's' : ''}` : undefined });
    await writeReportPage(file, page, { map: params.map, seed: ctx.seed, epochs: params.map_epochs, threads: ctx.threads, signal: ctx.signal });
    ctx.log(`wrote ${file}`);
    ctx.progress({ phase: 'done', metrics: { clusters: page.clusterings?.length ?? 0, file } });
    const out: ClustersArtifact = c ?? { method: 'none', labels: new Int32Array(0), sizes: new Int32Array(0), count: 0, noise: 0 };
    return { ...out, report: file };
  },
});
