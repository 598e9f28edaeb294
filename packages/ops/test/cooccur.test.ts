import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DOC_END, Rng, WordloomError, releaseCooccurrences, sharedInt32 } from '@wordloom/core';
import type { Cooccurrences, Vocab } from '@wordloom/core';
import {
  countCooccurrences,
  cooccurFile,
  cooccurOp,
  findOperator,
  readCooccurrences,
  readGloveCorpus,
  readVocabFile,
  standaloneContext,
  tokenize,
  tokenizeDefaults,
  buildVocab,
  rankMap,
  openCooccurPools,
} from '../src/index.js';
import type { OpContext } from '../src/index.js';
import { dataPath, tempDir } from './helpers.js';

const LEE = dataPath('corpora/lee_background.cor');
const LEE_VOCAB = dataPath('glove/lee.vocab.txt');

let vocabP: Promise<Vocab> | undefined;
const leeVocab = (): Promise<Vocab> => (vocabP ??= readVocabFile(LEE_VOCAB));

/**
 * Test-local GloVe reader, independent of the library's: split on space and tab,
 * a newline ends a document, '\r' ignored, no lowercasing, out-of-vocabulary words
 * dropped (they take no position).
 */
function leeRanks(vocab: Vocab): Int32Array {
  const text = readFileSync(LEE, 'utf8').replace(/\r/g, '');
  const out: number[] = [];
  for (const line of text.split('\n')) {
    for (const w of line.split(/[ \t]+/)) {
      if (w === '') continue;
      const r = vocab.id(w);
      if (r >= 0) out.push(r);
    }
    out.push(DOC_END);
  }
  const a = sharedInt32(out.length);
  a.set(out);
  return a;
}

/**
 * The bundled reference files are what GloVe's cooccur printed on stdout. One of
 * them (asym-nodist) also caught the tool's stderr messages: "COUNTING
 * COOCCURRENCES\n" before the records and "\x1b[0GMerging cooccurrence files:
 * processed N lines.\n\n" at a 4096-byte stdout buffer boundary. Strip exactly
 * those, check that N records remain, and read the result.
 */
async function readReference(name: string, vocabSize: number, dir: string): Promise<Cooccurrences> {
  let bytes: Buffer = readFileSync(dataPath('glove/' + name));
  const head = Buffer.from('COUNTING COOCCURRENCES\n', 'latin1');
  if (bytes.subarray(0, head.length).equals(head)) {
    bytes = bytes.subarray(head.length);
    const marker = Buffer.from('\x1b[0GMerging cooccurrence files: processed ', 'latin1');
    const at = bytes.indexOf(marker);
    assert.ok(at >= 0, 'merge message present');
    const end = bytes.indexOf('lines.\n\n', at, 'latin1') + 'lines.\n\n'.length;
    const n = Number(bytes.subarray(at + marker.length, end).toString('latin1').split(' ')[0]);
    assert.is(at % 4096, 0, 'message at a stdout buffer boundary');
    bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(end)]);
    assert.is(bytes.length, n * 16, `${n} records remain`);
    const clean = join(dir, name);
    writeFileSync(clean, bytes);
    return readCooccurrences(clean, { vocabSize });
  }
  return readCooccurrences(dataPath('glove/' + name), { vocabSize });
}

function assertSameMatrix(got: Cooccurrences, want: Cooccurrences, rel = 1e-9, what = ''): void {
  assert.is(got.vocabSize, want.vocabSize, `${what} vocabSize`);
  assert.is(got.size, want.size, `${what} record count`);
  for (let i = 0; i < want.size; i++) {
    if (got.row[i] !== want.row[i] || got.col[i] !== want.col[i]) {
      assert.unreachable(`${what} record ${i}: got (${got.row[i]}, ${got.col[i]}), want (${want.row[i]}, ${want.col[i]})`);
    }
    const a = got.val[i]!;
    const b = want.val[i]!;
    if (!(Math.abs(a - b) <= rel * Math.abs(b))) assert.unreachable(`${what} record ${i} (${want.row[i]}, ${want.col[i]}): got ${a}, want ${b}`);
  }
}

function assertSorted(c: Cooccurrences): void {
  for (let i = 1; i < c.size; i++) {
    const ok = c.row[i - 1]! < c.row[i]! || (c.row[i - 1] === c.row[i] && c.col[i - 1]! < c.col[i]!);
    if (!ok) assert.unreachable(`records ${i - 1} and ${i} out of order`);
  }
}

