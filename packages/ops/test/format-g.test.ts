import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '@wordloom/core';
import { formatG } from '../src/subword/format.js';

/** %g by its definition: the exponent of the rounded %e form picks fixed or scientific notation. */
function byDefinition(x: number, p: number): string {
  const exp = x.toExponential(p - 1);
  const ePos = exp.indexOf('e');
  const e = Number(exp.slice(ePos + 1));
  const strip = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (e < -4 || e >= p) {
    const ae = Math.abs(e);
    return `${strip(exp.slice(0, ePos))}e${e < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
  }
  return strip(x.toFixed(p - 1 - e));
}

test('formatG: the fast path gives %g exactly, across magnitudes, float32 values and the edges of fixed notation', () => {
  const rng = new Rng(7);
  const f32 = new Float32Array(1);
  let n = 0;
  for (let i = 0; i < 60000; i++) {
    const mag = 10 ** (rng.next() * 20 - 9);
    f32[0] = (rng.next() - 0.5) * mag;
    const x = i % 2 ? f32[0]! : (rng.next() - 0.5) * mag;
    if (x === 0) continue;
    for (const p of [1, 3, 5, 6]) {
      assert.is(formatG(x, p), byDefinition(x, p), `${x} at precision ${p}`);
      n++;
    }
  }
  for (const x of [99999.5, 999995, 1e-4, 9.99995e-5, 1e-5, 1.5e-5, 123456, 100000, 1, -1, 10, 0.5, 2.5e-7, 9.99995, 99999, -0.000123456]) {
    for (const p of [1, 2, 5, 6]) assert.is(formatG(x, p), byDefinition(x, p), `${x} at precision ${p}`);
  }
  assert.ok(n > 200000);
  assert.is(formatG(0, 5), '0');
  assert.is(formatG(-0, 5), '-0');
  assert.is(formatG(NaN, 5), 'nan');
  assert.is(formatG(-Infinity, 5), '-inf');
});

test.run();
