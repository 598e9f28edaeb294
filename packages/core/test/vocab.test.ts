import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Vocab, compareBytes, compareGlove, gloveHash, gloveHashOrder } from '../src/index.js';

const e = new TextEncoder();

test('orders by count descending, ties as GloVe compares words (signed chars: non-ASCII first)', () => {
  const v = Vocab.fromCounts(['b', 'a', 'é', 'Z', 'c'], [2, 2, 2, 2, 5]);
  // GloVe's scmp on x86-64: 'é' (0xc3 0xa9) is negative as char, so before 'Z' (0x5a) < 'a' < 'b'
  assert.equal([...v.words], ['c', 'é', 'Z', 'a', 'b']);
  assert.equal(v.id('a'), 3);
  assert.equal(v.id('nope'), -1);
});

test("order 'bytes' keeps unsigned byte order", () => {
  const v = Vocab.fromCounts(['b', 'a', 'é', 'Z', 'c'], [2, 2, 2, 2, 5], 1, 0, { order: 'bytes' });
  assert.equal([...v.words], ['c', 'Z', 'a', 'b', 'é']);
  // and its max_size cut keeps the first in that order
  assert.equal([...Vocab.fromCounts(['b', 'c'], [1, 1], 1, 1, { order: 'bytes' }).words], ['b']);
});

test('min count and max size', () => {
  const v = Vocab.fromCounts(['x', 'y', 'z', 'w'], [1, 5, 3, 3], 2, 2);
  // z and w tie at the cut: vocab_count keeps the one its hash table yields first
  const first = gloveHash(e.encode('z')) < gloveHash(e.encode('w')) ? 'z' : 'w';
  assert.equal([...v.words], ['y', first]);
});

test("a max_size cut inside a tie keeps what GloVe's hash table yields first ('b c' with max 1 keeps c)", () => {
  assert.ok(gloveHash(e.encode('c')) < gloveHash(e.encode('b')));
  assert.equal([...Vocab.fromCounts(['b', 'c'], [1, 1], 1, 1).words], ['c']);
});

test('compareBytes is strcmp-like on unsigned bytes', () => {
  assert.ok(compareBytes(e.encode('ab'), e.encode('abc')) < 0);
  assert.ok(compareBytes(e.encode('b'), e.encode('abc')) > 0);
  assert.is(compareBytes(e.encode('q'), e.encode('q')), 0);
  assert.ok(compareBytes(e.encode('é'), e.encode('z')) > 0);
});

test('compareGlove is scmp on signed chars', () => {
  assert.ok(compareGlove(e.encode('ab'), e.encode('abc')) < 0);
  assert.ok(compareGlove(e.encode('b'), e.encode('abc')) > 0);
  assert.is(compareGlove(e.encode('q'), e.encode('q')), 0);
  assert.ok(compareGlove(e.encode('é'), e.encode('A')) < 0);
  // a word sorts after its extension by a byte >= 0x80 (the end counts as 0)
  assert.ok(compareGlove(e.encode('aé'), e.encode('a')) < 0);
  assert.ok(compareGlove(e.encode('éé'), e.encode('é')) < 0);
  assert.ok(compareGlove(e.encode('жa'), e.encode('ж')) > 0);
});

test("gloveHash equals GloVe's bitwisehash (values printed by the C function)", () => {
  const expect: [string, number][] = [
    ['the', 985692], ['a', 771546], ['é', 543972], ['жена', 763857], ['w99398', 95887], ['w42851', 95887],
    ['z'.repeat(51), 810635],
  ];
  for (const [w, h] of expect) assert.is(gloveHash(e.encode(w)), h, w);
  assert.is(gloveHash(new Uint8Array([0xff, 0x80])), 547494);
});

test('gloveHashOrder: buckets ascending; in a bucket, words seen again by last occurrence (latest first), then words seen once', () => {
  // w99398 and w42851 share bucket 95887; 'the' is in a later bucket
  const words = ['the', 'w42851', 'w99398', 'w42851b'].map((w) => e.encode(w));
  const order = gloveHashOrder(words.slice(0, 3), [2, 2, 2], [10, 3, 7]);
  assert.equal(order, [2, 1, 0]);
  assert.equal(gloveHashOrder(words.slice(1, 3), [2, 2], [9, 3]), [0, 1]);
  assert.equal(gloveHashOrder(words.slice(1, 3), [1, 1], [9, 3]), [1, 0]);
  assert.equal(gloveHashOrder(words.slice(1, 3), [1, 2], [3, 9]), [1, 0]);
});

test.run();
