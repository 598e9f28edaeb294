import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readCooccurrences, readVocabFile } from '../src/index.js';
import { kernelBinary, kernelModule } from '../src/glove/kernel.js';
import { makeLayout, type GloveLayout, type ShareLayout } from '../src/glove/layout.js';
import { wasm } from '../src/kernels/wasm-asm.js';
import run, { type EpochResult, type EpochTask, type ScatterTask } from '../src/glove/worker.js';
import { packRecords } from '../src/glove/pack.js';
import { dataPath } from './helpers.js';

/** A share's records in one buffer, in order, as "word row address:context row address:log x:f(x)" (the values' bits). */
function pairs(memory: { buffer: ArrayBufferLike }, L: GloveLayout, at: number, count: number): string[] {
  const dv = new DataView(memory.buffer);
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const o = at + k * L.recordBytes;
    const v = L.recordBytes - 8;
    const values = `${dv.getUint32(o + v, true)}:${dv.getUint32(o + v + 4, true)}`;
    if (L.recordBytes === 16) out.push(`${dv.getInt32(o, true)}:${dv.getInt32(o + 4, true)}:${values}`);
    else out.push(`${L.wordBase + dv.getUint16(o, true) * L.rowBytes}:${L.contextBase + dv.getUint16(o + 2, true) * L.rowBytes}:${values}`);
  }
  return out;
}

test('the kernel module validates for several vector sizes', () => {
  for (const dim of [1, 3, 4, 50, 101, 300]) {
    for (const recordBytes of [12, 16]) {
      const L = makeLayout(dim, 10, 100, 2, recordBytes);
      assert.ok(wasm.validate(kernelBinary(L)), `dim ${dim}, ${recordBytes}-byte records`);
      assert.ok(wasm.validate(kernelBinary(L, 4)), `dim ${dim}, ${recordBytes}-byte records, with prefetch`);
      assert.is(L.rowFloats % 16, 0);
      assert.ok(L.rowFloats >= 2 * L.pad + 2);
    }
  }
  // 12-byte records (uint16 ranks) up to 65,536 words, 16-byte ones past that
  assert.is(makeLayout(50, 65536, 100, 2).recordBytes, 12);
  assert.is(makeLayout(50, 65537, 100, 2).recordBytes, 16);
  assert.throws(() => makeLayout(50, 65537, 100, 2, 12), /cannot hold 65537 words/);
});

test('packing with release shrinks the matrix buffers behind it and packs the same records', async () => {
  const vocab = await readVocabFile(dataPath('glove/lee.vocab.txt'));
  for (const recordBytes of [12, 16]) {
    const kept = await readCooccurrences(dataPath('glove/lee.cooc.w5.bin'), { vocabSize: vocab.size });
    const released = await readCooccurrences(dataPath('glove/lee.cooc.w5.bin'), { vocabSize: vocab.size });
    const L = makeLayout(8, vocab.size, kept.size, 2, recordBytes);
    const packInto = (c: typeof kept, release: boolean): { bytes: Uint8Array; zeroCost: number } => {
      const memory = new wasm.Memory({ initial: L.pages, maximum: L.pages, shared: true });
      const r = packRecords(memory, L, c, 10, 0.75, release);
      assert.is(r.bad, -1);
      return { bytes: new Uint8Array(memory.buffer, L.recordBase, L.records * L.recordBytes).slice(), zeroCost: r.zeroCost };
    };
    const a = packInto(kept, false);
    const b = packInto(released, true);
    assert.ok(Buffer.from(a.bytes).equals(Buffer.from(b.bytes)), `${recordBytes}-byte records differ`);
    assert.ok(Math.abs(a.zeroCost - b.zeroCost) <= 1e-9 * a.zeroCost);
    // kept: untouched; released: its buffers are empty once packed
    assert.is(kept.row.length, kept.size);
    assert.equal([released.row, released.col, released.val].map((x) => x.buffer.byteLength), [0, 0, 0]);
  }
  // an invalid record: nothing is packed or shrunk, and the first bad one is named
  const bad = await readCooccurrences(dataPath('glove/lee.cooc.w5.bin'), { vocabSize: vocab.size });
  bad.val[1000] = -1;
  bad.val[5000] = NaN;
  const L = makeLayout(8, vocab.size, bad.size, 2);
  const memory = new wasm.Memory({ initial: L.pages, maximum: L.pages, shared: true });
  assert.is(packRecords(memory, L, bad, 10, 0.75, true).bad, 1000);
  assert.is(bad.row.length, bad.size);
});

