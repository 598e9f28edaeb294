import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { readVectors } from '../src/io/vectors.js';
import { knnGraph } from '../src/knn-graph/index.js';
import { chineseWhispers } from '../src/chinese-whispers/index.js';
import { clusterReportHtml, pca2, reportOp, umapLayout } from '../src/report/index.js';
import { Rng } from '@wordloom/core';
import type { ClustersArtifact } from '../src/artifacts.js';
import { standaloneContext } from '../src/op.js';
import { Embeddings } from '@wordloom/core';
import { dataPath, tempDir } from './helpers.js';

// The browser for the rendering check (WORDLOOM_CHROMIUM names another). Without it the check is
// reported as skipped, except in CI (CI=true), where a missing browser is a failure.
const CHROMIUM = process.env.WORDLOOM_CHROMIUM || '/usr/bin/chromium';
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** The report of the 300-word fixture's clusters, written into t.dir. */
async function writeReport(t: { dir: string }) {
  const v = await readVectors(dataPath('fixtures/wt2-sg-d20-300.txt'));
  const c = chineseWhispers(await knnGraph(v, { n: 8, min_similarity: 0.3 }), { seed: 1 });
  const res = (await reportOp.run({ clusters: c }, { output: 'r/clusters.html', max_clusters: 200, max_members: 25, max_points: 5000, coloured: 10, map: 'umap', map_epochs: 100 }, standaloneContext({ baseDir: t.dir, node: 'clusters' }))) as ClustersArtifact;
  const file = join(t.dir, 'r/clusters.html');
  assert.is(res.report, file);
  return { v, c, file, html: readFileSync(file, 'utf8') };
}

test('pca2: recovers the dominant directions of a stretched cloud', () => {
  // Points along (1, 1, 0) with spread 10, along (1, -1, 0) with spread 1, z tiny.
  const rows = 200;
  const d = new Float32Array(rows * 3);
  for (let i = 0; i < rows; i++) {
    const a = ((i * 37) % 101) / 101 - 0.5;
    const b = ((i * 53) % 103) / 103 - 0.5;
    d[i * 3] = 10 * a + b;
    d[i * 3 + 1] = 10 * a - b;
    d[i * 3 + 2] = 0.01 * (((i * 11) % 7) - 3);
  }
  const p = pca2(new Embeddings(Array.from({ length: rows }, (_, i) => `${i}`), 3, d));
  assert.ok(p.variance[0] > 50 * p.variance[1] / 2, `variances ${p.variance}`);
  // x follows a (up to sign), y follows b.
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < rows; i++) {
    cx += p.x[i]! * (((i * 37) % 101) / 101 - 0.5);
    cy += p.y[i]! * (((i * 53) % 103) / 103 - 0.5);
  }
  assert.ok(Math.abs(cx) > 10 && Math.abs(cy) > 1, `${cx} ${cy}`);
});

test('report: the page says when it lists part of the clusters, members or words', async () => {
  const v = await readVectors(dataPath('fixtures/wt2-sg-d20-300.txt'));
  const c = chineseWhispers(await knnGraph(v, { n: 8, mode: 'mutual' }), { seed: 1, min_cluster_size: 2 });
  assert.ok(c.count > 10 && c.noise > 0, `${c.count} clusters, ${c.noise} noise`);
  const shown = (html: string) => /<p class="shown">([^<]*)<\/p>/.exec(html)?.[1];
  const part = shown(clusterReportHtml(c, v, { max_clusters: 5, max_members: 2, max_points: 100 }));
  assert.is(part, `Listed: the 5 largest of ${c.count} clusters, at most 2 members each (most frequent first; … marks a cut list); the ${c.noise} noise words are not listed. Map: the 100 most frequent of 300 words. Colours: the 10 largest clusters; the other ${c.count - 10} are grey, noise light grey.`);
  const all = shown(clusterReportHtml(c, v, { max_clusters: 1000, max_members: 1000, max_points: 5000, coloured: 40 }));
  assert.ok(c.count <= 40);
  assert.is(all, `Listed: all ${c.count} clusters, every member; the ${c.noise} noise words are not listed. Map: all 300 words.`);
  assert.is(shown(clusterReportHtml(c, undefined, { max_clusters: 1000, max_members: 1000 })), `Listed: all ${c.count} clusters, every member; the ${c.noise} noise words are not listed.`);
});

