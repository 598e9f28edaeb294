#!/usr/bin/env node
// Runs every package's uvu suite from its compiled output and prints one closing
// line "N passed, N failed" with the totals. Exits non-zero if any test failed or a
// suite could not run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packages = ['core', 'ops', 'graph', 'cli'];
const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
let broken = 0;
const uvuBin = join(root, 'node_modules', 'uvu', 'bin.js');

for (const pkg of packages) {
  if (only.length && !only.includes(pkg)) continue;
  const dir = join(root, 'packages', pkg);
  if (!existsSync(join(dir, 'dist', 'test'))) continue;
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [uvuBin, 'dist/test', '\\.test\\.js$'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = (r.stdout || '') + (r.stderr || '');
  process.stdout.write(`\n=== @wordloom/${pkg} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  process.stdout.write(out);
  const total = /Total:\s+(\d+)/.exec(out);
  const ok = /Passed:\s+(\d+)/.exec(out);
  if (!total || !ok) {
    broken++;
    failed++;
    process.stdout.write(`\n!! @wordloom/${pkg}: the suite did not report totals (exit ${r.status}${r.signal ? ', ' + r.signal : ''})\n`);
    continue;
  }
  const skipped = Number((/Skipped:\s+(\d+)/.exec(out) || [0, 0])[1]);
  passed += Number(ok[1]);
  failed += Number(total[1]) - Number(ok[1]) - skipped;
  if (r.status !== 0 && Number(total[1]) === Number(ok[1]) + skipped) {
    failed++;
    process.stdout.write(`\n!! @wordloom/${pkg}: exited ${r.status} after its tests\n`);
  }
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 || broken > 0 ? 1 : 0);