for (const recordBytes of [12, 16]) test(`each shuffled pass trains on every record exactly once, in a new order (${recordBytes}-byte records)`, async () => {
  const vocab = await readVocabFile(dataPath('glove/lee.vocab.txt'));
  const cooc = await readCooccurrences(dataPath('glove/lee.cooc.w5.bin'), { vocabSize: vocab.size });
  const threads = 2;
  const L = makeLayout(8, vocab.size, cooc.size, threads, recordBytes);
  assert.ok(L.shares.every((s) => s.buckets > 1), 'several buckets per share');
  const memory = new wasm.Memory({ initial: L.pages, maximum: L.pages, shared: true });
  const f32 = new Float32Array(memory.buffer);
  // small random vectors, AdaGrad sums 1
  for (let r = 0; r < 2 * vocab.size; r++) {
    const o = (L.wordBase >> 2) + r * L.rowFloats;
    for (let b = 0; b < 8; b++) f32[o + b] = ((r * 31 + b * 17) % 13) / 1300 - 0.005;
    for (let b = 0; b < L.pad; b++) f32[o + L.pad + b] = 1;
    f32[o + 2 * L.pad + 1] = 1;
  }
  const module = kernelModule(L);
  const base = { job: -recordBytes, memory, module };
  const share = (t: number): ShareLayout => L.shares[t]!;
  const sorted = (xs: string[]): string[] => [...xs].sort();
  const expected: string[][] = [[], []];
  const packed = packRecords(memory, L, cooc, 10, 0.75);
  assert.is(packed.bad, -1);
  for (let t = 0; t < threads; t++) {
    run({ ...base, kind: 'scatter', share: share(t), seed: [t, 1] } as ScatterTask);
    // round-robin deal: share t holds records t, t + threads, ...
    const s = share(t);
    const a = pairs(memory, L, s.recA, s.count);
    const x = cooc.val[t + threads]!;
    const bits = (y: number): number => new Uint32Array(new Float32Array([y]).buffer)[0]!;
    assert.is(a[1], `${L.wordBase + cooc.row[t + threads]! * L.rowBytes}:${L.contextBase + cooc.col[t + threads]! * L.rowBytes}:${bits(Math.log(x))}:${bits(x >= 10 ? 1 : Math.pow(x / 10, 0.75))}`);
    expected[t] = sorted(a);
    // the scatter into buffer B is a permutation
    assert.equal(sorted(pairs(memory, L, s.recB, s.count)), expected[t]);
  }
  // the order records were visited in, per share (after the pack: the scatter order)
  let visited = L.shares.map((s) => pairs(memory, L, s.recB, s.count));
  for (let pass = 1; pass <= 3; pass++) {
    const fromB = pass % 2 === 1;
    let cost = 0;
    for (let t = 0; t < threads; t++) {
      const r = run({ ...base, kind: 'epoch', share: share(t), shuffle: true, fromB, scatter: true, seedAssign: [pass, t], seedShuffle: [t, pass], eta: 0.05, gradClip: 100 } as EpochTask) as EpochResult;
      assert.is(r.skipped, 0);
      cost += r.cost;
    }
    assert.ok(cost > 0 && Number.isFinite(cost));
    for (let t = 0; t < threads; t++) {
      const s = share(t);
      const src = pairs(memory, L, fromB ? s.recB : s.recA, s.count);
      const dst = pairs(memory, L, fromB ? s.recA : s.recB, s.count);
      // the pass visited (and scattered) every record once ...
      assert.equal(sorted(dst), expected[t]);
      assert.equal(sorted(src), expected[t]);
      // ... in an order unlike the previous pass's (src now holds this pass's visiting order)
      let same = 0;
      for (let k = 0; k < s.count; k++) if (src[k] === visited[t]![k]) same++;
      assert.ok(same < s.count * 0.01, `pass ${pass}: ${same} of ${s.count} records in the same place`);
      // bucket boundaries of the next pass cover the share
      const i32 = new Int32Array(memory.buffer);
      const bounds = (fromB ? s.boundsA : s.boundsB) >> 2;
      assert.is(i32[bounds], 0);
      assert.is(i32[bounds + s.buckets], s.count);
    }
    visited = L.shares.map((s) => pairs(memory, L, fromB ? s.recB : s.recA, s.count));
  }
  // from one pass to the next a record moves anywhere in the share, not only within its bucket
  const s0 = share(0);
  const before = new Map(visited[0]!.map((p, k) => [p, k]));
  run({ ...base, kind: 'epoch', share: s0, shuffle: true, fromB: false, scatter: true, seedAssign: [9, 9], seedShuffle: [9, 9], eta: 0.05, gradClip: 100 } as EpochTask);
  const after = pairs(memory, L, s0.recA, s0.count);
  let moved = 0;
  for (let k = 0; k < s0.count; k++) moved += Math.abs(k - before.get(after[k]!)!);
  const meanMove = moved / s0.count;
  // for a uniform permutation the mean displacement is about n/3
  assert.ok(Math.abs(meanMove / s0.count - 1 / 3) < 0.02, `mean displacement ${meanMove} of ${s0.count}`);
});

test.run();
