import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoPath, wordloom } from './helpers.js';

// Cased vectors: "the" (row 1) and "The" (row 16) are both present.
const vectors = repoPath('data/fixtures/wt2-sg-d20-4k.bin');

test('neighbors, analogy and eval match words by one rule: case-insensitive, the most frequent spelling winning', () => {
  const lower = wordloom(['neighbors', vectors, 'the', '-k', '3', '--json']);
  const upper = wordloom(['neighbors', vectors, 'THE', '-k', '3', '--json']);
  assert.is(lower.code, 0, lower.err);
  assert.is(upper.code, 0, upper.err);
  const l = JSON.parse(lower.out).queries[0];
  const u = JSON.parse(upper.out).queries[0];
  assert.is(u.word, 'THE');
  assert.is(u.match, 'the');
  assert.equal(u.neighbors, l.neighbors);
  assert.is(l.match, undefined);
  const text = wordloom(['neighbors', vectors, 'The', '-k', '2']);
  assert.match(text.out, /^The \(as the\): /);
  // analogy finds THE / KING too, as it always did.
  const an = wordloom(['analogy', vectors, 'MAN', 'KING', 'Woman']);
  assert.is(an.code, 0, an.err);
});

test('neighbors --case-sensitive matches exactly', () => {
  const exact = wordloom(['neighbors', vectors, 'The', '-k', '3', '--json', '--case-sensitive']);
  assert.is(exact.code, 0, exact.err);
  const q = JSON.parse(exact.out).queries[0];
  assert.is(q.match, undefined);
  assert.not.equal(q.neighbors, JSON.parse(wordloom(['neighbors', vectors, 'the', '-k', '3', '--json']).out).queries[0].neighbors);
  const none = wordloom(['neighbors', vectors, 'THE', '--case-sensitive']);
  assert.is(none.code, 1);
  assert.match(none.out, /THE: not in the vocabulary/);
  const an = wordloom(['analogy', vectors, 'MAN', 'KING', 'Woman', '--case-sensitive']);
  assert.is(an.code, 1);
  assert.match(an.err, /MAN/);
  assert.match(wordloom(['neighbors', '--help']).out, /--case-sensitive/);
});

test.run();