test('report: one self-contained HTML file with the words embedded', async () => {
  const t = tempDir();
  try {
    const { html } = await writeReport(t);
    assert.ok(!/(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html), 'no external resources');
    assert.ok(html.includes('"the"'), 'words embedded');
    assert.ok(html.includes('<svg'), 'an inline plot');
  } finally {
    t.cleanup();
  }
});

test('umapLayout: separate groups stay apart on the map; a seed gives the same map', async () => {
  // Three groups of 40 points in 12-D around orthogonal directions.
  const rng = new Rng(3);
  const n = 120;
  const dim = 12;
  const d = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const g = i % 3;
    for (let j = 0; j < dim; j++) d[i * dim + j] = (j % 3 === g ? 1 : 0) + 0.15 * rng.normal();
  }
  const v = new Embeddings(Array.from({ length: n }, (_, i) => `w${i}`), dim, d);
  const a = await umapLayout(v, n, { seed: 5, epochs: 120 });
  const b = await umapLayout(v, n, { seed: 5, epochs: 120 });
  assert.equal(Array.from(a.x), Array.from(b.x));
  const c = await umapLayout(v, n, { seed: 6, epochs: 120 });
  assert.not.equal(Array.from(a.x), Array.from(c.x));
  // Each point's nearest point on the map is of its own group.
  let same = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bd = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dd = (a.x[i]! - a.x[j]!) ** 2 + (a.y[i]! - a.y[j]!) ** 2;
      if (dd < bd) {
        bd = dd;
        best = j;
      }
    }
    if (best % 3 === i % 3) same++;
  }
  assert.ok(same / n > 0.95, `${same} of ${n} points have a nearest map neighbour of their own group`);
  // Only the first rows are mapped when asked.
  assert.is((await umapLayout(v, 30, { seed: 5, epochs: 50 })).x.length, 30);
});

const renderName = 'report: it renders in headless Chromium (points, cluster list)';
if (!existsSync(CHROMIUM) && !IN_CI) {
  console.log(`  (skipping "${renderName}": ${CHROMIUM} is not installed; apt-get install -y chromium)`);
  test.skip(renderName, () => {});
} else {
  test(renderName, async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is not installed, and in CI (CI=true) the rendering check must run: apt-get install -y chromium`);
    const t = tempDir();
    const profile = mkdtempSync(join(tmpdir(), 'wordloom-chromium-'));
    try {
      const { v, c, file } = await writeReport(t);
      const r = spawnSync(
        CHROMIUM,
        ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, '--dump-dom', pathToFileURL(file).href],
        { encoding: 'utf8', timeout: 60000, maxBuffer: 64 << 20 },
      );
      const dom = r.stdout;
      assert.ok(/<section class="clustering"[^>]* data-points="300"/.test(dom), `chromium rendered no points (exit ${r.status}): ${r.stderr.slice(-500)}`);
      assert.match(dom, /map by UMAP/);
      assert.is((dom.match(/<circle /g) ?? []).length, 300);
      const listed = Math.min(c.count, 200);
      assert.ok(dom.includes(`data-clusters="${listed}"`));
      assert.is((dom.match(/<li data-c=/g) ?? []).length, listed);
      // The largest cluster is listed first, with its most frequent member first.
      const first = Array.from(c.labels).indexOf(0);
      assert.ok(new RegExp(`<li data-c="0"><span class="sw"[^>]*></span><span class="size">\\(${c.sizes[0]}\\) </span>${v.words[first]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[ <…]`).test(dom), 'largest cluster first');
    } finally {
      rmSync(profile, { recursive: true, force: true });
      t.cleanup();
    }
  });
}

test.run();
