import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fillUniformRows, indexedRows } from '../src/kernels/fill.js';
import { wasm, type WasmMemory } from '../src/kernels/wasm-asm.js';

const memory = (): WasmMemory => new wasm.Memory({ initial: 4, maximum: 4, shared: true });

test('a matrix filled in parts (as the classifier\'s threads fill it) holds the values of one whole fill, in [-scale, scale)', () => {
  const dim = 7;
  const rows = 1000;
  const stride = dim * 4;
  const whole = memory();
  fillUniformRows(whole, 64, rows, dim, stride, 0.5, 42);
  const parts = memory();
  for (const [from, to] of [[600, 1000], [0, 333], [333, 600]]) fillUniformRows(parts, 64, rows, dim, stride, 0.5, 42, from, to);
  const a = new Float32Array(whole.buffer, 64, rows * dim);
  const b = new Float32Array(parts.buffer, 64, rows * dim);
  assert.equal(Array.from(b), Array.from(a));
  assert.ok(a.every((x) => x >= -0.5 && x < 0.5) && new Set(a).size > rows * dim * 0.99);
  // another seed, other values; nothing written past the matrix
  const other = memory();
  fillUniformRows(other, 64, rows, dim, stride, 0.5, 43);
  assert.not.equal(Array.from(new Float32Array(other.buffer, 64, 10)), Array.from(a.subarray(0, 10)));
  assert.is(new Float32Array(whole.buffer, 64 + rows * stride, 16).some((x) => x !== 0), false);
});

test('rows gathered by an index into a wider layout, in parts, then scattered back', () => {
  const dim = 5;
  const m = memory();
  const f = new Float32Array(m.buffer);
  const matrix = 1024;
  const rows = 50;
  for (let i = 0; i < rows * dim; i++) f[matrix / 4 + i] = i + 1;
  const index = 4096;
  const picks = [3, 0, 49, 17, 17 + 1];
  new Int32Array(m.buffer, index, picks.length).set(picks);
  const dense = 8192;
  const wide = dim * 4 * 3; // [x | m | v] rows
  indexedRows(m, 'gather', dense, wide, matrix, dim * 4, dim * 4, index, picks.length, 2, 5);
  indexedRows(m, 'gather', dense, wide, matrix, dim * 4, dim * 4, index, picks.length, 0, 2);
  picks.forEach((r, i) => assert.equal(Array.from(f.subarray((dense + i * wide) / 4, (dense + i * wide) / 4 + dim)), Array.from(f.subarray(matrix / 4 + r * dim, matrix / 4 + (r + 1) * dim))));
  assert.is(f[(dense + dim * 4) / 4], 0); // the moments' place untouched
  for (let i = 0; i < picks.length; i++) f[(dense + i * wide) / 4] = -1 - i;
  indexedRows(m, 'scatter', dense, wide, matrix, dim * 4, dim * 4, index, picks.length);
  picks.forEach((r, i) => assert.is(f[matrix / 4 + r * dim], -1 - i));
  assert.is(f[matrix / 4 + 1 * dim], 1 * dim + 1); // a row not in the index stays
});

test.run();
