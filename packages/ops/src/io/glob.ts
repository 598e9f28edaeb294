/**
 * A small file glob for `paths` params (node:fs glob is not stable in Node 20):
 * `*` any run of characters within a path segment, `?` one character, `[abc]` /
 * `[a-z]` / `[!abc]` a character class, and a whole segment `**` any number of
 * directories (zero included). Names starting with a dot are matched only by a
 * pattern segment that starts with a dot. Matches are files (not directories),
 * sorted, so that runs are reproducible.
 */
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** A regular expression for one path segment of a glob. */
export function segmentToRegExp(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const ch = seg[i]!;
    if (ch === '*') {
      while (seg[i + 1] === '*') i++;
      re += '[^/]*';
    } else if (ch === '?') {
      re += '[^/]';
    } else if (ch === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, end);
      let neg = false;
      if (body[0] === '!' || body[0] === '^') {
        neg = true;
        body = body.slice(1);
      }
      re += '[' + (neg ? '^' : '') + body.replace(/[\\\]^]/g, '\\$&') + ']';
      i = end;
    } else {
      re += ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp('^' + re + '$', 'u');
}

/** Whether a relative path (with `/` separators) matches a glob pattern. */
export function globMatch(pattern: string, path: string): boolean {
  const pat = pattern.split('/').filter((s) => s !== '' && s !== '.');
  const parts = path.split('/').filter((s) => s !== '' && s !== '.');
  const rx = pat.map((s) => (s === '**' ? null : segmentToRegExp(s)));
  const memo = new Map<number, boolean>();
  const m = (i: number, j: number): boolean => {
    const key = i * (parts.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === pat.length) r = j === parts.length;
    else if (rx[i] === null) {
      r = m(i + 1, j) || (j < parts.length && !parts[j]!.startsWith('.') && m(i, j + 1));
    } else {
      r = j < parts.length && visible(parts[j]!, pat[i]!) && rx[i]!.test(parts[j]!) && m(i + 1, j + 1);
    }
    memo.set(key, r);
    return r;
  };
  return m(0, 0);
}

function visible(name: string, seg: string): boolean {
  return !name.startsWith('.') || seg.startsWith('.');
}

/**
 * Files matching `pattern` (relative patterns resolve against `baseDir`), as
 * absolute paths, sorted. A pattern without wildcards yields its resolved path if
 * that file exists, else nothing.
 */
export function expandGlob(pattern: string, baseDir: string): string[] {
  const abs = isAbsolute(pattern) ? pattern : resolve(baseDir, pattern);
  if (!hasGlob(pattern)) return isFile(abs) ? [abs] : [];
  // Normalise to "/" separated segments; keep the root ("/" or "C:\").
  const norm = abs.replace(/\\/g, '/');
  const segs = norm.split('/');
  let root = segs[0] === '' ? '/' : segs[0] + '/';
  const rest = segs.slice(1).filter((s) => s !== '');
  // The leading segments without wildcards are a fixed directory to start from.
  let k = 0;
  while (k < rest.length - 1 && !hasGlob(rest[k]!)) {
    root = join(root, rest[k]!);
    k++;
  }
  const pat = rest.slice(k);
  const rx = pat.map((s) => (s === '**' ? null : hasGlob(s) ? segmentToRegExp(s) : s));
  const out = new Set<string>();
  const seen = new Set<string>();
  const walk = (dir: string, i: number): void => {
    const key = dir + '\0' + i;
    if (seen.has(key)) return;
    seen.add(key);
    const r = rx[i];
    const last = i === pat.length - 1;
    if (r === null) {
      // `**`: zero directories, or descend one and stay on `**`.
      if (last) {
        for (const e of list(dir)) {
          if (e.startsWith('.')) continue;
          const p = join(dir, e);
          if (isDir(p)) walk(p, i);
          else out.add(p);
        }
        return;
      }
      walk(dir, i + 1);
      for (const e of list(dir)) if (!e.startsWith('.') && isDir(join(dir, e))) walk(join(dir, e), i);
      return;
    }
    if (typeof r === 'string') {
      const p = join(dir, r);
      if (last) {
        if (isFile(p)) out.add(p);
      } else if (isDir(p)) walk(p, i + 1);
      return;
    }
    for (const e of list(dir)) {
      if (!visible(e, pat[i]!) || !r!.test(e)) continue;
      const p = join(dir, e);
      if (last) {
        if (isFile(p)) out.add(p);
      } else if (isDir(p)) walk(p, i + 1);
    }
  };
  if (pat.length > 0) walk(root, 0);
  return [...out].sort();
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

function isFile(p: string): boolean {
  try {
    return !statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Expand corpus inputs: each pattern's matches in order (sorted within a
 * pattern). A pattern without wildcards is kept as its resolved path even when
 * the file is missing, so that the reader can say so; "-" (stdin) is kept as is.
 */
export function expandGlobs(patterns: readonly string[], baseDir: string): string[] {
  const out: string[] = [];
  for (const p of patterns) {
    if (p === '-') out.push('-');
    else if (!hasGlob(p)) out.push(isAbsolute(p) ? p : resolve(baseDir, p));
    else out.push(...expandGlob(p, baseDir));
  }
  return out;
}
