/**
 * A very small WebAssembly binary writer, shared by every generated kernel (glove,
 * knn-graph, dbscan, word2vec, classify): what they need and no more (one
 * imported shared memory, mutable globals, functions with i32/i64/f32/f64/v128
 * locals, structured control flow, scalar and f32x4 SIMD arithmetic). The kernel
 * is generated at run time for the vector size, so its loops over dimensions are
 * fully unrolled and every row offset is a constant in the instruction.
 */

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof I64 | typeof F32 | typeof F64 | typeof V128;
const BLOCK_VOID = 0x40;

function uleb(out: number[], v: number): void {
  // Unsigned LEB128 for values up to 2^53.
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

function sleb32(out: number[], v: number): void {
  v |= 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

function sleb64(out: number[], v: bigint): void {
  v = BigInt.asIntN(64, v);
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

function name(out: number[], s: string): void {
  const b = new TextEncoder().encode(s);
  uleb(out, b.length);
  for (const x of b) out.push(x);
}

/** The body of one function, written instruction by instruction. */
export class FnBuilder {
  readonly code: number[] = [];
  private readonly localTypes: ValType[] = [];

  constructor(readonly params: readonly ValType[], readonly results: readonly ValType[]) {}

  /** Declare a local; returns its index (params come first). */
  local(t: ValType): number {
    this.localTypes.push(t);
    return this.params.length + this.localTypes.length - 1;
  }

  private op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }
  private simd(op: number): this {
    this.code.push(0xfd);
    uleb(this.code, op);
    return this;
  }
  private mem(op: number, align: number, offset: number): this {
    this.code.push(op);
    uleb(this.code, align);
    uleb(this.code, offset);
    return this;
  }
  private simdMem(op: number, align: number, offset: number): this {
    this.simd(op);
    uleb(this.code, align);
    uleb(this.code, offset);
    return this;
  }

  // control
  block(): this { return this.op(0x02, BLOCK_VOID); }
  loop(): this { return this.op(0x03, BLOCK_VOID); }
  if_(): this { return this.op(0x04, BLOCK_VOID); }
  else_(): this { return this.op(0x05); }
  end(): this { return this.op(0x0b); }
  br(depth: number): this { this.code.push(0x0c); uleb(this.code, depth); return this; }
  brIf(depth: number): this { this.code.push(0x0d); uleb(this.code, depth); return this; }
  return_(): this { return this.op(0x0f); }
  drop(): this { return this.op(0x1a); }
  /** select(a, b, cond) = cond ? a : b. */
  select(): this { return this.op(0x1b); }

  // variables
  get(i: number): this { this.code.push(0x20); uleb(this.code, i); return this; }
  set(i: number): this { this.code.push(0x21); uleb(this.code, i); return this; }
  tee(i: number): this { this.code.push(0x22); uleb(this.code, i); return this; }
  gget(i: number): this { this.code.push(0x23); uleb(this.code, i); return this; }
  gset(i: number): this { this.code.push(0x24); uleb(this.code, i); return this; }

  // memory (align is log2 of the alignment)
  i32Load(offset = 0): this { return this.mem(0x28, 2, offset); }
  i64Store(offset = 0): this { return this.mem(0x37, 3, offset); }
  f32Load(offset = 0): this { return this.mem(0x2a, 2, offset); }
  f64Load(offset = 0): this { return this.mem(0x2b, 3, offset); }
  i32Store(offset = 0): this { return this.mem(0x36, 2, offset); }
  i32Load8U(offset = 0): this { return this.mem(0x2d, 0, offset); }
  i32Store8(offset = 0): this { return this.mem(0x3a, 0, offset); }
  f32Store(offset = 0): this { return this.mem(0x38, 2, offset); }
  f64Store(offset = 0): this { return this.mem(0x39, 3, offset); }
  v128Load(offset = 0): this { return this.simdMem(0x00, 4, offset); }
  v128Store(offset = 0): this { return this.simdMem(0x0b, 4, offset); }

  // constants
  i32(v: number): this { this.code.push(0x41); sleb32(this.code, v); return this; }
  i64(v: bigint): this { this.code.push(0x42); sleb64(this.code, v); return this; }
  f32(v: number): this {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.code.push(0x43, ...b);
    return this;
  }
  f64(v: number): this {
    const b = new Uint8Array(new Float64Array([v]).buffer);
    this.code.push(0x44, ...b);
    return this;
  }

  // i32
  i32Eqz(): this { return this.op(0x45); }
  i32Eq(): this { return this.op(0x46); }
  i32Or(): this { return this.op(0x72); }
  i32Ne(): this { return this.op(0x47); }
  i32LtS(): this { return this.op(0x48); }
  i32LtU(): this { return this.op(0x49); }
  i32GtU(): this { return this.op(0x4b); }
  i32LeS(): this { return this.op(0x4c); }
  i32GeS(): this { return this.op(0x4e); }
  i32GeU(): this { return this.op(0x4f); }
  i32Add(): this { return this.op(0x6a); }
  i32Sub(): this { return this.op(0x6b); }
  i32Mul(): this { return this.op(0x6c); }
  i32RemU(): this { return this.op(0x70); }
  i32And(): this { return this.op(0x71); }
  i32Xor(): this { return this.op(0x73); }
  i32Shl(): this { return this.op(0x74); }
  i32ShrU(): this { return this.op(0x76); }
  i32ShrS(): this { return this.op(0x75); }
  i32GtS(): this { return this.op(0x4a); }
  // i64
  i64LtU(): this { return this.op(0x54); }
  i64Add(): this { return this.op(0x7c); }
  i64Mul(): this { return this.op(0x7e); }
  i64RemU(): this { return this.op(0x82); }
  i64And(): this { return this.op(0x83); }
  i64Or(): this { return this.op(0x84); }
  i64Xor(): this { return this.op(0x85); }
  i64Shl(): this { return this.op(0x86); }
  i64ShrU(): this { return this.op(0x88); }
  i32WrapI64(): this { return this.op(0xa7); }
  i64ExtendI32U(): this { return this.op(0xad); }
  // f32
  f32Eq(): this { return this.op(0x5b); }
  f32Lt(): this { return this.op(0x5d); }
  f32Gt(): this { return this.op(0x5e); }
  f32Le(): this { return this.op(0x5f); }
  f32Ge(): this { return this.op(0x60); }
  f32Neg(): this { return this.op(0x8c); }
  f32Min(): this { return this.op(0x96); }
  f32Max(): this { return this.op(0x97); }
  i32TruncF32S(): this { return this.op(0xa8); }
  f32ConvertI32S(): this { return this.op(0xb2); }
  /** memory.copy (bulk memory): pops dst, src, n (bytes). */
  memoryCopy(): this { return this.op(0xfc, 0x0a, 0x00, 0x00); }
  /** i32.trunc_sat_f32_s: saturating, NaN gives 0 (never traps). */
  i32TruncSatF32S(): this { return this.op(0xfc, 0x00); }
  f32Ne(): this { return this.op(0x5c); }
  f32Sqrt(): this { return this.op(0x91); }
  f32Add(): this { return this.op(0x92); }
  f32Sub(): this { return this.op(0x93); }
  f32Mul(): this { return this.op(0x94); }
  f32Div(): this { return this.op(0x95); }
  // f64
  f64Add(): this { return this.op(0xa0); }
  f64Mul(): this { return this.op(0xa2); }
  f64Sub(): this { return this.op(0xa1); }
  f64Div(): this { return this.op(0xa3); }
  f64Sqrt(): this { return this.op(0x9f); }
  f64Abs(): this { return this.op(0x99); }
  f64Neg(): this { return this.op(0x9a); }
  f64Lt(): this { return this.op(0x63); }
  f64Gt(): this { return this.op(0x64); }
  f64Le(): this { return this.op(0x65); }
  f64Ge(): this { return this.op(0x66); }
  f64Eq(): this { return this.op(0x61); }
  f64Ne(): this { return this.op(0x62); }
  f64Max(): this { return this.op(0xa5); }
  f64PromoteF32(): this { return this.op(0xbb); }
  f32DemoteF64(): this { return this.op(0xb6); }

  // SIMD
  f32x4Splat(): this { return this.simd(0x13); }
  i32x4Splat(): this { return this.simd(0x11); }
  i32x4ShrU(): this { return this.simd(0xad); }
  i32x4Sub(): this { return this.simd(0xb1); }
  f32x4ExtractLane(lane: number): this { this.simd(0x1f); this.code.push(lane); return this; }
  i32x4ExtractLane(lane: number): this { this.simd(0x1b); this.code.push(lane); return this; }
  i64x2ExtractLane(lane: number): this { this.simd(0x1d); this.code.push(lane); return this; }
  f32x4Sqrt(): this { return this.simd(0xe3); }
  f32x4Add(): this { return this.simd(0xe4); }
  f32x4Sub(): this { return this.simd(0xe5); }
  f32x4Mul(): this { return this.simd(0xe6); }
  f32x4Div(): this { return this.simd(0xe7); }
  /** pmin(a, b) = b < a ? b : a (one minps, no NaN fix-up). */
  f32x4Pmin(): this { return this.simd(0xea); }
  /** pmax(a, b) = a < b ? b : a. */
  f32x4Pmax(): this { return this.simd(0xeb); }

  /** Encoded body: locals then code then `end`. */
  encode(): number[] {
    const body: number[] = [];
    // Run-length encode the local declarations.
    const groups: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(body, groups.length);
    for (const [n, t] of groups) {
      uleb(body, n);
      body.push(t);
    }
    for (const b of this.code) body.push(b);
    body.push(0x0b);
    const out: number[] = [];
    uleb(out, body.length);
    for (const b of body) out.push(b);
    return out;
  }
}

export interface GlobalDef {
  type: ValType;
  mutable: boolean;
  init: number;
  export?: string;
}

/** A module with one imported memory `env.memory` (shared when asked) and the given functions and globals. */
export class ModuleBuilder {
  private readonly fns: { fn: FnBuilder; export?: string }[] = [];
  private readonly globals: GlobalDef[] = [];

  constructor(private readonly memory: { minPages: number; maxPages: number; shared: boolean }) {}

  addGlobal(g: GlobalDef): number {
    this.globals.push(g);
    return this.globals.length - 1;
  }

  addFunction(fn: FnBuilder, exportName?: string): number {
    this.fns.push({ fn, export: exportName });
    return this.fns.length - 1;
  }

  encode(): Uint8Array {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, content: number[]): void => {
      out.push(id);
      uleb(out, content.length);
      for (const b of content) out.push(b);
    };
    // types: one per function (no dedup needed for a handful)
    const types: number[] = [];
    uleb(types, this.fns.length);
    for (const { fn } of this.fns) {
      types.push(0x60);
      uleb(types, fn.params.length);
      for (const p of fn.params) types.push(p);
      uleb(types, fn.results.length);
      for (const r of fn.results) types.push(r);
    }
    section(1, types);
    // imports: env.memory
    const imports: number[] = [];
    uleb(imports, 1);
    name(imports, 'env');
    name(imports, 'memory');
    imports.push(0x02, this.memory.shared ? 0x03 : 0x01);
    uleb(imports, this.memory.minPages);
    uleb(imports, this.memory.maxPages);
    section(2, imports);
    // functions
    const funcs: number[] = [];
    uleb(funcs, this.fns.length);
    for (let i = 0; i < this.fns.length; i++) uleb(funcs, i);
    section(3, funcs);
    // globals
    if (this.globals.length) {
      const gs: number[] = [];
      uleb(gs, this.globals.length);
      for (const g of this.globals) {
        gs.push(g.type, g.mutable ? 1 : 0);
        if (g.type === I32) { gs.push(0x41); sleb32(gs, g.init); }
        else if (g.type === I64) { gs.push(0x42); sleb64(gs, BigInt(g.init)); }
        else if (g.type === F32) { gs.push(0x43, ...new Uint8Array(new Float32Array([g.init]).buffer)); }
        else if (g.type === F64) { gs.push(0x44, ...new Uint8Array(new Float64Array([g.init]).buffer)); }
        else throw new Error('unsupported global type');
        gs.push(0x0b);
      }
      section(6, gs);
    }
    // exports
    const exps: number[] = [];
    const list: [string, number, number][] = [];
    this.fns.forEach((f, i) => f.export && list.push([f.export, 0x00, i]));
    this.globals.forEach((g, i) => g.export && list.push([g.export, 0x03, i]));
    uleb(exps, list.length);
    for (const [n, kind, idx] of list) {
      name(exps, n);
      exps.push(kind);
      uleb(exps, idx);
    }
    section(7, exps);
    // code
    const code: number[] = [];
    uleb(code, this.fns.length);
    for (const { fn } of this.fns) for (const b of fn.encode()) code.push(b);
    section(10, code);
    return new Uint8Array(out);
  }
}

// ---------------------------------------------------------------------------
// The few WebAssembly JS API types used here. The project's TypeScript libs
// (ES2022 + Node 20 types) do not declare the WebAssembly namespace, and a global
// declaration could clash with another package's, so they are typed locally.

/** A compiled module (opaque; can be posted to workers). */
export interface WasmModule {
  readonly __wasmModule?: never;
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
export interface WasmGlobal {
  value: number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (desc: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}
export const wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
