import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function repoPath(rel: string): string {
  return fileURLToPath(new URL('../../../../' + rel, import.meta.url));
}

const bin = fileURLToPath(new URL('../src/bin.js', import.meta.url));

/** Run the wordloom command; returns exit code, stdout and stderr. */
export function wordloom(args: string[], opts: { cwd?: string; input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? repoPath(''),
    encoding: 'utf8',
    input: opts.input,
    timeout: opts.timeoutMs ?? 120_000,
    maxBuffer: 256 * 1024 * 1024,
    // The artifact cache is off unless a test names one (runs must not load each other's outputs).
    env: { ...process.env, CI: '1', NO_COLOR: '1', WORDLOOM_CACHE: 'off', ...opts.env },
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
