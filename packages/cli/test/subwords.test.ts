import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoPath, wordloom } from './helpers.js';

// the example pipeline on the bundled 4,000-word fixture instead of the main job's GloVe vectors (not on a fresh machine)
const fixture = repoPath('data/fixtures/wt2-sg-d20-4k.bin');
const set = ['--set', `subwords.vectors=${fixture}`, '--set', 'subwords.epoch=2', '--set', 'subwords.bucket=20000', '--set', 'subwords.holdout=0.1'];

test('the subwords example validates with its vectors file named, and runs: neighbours of words outside the vocabulary, held-out cosine in the log', () => {
  const v = wordloom(['validate', 'examples/wikitext2-subwords.yaml', ...set]);
  assert.is(v.code, 0, v.err);
  const r = wordloom(['run', 'examples/wikitext2-subwords.yaml', ...set]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /pipeline wikitext2-subwords finished in/);
  assert.match(r.out, /subwords\s+subwords\s+[\d.]+ (ms|s)\s+4,000 x 20 vectors/);
  // misspellings are not in the vocabulary, yet get neighbours
  assert.match(r.out, /^goverment \(not in the vocabulary; from subwords\): \S+ \(0\.\d{3}\)(, \S+ \(0\.\d{3}\)){7}$/m);
  assert.match(r.out, /^recieved \(not in the vocabulary; from subwords\): \S+ \(0\.\d{3}\)/m);
  assert.match(r.err, /\[neighbors\] not in the vocabulary, answered from subwords: "goverment", "recieved"/);
  assert.match(r.err, /\[subwords\] held-out words \(400\): mean cosine of predicted and true vectors 0\.\d{4}/);
  assert.match(r.err, /\[subwords\] epoch 2\/2: squared loss \d/);
});

test('subwords: a bad param is refused before anything runs, naming the node and the param', () => {
  const r = wordloom(['run', 'examples/wikitext2-subwords.yaml', ...set, '--set', 'subwords.loss=l1']);
  assert.is(r.code, 1);
  assert.match(r.err, /subwords/);
  assert.match(r.err, /loss/);
  assert.match(r.err, /cosine/);
});

test.run();
