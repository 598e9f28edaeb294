import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AutoOptimizer, Parameter, Rng, WordloomError, coalesce, CoalesceScratch, nn } from '../src/index.js';

const repo = (rel: string): string => fileURLToPath(new URL('../../../../' + rel, import.meta.url));
const fx = JSON.parse(readFileSync(repo('data/fixtures/nn-layers.json'), 'utf8'));
const F = (a: number[]): Float32Array => new Float32Array(a);

/**
 * PyTorch's float32 against ours, to 1e-5 relative: each value within 1e-5 of its
 * own magnitude, or of a tenth of the array's largest for smaller values (a value
 * that cancels to near zero carries float32 rounding of the terms it cancels, in
 * PyTorch's result as in ours: within 1e-6 of the largest). Measured: every value
 * is within 5e-7 of its array's largest.
 */
const FLOOR = 0.1;
function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    const tol = 1e-5 * Math.max(Math.abs(e), FLOOR * scale, 1e-30);
    if (!(Math.abs(a - e) <= tol)) assert.unreachable(`${what}[${i}]: ${a} against PyTorch's ${e} (off by ${Math.abs(a - e) / Math.max(Math.abs(e), 1e-3 * scale)} relative)`);
  }
}

function closeNum(a: number, e: number, what: string): void {
  close([a], [e], what);
}

function denseOf(p: Parameter): Float32Array {
  const g = p.grad!;
  if (g.kind === 'dense') return g.values;
  const out = new Float32Array(p.size);
  const c = coalesce(g, p.dim, new CoalesceScratch());
  for (let k = 0; k < c.count; k++) for (let b = 0; b < p.dim; b++) out[c.rows[k]! * p.dim + b] += c.values[k * p.dim + b]!;
  return out;
}

test('Linear: forward and backward match PyTorch', () => {
  const c = fx.linear;
  const lin = new nn.Linear(c.in, c.out);
  lin.weight.data.set(c.weight);
  lin.bias!.data.set(c.bias);
  close(lin.forward(F(c.x), c.rows), c.y, 'y');
  close(lin.backward(F(c.G)), c.dx, 'dx');
  close(denseOf(lin.weight), c.dweight, 'dweight');
  close(denseOf(lin.bias!), c.dbias, 'dbias');
  // a second backward adds (PyTorch's accumulation); zeroing the grad starts over
  lin.forward(F(c.x), c.rows);
  lin.backward(F(c.G));
  close(denseOf(lin.bias!), c.dbias.map((v: number) => 2 * v), 'accumulated dbias');
  lin.bias!.grad = null;
  lin.forward(F(c.x), c.rows);
  lin.backward(F(c.G));
  close(denseOf(lin.bias!), c.dbias, 'dbias after zeroing');
});

test('Embedding: rows and sparse row gradients match PyTorch', () => {
  const c = fx.embedding;
  const emb = new nn.Embedding(c.num, c.dim);
  emb.weight.data.set(c.weight);
  close(emb.forward(c.ids), c.y, 'y');
  emb.backward(F(c.G));
  const g = emb.weight.grad!;
  assert.is(g.kind, 'sparse');
  if (g.kind === 'sparse') assert.equal([...g.rows.subarray(0, g.count)], [0, 2, 5, 6], 'each row once, increasing');
  close(denseOf(emb.weight), c.dweight, 'dweight');
  const dense = new nn.Embedding(c.num, c.dim, { sparse: false });
  dense.weight.data.set(c.weight);
  dense.forward(c.ids);
  dense.backward(F(c.G));
  assert.is(dense.weight.grad!.kind, 'dense');
  close(denseOf(dense.weight), c.dweight, 'dense dweight');
});

test('Embedding: two backward passes before the step add up', () => {
  const c = fx.embedding;
  const emb = new nn.Embedding(c.num, c.dim);
  emb.forward(c.ids);
  emb.backward(F(c.G));
  emb.forward([1, 2]);
  emb.backward(F([1, 1, 1, 2, 2, 2]));
  const want = Float32Array.from(c.dweight as number[]);
  for (let b = 0; b < 3; b++) { want[3 + b] += 1; want[6 + b] += 2; }
  close(denseOf(emb.weight), want, 'accumulated');
});