/** A + A^T as a map from row * V + col. */
function plusTranspose(a: Cooccurrences): Map<number, number> {
  const V = a.vocabSize;
  const m = new Map<number, number>();
  for (let i = 0; i < a.size; i++) {
    const r = a.row[i]!;
    const c = a.col[i]!;
    const v = a.val[i]!;
    m.set(r * V + c, (m.get(r * V + c) ?? 0) + v);
    m.set(c * V + r, (m.get(c * V + r) ?? 0) + v);
  }
  return m;
}

function assertEqualsMap(got: Cooccurrences, want: Map<number, number>, rel: number, what: string): void {
  assert.is(got.size, want.size, `${what}: record count`);
  const V = got.vocabSize;
  for (let i = 0; i < got.size; i++) {
    const w = want.get(got.row[i]! * V + got.col[i]!);
    if (w === undefined) assert.unreachable(`${what}: unexpected pair (${got.row[i]}, ${got.col[i]})`);
    if (!(Math.abs(got.val[i]! - w!) <= rel * w!)) assert.unreachable(`${what}: pair (${got.row[i]}, ${got.col[i]}) got ${got.val[i]}, want ${w}`);
  }
}

function ctxWith(over: Partial<OpContext> = {}): OpContext {
  return standaloneContext({ baseDir: dataPath(''), ...over });
}

test('Lee, window 5, symmetric + 1/distance: equals GloVe cooccur output (lee.cooc.w5.bin)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const ref = await readReference('lee.cooc.w5.bin', 3027, dir);
    assert.is(ref.size, 222667);
    const got = await cooccurFile(LEE, LEE_VOCAB, { window: 5 }, ctxWith({ threads: 2 }));
    assert.equal(got.settings, { window: 5, symmetric: true, distanceWeighting: true });
    assertSorted(got);
    assertSameMatrix(got, ref, 1e-9, 'sym weighted');
  } finally {
    cleanup();
  }
});

test('Lee, window 5, -symmetric 0 -distance-weighting 0: equals lee.cooc.w5.asym-nodist.bin', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const ref = await readReference('lee.cooc.w5.asym-nodist.bin', 3027, dir);
    assert.is(ref.size, 128972);
    const got = await cooccurFile(LEE, LEE_VOCAB, { window: 5, symmetric: false, distance_weighting: false }, ctxWith({ threads: 2 }));
    assertSameMatrix(got, ref, 0, 'asym unweighted');
  } finally {
    cleanup();
  }
});

test('the library reader and a plain split give the same rank stream (readGloveCorpus)', async () => {
  const vocab = await leeVocab();
  const want = leeRanks(vocab);
  const got: number[] = [];
  const stats = await readGloveCorpus([LEE], vocab, async (r) => {
    for (const x of r) got.push(x);
  });
  assert.is(stats.words, 59890);
  assert.is(stats.inVocab, 50319);
  assert.equal(got, [...want]);
});

test('flag combinations agree: symmetric = asymmetric + transpose (diagonal doubled), weighted or not', async () => {
  const vocab = await leeVocab();
  const ranks = leeRanks(vocab);
  const ctx = ctxWith({ threads: 2 });
  for (const distance_weighting of [true, false]) {
    const asym = await countCooccurrences(ranks, vocab.size, { window: 5, symmetric: false, distance_weighting }, ctx);
    const sym = await countCooccurrences(ranks, vocab.size, { window: 5, symmetric: true, distance_weighting }, ctx);
    assertSorted(asym);
    assertSorted(sym);
    assertEqualsMap(sym, plusTranspose(asym), 1e-12, `distance_weighting ${distance_weighting}`);
    // A diagonal cell of the symmetric matrix is twice the asymmetric one.
    let diag = 0;
    for (let i = 0; i < asym.size; i++) if (asym.row[i] === asym.col[i]) diag++;
    assert.ok(diag > 10, 'Lee has repeated words within 5 positions');
  }
  // Unweighted counts are whole numbers; weighted ones are below them.
  const u = await countCooccurrences(ranks, vocab.size, { window: 5, distance_weighting: false }, ctx);
  const w = await countCooccurrences(ranks, vocab.size, { window: 5 }, ctx);
  assert.is(u.size, w.size);
  for (let i = 0; i < u.size; i++) {
    assert.ok(Number.isInteger(u.val[i]!));
    assert.ok(w.val[i]! <= u.val[i]! && w.val[i]! >= u.val[i]! / 5);
  }
});

