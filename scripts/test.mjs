#!/usr/bin/env node
// Runs every package's uvu tests from its compiled output (packages/*/dist/test/**/*.test.js),
// plus the runner's own tests (scripts/test/*.test.mjs), each test file in its own process, and
// prints one closing line "N passed, N failed, N skipped" as the last line of its output.
//
// A file counts as failed when it cannot be imported, when uvu's totals are missing, when uvu
// exits non-zero, when it ran no test at all, when it contains `.only` (which silently turns
// the rest of the file into skips), or when it runs longer than the timeout. A package without
// compiled test files is a failure too. Failures are counted from uvu's own totals
// (Total excludes skipped tests; failed = Total - Passed), never by subtracting skips again.
//
// Usage: node scripts/test.mjs [package ...] [--match REGEX] [--timeout SECONDS] [--jobs N] [--root DIR]
//   package    only these packages (directory names under packages/, or "scripts")
//   --match    only the test files whose name matches (e.g. --match report)
//   --timeout  seconds one test file may run (default 300, or WORDLOOM_TEST_TIMEOUT_S)
//   --jobs     test files run at the same time (default 2, or WORDLOOM_TEST_JOBS)
//   --root     the project whose packages/ are tested (default: this repository)
// Exit status: 0 when nothing failed, 1 otherwise, 2 for a bad command line.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
const uvuBin = join(here, 'node_modules', 'uvu', 'bin.js');

function usage(msg) {
  process.stderr.write(`test.mjs: ${msg}\nusage: node scripts/test.mjs [package ...] [--match REGEX] [--timeout SECONDS] [--jobs N] [--root DIR]\n`);
  process.exit(2);
}

function positive(name, value) {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) usage(`${name} must be a positive number, got "${value}"`);
  return n;
}

let root = here;
let timeoutS = process.env.WORDLOOM_TEST_TIMEOUT_S ? positive('WORDLOOM_TEST_TIMEOUT_S', process.env.WORDLOOM_TEST_TIMEOUT_S) : 300;
let jobs = process.env.WORDLOOM_TEST_JOBS ? positive('WORDLOOM_TEST_JOBS', process.env.WORDLOOM_TEST_JOBS) : 2;
const only = [];
let match = null;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const value = () => {
    if (i + 1 >= argv.length) usage(`${a} needs a value`);
    return argv[++i];
  };
  if (a === '--timeout') timeoutS = positive('--timeout', value());
  else if (a === '--jobs') jobs = Math.floor(positive('--jobs', value()));
  else if (a === '--match') {
    const v = value();
    try {
      match = new RegExp(v);
    } catch (err) {
      usage(`--match: ${err.message}`);
    }
  } else if (a === '--root') root = resolve(value());
  else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else only.push(a);
}

/** Test files under dir whose name ends in the suffix, as paths relative to dir, sorted. */
function listTests(dir, suffix) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      if (name === 'node_modules') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(suffix)) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

// The suites: each package's compiled tests, then the runner's own tests.
const suites = [];
const packagesDir = join(root, 'packages');
const pkgNames = existsSync(packagesDir) ? readdirSync(packagesDir).filter((p) => existsSync(join(packagesDir, p, 'package.json'))).sort() : [];
for (const pkg of pkgNames) suites.push({ name: pkg, label: `@wordloom/${pkg}`, cwd: join(packagesDir, pkg), testDir: 'dist/test', suffix: '.test.js' });
if (existsSync(join(root, 'scripts', 'test'))) suites.push({ name: 'scripts', label: 'scripts', cwd: join(root, 'scripts'), testDir: 'test', suffix: '.test.mjs' });
for (const name of only) if (!suites.some((s) => s.name === name)) usage(`no package "${name}" under ${packagesDir} (have: ${suites.map((s) => s.name).join(', ') || 'none'})`);
const chosen = suites.filter((s) => !only.length || only.includes(s.name));
if (!chosen.length) usage(`no packages to test under ${packagesDir}`);


let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];

function fail(where, why) {
  failed++;
  problems.push(`${where}: ${why}`);
}

// Files to run; a package with none is a failure now (with --match, one with none matching is left out).
const files = [];
for (const s of chosen) {
  const dir = join(s.cwd, s.testDir);
  const all = existsSync(dir) ? listTests(dir, s.suffix) : [];
  const list = match ? all.filter((f) => match.test(f)) : all;
  if (match && all.length && !list.length) continue;
  if (!list.length) {
    fail(s.label, `no compiled test files (*${s.suffix}) under ${relative(root, dir) || dir}; build first (npx pnpm@10.34.9 build)`);
    continue;
  }
  for (const f of list) files.push({ suite: s, file: f });
}

