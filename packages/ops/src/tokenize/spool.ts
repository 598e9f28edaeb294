/**
 * Records the token-id chunks of a first pass so that later consumers can replay
 * them: in memory up to a budget, then appended to a temporary file.
 */
import { open, rm, mkdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { TokenChunk } from '@wordloom/core';

export class IdSpool {
  private readonly mem: TokenChunk[] = [];
  private memBytes = 0;
  private file?: string;
  private fh?: FileHandle;
  private offset = 0;
  private readonly onDisk: { offset: number; length: number; tokens: number; bytes: number }[] = [];

  constructor(
    private readonly budgetMb: number,
    private readonly tmpDir: string,
  ) {}

  async add(c: TokenChunk): Promise<void> {
    if (this.onDisk.length === 0 && this.memBytes + c.ids.byteLength <= this.budgetMb * 1048576) {
      this.mem.push(c);
      this.memBytes += c.ids.byteLength;
      return;
    }
    if (!this.fh) {
      await mkdir(this.tmpDir, { recursive: true });
      this.file = join(this.tmpDir, `wordloom-tokens-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.i32`);
      this.fh = await open(this.file, 'w+');
    }
    const bytes = new Uint8Array(c.ids.buffer, c.ids.byteOffset, c.ids.byteLength);
    await this.fh.write(bytes, 0, bytes.length, this.offset);
    this.onDisk.push({ offset: this.offset, length: c.ids.length, tokens: c.tokens, bytes: c.bytes });
    this.offset += bytes.length;
  }

  /** The first pass is complete: close the writer (replays open their own reader). */
  async finish(): Promise<void> {
    if (this.fh) {
      await this.fh.close().catch(() => undefined);
      this.fh = undefined;
    }
  }

  get spilled(): boolean {
    return this.onDisk.length > 0;
  }

  async *replay(signal?: AbortSignal): AsyncGenerator<TokenChunk> {
    for (const c of this.mem) {
      if (signal?.aborted) return;
      yield c;
    }
    if (this.onDisk.length === 0) return;
    const fh = await open(this.file!, 'r');
    try {
      for (const d of this.onDisk) {
        if (signal?.aborted) return;
        const ids = new Int32Array(d.length);
        await fh.read(new Uint8Array(ids.buffer), 0, d.length * 4, d.offset);
        yield { ids, tokens: d.tokens, bytes: d.bytes };
      }
    } finally {
      await fh.close();
    }
  }

  async dispose(): Promise<void> {
    this.mem.length = 0;
    if (this.fh) {
      await this.fh.close().catch(() => undefined);
      this.fh = undefined;
    }
    if (this.file) await rm(this.file, { force: true });
    this.file = undefined;
  }
}
