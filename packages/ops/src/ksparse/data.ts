/**
 * MNIST digits as data/mnist/mnist-6k.u8.gz stores them: records of 1 label byte
 * and 784 pixel bytes, gzipped. Pixels are scaled to [0, 1].
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { WordloomError } from '@wordloom/core';

export const MNIST_PIXELS = 784;

export interface Digits {
  n: number;
  /** n x 784 pixels in [0, 1]. */
  images: Float32Array;
  labels: Uint8Array;
}

export async function readDigits(file: string): Promise<Digits> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (e) {
    throw new WordloomError('E_FILE', `cannot read the digits: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file });
  }
  let bytes: Buffer;
  try {
    bytes = file.endsWith('.gz') ? gunzipSync(raw) : raw;
  } catch (e) {
    throw new WordloomError('E_INPUT', `cannot decompress the digits: ${(e as Error).message}`, { file });
  }
  const rec = MNIST_PIXELS + 1;
  if (bytes.length === 0 || bytes.length % rec !== 0) {
    throw new WordloomError('E_INPUT', `${bytes.length} bytes is not a whole number of ${rec}-byte records (a label byte and 784 pixels)`, { file }, 'make the file with scripts/make_mnist_subset.mjs');
  }
  const n = bytes.length / rec;
  const images = new Float32Array(n * MNIST_PIXELS);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const l = bytes[i * rec]!;
    if (l > 9) throw new WordloomError('E_INPUT', `record ${i} has label ${l}; a digit's label is 0-9`, { file });
    labels[i] = l;
    for (let p = 0; p < MNIST_PIXELS; p++) images[i * MNIST_PIXELS + p] = bytes[i * rec + 1 + p]! / 255;
  }
  return { n, images, labels };
}

/** Images first..first+count as their own set. */
export function sliceDigits(d: Digits, first: number, count: number): Digits {
  return { n: count, images: d.images.subarray(first * MNIST_PIXELS, (first + count) * MNIST_PIXELS), labels: d.labels.subarray(first, first + count) };
}