test('Embedding: a sparse gradient over more rows than its first buffers hold (some 300 rows in 5,000 lookups) equals the dense one', () => {
  const rng = new Rng(4);
  const ids = Array.from({ length: 5000 }, () => rng.int(300));
  const dy = Float32Array.from({ length: 5000 * 3 }, () => rng.next() - 0.5);
  const sparse = new nn.Embedding(300, 3);
  const dense = new nn.Embedding(300, 3, { sparse: false });
  sparse.forward(ids);
  sparse.backward(dy);
  dense.forward(ids);
  dense.backward(dy);
  const g = sparse.weight.grad!;
  assert.ok(g.kind === 'sparse' && g.count === new Set(ids).size && g.count > 64);
  const got = denseOf(sparse.weight);
  const want = denseOf(dense.weight);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-5, `value ${i}: ${got[i]} against ${want[i]}`);
});

test('Tanh and ReLU match PyTorch (ReLU gradient 0 at 0)', () => {
  for (const [name, layer] of [['tanh', new nn.Tanh()], ['relu', new nn.ReLU()]] as const) {
    const c = fx[name];
    close(layer.forward(F(c.x)), c.y, `${name} y`);
    close(layer.backward(F(c.G)), c.dx, `${name} dx`);
  }
  assert.is(fx.relu.dx[3], 0);
});

test('softmax cross-entropy matches PyTorch', () => {
  const c = fx.cross_entropy;
  const ce = new nn.SoftmaxCrossEntropy();
  closeNum(ce.forward(F(c.logits), c.targets, c.classes), c.loss, 'loss');
  close(ce.backward(), c.dlogits, 'dlogits');
});

test('cosine triplet margin loss matches PyTorch (some triplets past the margin)', () => {
  const c = fx.triplet;
  assert.ok(c.active > 0 && c.active < c.rows);
  const loss = new nn.CosineTripletMarginLoss(c.margin);
  closeNum(loss.forward(F(c.anchor), F(c.positive), F(c.negative), c.dim), c.loss, 'loss');
  const g = loss.backward();
  close(g.anchor, c.danchor, 'danchor');
  close(g.positive, c.dpositive, 'dpositive');
  close(g.negative, c.dnegative, 'dnegative');
});

function loadGRU(c: any): nn.GRU {
  const gru = new nn.GRU(c.input, c.hidden, { numLayers: c.layers, reverse: c.reverse });
  for (const p of gru.params) p.data.set(c.params[p.name.slice('gru.'.length)]);
  return gru;
}

for (const c of fx.gru) {
  test(`GRU ${c.name} (${c.layers} layer(s), lengths ${c.lengths.join(',')}${c.reverse ? ', right to left' : ''}): states, outputs and gradients match PyTorch`, () => {
    const gru = loadGRU(c);
    const seqs = c.seqs.map(F);
    close(gru.forward(seqs), c.last, 'last states');
    const batch = nn.PackedBatch.of(c.lengths, { reverse: c.reverse });
    const outs = batch.unpackVectors(gru.outputs, c.hidden);
    outs.forEach((o, i) => close(o, c.outputs[i], `outputs of sequence ${i}`));
    const dOut = batch.packVectors(c.Gout.map(F), c.hidden);
    const dx = batch.unpackVectors(gru.backwardPacked(F(c.Glast), dOut), c.input);
    dx.forEach((d, i) => close(d, c.dseqs[i], `dinput of sequence ${i}`));
    for (const p of gru.params) close(denseOf(p), c.grads[p.name.slice('gru.'.length)], `d${p.name}`);
  });
}

