/**
 * Ctrl-C and SIGTERM for the wordloom command. The first signal prints
 * "stopping", aborts `interruptSignal()` (which every command passes to the work
 * it starts, so that running ops stop at their next check and clean up after
 * themselves) and makes the command exit with 128 + the signal number (130 for
 * SIGINT, 143 for SIGTERM) without a stack trace. A second signal, or work that
 * has not stopped within GRACE_MS, removes the temporary files and directories
 * still registered and exits at once.
 */
import { removeTemporariesSync } from '@wordloom/ops/io/atomic';

const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;
type StopSignal = keyof typeof SIGNALS;

/** How long the work has to stop after the first signal before the process exits anyway. */
export const GRACE_MS = 5000;

const controller = new AbortController();
let received: StopSignal | undefined;
let installed = false;

/** Aborted when the process receives SIGINT or SIGTERM (once installInterrupts has run). */
export function interruptSignal(): AbortSignal {
  return controller.signal;
}

/** The exit status for the signal received (130, 143), or undefined when none came. */
export function interruptExitCode(): number | undefined {
  return received ? 128 + SIGNALS[received] : undefined;
}

/** Handle SIGINT and SIGTERM as the module comment says (main() calls it for the commands that are `interruptible`). */
export function installInterrupts(stderr: NodeJS.WritableStream = process.stderr): void {
  if (installed) return;
  installed = true;
  const onSignal = (sig: StopSignal): void => {
    if (received) {
      forceExit(128 + SIGNALS[sig]);
      return;
    }
    received = sig;
    stderr.write(`\nwordloom: ${sig}: stopping (${sig === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again quits at once)\n`);
    controller.abort(new Error(`stopped by ${sig}`));
    setTimeout(() => forceExit(128 + SIGNALS[sig]), GRACE_MS).unref();
  };
  for (const sig of Object.keys(SIGNALS) as StopSignal[]) process.on(sig, () => onSignal(sig));
}

function forceExit(code: number): never {
  removeTemporariesSync();
  process.exit(code);
}
