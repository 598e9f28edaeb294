import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DOC_END, WordloomError } from '@wordloom/core';
import { tokenize, tokenizeDefaults, standaloneContext, buildVocab, readVocabFile, countTokens } from '../src/index.js';
import { dataPath, tempDir } from './helpers.js';

const ctx = (over = {}) => standaloneContext({ baseDir: dataPath(''), ...over });

async function collect(stream: ReturnType<typeof tokenize>): Promise<{ ids: number[]; tokens: number }> {
  const ids: number[] = [];
  let tokens = 0;
  for await (const c of stream.chunks()) {
    for (const v of c.ids) ids.push(v);
    tokens += c.tokens;
  }
  return { ids, tokens };
}

test('Lee corpus: vocab with min_count 3 equals GloVe vocab_count output exactly', async () => {
  const s = tokenize(tokenizeDefaults({ input: 'corpora/lee_background.cor' }), ctx());
  const v = await buildVocab(s, { min_count: 3, max_size: 0 });
  const ref = await readVocabFile(dataPath('glove/lee.vocab.txt'));
  assert.is(v.size, 3027);
  assert.equal([...v.words], [...ref.words]);
  assert.equal([...v.counts], [...ref.counts]);
  assert.is(s.stats.tokens, 59890);
  assert.is(s.stats.documents, 300);
});

test('WikiText-2 test split (.gz): token and line counts, documents end with DOC_END', async () => {
  const s = tokenize(tokenizeDefaults({ input: 'corpora/wikitext-2/wiki.test.tokens.gz', chunk_tokens: 10000 }), ctx());
  let chunks = 0;
  let tokens = 0;
  for await (const c of s.chunks()) {
    chunks++;
    tokens += c.tokens;
    assert.is(c.ids[c.ids.length - 1], DOC_END, 'every chunk ends at a document boundary');
  }
  assert.is(tokens, 213980);
  assert.ok(chunks >= 20);
  assert.ok(s.dictionary.get('<unk>') >= 0);
});

test('replay: a second pass gives the same ids, from memory or from a spill file', async () => {
  for (const spool_mb of [512, 0]) {
    const t = tempDir();
    try {
      const s = tokenize(tokenizeDefaults({ input: 'corpora/lee_background.cor', spool_mb, chunk_tokens: 5000 }), ctx({ tmpDir: t.dir }));
      const a = await collect(s);
      const b = await collect(s);
      assert.equal(b.ids, a.ids);
      assert.is(a.tokens, 59890);
    } finally {
      t.cleanup();
    }
  }
});

test('lowercase ascii vs unicode, replace, NFKC, length limits, regex pattern', async () => {
  const t = tempDir();
  try {
    const f = join(t.dir, 'c.txt');
    writeFileSync(f, 'The ÉCOLE <unk> ﬁne\r\nabc  a\tbb\n\nword-with-dash 42\n');
    const words = async (p: Record<string, unknown>) => {
      const s = tokenize(tokenizeDefaults({ input: f, ...p } as any), ctx());
      const { ids } = await collect(s);
      return ids.map((i) => (i === DOC_END ? '|' : s.dictionary.words[i]!)).join(' ');
    };
    assert.is(await words({}), 'The ÉCOLE <unk> ﬁne | abc a bb | word-with-dash 42 |');
    assert.is(await words({ lowercase: 'ascii' }), 'the École <unk> ﬁne | abc a bb | word-with-dash 42 |'.replace('École', 'ÉCOLE'.replace('COLE', 'cole')));
    assert.is(await words({ lowercase: 'unicode', replace: { '<unk>': 'unk' } }), 'the école unk ﬁne | abc a bb | word-with-dash 42 |');
    assert.is(await words({ nfkc: true }), 'The ÉCOLE <unk> fine | abc a bb | word-with-dash 42 |');
    assert.is(await words({ min_length: 2, max_length: 4 }), 'The ﬁne | abc bb | 42 |');
    assert.is(await words({ pattern: '\\p{L}+' }), 'The ÉCOLE unk ﬁne | abc a bb | word with dash |');
  } finally {
    t.cleanup();
  }
});

test('globs and several files; gzip detected by content', async () => {
  const t = tempDir();
  try {
    writeFileSync(join(t.dir, 'a.txt'), 'x y\n');
    writeFileSync(join(t.dir, 'b.txt'), gzipSync('y z\n'));
    const s = tokenize(tokenizeDefaults({ input: join(t.dir, '*.txt') }), ctx());
    const { tokens } = await collect(s);
    assert.is(tokens, 4);
    assert.equal(s.sources.map((p) => p.slice(-5)), ['a.txt', 'b.txt']);
  } finally {
    t.cleanup();
  }
});

test('bad input: missing file, no glob match, empty corpus, binary, invalid UTF-8 with its line', async () => {
  const t = tempDir();
  try {
    const expectError = async (p: Record<string, unknown>, re: RegExp) => {
      try {
        const s = tokenize(tokenizeDefaults(p as any), ctx());
        await collect(s);
      } catch (e) {
        assert.instance(e, WordloomError);
        assert.match((e as Error).message, re);
        return;
      }
      assert.unreachable('expected an error');
    };
    await expectError({ input: join(t.dir, 'nope.txt') }, /nope\.txt: the corpus file does not exist/);
    await expectError({ input: join(t.dir, '*.none') }, /no corpus file matches/);
    writeFileSync(join(t.dir, 'empty.txt'), '\n \n');
    await expectError({ input: join(t.dir, 'empty.txt') }, /no tokens/);
    writeFileSync(join(t.dir, 'bin.dat'), Buffer.from([0x61, 0x0a, 0x62, 0x0a, 0x00, 0x01, 0x02]));
    await expectError({ input: join(t.dir, 'bin.dat') }, /bin\.dat:3: .*NUL byte/);
    writeFileSync(join(t.dir, 'latin1.txt'), Buffer.concat([Buffer.from('ok\nfine\ncaf'), Buffer.from([0xe9]), Buffer.from(' au lait\n')]));
    await expectError({ input: join(t.dir, 'latin1.txt') }, /latin1\.txt:3: the corpus is not valid UTF-8/);
    const s = tokenize(tokenizeDefaults({ input: join(t.dir, 'latin1.txt'), invalid_utf8: 'replace' }), ctx());
    const { tokens } = await collect(s);
    assert.is(tokens, 5);
    await expectError({ input: join(t.dir, 'latin1.txt'), pattern: '(' }, /not a valid regular expression/);
  } finally {
    t.cleanup();
  }
});

test('vocab: min_count that empties the vocabulary is a clear error', async () => {
  const s = tokenize(tokenizeDefaults({ input: 'corpora/lee_background.cor' }), ctx());
  try {
    await buildVocab(s, { min_count: 1e9, max_size: 0 });
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /min_count 1000000000 leaves the vocabulary empty.*appears \d+ times/);
  }
  const counts = await countTokens(s);
  assert.is(counts.reduce((a, b) => a + b, 0), 59890);
});

test.run();