test('GRU: the plain-list backward gives each sequence its input gradient', () => {
  const c = fx.gru.find((x: any) => x.name === 'packed-reverse');
  const gru = loadGRU(c);
  gru.forward(c.seqs.map(F));
  // only the last states: compare against a run with zero output gradients through backwardPacked
  const dx = gru.backward(F(c.Glast));
  assert.is(dx.length, c.lengths.length);
  dx.forEach((d, i) => assert.is(d.length, c.lengths[i] * c.input));
  const ref = loadGRU(c);
  ref.forward(c.seqs.map(F));
  const batch = nn.PackedBatch.of(c.lengths, { reverse: true });
  const want = batch.unpackVectors(ref.backwardPacked(F(c.Glast), null), c.input);
  dx.forEach((d, i) => close(d, want[i]!, `sequence ${i}`));
  // and the output gradients do matter: the fixture's dinput (with them) differs
  assert.not.equal([...dx[1]!], c.dseqs[1]);
});

for (const c of fx.model) {
  test(`embedding -> GRU -> linear -> cross-entropy${c.reverse ? ' (right to left)' : ''}: loss and every gradient match PyTorch`, () => {
    const emb = new nn.Embedding(c.vocab, c.embed);
    const gru = new nn.GRU(c.embed, c.hidden, { reverse: c.reverse });
    const lin = new nn.Linear(c.hidden, c.classes);
    emb.weight.data.set(c.embedding);
    for (const p of gru.params) p.data.set(c.gru[p.name.slice('gru.'.length)]);
    lin.weight.data.set(c.linear_weight);
    lin.bias!.data.set(c.linear_bias);
    const ce = new nn.SoftmaxCrossEntropy();
    const batch = nn.PackedBatch.of(c.seqs.map((s: number[]) => s.length), { reverse: c.reverse });
    const x = emb.forward(batch.packIds(c.seqs));
    const logits = lin.forward(gru.forwardPacked(batch, x));
    close(logits, c.logits, 'logits');
    closeNum(ce.forward(logits, c.targets, c.classes), c.loss, 'loss');
    emb.backward(gru.backwardPacked(lin.backward(ce.backward())));
    close(denseOf(emb.weight), c.dembedding, 'dembedding');
    for (const p of gru.params) close(denseOf(p), c.dgru[p.name.slice('gru.'.length)], `d${p.name}`);
    close(denseOf(lin.weight), c.dlinear_weight, 'dlinear.weight');
    close(denseOf(lin.bias!), c.dlinear_bias, 'dlinear.bias');
    // AutoOptimizer routes the embedding to SparseAdam (declared sparse) and the rest to Adam: 5 steps as PyTorch's
    const opt = new AutoOptimizer([...emb.params, ...gru.params, ...lin.params], { lr: c.steps_lr });
    const losses: number[] = [];
    for (let s = 0; s < 5; s++) {
      opt.step();
      opt.zeroGrad();
      const lg = lin.forward(gru.forwardPacked(batch, emb.forward(batch.packIds(c.seqs))));
      losses.push(ce.forward(lg, c.targets, c.classes));
      emb.backward(gru.backwardPacked(lin.backward(ce.backward())));
    }
    assert.is(opt.routeOf(emb.weight), 'sparse');
    assert.is(opt.routeOf(lin.weight), 'dense');
    close(losses, c.losses_after_steps, 'losses after steps');
    assert.ok(losses[4]! < c.loss, 'training lowers the loss');
    close(emb.weight.data, c.embedding_after_steps, 'embedding after steps');
    close(lin.weight.data, c.linear_weight_after_steps, 'linear weight after steps');
  });
}

