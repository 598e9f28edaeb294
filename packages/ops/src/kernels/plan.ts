/**
 * Memory plans: byte addresses of the regions a generated kernel uses in one
 * WebAssembly memory. Kept free of other imports, so that a worker that only
 * instantiates a kernel loads nothing else.
 */
const PAGE = 65536;
/** wasm32 memories stop at 4 GiB (65536 pages). */
export const MAX_PAGES = 65536;

/** Hands out byte addresses, each region aligned (64 bytes: a cache line) by default. */
export class MemoryPlan {
  private next = 64; // address 0 stays unused, so a zero address is never a region
  alloc(bytes: number, align = 64): number {
    const at = Math.ceil(this.next / align) * align;
    this.next = at + Math.max(0, bytes);
    return at;
  }
  get bytes(): number {
    return this.next;
  }
  get pages(): number {
    return Math.max(1, Math.ceil(this.next / PAGE));
  }
  /** Whether the plan fits one WebAssembly memory. */
  get fits(): boolean {
    return this.pages <= MAX_PAGES;
  }
}