test('1 and 2 threads give bit-identical results; window 1 counts adjacent pairs only', async () => {
  const vocab = await leeVocab();
  const ranks = leeRanks(vocab);
  const one = await countCooccurrences(ranks, vocab.size, { window: 7 }, ctxWith({ threads: 1 }));
  const two = await countCooccurrences(ranks, vocab.size, { window: 7 }, ctxWith({ threads: 2 }));
  assert.is(one.size, two.size);
  assert.equal(Buffer.compare(Buffer.from(one.row.buffer, 0, one.size * 4), Buffer.from(two.row.buffer, 0, two.size * 4)), 0);
  assert.equal(Buffer.compare(Buffer.from(one.col.buffer, 0, one.size * 4), Buffer.from(two.col.buffer, 0, two.size * 4)), 0);
  assert.equal(Buffer.compare(Buffer.from(one.val.buffer, 0, one.size * 8), Buffer.from(two.val.buffer, 0, two.size * 8)), 0);

  // window 1, asymmetric, unweighted: exactly the adjacent in-document pairs.
  const adj = new Map<number, number>();
  const V = vocab.size;
  for (let i = 0; i + 1 < ranks.length; i++) {
    const a = ranks[i]!;
    const b = ranks[i + 1]!;
    if (a >= 0 && b >= 0) adj.set(a * V + b, (adj.get(a * V + b) ?? 0) + 1);
  }
  const w1 = await countCooccurrences(ranks, V, { window: 1, symmetric: false, distance_weighting: false }, ctxWith({ threads: 2 }));
  assertEqualsMap(w1, adj, 0, 'window 1');
});

test('a tiny memory budget spills sorted runs to tmpDir and merges them to the same matrix', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const vocab = await leeVocab();
    const ranks = leeRanks(vocab);
    const ref = await readReference('lee.cooc.w5.bin', 3027, dir);
    const logs: string[] = [];
    let merging = false;
    const ctx = ctxWith({
      threads: 2,
      tmpDir: dir,
      log: (m) => logs.push(m),
      progress: (u) => {
        if (u.phase === 'merging') merging = true;
      },
    });
    // In memory: 0.02 MB at 6 bytes a token (positions index + compact copy) = 3495 tokens a segment -> 15 runs.
    const a = await countCooccurrences(ranks, vocab.size, { window: 5, memory_mb: 0.02 }, ctx);
    const spills = logs.filter((l) => l.includes('spilled')).length;
    assert.ok(spills >= 8, `spilled ${spills} runs`);
    assert.ok(merging, 'merge phase reported');
    assertSameMatrix(a, ref, 1e-12, 'in-memory, spilled');
    // Streaming from the file: segments cut mid-document keep their window context.
    logs.length = 0;
    const b = await cooccurFile(LEE, vocab, { window: 5, memory_mb: 0.02 }, ctx);
    assert.ok(logs.filter((l) => l.includes('spilled')).length >= 15);
    assertSameMatrix(b, ref, 1e-12, 'streamed, spilled');
    // Temporary runs are removed.
    assert.equal(readdirSync(dir).filter((f) => f.startsWith('wordloom-cooccur-')), []);
  } finally {
    cleanup();
  }
});

test('releaseCooccurrences gives back the memory of a count (in memory or spilled) and of a file read at once, not at the next garbage collection', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const vocab = await leeVocab();
    const ranks = leeRanks(vocab);
    const inMemory = await countCooccurrences(ranks, vocab.size, { window: 5 }, ctxWith({ threads: 2 }));
    const spilled = await countCooccurrences(ranks, vocab.size, { window: 5, memory_mb: 0.02 }, ctxWith({ threads: 2, tmpDir: dir }));
    const read = await readCooccurrences(dataPath('glove/lee.cooc.w5.bin'), { vocabSize: vocab.size });
    for (const [what, c] of [['in memory', inMemory], ['spilled', spilled], ['read', read]] as const) {
      assert.ok(c.size > 100_000, what);
      const arrays = [c.row, c.col, c.val];
      assert.ok(arrays.every((a) => a.buffer.byteLength >= a.byteLength && a.byteLength > 0), what);
      releaseCooccurrences(c);
      assert.ok(c.released, what);
      assert.is(c.row.length + c.col.length + c.val.length, 0, what);
      // the buffers the arrays were views of hold nothing any more
      assert.equal(arrays.map((a) => a.buffer.byteLength), [0, 0, 0], what);
    }
  } finally {
    cleanup();
  }
});

