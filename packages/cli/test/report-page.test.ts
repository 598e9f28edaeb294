import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoPath, wordloom } from './helpers.js';

// The browser for the rendering check (WORDLOOM_CHROMIUM names another). Without it the check is
// reported as skipped, except in CI (CI=true), where a missing browser is a failure.
const CHROMIUM = process.env.WORDLOOM_CHROMIUM || '/usr/bin/chromium';
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** GloVe on the Lee corpus, evaluated and clustered: every section of the page has something to show. */
function writePipeline(dir: string): string {
  const file = join(dir, 'lee-report.yaml');
  const data = (rel: string) => JSON.stringify(repoPath('data/' + rel));
  writeFileSync(
    file,
    [
      'name: lee-report',
      'seed: 7',
      'threads: 1',
      'nodes:',
      `  - { id: corpus, op: tokenize, params: { input: ${data('corpora/lee_background.cor')}, lowercase: ascii } }`,
      '  - { id: vocab, op: vocab, inputs: { tokens: corpus }, params: { min_count: 3 } }',
      '  - { id: cooccur, op: cooccur, inputs: { tokens: corpus, vocab: vocab }, params: { window: 10 } }',
      '  - { id: glove, op: glove, inputs: { cooccurrences: cooccur, vocab: vocab }, params: { vector_size: 30, x_max: 10, max_iter: 8 } }',
      `  - { id: evaluate, op: evaluate, inputs: { vectors: glove }, params: { similarity: [${data('eval/wordsim353.tsv')}] } }`,
      '  - { id: graph, op: knn-graph, inputs: { vectors: glove }, params: { n: 10, limit: 600, mode: mutual, min_similarity: 0.5 } }',
      '  - { id: clusters, op: chinese-whispers, inputs: { graph: graph }, params: { min_cluster_size: 2 } }',
      '',
    ].join('\n'),
  );
  return file;
}

test('run --report writes one self-contained page: graph, node times and memory, the cost curve, the evaluation and a UMAP cluster map', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wordloom-cli-report-'));
  try {
    const html = join(dir, 'out', 'run.html');
    const r = wordloom(['run', writePipeline(dir), '--report', html]);
    assert.is(r.code, 0, r.err);
    assert.match(r.err, new RegExp(`report written to ${html.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.ok(r.out.includes(`\nreport: ${html}\n`), 'the summary names the page');
    const page = readFileSync(html, 'utf8');
    assert.ok(!/(src|href)\s*=\s*["']?(https?:)?\/\//i.test(page), 'nothing fetched');
    for (const id of ['corpus', 'vocab', 'cooccur', 'glove', 'evaluate', 'graph', 'clusters']) assert.match(page, new RegExp(`<g class="node" data-node="${id}">`), id);
    assert.match(page, /<tr data-node="glove"><td>glove<\/td><td>glove<\/td><td>computed<\/td><td class="n">[\d.]+ (ms|s)<\/td><td class="n">\d+ MB<\/td><td>2,947 x 30 vectors<\/td>/);
    assert.match(page, /data-node="glove" data-metric="cost" data-points="8"/);
    assert.match(page, /<table class="eval" data-node="evaluate">.*wordsim353\.tsv/s);
    assert.match(page, /"method":"UMAP"/);
    assert.match(page, /Map: all 600 words\. Colours: the 10 largest clusters; the other \d+ are grey/);

    const bad = wordloom(['run', writePipeline(dir), '--report', dir]);
    assert.is(bad.code, 1);
    assert.match(bad.err, /--report: the output ".*" is a directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const renderName = 'the report page renders in headless Chromium: a screenshot with content (map points, coloured clusters, graph, curve)';
if (!existsSync(CHROMIUM) && !IN_CI) {
  console.log(`  (skipping "${renderName}": ${CHROMIUM} is not installed; apt-get install -y chromium)`);
  test.skip(renderName, () => {});
} else {
  test(renderName, () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is not installed, and in CI (CI=true) the rendering check must run: apt-get install -y chromium`);
    const dir = mkdtempSync(join(tmpdir(), 'wordloom-cli-report-'));
    const profile = mkdtempSync(join(tmpdir(), 'wordloom-chromium-'));
    try {
      const html = join(dir, 'run.html');
      const r = wordloom(['run', writePipeline(dir), '--report', html]);
      assert.is(r.code, 0, r.err);
      const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`];
      const dom = spawnSync(CHROMIUM, [...flags, '--dump-dom', pathToFileURL(html).href], { encoding: 'utf8', timeout: 60000, maxBuffer: 64 << 20 });
      assert.match(dom.stdout, /data-maps="1"/, `the script ran (exit ${dom.status}): ${dom.stderr.slice(-500)}`);
      assert.match(dom.stdout, /<section class="clustering" data-node="clusters" data-points="600"/);
      assert.is((dom.stdout.match(/<circle cx=[^>]*data-w=/g) ?? []).length, 600);

      const png = join(dir, 'shot.png');
      const shot = spawnSync(CHROMIUM, [...flags, '--window-size=1100,2400', `--screenshot=${png}`, pathToFileURL(html).href], { encoding: 'utf8', timeout: 60000 });
      assert.ok(existsSync(png), `no screenshot (exit ${shot.status}): ${shot.stderr.slice(-500)}`);
      const img = PNG.sync.read(readFileSync(png));
      assert.is(img.width, 1100);
      let ink = 0;
      let colour = 0;
      for (let i = 0; i < img.data.length; i += 4) {
        const [r8, g8, b8] = [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
        if (r8 < 235 || g8 < 235 || b8 < 235) ink++;
        // Saturated pixels: the coloured clusters, the node boxes, the curve.
        if (Math.max(r8, g8, b8) - Math.min(r8, g8, b8) > 60) colour++;
      }
      const pixels = img.width * img.height;
      assert.ok(ink / pixels > 0.03, `only ${((100 * ink) / pixels).toFixed(2)}% of the screenshot is not background`);
      assert.ok(colour > 2000, `only ${colour} coloured pixels`);
    } finally {
      rmSync(profile, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
