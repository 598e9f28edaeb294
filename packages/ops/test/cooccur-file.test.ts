import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Cooccurrences, Vocab } from '@wordloom/core';
import { cooccurOp, tokenize, tokenizeDefaults, buildVocab, standaloneContext } from '../src/index.js';
import { dataPath, tempDir } from './helpers.js';

// A pipeline can save the co-occurrences (output) and a later one read them back
// (file) instead of counting again.
test('cooccur op: output writes GloVe binary, file reads it back identically without tokens', async () => {
  const t = tempDir();
  try {
    const ctx = standaloneContext({ baseDir: t.dir, tmpDir: t.dir });
    const tokens = tokenize(tokenizeDefaults({ input: dataPath('corpora/lee_background.cor') }), ctx);
    const vocab: Vocab = await buildVocab(tokens, { min_count: 3, max_size: 0 });
    const params = { window: 5, symmetric: true, distance_weighting: true, memory_mb: 1024 };
    const counted = (await cooccurOp.run({ tokens, vocab }, { ...params, output: 'lee.bin' }, ctx)) as Cooccurrences;
    assert.ok(existsSync(join(t.dir, 'lee.bin')));
    const read = (await cooccurOp.run({ vocab }, { ...params, file: 'lee.bin' }, ctx)) as Cooccurrences;
    assert.is(read.size, counted.size);
    assert.is(read.size, 222667);
    assert.equal([...read.row.subarray(0, 1000)], [...counted.row.subarray(0, 1000)]);
    assert.equal([...read.col], [...counted.col]);
    assert.equal([...read.val], [...counted.val]);
    await (cooccurOp.run({ vocab }, params, ctx) as Promise<unknown>).then(
      () => assert.unreachable('no tokens and no file'),
      (e: Error) => assert.match(e.message, /cooccur needs a tokens input, or a file param/),
    );
  } finally {
    t.cleanup();
  }
});

test.run();
