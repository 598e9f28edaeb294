/**
 * Resume checkpoints of training ops: a JSON header (what the op needs to check
 * that the checkpoint belongs to this run, the iteration, the figures so far) and
 * raw byte sections (parameters, optimizer state, record order) copied straight
 * from and into the op's typed arrays, so that neither writing nor reading makes a
 * second copy of the model.
 *
 *   "WLCKPT01"  uint32 LE header length  header (UTF-8 JSON, with `sections`: byte
 *   lengths)  section 0  section 1  ...
 *
 * Written atomically (a temporary file renamed into place), so a process killed
 * while writing leaves the previous checkpoint whole. A file whose size does not
 * match its header is refused.
 */
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng, WordloomError } from '@wordloom/core';
import { writeAtomic } from './atomic.js';

const MAGIC = 'WLCKPT01';

export interface CheckpointHeader {
  /** Byte length of each section, in order. */
  sections: number[];
  [k: string]: unknown;
}

/**
 * The random stream of pass `pass` (an iteration, an epoch) of a training run: a
 * function of the seed and the pass only, never of the draws of earlier passes, so
 * that a run resumed at a pass draws what the run never stopped drew.
 */
export function passRng(seed: number, pass: number): Rng {
  return new Rng((seed ^ Math.imul(pass, 0x9e3779b1)) >>> 0).fork(pass);
}

/** The file an op keeps its resume checkpoint in, inside the node's checkpoint directory. */
export function checkpointFile(dir: string, op: string): string {
  return join(dir, `${op}.ckpt`);
}

/** Write header and sections (views: Uint8Array over any buffer, shared ones included) atomically to `file`. */
export async function writeCheckpoint(file: string, header: Record<string, unknown>, sections: readonly Uint8Array[]): Promise<void> {
  const json = Buffer.from(JSON.stringify({ ...header, sections: sections.map((s) => s.byteLength) }), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length, 0);
  await writeAtomic(file, async (w) => {
    await w.write(Buffer.from(MAGIC, 'latin1'));
    await w.write(len);
    await w.write(json);
    // Large views go to the file directly; copy through a plain buffer in pieces, as
    // some writers refuse views of shared memory.
    for (const s of sections) {
      const step = 1 << 24;
      for (let off = 0; off < s.byteLength; off += step) await w.write(Buffer.from(s.subarray(off, Math.min(s.byteLength, off + step))));
    }
  });
}

export interface OpenCheckpoint {
  header: CheckpointHeader;
  /** Read section `i` into `target` (its byteLength must equal the section's). */
  readSection(i: number, target: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/**
 * Open a checkpoint: undefined when there is no file; an Error (returned, not
 * thrown) saying what is wrong when it is not a whole checkpoint.
 */
export async function openCheckpoint(file: string): Promise<OpenCheckpoint | Error | undefined> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return e as Error;
  }
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(12);
    if (size < 12 || (await fh.read(head, 0, 12, 0)).bytesRead !== 12 || head.toString('latin1', 0, 8) !== MAGIC) throw new Error('not a wordloom checkpoint');
    const hlen = head.readUInt32LE(8);
    if (12 + hlen > size) throw new Error('the file is cut short');
    const hbuf = Buffer.alloc(hlen);
    await fh.read(hbuf, 0, hlen, 12);
    const header = JSON.parse(hbuf.toString('utf8')) as CheckpointHeader;
    if (!Array.isArray(header.sections) || !header.sections.every((n) => Number.isInteger(n) && n >= 0)) throw new Error('its header has no section list');
    const offsets: number[] = [];
    let pos = 12 + hlen;
    for (const n of header.sections) {
      offsets.push(pos);
      pos += n;
    }
    if (pos !== size) throw new Error(`it has ${size} bytes where its header describes ${pos}`);
    const handle = fh;
    return {
      header,
      async readSection(i, target) {
        const n = header.sections[i];
        if (n === undefined || target.byteLength !== n) throw new Error(`section ${i} has ${n} bytes, the target ${target.byteLength}`);
        const step = 1 << 24;
        const tmp = Buffer.allocUnsafe(Math.min(step, n));
        for (let off = 0; off < n; off += step) {
          const len = Math.min(step, n - off);
          const { bytesRead } = await handle.read(tmp, 0, len, offsets[i]! + off);
          if (bytesRead !== len) throw new Error('the file is cut short');
          target.set(tmp.subarray(0, len), off);
        }
      },
      close: () => handle.close(),
    };
  } catch (e) {
    await fh.close();
    return e as Error;
  }
}

/** Remove a checkpoint file (best effort). */
export async function removeCheckpoint(file: string): Promise<void> {
  await rm(file, { force: true }).catch(() => {});
}

/** What a training op says of a checkpoint's header: the step it was written after, or why it cannot be used. */
export type CheckpointCheck = { step: number } | { damaged: string };

/**
 * Load the resume checkpoint at `file` when it belongs to this training: its
 * header's `identity` equals `identity` key by key, `check` accepts the rest of
 * its header, and its sections match `targets(step)` in number; then every section
 * is read into its target, or an error is thrown (never a half-loaded model).
 * Undefined (logged, training starts afresh) when there is none or it is not this
 * training's. `unit` names the step in the log ("iteration", "epoch", "pass").
 */
export async function loadCheckpoint(
  file: string,
  identity: Record<string, unknown>,
  unit: string,
  of: number,
  check: (header: CheckpointHeader) => CheckpointCheck,
  targets: (step: number) => Uint8Array[],
  ctx: { node: string; log: (m: string) => void },
): Promise<{ header: CheckpointHeader; step: number } | undefined> {
  const ck = await openCheckpoint(file);
  if (ck === undefined) return undefined;
  if (ck instanceof Error) {
    ctx.log(`ignoring the resume checkpoint ${file} (${ck.message}); training from the start`);
    return undefined;
  }
  try {
    const h = ck.header;
    const theirs = (h.identity ?? {}) as Record<string, unknown>;
    const differs = Object.keys(identity).filter((k) => theirs[k] !== identity[k]);
    if (differs.length) {
      ctx.log(`ignoring the resume checkpoint ${file}: it was written for other settings (${differs.join(', ')}); training from the start`);
      return undefined;
    }
    const c = check(h);
    if ('damaged' in c) {
      ctx.log(`ignoring the resume checkpoint ${file}: ${c.damaged}; training from the start`);
      return undefined;
    }
    const parts = targets(c.step);
    if (h.sections.length !== parts.length || h.sections.some((n, i) => n !== parts[i]!.byteLength)) {
      ctx.log(`ignoring the resume checkpoint ${file}: its parts do not fit this training; training from the start`);
      return undefined;
    }
    try {
      for (let i = 0; i < parts.length; i++) await ck.readSection(i, parts[i]!);
    } catch (e) {
      throw new WordloomError('E_FILE', `could not read the resume checkpoint: ${(e as Error).message}`, { node: ctx.node, file }, 'remove it (wordloom cache clear removes every checkpoint) and run again');
    }
    ctx.log(`resuming from the checkpoint after ${unit} ${c.step} of ${of}${typeof h.written === 'string' ? ` (written ${h.written})` : ''}`);
    return { header: h, step: c.step };
  } finally {
    await ck.close();
  }
}
