/**
 * The gpu.js backend: a kernel computes a block of dot products (QB unit queries x
 * RB unit rows) and the main thread merges the block into running top-k lists with
 * the same code as the TypeScript path.
 *
 * gpu.js runs in its 'async' mode, which picks the best backend it can prove
 * (headless-gl, WebGL, then its WebAssembly backend with f32x4 SIMD and worker
 * threads, then plain JavaScript) and upgrades to WebGPU (dawn.node) when an
 * adapter answers. Shapes are fixed (padded blocks), so the kernel compiles once.
 *
 * The kernel accumulates in float32 in index order; the TypeScript path
 * accumulates in float64 and rounds once, so scores agree to float32 rounding
 * (about 1e-7) and neighbours agree except between near-exact ties.
 */
import { createRequire } from 'node:module';
import { WordloomError } from '@wordloom/core';

/** Rows per gpu.js block; a multiple of 4 so that the WebAssembly backend's SIMD quads fill rows. */
export const GPU_ROW_BLOCK = 4096;
/** Queries per gpu.js block. */
export const GPU_QUERY_BLOCK = 128;

export interface GpuScorer {
  /** "gpu.js:webasm", "gpu.js:webgpu", "gpu.js:headlessgl", "gpu.js:cpu"... (known after the first block). */
  backend(): string;
  readonly rowBlock: number;
  readonly queryBlock: number;
  readonly blocks: number;
  /**
   * Scores of unit queries `qv[qOff..]` (nq <= queryBlock of them) against the
   * rows of block `b`; returns one Float32Array of length >= rows-in-block per query.
   */
  scoreBlock(qv: Float32Array, qOff: number, nq: number, b: number): Promise<ArrayLike<number>[]>;
  dispose(): Promise<void>;
}

type GpuModule = typeof import('gpu.js');
let gpuModule: GpuModule | undefined;
let gpuLoadError: unknown;

function loadGpu(): GpuModule {
  if (gpuModule) return gpuModule;
  if (gpuLoadError) throw gpuLoadError;
  try {
    const require = createRequire(import.meta.url);
    gpuModule = require('gpu.js') as GpuModule;
    return gpuModule;
  } catch (e) {
    gpuLoadError = new WordloomError('E_INTERNAL', `gpu.js could not be loaded: ${(e as Error).message}`, { param: 'backend' }, "use backend: 'typescript'");
    throw gpuLoadError;
  }
}

/** What gpu.js can use here, without compiling anything. */
export function gpuInfo(): { available: boolean; gl: boolean; webgpuApi: boolean; wasm: boolean } {
  try {
    const { GPU } = loadGpu();
    const g = GPU as unknown as Record<string, boolean>;
    return {
      available: true,
      gl: Boolean(g.isHeadlessGLSupported || g.isWebGL2Supported || g.isWebGLSupported),
      webgpuApi: Boolean(g.isWebGPUSupported),
      wasm: Boolean(g.isWebAssemblySupported),
    };
  } catch {
    return { available: false, gl: false, webgpuApi: false, wasm: false };
  }
}

/** Whether gpu.js would run on a real GPU here (GL, or a WebGPU adapter that answers). */
export async function gpuHasDevice(): Promise<boolean> {
  const info = gpuInfo();
  if (!info.available) return false;
  if (info.gl) return true;
  try {
    const { GPU } = loadGpu();
    return Boolean(await (GPU as unknown as { isWebGPUAvailable(): Promise<boolean> }).isWebGPUAvailable());
  } catch {
    return false;
  }
}

/**
 * A scorer over the first `rows` rows of the unit matrix `e` (row-major, `dim`
 * wide). Row blocks are stored transposed ([dim][RB], zero padded) so that
 * neighbouring threads read neighbouring memory.
 */
export function createGpuScorer(e: Float32Array, dim: number, rows: number, opts: { threads?: number } = {}): GpuScorer {
  const mod = loadGpu();
  const GPU = mod.GPU;
  const input = (mod as unknown as { input: (v: Float32Array, size: number[]) => unknown }).input;
  const rb = GPU_ROW_BLOCK;
  const qb = GPU_QUERY_BLOCK;
  const blocks = Math.max(1, Math.ceil(rows / rb));
  const et = new Float32Array(blocks * dim * rb);
  for (let r = 0; r < rows; r++) {
    const b = (r / rb) | 0;
    const x = r - b * rb;
    const src = r * dim;
    const dst = b * dim * rb + x;
    for (let j = 0; j < dim; j++) et[dst + j * rb] = e[src + j]!;
  }
  const qpad = new Float32Array(qb * dim);
  const gpu = new GPU({ mode: 'async' } as any);
  const kernel = gpu.createKernel(
    function (this: any, q: any, t: any) {
      let s = 0;
      for (let i = 0; i < this.constants.dim; i++) {
        s += q[this.thread.y][i] * t[i][this.thread.x];
      }
      return s;
    },
    { output: [rb, qb], constants: { dim }, precision: 'single', tactic: 'precision', ...(opts.threads ? { poolSize: opts.threads } : {}) } as any,
  ) as any;
  let mode = 'gpu.js';
  return {
    backend: () => mode,
    rowBlock: rb,
    queryBlock: qb,
    blocks,
    async scoreBlock(qv, qOff, nq, b) {
      if (nq > qb) throw new WordloomError('E_INTERNAL', `gpu scorer: ${nq} queries in a block of ${qb}`);
      qpad.set(qv.subarray(qOff, qOff + nq * dim));
      if (nq < qb) qpad.fill(0, nq * dim);
      let out = kernel(input(qpad, [dim, qb]), input(et.subarray(b * dim * rb, (b + 1) * dim * rb), [rb, dim]));
      if (out && typeof out.then === 'function') out = await out;
      const k = kernel.kernel;
      mode = 'gpu.js:' + String(k?.constructor?.mode ?? (gpu as any).mode ?? 'unknown');
      return out as ArrayLike<number>[];
    },
    async dispose() {
      try {
        await (gpu as any).destroy();
      } catch {
        /* already gone */
      }
    },
  };
}
