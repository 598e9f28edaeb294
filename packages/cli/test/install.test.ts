/**
 * How a user gets wordloom: the command on the PATH (npm install -g of the cli
 * package), paths relative to where the user is, and the README's programmatic
 * example run from a project outside the workspace.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoPath } from './helpers.js';

const bin = fileURLToPath(new URL('../src/bin.js', import.meta.url));
const root = repoPath('').replace(/\/$/, '');
const dir = mkdtempSync(join(tmpdir(), 'wordloom-install-'));
// A clean npm environment: when the tests run under npm or pnpm, npm_config_* (such as
// npm_config_local_prefix, npm_config_prefix) would send the installs elsewhere.
const env: Record<string, string | undefined> = {};
for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|INIT_CWD$|FORCE_COLOR$|PNPM_)/i.test(k)) env[k] = v;
Object.assign(env, { CI: '1', NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' });

function run(cmd: string, args: string[], cwd: string, extra: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...env, ...extra }, timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout ?? '', err: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

test('the bin has a shebang and is executable', () => {
  assert.ok(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n'));
  assert.ok((statSync(bin).mode & 0o111) === 0o111, `mode ${(statSync(bin).mode & 0o777).toString(8)}`);
  const pkg = JSON.parse(readFileSync(repoPath('packages/cli/package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.is(pkg.bin.wordloom, 'dist/src/bin.js');
});

test('run as the root package script (pnpm wordloom), paths resolve from where the user ran it', () => {
  // pnpm runs the script from the repository root and passes the user's directory as INIT_CWD.
  const r = run(process.execPath, [bin, 'validate', 'lee-small.json'], root, { npm_lifecycle_event: 'wordloom', INIT_CWD: repoPath('examples') });
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^lee-small\.json: OK/);
  // Started directly, the current directory counts; a missing file names it.
  const miss = run(process.execPath, [bin, 'validate', 'lee-small.json'], root);
  assert.is(miss.code, 1);
  assert.match(miss.err, new RegExp(`pipeline file not found[\\s\\S]*current directory, ${root}\\)`));
});

test('npm install -g ./packages/cli puts a working wordloom on the PATH', () => {
  const prefix = join(dir, 'prefix');
  const r = run('npm', ['install', '-g', '--offline', '--prefix', prefix, './packages/cli'], root);
  assert.is(r.code, 0, r.err);
  const cwd = join(dir, 'elsewhere');
  mkdirSync(cwd);
  writeFileSync(join(cwd, 'v.txt'), readFileSync(repoPath('data/fixtures/wt2-sg-d20-300.txt')));
  const w = run('wordloom', ['neighbors', 'v.txt', 'the', '-k', '2'], cwd, { PATH: `${join(prefix, 'bin')}:${process.env.PATH}` });
  assert.is(w.code, 0, w.err);
  assert.match(w.out, /^the: \S+ \(0\.\d+\), \S+ \(0\.\d+\)\n/);
});

test("the README's programmatic example works from a project outside the workspace", () => {
  const readme = readFileSync(repoPath('README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The programmatic API'));
  const install = /```sh\n(npm install [^\n]+)\n```/.exec(section)![1]!;
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
  assert.ok(code.includes("baseDir: '/path/to/wordloom'") && code.includes('max_iter: 15'));
  const proj = join(dir, 'project');
  mkdirSync(proj);
  writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'uses-wordloom', version: '1.0.0', type: 'module', private: true }));
  const args = install.replaceAll('/path/to/wordloom', root).split(' ').slice(2);
  const i = run('npm', ['install', '--offline', ...args], proj);
  assert.is(i.code, 0, i.err);
  // For speed, the small Lee corpus and one training iteration instead of WikiText-2 and 15: the rest as written.
  assert.ok(code.includes('data/corpora/wikitext-2/wiki.train.tokens.gz'));
  const quick = code.replaceAll('/path/to/wordloom', root).replace('max_iter: 15', 'max_iter: 1').replace('data/corpora/wikitext-2/wiki.train.tokens.gz', 'data/corpora/lee_background.cor');
  writeFileSync(join(proj, 'example.ts'), quick);
  writeFileSync(
    join(proj, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'es2022', module: 'nodenext', strict: true, skipLibCheck: true, typeRoots: [repoPath('node_modules/@types')], types: ['node'], outDir: 'dist' }, files: ['example.ts'] }),
  );
  const tsc = run(process.execPath, [repoPath('node_modules/typescript/bin/tsc'), '-p', '.'], proj);
  assert.is(tsc.code, 0, tsc.out + tsc.err);
  const r = run(process.execPath, ['dist/example.js'], proj);
  assert.is(r.code, 0, r.err);
  assert.ok(/glove iteration \{ cost: 0\.0\d+/.test(r.out), r.out);
  assert.match(r.out, /\n1\d{3} words x 50\n$/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
