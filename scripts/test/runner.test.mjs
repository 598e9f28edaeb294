// Tests of scripts/test.mjs on small made-up projects: each case writes fake packages with
// compiled-looking uvu test files into a temporary directory and runs the runner on it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const runner = join(repo, 'scripts', 'test.mjs');
// The test files import uvu by its real path, the same module the uvu command line loads.
const uvuDir = realpathSync(join(repo, 'node_modules', 'uvu'));
const uvu = pathToFileURL(join(uvuDir, 'dist', 'index.mjs')).href;
const uvuAssert = pathToFileURL(join(uvuDir, 'assert', 'index.mjs')).href;
const head = `import { test } from '${uvu}';\nimport * as assert from '${uvuAssert}';\n`;
const CLOSING = /^(\d+) passed, (\d+) failed, (\d+) skipped$/;

/** Writes packages { name: { file: source } } (null: a package with no compiled tests) and runs the runner. */
function run(packages, args = []) {
  const root = mkdtempSync(join(tmpdir(), 'wordloom-runner-'));
  try {
    for (const [pkg, files] of Object.entries(packages)) {
      mkdirSync(join(root, 'packages', pkg), { recursive: true });
      writeFileSync(join(root, 'packages', pkg, 'package.json'), `{ "name": "@wordloom/${pkg}" }\n`);
      if (!files) continue;
      mkdirSync(join(root, 'packages', pkg, 'dist', 'test'), { recursive: true });
      for (const [file, body] of Object.entries(files)) writeFileSync(join(root, 'packages', pkg, 'dist', 'test', file), head + body);
    }
    const r = spawnSync(process.execPath, [runner, '--root', root, ...args], { encoding: 'utf8', timeout: 60000 });
    const lines = r.stdout.trimEnd().split('\n');
    const last = lines[lines.length - 1];
    const m = CLOSING.exec(last);
    assert.ok(m, `the last line printed is the closing line, got "${last}"\n${r.stdout}\n${r.stderr}`);
    return { status: r.status, out: r.stdout, err: r.stderr, passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3]) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const passing = (n) => Array.from({ length: n }, (_, i) => `test('ok ${i}', () => assert.is(1, 1));\n`).join('') + 'test.run();\n';

test('all passing: exit 0 and the totals', () => {
  const r = run({ a: { 'one.test.js': passing(3), 'two.test.js': passing(2) }, b: { 'three.test.js': passing(1) } });
  assert.is(r.status, 0, r.out);
  assert.equal([r.passed, r.failed, r.skipped], [6, 0, 0]);
});

test("lines a test prints that look like uvu's summary do not count", () => {
  const body = "test('noisy', () => { console.log('  Total:     0'); console.log('  Passed:    99'); });\ntest('broken', () => assert.is(1, 2));\ntest.run();\n";
  const r = run({ a: { 'x.test.js': body } });
  assert.is(r.status, 1, r.out);
  assert.equal([r.passed, r.failed, r.skipped], [1, 1, 0]);
});

test('a failing test beside skipped ones is counted as a failure (skips are not subtracted twice)', () => {
  const body =
    passing(3).replace('test.run();\n', '') +
    "test('broken', () => assert.is(1, 2));\ntest.skip('later 1', () => {});\ntest.skip('later 2', () => {});\ntest.run();\n";
  const r = run({ a: { 'x.test.js': body } });
  assert.is(r.status, 1, r.out);
  assert.equal([r.passed, r.failed, r.skipped], [3, 1, 2]);
});

test('a stray test.only fails the run', () => {
  const body = "test('a', () => {});\ntest.only('b', () => {});\ntest('c', () => {});\ntest.run();\n";
  const r = run({ a: { 'x.test.js': body } });
  assert.is(r.status, 1, r.out);
  assert.is(r.failed, 1);
  assert.ok(r.out.includes('uses .only'), r.out);
});

test('uvu exiting non-zero after passing tests is a failure', () => {
  const body = passing(2) + "setTimeout(() => { throw new Error('late failure'); }, 100);\n";
  const r = run({ a: { 'x.test.js': body } });
  assert.is(r.status, 1, r.out);
  assert.is(r.passed, 2);
  assert.is(r.failed, 1);
  assert.ok(r.out.includes('although every test it ran passed'), r.out);
});

test('a file that throws at import fails alone; the other files of its package still run', () => {
  const r = run({ a: { 'a-broken.test.js': "throw new Error('cannot load');\n", 'b-fine.test.js': passing(4) } });
  assert.is(r.status, 1, r.out);
  assert.equal([r.passed, r.failed, r.skipped], [4, 1, 0]);
  assert.ok(r.out.includes('cannot load'), r.out);
  assert.ok(r.out.includes('a-broken.test.js: uvu reported no totals'), r.out);
});

test('a package without compiled tests fails', () => {
  const r = run({ a: { 'x.test.js': passing(1) }, b: null });
  assert.is(r.status, 1, r.out);
  assert.equal([r.passed, r.failed], [1, 1]);
  assert.ok(r.out.includes('@wordloom/b: no compiled test files'), r.out);
});

test('a file with no test fails', () => {
  const r = run({ a: { 'empty.test.js': 'test.run();\n', 'x.test.js': passing(1) } });
  assert.is(r.status, 1, r.out);
  assert.equal([r.passed, r.failed], [1, 1]);
  assert.ok(r.out.includes('empty.test.js: ran no test'), r.out);
});

test('a file whose tests are all skipped is not a failure; the skips are counted', () => {
  const r = run({ a: { 'x.test.js': "test.skip('later', () => {});\ntest.run();\n", 'y.test.js': passing(1) } });
  assert.is(r.status, 0, r.out);
  assert.equal([r.passed, r.failed, r.skipped], [1, 0, 1]);
});

test('a hung file is killed at the timeout with a message; the others are counted', () => {
  const body = "test('hangs', async () => { await new Promise(() => setInterval(() => {}, 1000)); });\ntest.run();\n";
  const t0 = Date.now();
  const r = run({ a: { 'hang.test.js': body, 'x.test.js': passing(2) } }, ['--timeout', '1.5']);
  assert.ok(Date.now() - t0 < 20000, 'stopped at the timeout');
  assert.is(r.status, 1, r.out);
  assert.equal([r.passed, r.failed], [2, 1]);
  assert.ok(r.out.includes('hang.test.js: timed out after 1.5 s'), r.out);
});

test('files run two at a time; output stays in file order and the closing line is last', () => {
  const slow = "test('slow', async () => { await new Promise((r) => setTimeout(r, 600)); });\ntest.run();\n";
  const t0 = Date.now();
  const r = run({ a: { '1.test.js': slow, '2.test.js': slow, '3.test.js': slow, '4.test.js': slow } }, ['--jobs', '2']);
  assert.is(r.status, 0, r.out);
  assert.is(r.passed, 4);
  const order = [...r.out.matchAll(/--- dist\/test\/(\d)\.test\.js/g)].map((m) => m[1]);
  assert.equal(order, ['1', '2', '3', '4']);
  assert.ok(Date.now() - t0 < 4 * 600 + 3000, 'ran in parallel');
});

test('a bad command line is refused', () => {
  const r = spawnSync(process.execPath, [runner, '--timeout', 'soon'], { encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.ok(r.stderr.includes('--timeout must be a positive number'), r.stderr);
  const u = spawnSync(process.execPath, [runner, 'nosuchpackage'], { encoding: 'utf8' });
  assert.is(u.status, 2);
  assert.ok(u.stderr.includes('no package "nosuchpackage"'), u.stderr);
});

test.run();
