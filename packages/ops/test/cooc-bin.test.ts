import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { WordloomError, isShared, sharedFloat64, sharedInt32 } from '@wordloom/core';
import type { Cooccurrences } from '@wordloom/core';
import { readCooccurrences, writeCooccurrences, sortAndMerge } from '../src/index.js';
import { dataPath, tempDir } from './helpers.js';

const REF = dataPath('glove/lee.cooc.w5.bin');

async function rejects(p: Promise<unknown>, code: string, re: RegExp): Promise<WordloomError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, WordloomError);
    assert.is((e as WordloomError).code, code);
    assert.match((e as Error).message, re);
    return e as WordloomError;
  }
  assert.unreachable('should have thrown');
  throw new Error('unreachable');
}

function encode(recs: [number, number, number][]): Buffer {
  const b = Buffer.alloc(recs.length * 16);
  recs.forEach(([r, c, v], i) => {
    b.writeInt32LE(r, i * 16);
    b.writeInt32LE(c, i * 16 + 4);
    b.writeDoubleLE(v, i * 16 + 8);
  });
  return b;
}

test('read GloVe output: 0-based ids in resizable buffers of their own (released at once); write reproduces the file byte for byte', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const c = await readCooccurrences(REF, { vocabSize: 3027 });
    assert.is(c.size, 222667);
    assert.is(c.vocabSize, 3027);
    // one thread reads them (glove packs on the main thread): not shared, so releaseCooccurrences frees them at once
    assert.ok([c.row, c.col, c.val].every((a) => !isShared(a) && (a.buffer as ArrayBuffer & { resizable?: boolean }).resizable === true));
    // First file record is (1, 1, ...): 1-based in the file, 0-based here.
    assert.is(c.row[0], 0);
    assert.is(c.col[0], 0);
    assert.is(c.val[0], readFileSync(REF).readDoubleLE(8));
    const out = join(dir, 'sub', 'copy.bin');
    await writeCooccurrences(c, out);
    assert.ok(readFileSync(out).equals(readFileSync(REF)), 'identical bytes');
    assert.equal(readdirSync(join(dir, 'sub')), ['copy.bin'], 'no temporary file left');
    // Without a vocabulary size the largest id is taken.
    const d = await readCooccurrences(out);
    assert.is(d.vocabSize, 3027);
  } finally {
    cleanup();
  }
});

test('truncated file, ids outside the vocabulary, text in the file, missing file: clear errors', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const bytes = readFileSync(REF);
    const cut = join(dir, 'cut.bin');
    writeFileSync(cut, bytes.subarray(0, 16 * 1000 + 7));
    const e = await rejects(readCooccurrences(cut), 'E_INPUT', /16007 bytes, not a multiple of 16.*truncated/s);
    assert.is(e.where.file, cut);
    // Counted with 3027 words; a 100-word vocabulary is a mismatch.
    await rejects(readCooccurrences(REF, { vocabSize: 100 }), 'E_INPUT', /has word id \d+, outside 1\.\.100/);
    const zero = join(dir, 'zero.bin');
    writeFileSync(zero, encode([[1, 1, 2], [0, 3, 1]]));
    await rejects(readCooccurrences(zero), 'E_INPUT', /record 2 \(byte 16\) has word id 0, outside 1 or more/);
    const nan = join(dir, 'nan.bin');
    writeFileSync(nan, encode([[1, 1, NaN]]));
    await rejects(readCooccurrences(nan), 'E_INPUT', /value NaN/);
    // GloVe's stderr saved into the file (see the bundled asym-nodist reference).
    const text = join(dir, 'text.bin');
    writeFileSync(text, Buffer.concat([Buffer.from('COUNTING COOCCURRENCES\nwindow 5\n'), encode([[1, 1, 1]])]));
    const t = await rejects(readCooccurrences(text), 'E_INPUT', /COUNTING COOCCUR/);
    assert.match(t.hint ?? '', /stderr/);
    await rejects(readCooccurrences(join(dir, 'nope.bin')), 'E_FILE', /ENOENT/);
    await rejects(readCooccurrences(REF, { vocabSize: 0 }), 'E_PARAM', /vocabSize/);
  } finally {
    cleanup();
  }
});

test('an unsorted file (like shuffle output) is sorted, repeated pairs summed', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const f = join(dir, 'shuf.bin');
    writeFileSync(f, encode([[3, 1, 0.5], [1, 2, 1], [2, 2, 4], [1, 1, 2], [3, 1, 0.25], [1, 3, 8]]));
    const c = await readCooccurrences(f, { vocabSize: 3 });
    assert.equal([...c.row], [0, 0, 0, 1, 2]);
    assert.equal([...c.col], [0, 1, 2, 1, 0]);
    assert.equal([...c.val], [2, 1, 8, 4, 0.75]);
    // sortAndMerge on the shuffled reference gives the reference back.
    const ref = await readCooccurrences(REF, { vocabSize: 3027 });
    const n = ref.size;
    const perm = Array.from({ length: n }, (_, i) => i);
    let s = 12345;
    for (let i = n - 1; i > 0; i--) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const j = s % (i + 1);
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    const r = sharedInt32(n);
    const co = sharedInt32(n);
    const v = sharedFloat64(n);
    perm.forEach((p, i) => {
      r[i] = ref.row[p]!;
      co[i] = ref.col[p]!;
      v[i] = ref.val[p]!;
    });
    const back: Cooccurrences = sortAndMerge(3027, r, co, v);
    assert.equal([...back.row], [...ref.row]);
    assert.equal([...back.col], [...ref.col]);
    assert.equal([...back.val], [...ref.val]);
  } finally {
    cleanup();
  }
});

test('an aborted write leaves nothing behind', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const c = await readCooccurrences(REF);
    const ac = new AbortController();
    ac.abort();
    const out = join(dir, 'x.bin');
    let threw = false;
    try {
      await writeCooccurrences(c, out, { signal: ac.signal });
    } catch {
      threw = true;
    }
    assert.ok(threw);
    assert.not.ok(existsSync(out));
    assert.equal(readdirSync(dir), []);
  } finally {
    cleanup();
  }
});

test.run();
