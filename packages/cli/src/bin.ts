#!/usr/bin/env node
import { removeTemporariesSync } from '@wordloom/ops/io/atomic';
import { main } from './main.js';
import { interruptExitCode } from './interrupt.js';

// `pnpm wordloom ...` in the repository runs the root package's script from the
// repository root; the paths on the command line are the user's, so they resolve
// from the directory the user ran it in (pnpm and npm pass it as INIT_CWD).
if (process.env.npm_lifecycle_event === 'wordloom' && process.env.INIT_CWD) {
  try {
    process.chdir(process.env.INIT_CWD);
  } catch {
    /* the directory is gone: stay where the script runs */
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Stopped by a signal: whatever worker or timer is left must not keep the process.
    if (interruptExitCode() !== undefined) {
      removeTemporariesSync();
      process.exit(code);
    }
  },
  (e) => {
    process.stderr.write(`wordloom: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
