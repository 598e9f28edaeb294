/**
 * The generated word2vec kernel against a direct transcription of fastText's
 * update (model.cc, loss.cc) on a tiny model: every input and output value after
 * one line, for skip-gram and CBOW, negative sampling and hierarchical softmax,
 * with a dimension that has a scalar tail (7 = one f32x4 step + 3).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileWord2VecKernel, instantiateWord2VecKernel, word2vecLayout } from '../src/word2vec/kernel.js';
import { huffmanPaths } from '../src/word2vec/train.js';
import { f32View, i32View, logTable, sharedMemory, sigmoidTable, u8View, wasmSimdAvailable } from '../src/kernels/index.js';

const DIM = 7;
const V = 4;
// word w's input rows: its own row, then n-gram rows (V + j)
const ROWS = [[0, 4, 5], [1, 6], [2, 4, 7], [3]];
const NEG = [2, 0, 3, 1, 2, 3, 0];
const COUNTS = [10, 6, 3, 1];
const LINE = [0, 1, 2, 3, 1];
const LR = 0.05;

type Input = 'center' | 'context';
type NegTarget = 'redraw' | 'skip';

function setup(model: 'skipgram' | 'cbow', loss: 'ns' | 'hs', skipgramInput: Input = 'center', negTarget: NegTarget = 'redraw') {
  const inputRows = 8;
  const rowCount = ROWS.reduce((a, r) => a + r.length, 0);
  const tree = huffmanPaths(COUNTS);
  const layout = word2vecLayout({ dim: DIM, nwords: V, inputRows, rowCount, negSize: NEG.length, pathCount: tree.paths.length, bowCapacity: 64, threads: 1 });
  const memory = sharedMemory(layout, 'test');
  const input = f32View(memory, layout.input, inputRows * DIM);
  const output = f32View(memory, layout.output, V * DIM);
  // deterministic values with both signs, large enough for scores away from 0.5
  for (let i = 0; i < input.length; i++) input[i] = Math.sin(i * 1.3 + 0.2) * 0.7;
  for (let i = 0; i < output.length; i++) output[i] = Math.cos(i * 0.7 + 0.5) * 0.6;
  const offs = i32View(memory, layout.rowOffsets, V + 1);
  const rows = i32View(memory, layout.rows, rowCount);
  let k = 0;
  ROWS.forEach((r, w) => {
    rows.set(r, k);
    k += r.length;
    offs[w + 1] = k;
  });
  i32View(memory, layout.negTable, NEG.length).set(NEG);
  i32View(memory, layout.pathOffsets, V + 1).set(tree.offsets);
  i32View(memory, layout.paths, tree.paths.length).set(tree.paths);
  u8View(memory, layout.codes, tree.codes.length).set(tree.codes);
  f32View(memory, layout.sigmoid, 513).set(sigmoidTable());
  f32View(memory, layout.log, 513).set(logTable());
  i32View(memory, layout.threads[0]!.line, LINE.length).set(LINE);
  // ws 1: every window is exactly one word each side, so no draw matters
  const kernel = instantiateWord2VecKernel(compileWord2VecKernel({ model, loss, skipgramInput, negTarget, ws: 1, neg: 2, layout }), memory);
  const s = layout.threads[0]!;
  kernel.init(s.hidden, s.grad, s.line, s.bow, 12345, 0);
  return { kernel, input, output, tree, refIn: Float64Array.from(input), refOut: Float64Array.from(output) };
}

const sig = sigmoidTable();
const lg = logTable();
const sigmoid = (x: number): number => (x < -8 ? 0 : x > 8 ? 1 : sig[Math.trunc((x + 8) * 32)]!);
const log = (x: number): number => lg[Math.trunc(x * 512)]!;

/**
 * fastText's update for one example, on float64 copies. Skip-gram with input
 * 'context' pairs as word2vec and gensim do: for each center word, each context
 * word's rows predict the center (fastText: the center's rows predict each context word).
 */
