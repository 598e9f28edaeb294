import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Absolute path of a file under the repository root (tests run from dist/test). */
export function repoPath(rel: string): string {
  return fileURLToPath(new URL('../../../../' + rel, import.meta.url));
}

export function dataPath(rel: string): string {
  return repoPath('data/' + rel);
}

/** A fresh temporary directory; call the returned cleanup when done. */
export function tempDir(prefix = 'wordloom-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
