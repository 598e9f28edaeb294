import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Dictionary, hashString } from '../src/index.js';

test('ids are dense in order of first appearance, through many table growths', () => {
  const d = new Dictionary();
  const n = 50_000;
  for (let i = 0; i < n; i++) assert.is(d.intern(`w${i}`), i);
  for (let i = 0; i < n; i += 997) assert.is(d.intern(`w${i}`), i);
  assert.is(d.size, n);
  assert.is(d.get('w49999'), 49999);
  assert.is(d.get('w50000'), -1);
  assert.is(d.words[123], 'w123');
});

test('internRange finds a word inside a larger string without slicing it', () => {
  const d = new Dictionary();
  const text = 'the cat sat on the mat';
  const at = (s: number, e: number) => d.internRange(text, s, e, hashString(text, s, e));
  assert.is(at(0, 3), 0); // the
  assert.is(at(4, 7), 1); // cat
  assert.is(at(15, 18), 0); // the again
  assert.is(at(19, 22), 2); // mat
  assert.is(d.intern('cat'), 1);
  assert.equal(d.words, ['the', 'cat', 'mat']);
  // same hash bucket, different words; empty string and non-ASCII
  assert.is(d.intern(''), 3);
  assert.is(d.intern('Æthelred'), 4);
  assert.is(d.get('Æthelred'), 4);
  assert.is(d.get('\uFEFF'), -1);
});

test.run();