test('Dropout: seeded, zeroes about p of the values, scales the rest, same mask backward; identity in evaluation', () => {
  const n = 20000;
  const x = new Float32Array(n).fill(2);
  const d = new nn.Dropout(0.25, new Rng(7));
  const y = d.forward(x);
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] === 0) zeros++;
    else assert.ok(Math.abs(y[i]! - 2 / 0.75) < 1e-6);
  }
  assert.ok(Math.abs(zeros / n - 0.25) < 0.015, `dropped ${zeros / n}`);
  const mask = Array.from(y, (v) => v !== 0);
  const g = d.backward(new Float32Array(n).fill(1));
  for (let i = 0; i < n; i += 97) assert.is(g[i] !== 0, mask[i]);
  const again = new nn.Dropout(0.25, new Rng(7)).forward(x);
  assert.equal(Array.from(again.subarray(0, 50)), Array.from(y.subarray(0, 50)));
  assert.equal(Array.from(d.forward(x, false).subarray(0, 5)), [2, 2, 2, 2, 2]);
  assert.throws(() => new nn.Dropout(1), (e: unknown) => e instanceof WordloomError && /\[0, 1\)/.test((e as Error).message));
});

test('the GRU gates\' exp: within 1e-8 of Math.exp over float32\'s range, clamped beyond, NaN kept', async () => {
  const { fastExp } = await import('../src/nn/util.js');
  const rng = new Rng(9);
  for (let i = 0; i < 100000; i++) {
    const x = (rng.next() * 2 - 1) * 88;
    assert.ok(Math.abs(fastExp(x) / Math.exp(x) - 1) < 1e-8, String(x));
  }
  assert.is(fastExp(0), 1);
  assert.is(fastExp(1000), fastExp(88));
  assert.ok(fastExp(-1000) > 0 && fastExp(-1000) < 1e-38);
  assert.ok(Number.isNaN(fastExp(NaN)));
});

test('PackedBatch: sorted by length (stable), batch sizes and offsets as pack_sequence', () => {
  const b = nn.PackedBatch.of([3, 6, 1, 6, 4]);
  assert.equal([...b.order.subarray(0, 5)], [1, 3, 4, 0, 2]);
  assert.equal([...b.batchSizes.subarray(0, b.steps)], [5, 4, 4, 3, 2, 2]);
  assert.is(b.total, 20);
  assert.is(b.row(2, 0), 4);
  const r = nn.PackedBatch.of([2, 3], { reverse: true });
  assert.equal([...r.packIds([[10, 11], [20, 21, 22]])], [22, 11, 21, 10, 20]);
});

function throwsWith(fn: () => unknown, re: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof WordloomError, `a WordloomError, got ${e}`);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected an error matching ${re}`);
}

test('bad input: empty sequences, too long ones, ids out of range, NaN input and NaN loss', () => {
  const gru = new nn.GRU(2, 3, { maxLength: 4 });
  throwsWith(() => gru.forward([new Float32Array(4), new Float32Array(0)]), /sequence 1 of the batch is empty/);
  throwsWith(() => gru.forward([]), /at least one sequence/);
  throwsWith(() => gru.forward([new Float32Array(10)]), /sequence 0 of the batch has 5 elements, more than the limit of 4/);
  throwsWith(() => gru.forward([new Float32Array(3)]), /sequence 0 has 3 values, not a whole number of vectors of 2/);
  throwsWith(() => gru.forward([F([1, 2, NaN, 0])]), /GRU input holds NaN at row 1, column 0/);
  const emb = new nn.Embedding(5, 2);
  throwsWith(() => emb.forward([1, 5]), /id 5 at position 1 is outside 0\.\.4/);
  throwsWith(() => emb.forward([-1]), /id -1 at position 0/);
  const lin = new nn.Linear(2, 2);
  throwsWith(() => lin.forward(F([1, Infinity])), /holds Infinity at row 0, column 1/);
  const ce = new nn.SoftmaxCrossEntropy();
  throwsWith(() => ce.forward(F([NaN, 1]), [0], 2), /cross-entropy loss is NaN/);
  throwsWith(() => ce.forward(F([0, 1]), [2], 2), /target 2 of row 0 is outside 0\.\.1/);
  const t = new nn.CosineTripletMarginLoss();
  throwsWith(() => t.forward(F([NaN, 1]), F([1, 1]), F([1, 0]), 2), /triplet loss is NaN/);
});

test.run();
