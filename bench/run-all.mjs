#!/usr/bin/env node
// Runs the benchmarks one after another (never side by side: the figures are
// timings) and prints their output. Pass names to run a subset:
//   node bench/run-all.mjs cooccur glove pipeline
// The quality studies (glove-double: ~8 min, glove-spread: ~40 min, subwords: ~5 min)
// run only when named.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here).filter((f) => f.endsWith('.mjs') && f !== 'run-all.mjs').map((f) => f.slice(0, -4)).sort();
const STUDIES = new Set(['glove-double', 'glove-spread', 'subwords']);
const pick = process.argv.slice(2);
const names = pick.length ? pick : all.filter((n) => !STUDIES.has(n));
let failed = 0;
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`no benchmark named "${name}" (have: ${all.join(', ')})`);
    failed++;
    continue;
  }
  console.log(`\n### ${name}\n`);
  const r = spawnSync(process.execPath, [join(here, `${name}.mjs`)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