if (match && !files.length && !failed) usage(`--match ${match.source}: no test file matches`);

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const stripAnsi = (s) => s.replace(/\u001b\[[0-9;]*m/g, '');

/** Runs one test file under uvu in a process of its own; resolves to what it printed and how it ended. */
function runFile({ suite, file }) {
  return new Promise((done) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [uvuBin, suite.testDir, `^${escapeRe(file)}$`, '--no-color'], {
      cwd: suite.cwd,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a timeout also ends what it started
    });
    running.add(child.pid);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutS * 1000);
    child.on('close', (code, signal) => {
      running.delete(child.pid);
      clearTimeout(timer);
      done({ out: stripAnsi(out), code, signal, timedOut, seconds: (Date.now() - t0) / 1000 });
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      done({ out: String(err.stack || err), code: null, signal: null, timedOut, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

/** Adds one file's result to the totals; returns the lines to print about it. */
function account({ suite, file }, r) {
  const where = `${suite.label} ${suite.testDir}/${file}`;
  const notes = [];
  const bad = (why) => {
    fail(where, why);
    notes.push(`!! ${where}: ${why}`);
  };
  if (r.timedOut) {
    bad(`timed out after ${timeoutS} s and was killed (a hung test? raise the limit with --timeout SECONDS or WORDLOOM_TEST_TIMEOUT_S)`);
  }
  // uvu's summary closes its output: take the last match, not a line a test printed.
  const last = (re) => [...r.out.matchAll(re)].pop();
  const total = last(/^\s*Total:\s+(\d+)$/gm);
  const ok = last(/^\s*Passed:\s+(\d+)$/gm);
  const skip = last(/^\s*Skipped:\s+(\d+)$/gm);
  if (!total || !ok || !skip) {
    if (!r.timedOut) bad(`uvu reported no totals (exit ${r.code ?? r.signal}): it could not be imported or stopped early; see its output above`);
    return notes;
  }
  // uvu's Total leaves skipped tests out already: failed = Total - Passed.
  const nTotal = Number(total[1]);
  const nPassed = Number(ok[1]);
  const nSkipped = Number(skip[1]);
  const nFailed = nTotal - nPassed;
  passed += nPassed;
  skipped += nSkipped;
  failed += nFailed;
  if (nFailed > 0) problems.push(`${where}: ${nFailed} failed`);
  if (r.timedOut) return notes;
  if (r.code !== 0 && nFailed === 0) bad(`uvu exited ${r.code ?? r.signal} although every test it ran passed (an error after the tests?)`);
  if (nTotal === 0 && nSkipped === 0) bad('ran no test (an empty file, or tests registered without test.run()?)');
  let source = '';
  try {
    source = readFileSync(join(suite.cwd, suite.testDir, file), 'utf8');
  } catch {}
  // uvu does not tell .only from .skip in its totals, so look for a statement that calls it.
  if (/^\s*[\w$]+\.only\s*\(/m.test(source)) bad('uses .only, which turns every other test of the file into a skip; remove it');
  return notes;
}

// Ctrl-C or SIGTERM: end the test processes (each leads its own process group) before leaving.
const running = new Set();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const pid of running) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {}
    }
    process.stdout.write(`\nstopped (${sig}) before every test file ran\n`);
    process.exit(sig === 'SIGINT' ? 130 : 143);
  });
}

const t0 = Date.now();
const results = new Array(files.length);
let next = 0;
let printed = 0;
let lastLabel = '';
// Output is printed in file order as soon as the files before it are done.
function flush() {
  while (printed < files.length && results[printed]) {
    const f = files[printed];
    const r = results[printed];
    if (f.suite.label !== lastLabel) {
      process.stdout.write(`\n=== ${f.suite.label}\n`);
      lastLabel = f.suite.label;
    }
    process.stdout.write(`\n--- ${f.suite.testDir}/${f.file} (${r.seconds.toFixed(1)} s)\n`);
    process.stdout.write(r.out.endsWith('\n') || !r.out ? r.out : r.out + '\n');
    for (const line of account(f, r)) process.stdout.write(`${line}\n`);
    printed++;
  }
}
async function worker() {
  while (next < files.length) {
    const i = next++;
    results[i] = await runFile(files[i]);
    flush();
  }
}
await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, files.length)) }, worker));
flush();

if (problems.length) {
  process.stdout.write(`\nFailures:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
}
process.stdout.write(`\n(${files.length} test files in ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exitCode = failed > 0 ? 1 : 0;
