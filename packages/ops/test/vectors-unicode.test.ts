import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { Embeddings } from '@wordloom/core';
import { readVectors, writeVectors } from '../src/index.js';
import { tempDir } from './helpers.js';

// WikiText-2 has a token made of U+FEFF alone: GloVe splits on space, tab and
// newline only, so such words must survive a save and a load in every format.
test('words with Unicode spaces other than space and tab round-trip in every format', async () => {
  const words = ['\uFEFF', 'a\u00A0b', 'x\u2009y', 'plain'];
  const emb = new Embeddings(words, 2, Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
  const t = tempDir();
  try {
    for (const format of ['glove', 'word2vec-text', 'word2vec-binary'] as const) {
      const f = join(t.dir, `v.${format}`);
      await writeVectors(emb, f, format);
      const back = await readVectors(f);
      assert.equal([...back.words], words, format);
      assert.equal([...back.data], [...emb.data], format);
    }
    await writeVectors(new Embeddings(['a b'], 2, new Float32Array(2)), join(t.dir, 'bad.txt'), 'glove').then(
      () => assert.unreachable('a word with a space cannot be written'),
      (e: Error) => assert.match(e.message, /space, tab or line break/),
    );
  } finally {
    t.cleanup();
  }
});

test.run();
