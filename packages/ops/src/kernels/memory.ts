/**
 * One shared WebAssembly memory per training job: the regions a kernel reads and
 * writes (matrices, tables, per-thread scratch) laid out one after another, then
 * typed-array views over them for the TypeScript side (which reads and writes the
 * same bytes the workers' kernels update).
 */
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
