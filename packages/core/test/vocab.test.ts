import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Vocab, compareBytes } from '../src/index.js';

test('orders by count descending, ties by UTF-8 bytes', () => {
  const v = Vocab.fromCounts(['b', 'a', 'é', 'Z', 'c'], [2, 2, 2, 2, 5]);
  // 'Z' (0x5a) < 'a' < 'b' < 'é' (0xc3 0xa9) byte-wise
  assert.equal([...v.words], ['c', 'Z', 'a', 'b', 'é']);
  assert.equal(v.id('a'), 2);
  assert.equal(v.id('nope'), -1);
});

test('min count and max size', () => {
  const v = Vocab.fromCounts(['x', 'y', 'z', 'w'], [1, 5, 3, 3], 2, 2);
  assert.equal([...v.words], ['y', 'w']);
});

test('compareBytes is strcmp-like', () => {
  const e = new TextEncoder();
  assert.ok(compareBytes(e.encode('ab'), e.encode('abc')) < 0);
  assert.ok(compareBytes(e.encode('b'), e.encode('abc')) > 0);
  assert.is(compareBytes(e.encode('q'), e.encode('q')), 0);
});

test.run();
