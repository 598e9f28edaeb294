// The HTML report's rendering check without a browser: skipped (and counted as skipped) on a
// developer's machine, a failure in CI. Runs the compiled ops test through the runner.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const compiled = join(repo, 'packages', 'ops', 'dist', 'test', 'report.test.js');

function runReportTest(env) {
  const r = spawnSync(process.execPath, [join(repo, 'scripts', 'test.mjs'), 'ops', '--match', '^report\\.test\\.js$'], {
    encoding: 'utf8',
    env: { ...process.env, CI: '', ...env, WORDLOOM_CHROMIUM: join(repo, 'no-such-dir', 'chromium') },
    timeout: 120000,
  });
  const last = r.stdout.trimEnd().split('\n').pop();
  const m = /^(\d+) passed, (\d+) failed, (\d+) skipped$/.exec(last);
  assert.ok(m, `closing line: ${r.stdout}\n${r.stderr}`);
  return { status: r.status, out: r.stdout, passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3]) };
}

test('the ops report test is compiled', () => {
  assert.ok(existsSync(compiled), `${compiled} is missing: build first (npx pnpm@10.34.9 build)`);
});

test('without Chromium, outside CI: the rendering check is reported as skipped, not passed', () => {
  const r = runReportTest({});
  assert.is(r.status, 0, r.out);
  assert.is(r.failed, 0, r.out);
  assert.is(r.skipped, 1, r.out);
  assert.ok(r.out.includes('is not installed; apt-get install -y chromium'), r.out);
});

test('without Chromium, in CI (CI=true): the rendering check fails', () => {
  const r = runReportTest({ CI: 'true' });
  assert.is(r.status, 1, r.out);
  assert.is(r.failed, 1, r.out);
  assert.is(r.skipped, 0, r.out);
  assert.ok(r.out.includes('in CI (CI=true) the rendering check must run'), r.out);
});

test.run();
