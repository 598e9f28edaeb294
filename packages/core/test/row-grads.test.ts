import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Parameter, RowGradients, SGD } from '../src/index.js';

test('RowGradients: rows sharing a scaled gradient, grown past capacity, give the same step as the sum written by hand', () => {
  const width = 3;
  const g = new RowGradients(width, 2);
  const rows = [4, 1, 4, 0, 2];
  g.addShared(rows, 0, 3, [1, 2, 3], 0.5); // rows 4, 1, 4
  g.addShared(rows, 3, 2, [-1, 0, 1], 2); // rows 0, 2
  assert.is(g.count, 5);
  assert.ok(g.rows.length >= 5);
  const a = new Parameter([5, width], { name: 'a', sparse: true });
  const b = new Parameter([5, width], { name: 'b' });
  g.applyTo(a);
  const dense = new Float32Array(15);
  g.addTo(dense);
  assert.equal(Array.from(dense), [-2, 0, 2, 0.5, 1, 1.5, -2, 0, 2, 0, 0, 0, 1, 2, 3]);
  b.setGrad(dense);
  new SGD([a], { lr: 0.1 }).step();
  new SGD([b], { lr: 0.1 }).step();
  assert.equal(Array.from(a.data), Array.from(b.data));
  g.zeroIn(dense);
  assert.ok(dense.every((x) => x === 0));
  g.clear();
  assert.is(g.count, 0);
});

test.run();