test('cooccur op: tokenize -> cooccur with a vocab, writes the GloVe file when output is set', async () => {
  const { dir, cleanup } = tempDir();
  try {
    assert.is(findOperator('cooccur'), cooccurOp);
    assert.is(cooccurOp.output, 'cooccurrences');
    assert.equal(Object.keys(cooccurOp.inputs).sort(), ['tokens', 'vocab']);
    for (const [k, spec] of Object.entries(cooccurOp.params)) {
      assert.ok(spec.doc.length > 10, `${k} has a doc`);
      assert.ok(spec.default !== undefined || spec.optional, `${k} has a default`);
    }
    const vocab = await leeVocab();
    const ctx = ctxWith({ threads: 2, baseDir: dir });
    const tokens = tokenize(tokenizeDefaults({ input: [LEE], chunk_tokens: 5000 }), ctx);
    const progress: number[] = [];
    let total: number | undefined;
    const got = (await cooccurOp.run(
      { tokens, vocab },
      { window: 5, symmetric: true, distance_weighting: true, memory_mb: 1024, output: 'lee.w5.bin' },
      {
        ...ctx,
        progress: (u) => {
          if (u.phase !== 'counting') return;
          progress.push(u.done ?? 0);
          total = u.total;
        },
      },
    )) as Cooccurrences;
    // the op's last count stops the counting workers (the nodes after it do not run beside them)
    assert.is(openCooccurPools(), 0, 'worker pools closed after the op');
    assert.is(total, 50319, 'progress total: tokens in the vocabulary');
    const ref = await readReference('lee.cooc.w5.bin', 3027, dir);
    assertSameMatrix(got, ref, 1e-9, 'op');
    assert.ok(progress.length > 0 && progress[progress.length - 1] === 50319, 'progress reaches the in-vocabulary token count');
    const written = await readCooccurrences(join(dir, 'lee.w5.bin'), { vocabSize: 3027 });
    assertSameMatrix(written, ref, 1e-9, 'written file');
  } finally {
    cleanup();
  }
});

test('bad input: window 0, ranks outside the vocabulary, bad memory budget, no such corpus', async () => {
  const vocab = await leeVocab();
  const ranks = leeRanks(vocab);
  const ctx = ctxWith({ threads: 1 });
  const rejects = async (p: Promise<unknown>, code: string, re: RegExp, param?: string): Promise<void> => {
    try {
      await p;
    } catch (e) {
      assert.instance(e, WordloomError);
      assert.is((e as WordloomError).code, code);
      assert.match((e as Error).message, re);
      if (param) assert.is((e as WordloomError).where.param, param);
      return;
    }
    assert.unreachable('should have thrown');
  };
  await rejects(countCooccurrences(ranks, vocab.size, { window: 0 }, ctx), 'E_PARAM', /window must be an integer >= 1/, 'window');
  await rejects(countCooccurrences(ranks, vocab.size, { window: 2.5 }, ctx), 'E_PARAM', /window/, 'window');
  await rejects(countCooccurrences(ranks, vocab.size, { memory_mb: 0 }, ctx), 'E_PARAM', /memory_mb/, 'memory_mb');
  // The rank stream was made with all 3027 words; a 1000-word vocabulary does not match.
  await rejects(countCooccurrences(ranks, 1000, {}, ctx), 'E_INPUT', /rank \d+, outside the vocabulary of 1000 words/);
  const bad = sharedInt32(3);
  bad.set([0, -7, 1]);
  await rejects(countCooccurrences(bad, 10, {}, ctx), 'E_INPUT', /token 1 has rank -7/);
  await rejects(cooccurFile('no/such/corpus.txt', vocab, {}, ctx), 'E_FILE', /cannot read the corpus/);
});

test('WikiText-2 test split: equals a plain Map-based count; threads and spilling do not change it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const ctx = ctxWith({ threads: 2, tmpDir: dir });
    const tokens = tokenize(tokenizeDefaults({ input: [dataPath('corpora/wikitext-2/wiki.test.tokens.gz')], lowercase: 'ascii' }), ctx);
    const vocab = await buildVocab(tokens, { min_count: 2, max_size: 0 });
    const map = rankMap(tokens.dictionary, vocab);
    const list: number[] = [];
    for await (const chunk of tokens.chunks()) {
      for (const id of chunk.ids) {
        if (id === DOC_END) list.push(DOC_END);
        else if (map[id]! >= 0) list.push(map[id]!);
      }
    }
    const ranks = sharedInt32(list.length);
    ranks.set(list);
    assert.ok(ranks.length > 150000, 'large enough for the pooled index build');
    const V = vocab.size;
    // The definition, directly: for each token j and each earlier k in its document
    // with j - k <= 4, add 1/(j-k) to (w_k, w_j) and to (w_j, w_k).
    const want = new Map<number, number>();
    let docStart = 0;
    for (let j = 0; j < ranks.length; j++) {
      const w2 = ranks[j]!;
      if (w2 === DOC_END) {
        docStart = j + 1;
        continue;
      }
      for (let k = Math.max(docStart, j - 4); k < j; k++) {
        const w1 = ranks[k]!;
        const x = 1 / (j - k);
        want.set(w1 * V + w2, (want.get(w1 * V + w2) ?? 0) + x);
        want.set(w2 * V + w1, (want.get(w2 * V + w1) ?? 0) + x);
      }
    }
    const two = await countCooccurrences(ranks, V, { window: 4 }, ctx);
    assertSorted(two);
    assertEqualsMap(two, want, 1e-12, 'WikiText-2 test, window 4');
    const one = await countCooccurrences(ranks, V, { window: 4 }, ctxWith({ threads: 1 }));
    assertSameMatrix(one, two, 0, 'threads 1 vs 2');
    const spilled = await countCooccurrences(ranks, V, { window: 4, memory_mb: 0.3 }, ctx);
    assertSameMatrix(spilled, two, 1e-12, 'spilled');
  } finally {
    cleanup();
  }
});

