/**
 * The report page: one self-contained HTML file (inline CSS, SVG and script, data
 * as inline JSON; nothing fetched) about a pipeline run and what it made:
 *
 * - the pipeline as a graph (server-drawn SVG, one box per node, coloured by how
 *   its output was had), and a table of each node's time, peak memory and summary;
 * - the curve of every training node's cost or loss per iteration;
 * - the evaluation tables;
 * - per clustering, a 2-D map of the most frequent words (UMAP; PCA where no
 *   layout was made), the largest clusters coloured so they can be told apart and
 *   the rest grey, with hover and search, and the clusters' members.
 *
 * Wherever the page shows part of the data (clusters listed, members per cluster,
 * words on the map, clusters coloured) it says so.
 */
import type { Embeddings } from '@wordloom/core';
import type { ClustersArtifact, EvaluationResult } from '../artifacts.js';
import type { RunNodeRecord, RunRecord } from './run-record.js';

export interface ReportOptions {
  title?: string;
  /** Clusters listed (largest first). */
  max_clusters?: number;
  /** Members listed per cluster (most frequent first). */
  max_members?: number;
  /** Words on the map (the first rows: the most frequent). */
  max_points?: number;
  /** Largest clusters drawn in colour on the map (the rest grey). */
  coloured?: number;
}

export interface MapLayout {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** How it was made ("UMAP", "PCA"). */
  method: string;
}

export interface ReportClustering {
  /** The node that made it (or a name). */
  node: string;
  clusters: ClustersArtifact;
  /** Vectors of the clustered words (row i = node i), for the map. */
  vectors?: Embeddings;
  /** The map's coordinates of the first rows (see max_points); none: no map. */
  layout?: MapLayout;
}

export interface ReportPage {
  title: string;
  run?: RunRecord;
  evaluations?: { node: string; result: EvaluationResult }[];
  clusterings?: ReportClustering[];
  options?: ReportOptions;
}

/** Categorical colours that stay apart (Tableau 10, the grey swapped for cyan). */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#17becf'];
const GREY = '#bdbdbd';
const NOISE = '#e4e4e4';

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (n: number): string => n.toLocaleString('en-US');

export function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms - m * 60_000) / 1000)} s`;
}

export function fmtBytes(b: number | undefined): string {
  if (b === undefined || !Number.isFinite(b)) return '';
  return b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GB` : `${Math.round(b / 2 ** 20)} MB`;
}

/** The colour of cluster rank r (0 = largest) when `coloured` clusters get colours; -1 = noise. */
export function clusterColour(r: number, coloured: number): string {
  if (r < 0) return NOISE;
  if (r >= coloured) return GREY;
  return r < PALETTE.length ? PALETTE[r]! : `hsl(${((r * 137.508) % 360).toFixed(1)},65%,45%)`;
}

/* ---------------------------------------------------------------- graph */

const BOX_W = 176;
const BOX_H = 50;
const COL_GAP = 24;
const ROW_GAP = 34;

function nodeFill(n: RunNodeRecord): string {
  if (n.status === 'failed') return '#f6d3d3';
  if (n.status === 'cancelled') return '#fbe7c6';
  if (n.status !== 'finished') return '#ffffff';
  if (n.cache === 'loaded') return '#d9e6f5';
  if (n.cache === 'cached' || n.cache === 'skipped') return '#ececec';
  return '#dcefd8';
}

function howHad(n: RunNodeRecord): string {
  if (n.status !== 'finished') return n.status;
  return n.cache === 'loaded' ? 'loaded from cache' : n.cache === 'cached' ? 'cached' : n.cache === 'skipped' ? 'skipped' : 'computed';
}

