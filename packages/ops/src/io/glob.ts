/**
 * File globs for corpus inputs: `*` and `?` within a path segment, `**` for any
 * number of directories. Results are sorted so that runs are reproducible.
 */
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';

export function hasGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

function segmentRegex(seg: string): RegExp {
  let re = '^';
  for (const ch of seg) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

/** Expand one pattern relative to baseDir. A pattern without wildcards is returned resolved, whether or not it exists. */
export function expandGlob(pattern: string, baseDir: string): string[] {
  if (pattern === '-') return ['-'];
  const abs = isAbsolute(pattern) ? pattern : resolve(baseDir, pattern);
  if (!hasGlob(pattern)) return [abs];
  const parts = abs.split(sep);
  const root = parts[0] === '' ? sep : parts[0]!;
  const out: string[] = [];
  const walk = (dir: string, i: number): void => {
    if (i === parts.length) {
      out.push(dir);
      return;
    }
    const seg = parts[i]!;
    if (!hasGlob(seg)) {
      const next = join(dir, seg);
      if (i === parts.length - 1) {
        if (exists(next)) out.push(next);
      } else if (isDir(next)) walk(next, i + 1);
      return;
    }
    if (seg === '**') {
      walk(dir, i + 1);
      for (const e of list(dir)) if (!e.startsWith('.') && isDir(join(dir, e))) walk(join(dir, e), i);
      return;
    }
    const re = segmentRegex(seg);
    for (const e of list(dir)) {
      if (e.startsWith('.') && !seg.startsWith('.')) continue;
      if (!re.test(e)) continue;
      const next = join(dir, e);
      if (i === parts.length - 1) {
        if (!isDir(next)) out.push(next);
      } else if (isDir(next)) walk(next, i + 1);
    }
  };
  walk(root, 1);
  return [...new Set(out)].sort();
}

/** Expand several patterns; keeps the order of patterns, each pattern's matches sorted. */
export function expandGlobs(patterns: readonly string[], baseDir: string): string[] {
  const out: string[] = [];
  for (const p of patterns) out.push(...expandGlob(p, baseDir));
  return out;
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