function reference(
  model: 'skipgram' | 'cbow', loss: 'ns' | 'hs', inp: Float64Array, out: Float64Array, tree: ReturnType<typeof huffmanPaths>, skipgramInput: Input = 'center', negTarget: NegTarget = 'redraw',
): { loss: number; updates: number; skipped: number } {
  let negPos = 0;
  let skipped = 0;
  let total = 0;
  let updates = 0;
  const update = (inRows: number[], target: number): void => {
    const hidden = new Float64Array(DIM);
    for (const r of inRows) for (let j = 0; j < DIM; j++) hidden[j] += inp[r * DIM + j]!;
    for (let j = 0; j < DIM; j++) hidden[j] /= inRows.length;
    const grad = new Float64Array(DIM);
    const unit = (u: number, label: number): void => {
      let dot = 0;
      for (let j = 0; j < DIM; j++) dot += out[u * DIM + j]! * hidden[j]!;
      const score = sigmoid(dot);
      const alpha = LR * (label - score);
      for (let j = 0; j < DIM; j++) {
        grad[j] += alpha * out[u * DIM + j]!;
        out[u * DIM + j] += alpha * hidden[j]!;
      }
      total -= log(label ? score : 1 - score);
    };
    if (loss === 'ns') {
      unit(target, 1);
      for (let n = 0; n < 2; n++) {
        let neg: number;
        if (negTarget === 'skip') {
          // word2vec C and gensim: a draw equal to the target is dropped, not drawn again
          neg = NEG[negPos]!;
          negPos = (negPos + 1) % NEG.length;
          if (neg === target) skipped++;
          else unit(neg, 0);
          continue;
        }
        do {
          neg = NEG[negPos]!;
          negPos = (negPos + 1) % NEG.length;
        } while (neg === target);
        unit(neg, 0);
      }
    } else {
      for (let k = tree.offsets[target]!; k < tree.offsets[target + 1]!; k++) unit(tree.paths[k]!, tree.codes[k]!);
    }
    for (const r of inRows) for (let j = 0; j < DIM; j++) inp[r * DIM + j] += grad[j]!;
    updates++;
  };
  for (let w = 0; w < LINE.length; w++) {
    if (model === 'skipgram') {
      for (const c of [-1, 1]) {
        if (w + c < 0 || w + c >= LINE.length) continue;
        if (skipgramInput === 'context') update(ROWS[LINE[w + c]!]!, LINE[w]!);
        else update(ROWS[LINE[w]!]!, LINE[w + c]!);
      }
    } else {
      const bow: number[] = [];
      for (const c of [-1, 1]) if (w + c >= 0 && w + c < LINE.length) bow.push(...ROWS[LINE[w + c]!]!);
      if (bow.length) update(bow, LINE[w]!);
    }
  }
  return { loss: total, updates, skipped };
}

for (const model of ['skipgram', 'cbow'] as const) {
  for (const loss of ['ns', 'hs'] as const) {
    test(`the kernel makes fastText's ${model} ${loss} updates (every input and output value after a line)`, () => {
      if (!wasmSimdAvailable()) {
        console.log('  (no WebAssembly SIMD in this runtime: skipped)');
        return;
      }
      const { kernel, input, output, tree, refIn, refOut } = setup(model, loss);
      const before = Float32Array.from(input);
      const got = kernel.line(LINE.length, LR);
      const want = reference(model, loss, refIn, refOut, tree);
      assert.is(kernel.updates.value, want.updates);
      assert.ok(Math.abs(got - want.loss) < 1e-4 * Math.max(1, Math.abs(want.loss)), `loss ${got} vs ${want.loss}`);
      let moved = 0;
      for (let i = 0; i < input.length; i++) {
        assert.ok(Math.abs(input[i]! - refIn[i]!) < 1e-5, `input[${i}] ${input[i]} vs ${refIn[i]}`);
        if (input[i] !== before[i]) moved++;
      }
      for (let i = 0; i < output.length; i++) assert.ok(Math.abs(output[i]! - refOut[i]!) < 1e-5, `output[${i}] ${output[i]} vs ${refOut[i]}`);
      assert.ok(moved > DIM * 4, `the line changed ${moved} input values`);
    });
  }
}

