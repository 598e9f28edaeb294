#!/usr/bin/env node
import { removeTemporariesSync } from '@wordloom/ops';
import { main } from './main.js';
import { interruptExitCode } from './interrupt.js';

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