/** The pipeline as an SVG, top to bottom: nodes in rows by depth (longest path from a source), edges from input to reader. */
export function graphSvg(nodes: readonly RunNodeRecord[]): string {
  const depth = new Map<string, number>();
  for (const n of nodes) depth.set(n.id, Math.max(0, ...Object.values(n.inputs).map((f) => (depth.get(f) ?? -1) + 1)));
  // Nodes that run last go below the rest.
  const deepest = Math.max(0, ...nodes.filter((n) => !n.last).map((n) => depth.get(n.id)!));
  for (const n of nodes) if (n.last) depth.set(n.id, Math.max(depth.get(n.id)!, deepest + 1));
  const layers = new Map<number, string[]>();
  for (const n of nodes) {
    const d = depth.get(n.id)!;
    if (!layers.has(d)) layers.set(d, []);
    layers.get(d)!.push(n.id);
  }
  let cols = 1;
  for (const ids of layers.values()) cols = Math.max(cols, ids.length);
  const width = 20 + cols * (BOX_W + COL_GAP) - COL_GAP;
  const height = 20 + layers.size * (BOX_H + ROW_GAP) - ROW_GAP;
  const pos = new Map<string, { x: number; y: number }>();
  for (const [d, ids] of [...layers].sort((a, b) => a[0] - b[0])) {
    // Each row centred.
    const rowWidth = ids.length * (BOX_W + COL_GAP) - COL_GAP;
    const x0 = (width - rowWidth) / 2;
    ids.forEach((id, i) => pos.set(id, { x: x0 + i * (BOX_W + COL_GAP), y: 10 + d * (BOX_H + ROW_GAP) }));
  }
  const out: string[] = [];
  out.push(`<svg id="graph-svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">`);
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#777"/></marker></defs>');
  for (const n of nodes) {
    const b = pos.get(n.id)!;
    for (const [name, from] of Object.entries(n.inputs)) {
      const a = pos.get(from);
      if (!a) continue;
      const x1 = a.x + BOX_W / 2;
      const y1 = a.y + BOX_H;
      const x2 = b.x + BOX_W / 2;
      const y2 = b.y;
      const my = (y1 + y2) / 2;
      let d = `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2 - 1}`;
      if (depth.get(n.id)! - depth.get(from)! > 1) {
        // Past the rows between: round the left of the boxes in them rather than through them.
        const between = [...pos].filter(([id]) => depth.get(id)! > depth.get(from)! && depth.get(id)! < depth.get(n.id)!).map(([, q]) => q.x);
        const side = Math.max(2, Math.min(...between, x1, x2) - 22);
        d = `M${x1 - BOX_W / 4},${y1} C${x1 - BOX_W / 4},${y1 + ROW_GAP} ${side},${y1 + ROW_GAP / 2} ${side},${my} S${x2 - BOX_W / 4},${y2 - ROW_GAP} ${x2 - BOX_W / 4},${y2 - 1}`;
      }
      out.push(`<path class="edge" d="${d}" fill="none" stroke="#888" stroke-width="1.4" marker-end="url(#arrow)"><title>${esc(from)} → ${esc(n.id)}.${esc(name)}</title></path>`);
    }
  }
  for (const n of nodes) {
    const p = pos.get(n.id)!;
    const line2 = [n.op, fmtMs(n.durationMs), fmtBytes(n.peakRssBytes)].filter((s) => s !== '').join(' · ');
    out.push(
      `<g class="node" data-node="${esc(n.id)}"><title>${esc(`${n.id} (${n.op}): ${howHad(n)}${n.summary ? `, ${n.summary}` : ''}`)}</title>` +
        `<rect x="${p.x}" y="${p.y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${nodeFill(n)}" stroke="#666" stroke-width="1"/>` +
        `<text x="${p.x + 8}" y="${p.y + 20}" font-size="13" font-weight="600">${esc(clip(n.id, 22))}</text>` +
        `<text x="${p.x + 8}" y="${p.y + 38}" font-size="11" fill="#444">${esc(clip(line2, 28))}</text></g>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/* ---------------------------------------------------------------- curves */

const CW = 460;
const CH = 240;
const M = { l: 64, r: 16, t: 28, b: 38 };

const tick = (v: number): string => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0) ? v.toExponential(2) : Number(v.toPrecision(4)).toString());

/** One training curve as an SVG line chart (value per iteration). */
export function curveSvg(node: RunNodeRecord, metric: string): string {
  const pts = node.curves[metric] ?? [];
  const xs = pts.map((p) => p.iteration);
  const ys = pts.map((p) => p.value);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  let y0 = Math.min(...ys);
  let y1 = Math.max(...ys);
  const padY = (y1 - y0) * 0.05 || Math.abs(y0) * 0.05 || 1;
  y0 -= padY;
  y1 += padY;
  const px = (x: number): number => M.l + (x1 === x0 ? (CW - M.l - M.r) / 2 : ((x - x0) / (x1 - x0)) * (CW - M.l - M.r));
  const py = (y: number): number => CH - M.b - ((y - y0) / (y1 - y0)) * (CH - M.t - M.b);
  const restored = pts.filter((p) => p.restored).length;
  const out: string[] = [];
  out.push(`<figure class="curve"><svg width="${CW}" height="${CH}" viewBox="0 0 ${CW} ${CH}" xmlns="http://www.w3.org/2000/svg" data-node="${esc(node.id)}" data-metric="${esc(metric)}" data-points="${pts.length}">`);
  out.push(`<text x="${M.l}" y="17" font-size="13" font-weight="600">${esc(`${node.id} (${node.op}): ${metric} per iteration`)}</text>`);
  out.push(`<line x1="${M.l}" y1="${CH - M.b}" x2="${CW - M.r}" y2="${CH - M.b}" stroke="#999"/><line x1="${M.l}" y1="${M.t}" x2="${M.l}" y2="${CH - M.b}" stroke="#999"/>`);
  for (const v of [y0 + padY, (y0 + y1) / 2, y1 - padY]) {
    out.push(`<text x="${M.l - 6}" y="${py(v) + 4}" font-size="11" text-anchor="end" fill="#555">${tick(v)}</text><line x1="${M.l - 3}" y1="${py(v)}" x2="${CW - M.r}" y2="${py(v)}" stroke="#eee"/>`);
  }
  out.push(`<text x="${px(x0)}" y="${CH - M.b + 16}" font-size="11" text-anchor="middle" fill="#555">${x0}</text><text x="${px(x1)}" y="${CH - M.b + 16}" font-size="11" text-anchor="middle" fill="#555">${x1}</text>`);
  out.push(`<text x="${(M.l + CW - M.r) / 2}" y="${CH - 6}" font-size="11" text-anchor="middle" fill="#555">iteration</text>`);
  out.push(`<polyline fill="none" stroke="#4e79a7" stroke-width="2" points="${pts.map((p) => `${px(p.iteration).toFixed(1)},${py(p.value).toFixed(1)}`).join(' ')}"/>`);
  for (const p of pts) {
    out.push(
      `<circle cx="${px(p.iteration).toFixed(1)}" cy="${py(p.value).toFixed(1)}" r="3" fill="${p.restored ? '#fff' : '#4e79a7'}" stroke="#4e79a7"><title>iteration ${p.iteration}: ${p.value}${p.restored ? ' (from a resume checkpoint)' : ''}</title></circle>`,
    );
  }
  out.push('</svg>');
  if (restored) out.push(`<figcaption>Hollow: the ${restored} iteration${restored === 1 ? '' : 's'} before the resume checkpoint this run went on from.</figcaption>`);
  out.push('</figure>');
  return out.join('\n');
}

/* ---------------------------------------------------------------- evaluation */

function evaluationHtml(node: string, r: EvaluationResult): string {
  const rows: string[] = [];
  const base = (f: string): string => f.replace(/^.*[\\/]/, '');
  for (const a of r.analogy ?? []) {
    rows.push(`<tr><td>${esc(base(a.file))}</td><td>analogies (${esc(a.method)})</td><td class="n">${(a.accuracy * 100).toFixed(2)}%</td><td>${num(a.correct)} of ${num(a.total)} answered correctly; ${num(a.skipped)} of ${num(a.questions)} skipped (out of vocabulary)</td></tr>`);
  }
  for (const s of r.similarity ?? []) {
    rows.push(`<tr><td>${esc(base(s.file))}</td><td>similarity (Spearman)</td><td class="n">${s.spearman.toFixed(4)}</td><td>Pearson ${s.pearson.toFixed(4)}; ${num(s.used)} of ${num(s.pairs)} pairs (${s.oovRatio.toFixed(1)}% out of vocabulary)</td></tr>`);
  }
  const note = r.restrictVocab ? `<p class="note">Over the ${num(r.restrictVocab)} most frequent words${r.caseInsensitive ? ', case folded' : ''}.</p>` : '';
  return `<h3>${esc(node)}</h3>${note}<table class="eval" data-node="${esc(node)}"><thead><tr><th>file</th><th>measure</th><th>value</th><th>coverage</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/* ---------------------------------------------------------------- clusters */

/**
 * What the page shows of the clustering, in words: which clusters are listed, how
 * many members of each, and which words are on the map, saying when it is a part.
 */
export function reportCoverage(c: ClustersArtifact, listed: number, maxMembers: number, mapped: number | undefined): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const largest = c.sizes.reduce((m, s) => Math.max(m, s), 0);
  const parts: string[] = [];
  parts.push(listed < c.count ? `Listed: the ${n(listed)} largest of ${n(c.count)} clusters` : `Listed: all ${n(c.count)} clusters`);
  parts[0] += largest > maxMembers ? `, at most ${n(maxMembers)} members each (most frequent first; … marks a cut list)` : ', every member';
  if (c.noise > 0) parts[0] += `; the ${n(c.noise)} noise words are not listed`;
  parts[0] += '.';
  if (mapped !== undefined) parts.push(mapped < c.labels.length ? `Map: the ${n(mapped)} most frequent of ${n(c.labels.length)} words.` : `Map: all ${n(mapped)} words.`);
  return parts.join(' ');
}

interface ClusterData {
  node: string;
  method: string;
  nodes: number;
  count: number;
  noise: number;
  singletons: number;
  coloured: number;
  clusters: { id: number; size: number; members: string[]; colour: string }[];
  points?: { w: string[]; x: number[]; y: number[]; c: number[]; method: string };
}

function clusteringData(r: ReportClustering, o: Required<Omit<ReportOptions, 'title'>>): { data: ClusterData; shown: string } {
  const c = r.clusters;
  const names = c.names ?? r.vectors?.words ?? Array.from(c.labels, (_, i) => String(i));
  const members: number[][] = Array.from({ length: c.count }, () => []);
  for (let i = 0; i < c.labels.length; i++) {
    const l = c.labels[i]!;
    if (l >= 0 && members[l]!.length < o.max_members) members[l]!.push(i);
  }
  // Clusters by size, largest first; members in row (frequency) order.
  const order = Array.from({ length: c.count }, (_, k) => k).sort((a, b) => c.sizes[b]! - c.sizes[a]! || a - b);
  const rank = new Int32Array(c.count);
  order.forEach((k, i) => (rank[k] = i));
  const coloured = Math.min(o.coloured, c.count);
  const clusters = order.slice(0, o.max_clusters).map((k) => ({ id: rank[k]!, size: c.sizes[k]!, members: members[k]!.map((i) => names[i]!), colour: clusterColour(rank[k]!, coloured) }));
  let points: ClusterData['points'];
  if (r.layout) {
    const n = Math.min(r.layout.x.length, c.labels.length);
    const r3 = (v: number) => Math.round(v * 1000) / 1000;
    points = { w: [], x: [], y: [], c: [], method: r.layout.method };
    for (let i = 0; i < n; i++) {
      points.w.push(names[i]!);
      points.x.push(r3(r.layout.x[i]!));
      points.y.push(r3(r.layout.y[i]!));
      points.c.push(c.labels[i]! < 0 ? -1 : rank[c.labels[i]!]!);
    }
  }
  let shown = reportCoverage(c, clusters.length, o.max_members, points?.w.length);
  if (points && c.count > coloured) shown += ` Colours: the ${num(coloured)} largest clusters; the other ${num(c.count - coloured)} are grey${c.noise > 0 ? ', noise light grey' : ''}.`;
  const singletons = Array.from(c.sizes).filter((s) => s === 1).length;
  return { data: { node: r.node, method: c.method, nodes: c.labels.length, count: c.count, noise: c.noise, singletons, coloured, clusters, points }, shown };
}

function jsonScript(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/* ---------------------------------------------------------------- page */

export function reportPageHtml(page: ReportPage): string {
  const o = {
    max_clusters: page.options?.max_clusters ?? 200,
    max_members: page.options?.max_members ?? 25,
    max_points: page.options?.max_points ?? 3000,
    coloured: page.options?.coloured ?? 10,
  };
  const body: string[] = [];
  const run = page.run;
  if (run) {
    body.push(
      `<p id="summary">Pipeline <b>${esc(run.pipeline)}</b>, run ${esc(new Date(run.started).toISOString().replace('T', ' ').slice(0, 19))} UTC, ${fmtMs(run.durationMs)}; peak memory of the process ${fmtBytes(run.peakRssBytes)}.</p>`,
    );
    body.push(`<section id="graph"><h2>Pipeline</h2><div class="scroll">${graphSvg(run.nodes)}</div><p class="note">Green: computed; blue: loaded from the cache; grey: not needed this run; red: failed.</p></section>`);
    const rows = run.nodes.map(
      (n) => `<tr data-node="${esc(n.id)}"><td>${esc(n.id)}</td><td>${esc(n.op)}</td><td>${esc(howHad(n))}</td><td class="n">${fmtMs(n.durationMs)}</td><td class="n">${fmtBytes(n.peakRssBytes)}</td><td>${esc(n.summary ?? '')}</td></tr>`,
    );
    body.push(
      `<section id="nodes"><h2>Nodes</h2><table><thead><tr><th>node</th><th>op</th><th>output</th><th>time</th><th>peak memory</th><th>summary</th></tr></thead><tbody>${rows.join('')}</tbody></table>` +
        `<p class="note">Peak memory: the largest resident set size of the process sampled every ${run.memorySampleMs} ms while the node ran; nodes that ran at the same time share it.</p></section>`,
    );
    const charts: string[] = [];
    for (const n of run.nodes) for (const metric of Object.keys(n.curves)) if (n.curves[metric]!.length) charts.push(curveSvg(n, metric));
    if (charts.length) body.push(`<section id="curves"><h2>Training</h2><div class="charts">${charts.join('\n')}</div></section>`);
  }
  if (page.evaluations?.length) body.push(`<section id="evaluation"><h2>Evaluation</h2>${page.evaluations.map((e) => evaluationHtml(e.node, e.result)).join('\n')}</section>`);
  for (const r of page.clusterings ?? []) {
    const { data, shown } = clusteringData(r, o);
    body.push(
      `<section class="clustering" data-node="${esc(r.node)}"><h2>Clusters${page.clusterings!.length > 1 || run ? `: ${esc(r.node)}` : ''}</h2>` +
        `<p class="csummary"></p><p class="shown">${esc(shown)}</p>` +
        (data.points ? `<p class="find"><input class="search" type="search" placeholder="find a word on the map" aria-label="find a word"> <span class="found"></span></p><svg class="map" width="900" height="640" viewBox="0 0 900 640" xmlns="http://www.w3.org/2000/svg"></svg>` : '') +
        `<ol class="clusters" start="0"></ol><script class="data" type="application/json">${jsonScript(data)}</script></section>`,
    );
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(page.title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 20px; color: #222; background: #fff; }
h1 { font-size: 21px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 22px 0 8px; }
h3 { font-size: 14px; margin: 12px 0 4px; }
.note, .shown, .csummary { color: #555; font-size: 13px; margin: 4px 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 4px 0; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
figure.curve { margin: 0; }
figure.curve figcaption { color: #555; font-size: 12px; max-width: 460px; }
svg.map { border: 1px solid #ddd; background: #fff; display: block; }
svg.map circle.dim { opacity: 0.12; }
svg.map circle.hit { stroke: #000; stroke-width: 2; }
#tip { position: absolute; pointer-events: none; background: #222; color: #fff; padding: 2px 6px; border-radius: 3px; font-size: 12px; display: none; }
ol.clusters { columns: 2 420px; column-gap: 3.5em; padding-left: 2.5em; }
ol.clusters li { break-inside: avoid; margin: 0 0 6px; cursor: pointer; overflow-wrap: anywhere; }
ol.clusters li .sw { display: inline-block; width: 10px; height: 10px; border-radius: 5px; margin-right: 6px; }
ol.clusters li.on { background: #ffeeb0; }
.size { color: #777; }
</style>
</head>
<body>
<h1 id="title">${esc(page.title)}</h1>
${body.join('\n')}
<div id="tip"></div>
<script>
(function () {
  var NS = 'http://www.w3.org/2000/svg';
  var tip = document.getElementById('tip');
  var maps = 0;
  function show(ev, text) {
    tip.style.display = 'block';
    tip.style.left = ev.pageX + 10 + 'px';
    tip.style.top = ev.pageY + 10 + 'px';
    tip.textContent = text;
  }
  Array.prototype.forEach.call(document.querySelectorAll('section.clustering'), function (sec) {
    var D = JSON.parse(sec.querySelector('script.data').textContent);
    sec.querySelector('.csummary').textContent = D.method + ': ' + D.nodes + ' words, ' + D.count + ' clusters (' + D.singletons + ' singletons), ' + D.noise + ' noise' + (D.points ? '; map by ' + D.points.method : '');
    var colourOf = {};
    D.clusters.forEach(function (c) { colourOf[c.id] = c.colour; });
    function colour(c) { return c < 0 ? '${NOISE}' : c < D.coloured ? (colourOf[c] || '${GREY}') : '${GREY}'; }
    var svg = sec.querySelector('svg.map');
    var P = D.points, drawn = 0, byWord = {};
    if (svg && P && P.x.length) {
      var W = 900, H = 640, pad = 16;
      var x0 = Math.min.apply(null, P.x), x1 = Math.max.apply(null, P.x), y0 = Math.min.apply(null, P.y), y1 = Math.max.apply(null, P.y);
      var sx = (W - 2 * pad) / ((x1 - x0) || 1), sy = (H - 2 * pad) / ((y1 - y0) || 1);
      // Grey first and the most frequent words last, so that coloured clusters and frequent words are on top.
      var idx = [];
      for (var i = P.x.length - 1; i >= 0; i--) idx.push(i);
      idx.sort(function (a, b) { var ca = P.c[a] >= 0 && P.c[a] < D.coloured, cb = P.c[b] >= 0 && P.c[b] < D.coloured; return ca === cb ? b - a : ca ? 1 : -1; });
      idx.forEach(function (i) {
        var e = document.createElementNS(NS, 'circle');
        e.setAttribute('cx', (pad + (P.x[i] - x0) * sx).toFixed(1));
        e.setAttribute('cy', (H - pad - (P.y[i] - y0) * sy).toFixed(1));
        e.setAttribute('r', P.c[i] < 0 ? '1.8' : P.c[i] < D.coloured ? '3' : '2.3');
        e.setAttribute('fill', colour(P.c[i]));
        e.setAttribute('data-c', String(P.c[i]));
        e.setAttribute('data-w', P.w[i]);
        svg.appendChild(e);
        byWord[P.w[i]] = e;
        drawn++;
      });
      svg.addEventListener('mousemove', function (ev) {
        var t = ev.target;
        if (t && t.getAttribute && t.getAttribute('data-w') !== null) {
          var c = t.getAttribute('data-c');
          show(ev, t.getAttribute('data-w') + (c === '-1' ? ' (noise)' : ' (cluster ' + c + ')'));
        } else tip.style.display = 'none';
      });
      svg.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
      maps++;
    }
    var list = sec.querySelector('ol.clusters');
    var on = null;
    function highlight(c) {
      on = c;
      Array.prototype.forEach.call(list.children, function (x) { x.classList.toggle('on', on !== null && x.getAttribute('data-c') === String(on)); });
      if (svg) Array.prototype.forEach.call(svg.children, function (x) { x.classList.toggle('dim', on !== null && x.getAttribute('data-c') !== String(on)); });
    }
    D.clusters.forEach(function (c) {
      var li = document.createElement('li');
      li.setAttribute('data-c', String(c.id));
      var sw = document.createElement('span');
      sw.className = 'sw';
      sw.style.background = colour(c.id);
      li.appendChild(sw);
      var size = document.createElement('span');
      size.className = 'size';
      size.textContent = '(' + c.size + ') ';
      li.appendChild(size);
      li.appendChild(document.createTextNode(c.members.join(' ') + (c.size > c.members.length ? ' …' : '')));
      li.addEventListener('click', function () { highlight(on === c.id ? null : c.id); });
      list.appendChild(li);
    });
    var search = sec.querySelector('input.search'), found = sec.querySelector('.found'), hit = null;
    if (search) search.addEventListener('input', function () {
      var w = search.value.trim();
      if (hit) hit.classList.remove('hit');
      hit = null;
      if (!w) { found.textContent = ''; highlight(null); return; }
      var e = byWord[w] || byWord[w.toLowerCase()];
      if (!e) { found.textContent = w + ': not on the map (it shows the ' + drawn + ' most frequent words)'; highlight(null); return; }
      var c = Number(e.getAttribute('data-c'));
      highlight(c < 0 ? null : c);
      e.classList.add('hit');
      e.parentNode.appendChild(e);
      hit = e;
      found.textContent = e.getAttribute('data-w') + (c < 0 ? ': noise' : ': cluster ' + c);
    });
    sec.setAttribute('data-points', String(drawn));
    sec.setAttribute('data-clusters', String(D.clusters.length));
  });
  document.body.setAttribute('data-maps', String(maps));
  document.body.setAttribute('data-ready', '1');
})();
</script>
</body>
</html>
`;
}
