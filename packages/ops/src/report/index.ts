/**
 * report: one self-contained HTML file about a clustering of word vectors: every
 * cluster's size and members (most frequent first: vectors files from glove are in
 * frequency order, so row order is frequency order), and a 2-D map of the words
 * (their first two principal components) coloured by cluster. Inline SVG drawn by
 * inline JavaScript from inline JSON; no network, no external files.
 */
import { resolve } from 'node:path';
import { Embeddings, WordloomError } from '@wordloom/core';
import { defineOp, type ParamSpecs } from '../op.js';
import type { ClustersArtifact } from '../artifacts.js';
import { writeAtomic } from '../io/atomic.js';

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

export interface ReportOptions {
  title?: string;
  /** Clusters listed (largest first). */
  max_clusters?: number;
  /** Members listed per cluster (most frequent first). */
  max_members?: number;
  /** Words on the map (the first rows: the most frequent). */
  max_points?: number;
}

/** The HTML text of a report (see the module comment). */
export function clusterReportHtml(c: ClustersArtifact, vectors: Embeddings | undefined, o: ReportOptions = {}): string {
  const names = c.names ?? vectors?.words ?? Array.from(c.labels, (_, i) => String(i));
  if (vectors && vectors.size !== c.labels.length) {
    throw new WordloomError('E_INPUT', `the vectors have ${vectors.size} rows but the clusters label ${c.labels.length} nodes`, {}, 'wire the same vectors that were clustered');
  }
  const maxClusters = o.max_clusters ?? 100;
  const maxMembers = o.max_members ?? 20;
  const maxPoints = o.max_points ?? 5000;
  // Clusters by size, largest first; members in row (frequency) order.
  const members: number[][] = Array.from({ length: c.count }, () => []);
  for (let i = 0; i < c.labels.length; i++) {
    const l = c.labels[i]!;
    if (l >= 0 && members[l]!.length < maxMembers) members[l]!.push(i);
  }
  const order = Array.from({ length: c.count }, (_, k) => k).sort((a, b) => c.sizes[b]! - c.sizes[a]! || a - b);
  const rank = new Int32Array(c.count);
  order.forEach((k, r) => (rank[k] = r));
  const clusters = order.slice(0, maxClusters).map((k) => ({ id: rank[k], size: c.sizes[k], members: members[k]!.map((i) => names[i]) }));
  let points: { w: string[]; x: number[]; y: number[]; c: number[] } | undefined;
  if (vectors) {
    const n = Math.min(maxPoints, vectors.size);
    const p = pca2(vectors, n);
    const r3 = (v: number) => Math.round(v * 1000) / 1000;
    points = { w: [], x: [], y: [], c: [] };
    for (let i = 0; i < n; i++) {
      points.w.push(names[i]!);
      points.x.push(r3(p.x[i]!));
      points.y.push(r3(p.y[i]!));
      points.c.push(c.labels[i]! < 0 ? -1 : rank[c.labels[i]!]!);
    }
  }
  const singletons = Array.from(c.sizes).filter((s) => s === 1).length;
  const shown = reportCoverage(c, clusters.length, maxMembers, points?.w.length);
  const data = {
    title: o.title ?? 'word clusters',
    method: c.method,
    nodes: c.labels.length,
    count: c.count,
    noise: c.noise,
    singletons,
    clusters,
    points,
  };
  const json = JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(data.title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 20px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; }
#summary { color: #555; margin: 0 0 4px; }
#shown { color: #555; margin: 0 0 12px; font-size: 13px; }
#map { border: 1px solid #ddd; background: #fff; }
#map circle { stroke: none; }
#map circle.dim { opacity: 0.08; }
#tip { position: absolute; pointer-events: none; background: #222; color: #fff; padding: 2px 6px; border-radius: 3px; font-size: 12px; display: none; }
#clusters { columns: 2 420px; column-gap: 3.5em; padding-left: 2.5em; }
#clusters li { break-inside: avoid; margin: 0 0 6px; cursor: pointer; overflow-wrap: anywhere; }
#clusters li .sw { display: inline-block; width: 10px; height: 10px; border-radius: 5px; margin-right: 6px; }
#clusters li.on { background: #ffeeb0; }
.size { color: #777; }
</style>
</head>
<body>
<h1 id="title"></h1>
<p id="summary"></p>
<p id="shown">${esc(shown)}</p>
<svg id="map" width="900" height="640" viewBox="0 0 900 640" xmlns="http://www.w3.org/2000/svg"></svg>
<div id="tip"></div>
<h2>Clusters</h2>
<ol id="clusters" start="0"></ol>
<script id="data" type="application/json">${json}</script>
<script>
(function () {
  var D = JSON.parse(document.getElementById('data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  function colour(c) { return c < 0 ? '#bbbbbb' : 'hsl(' + ((c * 137.508) % 360).toFixed(1) + ',70%,' + (c % 2 ? 38 : 50) + '%)'; }
  document.getElementById('title').textContent = D.title;
  document.getElementById('summary').textContent = D.method + ': ' + D.nodes + ' words, ' + D.count + ' clusters (' + D.singletons + ' singletons), ' + D.noise + ' noise';
  var svg = document.getElementById('map');
  var tip = document.getElementById('tip');
  var drawn = 0;
  var P = D.points;
  if (P && P.x.length) {
    var W = 900, H = 640, pad = 20;
    var x0 = Math.min.apply(null, P.x), x1 = Math.max.apply(null, P.x), y0 = Math.min.apply(null, P.y), y1 = Math.max.apply(null, P.y);
    var sx = (W - 2 * pad) / ((x1 - x0) || 1), sy = (H - 2 * pad) / ((y1 - y0) || 1);
    // Rarest first, so that the most frequent words are drawn on top.
    for (var i = P.x.length - 1; i >= 0; i--) {
      var e = document.createElementNS(NS, 'circle');
      e.setAttribute('cx', (pad + (P.x[i] - x0) * sx).toFixed(1));
      e.setAttribute('cy', (H - pad - (P.y[i] - y0) * sy).toFixed(1));
      e.setAttribute('r', P.c[i] < 0 ? '1.6' : '2.6');
      e.setAttribute('fill', colour(P.c[i]));
      e.setAttribute('data-c', String(P.c[i]));
      e.setAttribute('data-w', P.w[i]);
      svg.appendChild(e);
      drawn++;
    }
    svg.addEventListener('mousemove', function (ev) {
      var t = ev.target;
      if (t && t.getAttribute && t.getAttribute('data-w') !== null) {
        tip.style.display = 'block';
        tip.style.left = ev.pageX + 10 + 'px';
        tip.style.top = ev.pageY + 10 + 'px';
        var c = t.getAttribute('data-c');
        tip.textContent = t.getAttribute('data-w') + (c === '-1' ? ' (noise)' : ' (cluster ' + c + ')');
      } else tip.style.display = 'none';
    });
  } else {
    svg.style.display = 'none';
  }
  var list = document.getElementById('clusters');
  var on = null;
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
    li.addEventListener('click', function () {
      on = on === c.id ? null : c.id;
      Array.prototype.forEach.call(list.children, function (x) { x.classList.toggle('on', on !== null && x.getAttribute('data-c') === String(on)); });
      Array.prototype.forEach.call(svg.children, function (x) { x.classList.toggle('dim', on !== null && x.getAttribute('data-c') !== String(on)); });
    });
    list.appendChild(li);
  });
  document.body.setAttribute('data-points', String(drawn));
  document.body.setAttribute('data-clusters', String(D.clusters.length));
})();
</script>
</body>
</html>
`;
}

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

/** Write the report to `file` (atomically). */
export async function writeClusterReport(file: string, c: ClustersArtifact, vectors: Embeddings | undefined, o: ReportOptions = {}): Promise<void> {
  const html = clusterReportHtml(c, vectors, o);
  await writeAtomic(file, async (w) => w.write(html));
}

export interface ReportParams {
  output: string;
  title?: string;
  max_clusters: number;
  max_members: number;
  max_points: number;
}

export const reportParams: ParamSpecs = {
  output: { type: 'path', output: true, doc: 'the HTML file to write (one self-contained file)' },
  title: { type: 'string', optional: true, doc: 'page title (default: the node id)' },
  max_clusters: { type: 'int', default: 200, min: 1, doc: 'clusters listed, largest first' },
  max_members: { type: 'int', default: 25, min: 1, doc: 'members listed per cluster, most frequent first' },
  max_points: { type: 'int', default: 5000, min: 1, doc: 'words on the map (the most frequent)' },
};

export const reportOp = defineOp<ReportParams, ClustersArtifact>({
  name: 'report',
  summary: 'One self-contained HTML page about word clusters: members by frequency, sizes, and a PCA map coloured by cluster.',
  params: reportParams,
  inputs: {
    clusters: { kind: 'clusters', doc: 'the clustering to show (chinese-whispers, dbscan)' },
    vectors: { kind: 'vectors', optional: true, doc: 'vectors for the map (default: the ones that were clustered)' },
  },
  output: 'clusters',
  run: async (inputs, params, ctx) => {
    const c = inputs.clusters as ClustersArtifact | undefined;
    if (!c) throw new WordloomError('E_GRAPH', 'report needs a clusters input', { node: ctx.node }, 'wire a chinese-whispers or dbscan node to its clusters input');
    let v = (inputs.vectors as Embeddings | undefined) ?? c.vectors;
    if (v && v.size > c.labels.length) v = v.head(c.labels.length);
    const file = resolve(ctx.baseDir, params.output);
    ctx.progress({ phase: 'writing' });
    await writeClusterReport(file, c, v, { title: params.title ?? ctx.node, max_clusters: params.max_clusters, max_members: params.max_members, max_points: params.max_points });
    ctx.log(`wrote ${file}`);
    ctx.progress({ phase: 'done', metrics: { clusters: c.count, file } });
    return { ...c, report: file };
  },
});