test('vocabularies past 65535 words (Int32 path, summary bitmap, sorted lists for rare rows) count the same', async () => {
  const rng = new Rng(7);
  for (const V of [65535, 65536, 200000]) {
    // Zipf-like ranks: a few frequent words (bitmap walk) and many rare ones (list mode).
    const n = 20000;
    const ranks = sharedInt32(n);
    for (let i = 0; i < n; i++) {
      if (rng.next() < 0.02) ranks[i] = DOC_END;
      else ranks[i] = Math.min(V - 1, Math.floor(Math.exp(rng.next() * Math.log(V))) - 1);
    }
    for (const symmetric of [true, false]) {
      const W = 6;
      const want = new Map<number, number>();
      let docStart = 0;
      for (let j = 0; j < n; j++) {
        const w2 = ranks[j]!;
        if (w2 === DOC_END) {
          docStart = j + 1;
          continue;
        }
        for (let k = Math.max(docStart, j - W); k < j; k++) {
          const w1 = ranks[k]!;
          want.set(w1 * V + w2, (want.get(w1 * V + w2) ?? 0) + 1 / (j - k));
          if (symmetric) want.set(w2 * V + w1, (want.get(w2 * V + w1) ?? 0) + 1 / (j - k));
        }
      }
      const got = await countCooccurrences(ranks, V, { window: W, symmetric }, ctxWith({ threads: 2 }));
      assertSorted(got);
      assertEqualsMap(got, want, 1e-12, `V ${V} symmetric ${symmetric}`);
    }
  }
});

test('abort: a count stops when ctx.signal aborts, and the next count works', async () => {
  const vocab = await leeVocab();
  const ranks = leeRanks(vocab);
  const ac = new AbortController();
  const ctx = ctxWith({ threads: 2, signal: ac.signal, progress: () => ac.abort(new Error('stop here')) });
  let err: unknown;
  try {
    await countCooccurrences(ranks, vocab.size, { window: 5 }, ctx);
  } catch (e) {
    err = e;
  }
  assert.match(String((err as Error)?.message), /stop here/);
  const again = await countCooccurrences(ranks, vocab.size, { window: 5 }, ctxWith({ threads: 2 }));
  assert.is(again.size, 222667);
});

test('edge cases: empty stream, only DOC_END, a document of one word, window past the document', async () => {
  const ctx = ctxWith({ threads: 2 });
  const empty = await countCooccurrences(sharedInt32(0), 5, {}, ctx);
  assert.is(empty.size, 0);
  const docs = sharedInt32(4);
  docs.set([DOC_END, 3, DOC_END, DOC_END]);
  assert.is((await countCooccurrences(docs, 5, {}, ctx)).size, 0);
  // "0 1 0" then "1 1": window 100 covers each document; nothing crosses DOC_END.
  const s = sharedInt32(7);
  s.set([0, 1, 0, DOC_END, 1, 1, DOC_END]);
  const c = await countCooccurrences(s, 2, { window: 100 }, ctx);
  // (0,0): 0..0 at distance 2, both orders -> 2 * 1/2 = 1
  // (0,1): 0-1 d1, 1-0 d1 (as left context) -> 1 + 1 = 2 ; (1,0) the same
  // (1,1): second document, d1, both orders -> 2
  assert.equal([...c.row], [0, 0, 1, 1]);
  assert.equal([...c.col], [0, 1, 0, 1]);
  assert.equal([...c.val], [1, 2, 2, 2]);
});

test.run();
