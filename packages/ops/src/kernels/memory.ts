/**
 * One shared WebAssembly memory per training job: the regions a kernel reads and
 * writes (matrices, tables, per-thread scratch) laid out one after another, then
 * typed-array views over them for the TypeScript side (which reads and writes the
 * same bytes the workers' kernels update).
 */
import vm from 'node:vm';
import { WordloomError } from '@wordloom/core';
import { FnBuilder, ModuleBuilder, V128, wasm, type WasmMemory } from './wasm-asm.js';

export { MemoryPlan, MAX_PAGES } from './plan.js';
import { MAX_PAGES } from './plan.js';

/** A shared memory of exactly the plan's pages (it never grows, so views stay valid). */
export function sharedMemory(plan: { bytes: number; pages: number; fits: boolean }, what: string): WasmMemory {
  if (!plan.fits) {
    throw new WordloomError('E_INPUT', `${what} needs ${(plan.bytes / 2 ** 30).toFixed(2)} GiB, more than the 4 GiB a WebAssembly memory can hold`, {});
  }
  try {
    return new wasm.Memory({ initial: plan.pages, maximum: plan.pages, shared: true });
  } catch (e) {
    throw new WordloomError('E_INPUT', `cannot allocate ${(plan.bytes / 2 ** 20).toFixed(0)} MB of shared memory for ${what}: ${(e as Error).message}`, {}, undefined, { cause: e });
  }
}

export const f32View = (m: WasmMemory, at: number, length: number): Float32Array => new Float32Array(m.buffer, at, length);
export const i32View = (m: WasmMemory, at: number, length: number): Int32Array => new Int32Array(m.buffer, at, length);
export const u8View = (m: WasmMemory, at: number, length: number): Uint8Array => new Uint8Array(m.buffer, at, length);

let simdOk: boolean | undefined;
/** Whether this runtime runs WebAssembly SIMD with shared memories (checked once, by validating a tiny module). */
export function wasmSimdAvailable(): boolean {
  if (simdOk === undefined) {
    try {
      const f = new FnBuilder([], []);
      const v = f.local(V128);
      f.f32(1).f32x4Splat().get(v).f32x4Add().set(v);
      const m = new ModuleBuilder({ minPages: 1, maxPages: 1, shared: true });
      m.addFunction(f, 'probe');
      simdOk = !!wasm && typeof wasm.validate === 'function' && wasm.validate(m.encode());
    } catch {
      simdOk = false;
    }
  }
  return simdOk;
}

/**
 * Collect garbage now, so that the shared memory of a finished training job (its
 * WebAssembly memory, which the job's workers also held) goes back to the system
 * before the next node runs. V8 counts none of that memory in its heap, so on its
 * own it may keep hundreds of MB of it until a later collection. The call is
 * vm.measureMemory with eager execution, the public API that runs a full
 * collection without --expose-gc (experimental in Node 20-22: its one-time
 * ExperimentalWarning is not shown). Call it once nothing refers to the memory.
 */
export async function collectGarbage(): Promise<void> {
  const measure = (vm as { measureMemory?: (o: object) => Promise<unknown> }).measureMemory;
  if (typeof measure !== 'function') return;
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/measureMemory/.test(text)) return;
    (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  let done: Promise<unknown>;
  try {
    done = measure({ mode: 'summary', execution: 'eager' });
  } catch {
    return;
  } finally {
    process.emitWarning = emitWarning;
  }
  await done.catch(() => {});
}
