/**
 * Model files of the networks (char-gru, ksparse, ...): an 8-byte magic, a uint32
 * LE header length, a UTF-8 JSON header (which lists each parameter's name and
 * shape), zero padding to a multiple of 4 bytes, then every parameter as float32
 * LE in order. Written atomically; read with errors that name the file and what is
 * wrong with it.
 */
import { readFile } from 'node:fs/promises';
import { WordloomError } from '@wordloom/core';
import { writeAtomic } from './atomic.js';

interface Param {
  name: string;
  shape: readonly number[];
  size: number;
  data: Float32Array;
}

/** Write `header` (with `params: [{name, shape}]` added) and the parameters' values to `file`. */
export async function writeParamFile(file: string, magic: string, header: Record<string, unknown>, params: readonly Param[]): Promise<void> {
  const json = Buffer.from(JSON.stringify({ ...header, params: params.map((p) => ({ name: p.name, shape: p.shape })) }), 'utf8');
  const pad = (4 - ((magic.length + 4 + json.length) % 4)) % 4;
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  await writeAtomic(file, async (w) => {
    await w.write(magic);
    await w.write(len);
    await w.write(json);
    await w.write(new Uint8Array(pad));
    for (const p of params) await w.write(new Uint8Array(new Float32Array(p.data).buffer)); // little-endian on every platform Node runs on
  });
}

export interface ParamFile {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  header: any;
  /** Throw the error for a file that is not such a model, saying `what` is wrong. */
  bad(what: string): never;
  /** Read the values into `params`, which must be the ones the header lists, in order, and all the file holds. */
  fill(params: readonly Param[]): void;
}

/** Read a parameter file: `kind` names the model in errors ("char-gru model"), `hint` says how to make one. */
export async function readParamFile(file: string, magic: string, kind: string, hint: string): Promise<ParamFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new WordloomError('E_FILE', `cannot read the model: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file });
  }
  const bad = (what: string): never => {
    throw new WordloomError('E_INPUT', `not a wordloom ${kind}: ${what}`, { file }, hint);
  };
  if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== magic) bad(`it does not start with ${magic}`);
  const n = bytes.readUInt32LE(8);
  if (12 + n > bytes.length) bad('the header runs past the end of the file');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let header: any;
  try {
    header = JSON.parse(bytes.toString('utf8', 12, 12 + n));
  } catch {
    bad('its header is not JSON');
  }
  const fill = (params: readonly Param[]): void => {
    const listed = header?.params;
    if (!Array.isArray(listed)) bad('the header lists no parameters');
    if (listed.length !== params.length) bad(`it lists ${listed.length} parameters, the model has ${params.length}`);
    let off = 12 + n + ((4 - ((12 + n) % 4)) % 4);
    params.forEach((p, i) => {
      const saved = listed[i];
      if (saved?.name !== p.name || JSON.stringify(saved.shape) !== JSON.stringify(p.shape)) bad(`parameter ${i} is ${JSON.stringify(saved)}, expected ${p.name} ${JSON.stringify(p.shape)}`);
      const end = off + p.size * 4;
      if (end > bytes.length) bad(`the file ends inside parameter ${p.name} (truncated?)`);
      p.data.set(new Float32Array(bytes.buffer.slice(bytes.byteOffset + off, bytes.byteOffset + end)));
      off = end;
    });
    if (off !== bytes.length) bad(`${bytes.length - off} bytes follow the last parameter`);
  };
  return { header, bad, fill };
}