for (const loss of ['ns', 'hs'] as const) {
  test(`skip-gram with input 'context' makes word2vec's ${loss} updates: each context word's rows predict the center`, () => {
    if (!wasmSimdAvailable()) return;
    const { kernel, input, output, tree, refIn, refOut } = setup('skipgram', loss, 'context');
    const got = kernel.line(LINE.length, LR);
    const want = reference('skipgram', loss, refIn, refOut, tree, 'context');
    // the other direction ends elsewhere: the check tells the two apart
    const start = setup('skipgram', loss, 'center');
    reference('skipgram', loss, start.refIn, start.refOut, tree, 'center');
    let apart = 0;
    for (let i = 0; i < refIn.length; i++) apart = Math.max(apart, Math.abs(refIn[i]! - start.refIn[i]!));
    assert.ok(apart > 1e-4, `the directions differ by ${apart}`);
    assert.is(kernel.updates.value, want.updates);
    assert.ok(Math.abs(got - want.loss) < 1e-4 * Math.max(1, Math.abs(want.loss)), `loss ${got} vs ${want.loss}`);
    for (let i = 0; i < input.length; i++) assert.ok(Math.abs(input[i]! - refIn[i]!) < 1e-5, `input[${i}] ${input[i]} vs ${refIn[i]}`);
    for (let i = 0; i < output.length; i++) assert.ok(Math.abs(output[i]! - refOut[i]!) < 1e-5, `output[${i}] ${output[i]} vs ${refOut[i]}`);
  });
}

for (const model of ['skipgram', 'cbow'] as const) {
  test(`${model} with neg_target 'skip' drops a negative equal to the target as word2vec C and gensim do`, () => {
    if (!wasmSimdAvailable()) return;
    const { kernel, input, output, tree, refIn, refOut } = setup(model, 'ns', 'context', 'skip');
    const got = kernel.line(LINE.length, LR);
    const want = reference(model, 'ns', refIn, refOut, tree, 'context', 'skip');
    // the line draws the target as a negative, so dropping and redrawing end apart
    assert.ok(want.skipped > 0, `the line drew the target ${want.skipped} times`);
    const redraw = setup(model, 'ns', 'context', 'redraw');
    reference(model, 'ns', redraw.refIn, redraw.refOut, tree, 'context', 'redraw');
    let apart = 0;
    for (let i = 0; i < refOut.length; i++) apart = Math.max(apart, Math.abs(refOut[i]! - redraw.refOut[i]!));
    assert.ok(apart > 1e-4, `redraw and skip differ by ${apart}`);
    assert.is(kernel.updates.value, want.updates);
    assert.ok(Math.abs(got - want.loss) < 1e-4 * Math.max(1, Math.abs(want.loss)), `loss ${got} vs ${want.loss}`);
    for (let i = 0; i < input.length; i++) assert.ok(Math.abs(input[i]! - refIn[i]!) < 1e-5, `input[${i}] ${input[i]} vs ${refIn[i]}`);
    for (let i = 0; i < output.length; i++) assert.ok(Math.abs(output[i]! - refOut[i]!) < 1e-5, `output[${i}] ${output[i]} vs ${refOut[i]}`);
  });
}

test('a NaN in the model makes the line loss NaN (the caller stops the run)', () => {
  if (!wasmSimdAvailable()) return;
  const { kernel, input } = setup('skipgram', 'ns');
  input[0] = NaN;
  assert.ok(Number.isNaN(kernel.line(LINE.length, LR)));
});

test.run();
