import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { tokenize, tokenizeDefaults, standaloneContext, buildVocab, readVocabFile } from '../src/index.js';
import { dataPath } from './helpers.js';

/** Outputs of GloVe's vocab_count, made by scripts/make_vocab_fixtures.py. */
interface Case {
  name: string;
  corpus: string;
  args: string[];
  output: string;
  words: number;
}
const manifest = JSON.parse(readFileSync(dataPath('fixtures/vocab-count/cases.json'), 'utf8')) as { cases: Case[] };

function arg(c: Case, name: string, dflt: number): number {
  const i = c.args.indexOf(name);
  return i < 0 ? dflt : Number(c.args[i + 1]);
}

async function vocabOf(c: Case, order?: 'glove' | 'bytes') {
  const s = tokenize(tokenizeDefaults({ input: c.corpus }), standaloneContext({ baseDir: dataPath('') }));
  return buildVocab(s, { min_count: arg(c, '-min-count', 1), max_size: arg(c, '-max-vocab', 0), ...(order ? { order } : {}) });
}

test('every vocab_count case is there', () => {
  assert.is(manifest.cases.length, 38);
  assert.ok(manifest.cases.filter((c) => c.args.includes('-max-vocab')).length >= 30);
});

for (const c of manifest.cases) {
  test(`${c.name}: equals vocab_count ${c.args.join(' ')} on ${c.corpus}`, async () => {
    const v = await vocabOf(c);
    const ref = await readVocabFile(dataPath(c.output));
    assert.is(ref.size, c.words);
    assert.ok(ref.size > 0);
    assert.equal([...v.words], [...ref.words]);
    assert.equal([...v.counts], [...ref.counts]);
  });
}

test("order 'bytes': ties in unsigned byte order, and the cut keeps the first in that order", async () => {
  const byName = (n: string) => manifest.cases.find((c) => c.name === n)!;
  assert.equal([...(await vocabOf(byName('nonascii-tie'), 'bytes')).words], ['a', 'é']);
  assert.equal([...(await vocabOf(byName('nonascii-tie'))).words], ['é', 'a']);
  assert.equal([...(await vocabOf(byName('cut-tie-1'), 'bytes')).words], ['b']);
  assert.equal([...(await vocabOf(byName('cut-tie-1'))).words], ['c']);
});

test.run();
