import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOC_END, WordloomError } from '@wordloom/core';
import { tokenize, tokenizeDefaults, standaloneContext, buildVocab, countTokenStream, tokenizeOp } from '../src/index.js';
import { dataPath, tempDir } from './helpers.js';

// Hard-wrapped real text: 553 text lines in 122 paragraphs (awk 'NF' | wc -l; awk -v RS= 'END{print NR}').
const GPL = 'corpora/gpl-3.0.txt';
const ctx = () => standaloneContext({ baseDir: dataPath('') });

async function read(p: Record<string, unknown>): Promise<{ words: string[]; docs: string[][]; stats: { tokens: number; documents: number } }> {
  const s = tokenize(tokenizeDefaults({ input: GPL, ...p } as any), ctx());
  const docs: string[][] = [[]];
  const words: string[] = [];
  for await (const c of s.chunks()) {
    for (const id of c.ids) {
      if (id === DOC_END) docs.push([]);
      else {
        docs[docs.length - 1]!.push(s.dictionary.words[id]!);
        words.push(s.dictionary.words[id]!);
      }
    }
  }
  docs.pop();
  return { words, docs, stats: s.stats };
}

test('document: line (default, as GloVe), paragraph (ended by a blank line) or file, on hard-wrapped text', async () => {
  const line = await read({});
  const para = await read({ document: 'paragraph' });
  const file = await read({ document: 'file' });
  assert.is(line.stats.documents, 553);
  assert.is(para.stats.documents, 122);
  assert.is(file.stats.documents, 1);
  // The same tokens, 5,644 of them, only cut differently.
  for (const r of [line, para, file]) assert.is(r.words.length, 5644);
  assert.equal(para.words, line.words);
  assert.equal(file.words, line.words);
  // The second paragraph is two wrapped lines: one document.
  assert.equal(para.docs[1]!.join(' '), 'Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/> Everyone is permitted to copy and distribute verbatim copies of this license document, but changing it is not allowed.');
  assert.equal(line.docs[2]!.join(' '), 'Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>');
  assert.is(tokenizeOp.params.document!.default, 'line');
});

test('document: paragraph lets co-occurrence windows cross a line wrap, and only a wrap', async () => {
  const t = tempDir();
  try {
    const counts = async (document: string) => {
      const toks = tokenize(tokenizeDefaults({ input: GPL, document } as any), ctx());
      const vocab = await buildVocab(toks, { min_count: 1, max_size: 0 });
      const c = await countTokenStream(toks, vocab, { window: 2 }, standaloneContext({ tmpDir: t.dir, threads: 1 }));
      // "GNU GENERAL PUBLIC LICENSE" / "Version 3, 29 June 2007": the title wraps there, nowhere else do the two meet.
      const a = vocab.id('LICENSE');
      const b = vocab.id('Version');
      let v = 0;
      for (let i = 0; i < c.size; i++) if (c.row[i] === a && c.col[i] === b) v = c.val[i]!;
      return { records: c.size, v };
    };
    const line = await counts('line');
    const para = await counts('paragraph');
    const file = await counts('file');
    assert.is(line.v, 0);
    assert.is(para.v, 1);
    assert.is(file.v, 1);
    assert.ok(para.records > line.records && file.records > para.records, `${line.records} ${para.records} ${file.records}`);
  } finally {
    t.cleanup();
  }
});

test('preset words splits punctuation off words; real text', async () => {
  const w = await read({ preset: 'words', document: 'paragraph' });
  assert.equal(w.docs[0], ['GNU', 'GENERAL', 'PUBLIC', 'LICENSE', 'Version', '3', ',', '29', 'June', '2007']);
  assert.equal(w.docs[1]!.slice(0, 23), ['Copyright', '(', 'C', ')', '2007', 'Free', 'Software', 'Foundation', ',', 'Inc', '.', '<', 'https', ':', '/', '/', 'fsf', '.', 'org', '/', '>', 'Everyone', 'is']);
  const set = new Set(w.words);
  for (const bad of ['License,', 'License.', '"Licensees"', '(C)']) assert.not.ok(set.has(bad), bad);
  for (const good of ['License', 'Licensees', 'non-source', "work's"]) assert.ok(set.has(good), good);
  const plain = await read({});
  assert.ok(new Set(plain.words).has('License,'));
  assert.ok(w.words.length > plain.words.length);
});

test('preset words: contractions, hyphens and numbers stay whole; a pattern and a preset together is an error', async () => {
  const t = tempDir();
  try {
    const f = join(t.dir, 'a.txt');
    writeFileSync(f, "Don't stop: well-known values are 3.5 and 1,000 (roughly)... «Ça va?»\n");
    const s = tokenize(tokenizeDefaults({ input: f, preset: 'words' } as any), standaloneContext({ baseDir: t.dir }));
    const out: string[] = [];
    for await (const c of s.chunks()) for (const id of c.ids) if (id !== DOC_END) out.push(s.dictionary.words[id]!);
    assert.equal(out, ["Don't", 'stop', ':', 'well-known', 'values', 'are', '3.5', 'and', '1,000', '(', 'roughly', ')', '.', '.', '.', '«', 'Ça', 'va', '?', '»']);
    try {
      tokenize(tokenizeDefaults({ input: f, preset: 'words', pattern: '\\p{L}+' } as any), standaloneContext({ baseDir: t.dir }));
      assert.unreachable('preset and pattern');
    } catch (e) {
      assert.instance(e, WordloomError);
      assert.match((e as Error).message, /both preset "words" and a pattern/);
    }
  } finally {
    t.cleanup();
  }
});

test.run();
