import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { WordloomError } from '@wordloom/core';
import { dataPath } from './fake-ops.js';

/** A fresh temporary directory with helpers to write files into it. */
export function scratch(prefix = 'wordloom-graph-test-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(name: string, text: string): string {
      const p = join(dir, name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
      return p;
    },
    /** A path to a bundled data file, relative to this directory. */
    data(rel: string): string {
      return relative(dir, dataPath(rel));
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** 1-based line of the first line containing `marker` (the nth when n > 1). */
export function lineOf(text: string, marker: string, n = 1): number {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.includes(marker) && ++seen === n) return i + 1;
  }
  throw new Error(`marker ${JSON.stringify(marker)} not found`);
}

/** The single error whose message matches; fails listing all errors otherwise. */
export function findError(errors: readonly WordloomError[], re: RegExp): WordloomError {
  const hits = errors.filter((e) => re.test(e.message));
  if (hits.length !== 1) {
    throw new Error(`expected one error matching ${re}, found ${hits.length} among:\n${errors.map((e) => ' - ' + e.message).join('\n')}`);
  }
  return hits[0]!;
}
