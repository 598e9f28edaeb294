import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { Rng, nn } from '@wordloom/core';
import { createSimdKernels } from '../src/kernels/nn-simd.js';
import { repoPath } from './helpers.js';

const S = createSimdKernels();
const T = nn.typescriptKernels;

function rnd(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

function near(a: Float32Array, b: Float32Array, what: string, tol = 2e-6): void {
  assert.is(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i]! - b[i]!) <= tol * Math.max(1, Math.abs(b[i]!)))) assert.unreachable(`${what}[${i}]: ${a[i]} against ${b[i]}`);
  }
}

test('WebAssembly SIMD is there (Node 20)', () => {
  assert.ok(S, 'SIMD kernels');
  assert.is(S!.name, 'wasm-simd');
});

test('the SIMD products equal the TypeScript ones for odd and even sizes, offsets, bias and accumulation', () => {
  const rng = new Rng(5);
  for (const [m, n, k] of [[1, 1, 1], [3, 5, 7], [4, 6, 8], [33, 192, 64], [17, 12, 16], [130, 9, 3], [2, 3, 0 + 5]]) {
    const xo = 3, yo = 2;
    const x = rnd(xo + m * k, rng), w = rnd(n * k, rng), b = rnd(n, rng);
    for (const bias of [null, b]) {
      const y1 = rnd(yo + m * n, rng), y2 = y1.slice();
      S!.matmulTransB(x, xo, w, bias, y1, yo, m, n, k);
      T.matmulTransB(x, xo, w, bias, y2, yo, m, n, k);
      near(y1, y2, `transB ${m}x${n}x${k}`);
    }
    const dy = rnd(xo + m * n, rng);
    for (const overwrite of [true, false]) {
      const d1 = rnd(yo + m * k, rng), d2 = d1.slice();
      S!.matmulAcc(dy, xo, w, d1, yo, m, n, k, overwrite);
      T.matmulAcc(dy, xo, w, d2, yo, m, n, k, overwrite);
      near(d1, d2, `acc ${m}x${n}x${k}`);
    }
    const dw1 = rnd(n * k, rng), dw2 = dw1.slice(), db1 = rnd(n, rng), db2 = db1.slice();
    S!.matmulTransAAcc(dy, xo, x, xo, dw1, db1, m, n, k);
    T.matmulTransAAcc(dy, xo, x, xo, dw2, db2, m, n, k);
    near(dw1, dw2, `transAAcc ${m}x${n}x${k}`, 1e-5);
    near(db1, db2, `transAAcc bias ${m}x${n}x${k}`, 1e-5);
  }
});

test('with the SIMD kernels the embedding -> GRU -> linear model still matches PyTorch 1.13', () => {
  const fx = JSON.parse(readFileSync(repoPath('data/fixtures/nn-layers.json'), 'utf8'));
  const before = nn.useKernels(S);
  try {
    for (const c of fx.model) {
      const emb = new nn.Embedding(c.vocab, c.embed);
      const gru = new nn.GRU(c.embed, c.hidden, { reverse: c.reverse });
      const lin = new nn.Linear(c.hidden, c.classes);
      emb.weight.data.set(c.embedding);
      for (const p of gru.params) p.data.set(c.gru[p.name.slice('gru.'.length)]);
      lin.weight.data.set(c.linear_weight);
      lin.bias!.data.set(c.linear_bias);
      const batch = nn.PackedBatch.of(c.seqs.map((s: number[]) => s.length), { reverse: c.reverse });
      const ce = new nn.SoftmaxCrossEntropy();
      const logits = lin.forward(gru.forwardPacked(batch, emb.forward(batch.packIds(c.seqs))));
      near(logits, Float32Array.from(c.logits), 'logits', 1e-5);
      ce.forward(logits, c.targets, c.classes);
      gru.backwardPacked(lin.backward(ce.backward()));
      for (const p of gru.params) {
        const g = (p.grad as { values: Float32Array }).values;
        const want = Float32Array.from(c.dgru[p.name.slice('gru.'.length)] as number[]);
        const scale = want.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
        for (let i = 0; i < g.length; i++) assert.ok(Math.abs(g[i]! - want[i]!) <= 1e-5 * Math.max(Math.abs(want[i]!), 0.1 * scale), `${p.name}[${i}]`);
      }
    }
  } finally {
    nn.useKernels(before);
  }
});

test.run();
