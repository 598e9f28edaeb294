/**
 * The worker pools of the heavy ops: Piscina pools of `threads` workers that stay
 * for the job, all made here so that they start the same way.
 *
 * Workers load their module with import(), never require(): Piscina first tries
 * require(filename), and on Node versions where require() loads ES modules, a
 * require() of a module graph that an import() in the same thread is still loading
 * can abort the process (seen once in a test run: "v8::Module::IsGraphAsync must be
 * used on an instantiated module"). Turning require(esm) off in the workers makes
 * Piscina's require() fail at once and take its import() path.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

const NO_REQUIRE_ESM = process.allowedNodeEnvironmentFlags.has('--experimental-require-module') ? ['--no-experimental-require-module'] : [];

/** A pool of exactly `threads` workers running the module at `url` (a file URL or its href). */
export function workerPool(url: URL | string, threads: number, idleTimeout = 1000): Piscina {
  const n = Math.max(1, threads);
  return new Piscina({
    filename: fileURLToPath(url),
    minThreads: n,
    maxThreads: n,
    idleTimeout,
    execArgv: [...process.execArgv.filter((a) => a !== '--experimental-require-module'), ...NO_REQUIRE_ESM],
  });
}
