import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  Adagrad, Adam, AdamW, AutoOptimizer, ExponentialLR, LazyAdam, LinearDecayLR, Parameter, RMSprop, SGD, SMORMS3, SparseAdam, StepLR,
  WordloomError, attachOptimizer, coalesce, CoalesceScratch, type LRSchedule, type MultiOptimizer, type Optimizer,
} from '../src/index.js';

const repo = (rel: string): string => fileURLToPath(new URL('../../../../' + rel, import.meta.url));

interface Case {
  type: string;
  options: Record<string, unknown>;
  params: { rows: [number, number]; grad: 'dense' | 'sparse' }[];
  groups?: { params: number[]; options: Record<string, unknown> }[];
  schedule?: { type: string; args: Record<string, number> };
  trajectory: number[][];
}
const fx = JSON.parse(readFileSync(repo('data/fixtures/optim-trajectories.json'), 'utf8')) as {
  rows: number; dim: number; steps: number; snapshots: number[]; P0: number[]; T: number[]; W: number[]; N: number[][]; ROWS: number[][]; cases: Case[];
};
const D = fx.dim;
const f = Math.fround;

const CTORS: Record<string, (p: any, o: any) => Optimizer<any>> = {
  SGD: (p, o) => new SGD(p, o), Adagrad: (p, o) => new Adagrad(p, o), RMSprop: (p, o) => new RMSprop(p, o), Adam: (p, o) => new Adam(p, o),
  AdamW: (p, o) => new AdamW(p, o), SparseAdam: (p, o) => new SparseAdam(p, o), LazyAdam: (p, o) => new LazyAdam(p, o), SMORMS3: (p, o) => new SMORMS3(p, o),
};

interface Setup { params: Parameter[]; opt: Optimizer<any> | MultiOptimizer; sched?: LRSchedule; specs: Case['params'] }

function setup(c: Case): Setup {
  const params = c.params.map((s, i) => new Parameter([s.rows[1] - s.rows[0], D], { name: `p${i}`, data: new Float32Array(fx.P0.slice(s.rows[0] * D, s.rows[1] * D)) }));
  let opt: Optimizer<any> | MultiOptimizer;
  if (c.type === 'Auto') opt = new AutoOptimizer(params, c.options);
  else if (c.groups) opt = CTORS[c.type]!(c.groups.map((g) => ({ params: g.params.map((i) => params[i]!), ...g.options })), c.options);
  else opt = CTORS[c.type]!(params, c.options);
  let sched: LRSchedule | undefined;
  if (c.schedule?.type === 'StepLR') sched = new StepLR(opt, c.schedule.args.step_size!, c.schedule.args.gamma);
  if (c.schedule?.type === 'ExponentialLR') sched = new ExponentialLR(opt, c.schedule.args.gamma!);
  return { params, opt, sched, specs: c.params };
}

/** The fixture's gradient, float32 op by op as PyTorch computes it. */
function setGrads(s: Setup, t: number): void {
  s.params.forEach((p, pi) => {
    const [start, end] = s.specs[pi]!.rows;
    const n = end - start;
    const noise = fx.N[t % fx.N.length]!;
    const value = (r: number, b: number): number => {
      const gi = (start + r) * D + b;
      return f(f(f(p.data[r * D + b]! - fx.T[gi]!) * fx.W[gi]!) + noise[gi]!);
    };
    if (s.specs[pi]!.grad === 'dense') {
      const g = new Float32Array(n * D);
      for (let r = 0; r < n; r++) for (let b = 0; b < D; b++) g[r * D + b] = value(r, b);
      p.setGrad(g);
    } else {
      const rows = Int32Array.from(fx.ROWS[t % fx.ROWS.length]!.map((r) => r % n));
      const vals = new Float32Array(rows.length * D);
      rows.forEach((r, k) => { for (let b = 0; b < D; b++) vals[k * D + b] = value(r, b); });
      p.setSparseGrad(rows, vals);
    }
  });
}

function run(s: Setup, from: number, to: number, snaps?: Map<number, Float32Array>): void {
  for (let t = from; t < to; t++) {
    s.opt.zeroGrad();
    setGrads(s, t);
    s.opt.step();
    s.sched?.step();
    if (snaps && fx.snapshots.includes(t + 1)) snaps.set(t + 1, concat(s.params));
  }
}

function concat(ps: Parameter[]): Float32Array {
  const out = new Float32Array(ps.reduce((a, p) => a + p.size, 0));
  let o = 0;
  for (const p of ps) { out.set(p.data, o); o += p.size; }
  return out;
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

const label = (c: Case): string => `${c.type} ${JSON.stringify(c.options)} ${c.params.map((p) => p.grad).join('+')}${c.groups ? ' groups' : ''}${c.schedule ? ' ' + c.schedule.type : ''}`;

test('100 steps follow PyTorch 1.13 (and the float64 LazyAdam/SMORMS3 references) to 1e-5, dense and sparse', () => {
  assert.ok(fx.cases.length >= 30);
  let worst = 0;
  for (const c of fx.cases) {
    const s = setup(c);
    const snaps = new Map<number, Float32Array>();
    run(s, 0, fx.steps, snaps);
    fx.snapshots.forEach((step, k) => {
      const e = relErr(snaps.get(step)!, c.trajectory[k]!);
      worst = Math.max(worst, e);
      assert.ok(e <= 1e-5, `${label(c)} after step ${step}: relative error ${e.toExponential(2)}`);
    });
    // and the parameters moved: the test is not vacuous
    assert.ok(relErr(c.trajectory[c.trajectory.length - 1]!, fx.P0.slice(0, c.trajectory[0]!.length)) > 1e-3, label(c));
  }
  assert.ok(worst < 1e-5);
});

test('a run stopped, saved (state through JSON + typed arrays) and resumed follows the same trajectory as one never stopped', () => {
  for (const c of fx.cases) {
    const full = setup(c);
    run(full, 0, 100);
    const a = setup(c);
    run(a, 0, 37);
    const saved = structuredClone({ opt: a.opt.stateDict() as any, sched: a.sched?.state(), params: a.params.map((p) => new Float32Array(p.data)) });
    // the state is plain values plus typed arrays
    JSON.stringify(saved.opt, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));
    const b = setup(c);
    b.params.forEach((p, i) => p.data.set(saved.params[i]!));
    b.opt.loadStateDict(saved.opt);
    if (saved.sched) b.sched!.loadState(saved.sched);
    run(b, 37, 100);
    assert.equal(Array.from(concat(b.params)), Array.from(concat(full.params)), label(c));
  }
});

test('an optimizer refuses a gradient kind it cannot take, naming the parameter and what to use', () => {
  const emb = new Parameter([10, 3], { name: 'embedding' });
  const lin = new Parameter([2, 3], { name: 'linear' });
  const adam = new Adam([emb]);
  emb.setSparseGrad(Int32Array.of(1, 4), new Float32Array(6).fill(1));
  try {
    adam.step();
    assert.unreachable();
  } catch (e) {
    assert.ok(e instanceof WordloomError);
    assert.is((e as WordloomError).where.param, 'embedding');
    assert.match((e as Error).message, /Adam cannot take the sparse gradient of parameter "embedding"/);
    assert.match((e as WordloomError).hint!, /SparseAdam or LazyAdam/);
    assert.match((e as WordloomError).hint!, /AutoOptimizer/);
  }
  const sa = new SparseAdam([lin]);
  lin.setGrad(new Float32Array(6).fill(1));
  assert.throws(() => sa.step(), (e: WordloomError) => e.where.param === 'linear' && /use Adam or LazyAdam/.test(e.hint!));
  const rms = new RMSprop([emb]);
  assert.throws(() => rms.step(), /RMSprop cannot take the sparse gradient of parameter "embedding"/);
  const ada = new Adagrad([emb], { weight_decay: 0.1 });
  assert.throws(() => ada.step(), /weight_decay is not compatible with sparse gradients/);
  // bad options name the option
  assert.throws(() => new Adam([lin], { betas: [0.9, 1.5] }), (e: WordloomError) => e.where.param === 'betas');
  assert.throws(() => new Adam([lin], { lr: 0.1, momentum: 0.9 } as any), /Adam has no option "momentum"/);
  assert.throws(() => new SGD([lin], {} as any), /SGD needs a learning rate/);
});

test('AutoOptimizer routes by declaration or by the first gradient, and refuses a change of kind with the reason', () => {
  const emb = new Parameter([50, 4], { name: 'emb', sparse: true });
  const lin = new Parameter([3, 4], { name: 'lin' });
  const bias = new Parameter([3], { name: 'bias' });
  const opt = new AutoOptimizer([emb, lin, bias], { lr: 0.01, sparse: 'LazyAdam' });
  assert.is(opt.routeOf(emb), 'sparse');
  assert.is(opt.routeOf(lin), undefined);
  emb.setSparseGrad(Int32Array.of(3, 3, 7), new Float32Array(12).fill(0.5));
  lin.setGrad(new Float32Array(12).fill(0.1));
  bias.setSparseGrad(Int32Array.of(1), Float32Array.of(1));
  opt.step();
  assert.is(opt.routeOf(lin), 'dense');
  assert.is(opt.routeOf(bias), 'sparse');
  assert.is(opt.sparseOptimizer.type, 'LazyAdam');
  // absent rows untouched, values and state
  assert.is(emb.data[0], 0);
  assert.is(opt.sparseOptimizer.stateOf(emb).buffers.exp_avg![0], 0);
  assert.ok(emb.data[3 * 4]! < 0 && emb.data[7 * 4]! < 0);
  opt.zeroGrad();
  lin.setSparseGrad(Int32Array.of(0), new Float32Array(4));
  assert.throws(() => opt.step(), (e: WordloomError) => e.where.param === 'lin' && /declare it sparse/.test(e.hint!));
});

test('a sparse step touches only the rows present: SparseAdam and Adagrad leave absent rows and their state as they were', () => {
  const p = new Parameter([100000, 8], { name: 'table' });
  p.data.fill(1);
  for (const opt of [new SparseAdam([p], { lr: 0.1 }), new Adagrad([p], { initial_accumulator_value: 0.5 })] as Optimizer<any>[]) {
    p.setSparseGrad(Int32Array.of(5, 99999, 5), new Float32Array(24).fill(2));
    opt.step();
    const st = opt.stateOf(p);
    let changed = 0;
    for (let i = 0; i < p.size; i++) if (p.data[i] !== 1) changed++;
    assert.is(changed, 16, opt.type);
    const buf = Object.values(st.buffers)[0]!;
    assert.is(buf[0], opt.type === 'Adagrad' ? 0.5 : 0);
    assert.is(buf[5 * 8], opt.type === 'Adagrad' ? 0.5 + 16 : Math.fround(0.1 * 4));
    p.data.fill(1);
  }
});

test('options are checked as PyTorch 1.13 checks them: SparseAdam refuses lr 0 and eps 0, Adam takes them', () => {
  const p = new Parameter([4, 2], { name: 'table' });
  assert.throws(() => new SparseAdam([p], { lr: 0 }), (e: WordloomError) => e.where.param === 'lr' && /SparseAdam option lr must be > 0, got 0/.test(e.message));
  assert.throws(() => new SparseAdam([p], { eps: 0 }), (e: WordloomError) => e.where.param === 'eps' && /must be > 0, got 0/.test(e.message));
  assert.throws(() => new SparseAdam([p], { lr: -1e-3 }), /lr must be > 0/);
  assert.throws(() => new SparseAdam([{ params: [p], eps: 0 }]), (e: WordloomError) => e.where.param === 'table.eps');
  assert.throws(() => new SparseAdam([p], { betas: [1, 0.9] }), /betas must be two numbers in \[0, 1\)/);
  new SparseAdam([p], { lr: 1e-9, eps: 1e-30 });
  new Adam([p], { lr: 0, eps: 0 });
  new Adagrad([p], { lr: 0, eps: 0 });
  new SGD([p], { lr: 0 });
  assert.throws(() => new SGD([p], { lr: -0.1 }), /lr must be >= 0, got -0.1/);
  assert.throws(() => new Adagrad([p], { lr_decay: -1 }), /lr_decay must be >= 0/);
  assert.throws(() => new RMSprop([p], { alpha: -0.5 }), /alpha must be >= 0/);
  // a SparseAdam step with eps 0 on a zero gradient would write NaN: refused above, so the table stays finite
  const sa = new SparseAdam([p], { eps: 1e-8 });
  p.setSparseGrad(Int32Array.of(1), new Float32Array(2));
  sa.step();
  assert.ok(Array.from(p.data).every(Number.isFinite));
});

test('NaN and Infinity options are named with their value, not as null', () => {
  const p = new Parameter([4, 2], { name: 'table' });
  assert.throws(() => new Adam([p], { lr: NaN }), (e: WordloomError) => /option lr must be a finite number, got NaN$/.test(e.message) && !/null/.test(e.message));
  assert.throws(() => new Adagrad([p], { eps: Infinity }), /eps must be a finite number, got Infinity$/);
  assert.throws(() => new SGD([p], { lr: -Infinity }), /got -Infinity$/);
  assert.throws(() => new AdamW([p], { betas: [NaN, 0.999] }), /betas must be two numbers in \[0, 1\), got \[NaN, 0.999\]$/);
  assert.throws(() => new Parameter([2, NaN]), /got \[2, NaN\]/);
});

test('setSparseGrad: values must be exactly rows x width, so a wrong width cannot shift rows', () => {
  const p = new Parameter([10, 4], { name: 'emb' });
  // 2 rows of width 3 given for a width-4 table: 6 values, not 8
  assert.throws(() => p.setSparseGrad(Int32Array.of(1, 2), new Float32Array(6)), (e: WordloomError) => e.where.param === 'emb' && /2 rows and 6 values; 2 rows of 4 need exactly 8/.test(e.message));
  // more values than rows x width (1 row of width 8 for a width-4 table) was accepted before
  assert.throws(() => p.setSparseGrad(Int32Array.of(1), new Float32Array(8)), /1 rows and 8 values; 1 rows of 4 need exactly 4/);
  assert.throws(() => p.setSparseGrad(Int32Array.of(1, 2, 3), new Float32Array(12), 2), /need exactly 8/);
  assert.throws(() => p.setSparseGrad(Int32Array.of(1), new Float32Array(4), 2), /count 2 must be an integer from 0 to the 1 rows given/);
  assert.throws(() => p.setSparseGrad([1] as any, new Float32Array(4)), /needs an Int32Array of rows and a Float32Array of values/);
  p.setSparseGrad(Int32Array.of(1, 2, 3), new Float32Array(8), 2);
  assert.is(p.grad!.kind === 'sparse' && p.grad!.count, 2);
});

test('setSparseGrad copies its arrays: changing them afterwards changes neither the checked rows nor the step', () => {
  const p = new Parameter([6, 2], { name: 'emb' });
  const ref = new Parameter([6, 2], { name: 'emb' });
  const opt = new SparseAdam([p], { lr: 0.1 });
  const refOpt = new SparseAdam([ref], { lr: 0.1 });
  const rows = Int32Array.of(1, 4);
  const vals = Float32Array.of(1, 2, 3, 4);
  p.setSparseGrad(rows, vals);
  ref.setSparseGrad(Int32Array.of(1, 4), Float32Array.of(1, 2, 3, 4));
  rows[0] = 1_000_000; // outside the table: refused had it been given to setSparseGrad
  rows[1] = 1;
  vals.fill(100);
  opt.step();
  refOpt.step();
  assert.equal(Array.from(p.data), Array.from(ref.data));
  assert.ok(p.data[2]! < 0 && p.data[8]! < 0 && p.data[0] === 0);
  assert.is(opt.stateOf(p).buffers.exp_avg!.length, 12);
});

test('a saved state with a bad step count, buffer or option is refused, and the optimizer is left as it was', () => {
  const p = new Parameter([3, 2], { name: 'w' });
  const opt = new Adam([p], { lr: 0.1 });
  p.setGrad(Float32Array.of(1, 2, 3, 4, 5, 6));
  opt.step();
  const good = opt.stateDict();
  const withStep = (step: unknown) => ({ ...good, state: { w: { ...good.state.w!, step } } }) as any;
  for (const step of [-1, 1.5, NaN, 2 ** 31, '3']) {
    assert.throws(() => opt.loadStateDict(withStep(step)), (e: WordloomError) => e.code === 'E_STATE' && /step count of parameter "w" must be an integer from 0 to 2147483647, got/.test(e.message), String(step));
  }
  assert.throws(() => opt.loadStateDict(withStep(-1)), /, got -1(\n|$)/);
  const shortBuf = { ...good, state: { w: { step: 5, buffers: { ...good.state.w!.buffers, exp_avg: new Float32Array(5) } } } };
  assert.throws(() => opt.loadStateDict(shortBuf), /has 5 values, the parameter 6/);
  assert.throws(() => opt.loadStateDict({ ...good, state: { w: { step: 5 } } } as any), /has no buffers/);
  assert.throws(() => opt.loadStateDict({ ...good, groups: [{ ...good.groups[0]!, options: { ...good.groups[0]!.options, lr: NaN } }] }), /lr must be a finite number, got NaN/);
  // options of a refused state are not half-applied, and the step count is unchanged
  assert.throws(() => opt.loadStateDict({ ...good, groups: [{ ...good.groups[0]!, options: { ...good.groups[0]!.options, lr: 0.5 } }], state: { w: { step: -1, buffers: good.state.w!.buffers } } }));
  assert.is(opt.paramGroups[0]!.options.lr, 0.1);
  assert.is(Atomics.load(opt.stateOf(p).step, 0), 1);
  const sched = new StepLR(opt, 2);
  assert.throws(() => sched.loadState({ t: -1, base_lrs: [0.1] }), /t must be an integer >= 0, got -1/);
  assert.throws(() => sched.loadState({ t: 1, base_lrs: [NaN] }), /base lr of group 0 must be a finite number >= 0, got NaN/);
});

test('schedules: step, exponential, and linear decay to zero (fastText)', () => {
  const p = new Parameter([1, 1]);
  const opt = new SGD([{ params: [p] }, { params: [], lr: 0.5 }], { lr: 1 });
  const lin = new LinearDecayLR(opt, 4);
  const seen: number[][] = [];
  for (let i = 0; i < 5; i++) {
    lin.step();
    seen.push(lin.lrs);
  }
  assert.equal(seen.map((l) => l[0]), [0.75, 0.5, 0.25, 0, 0]);
  assert.equal(seen.map((l) => l[1]), [0.375, 0.25, 0.125, 0, 0]);
});

test('Hogwild: optimizers attached in workers step the same shared parameters and state', async () => {
  const p = new Parameter([64, 4], { name: 'emb', sparse: true });
  p.data.fill(1);
  const ref = new Parameter([64, 4], { name: 'emb' });
  ref.data.fill(1);
  const opt = new Adagrad([p], { lr: 0.1 });
  const refOpt = new Adagrad([ref], { lr: 0.1 });
  const sa = new SparseAdam([new Parameter([8, 2], { name: 's' })]);
  const shared = { a: opt.share(), b: sa.share() };
  const url = new URL('../src/index.js', import.meta.url).href;
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.url).then(({ attachOptimizer }) => {
      const opt = attachOptimizer(workerData.shared.a);
      const sa = attachOptimizer(workerData.shared.b);
      const [p] = opt.params; const [s] = sa.params;
      for (let t = 0; t < 200; t++) {
        const r = workerData.half * 32 + (t % 32);
        p.setSparseGrad(Int32Array.of(r), Float32Array.of(1, 2, 3, 4));
        opt.step();
        s.setSparseGrad(Int32Array.of(t % 8), Float32Array.of(1, 1));
        sa.step();
      }
      parentPort.postMessage('done');
    });`;
  await Promise.all([0, 1].map((half) => new Promise<void>((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { url, shared, half } });
    w.once('message', () => w.terminate().then(() => resolve()));
    w.once('error', reject);
  })));
  for (let half = 0; half < 2; half++) {
    for (let t = 0; t < 200; t++) {
      ref.setSparseGrad(Int32Array.of(half * 32 + (t % 32)), Float32Array.of(1, 2, 3, 4));
      refOpt.step();
    }
  }
  // disjoint rows: the same values as one thread; the shared step counters saw every step
  assert.equal(Array.from(p.data), Array.from(ref.data));
  assert.is(Atomics.load(opt.stateOf(p).step, 0), 400);
  assert.is(Atomics.load(sa.stateOf(sa.params[0]!).step, 0), 400);
  assert.ok(attachOptimizer(opt.share()).params[0]!.data === p.data);
});

test('coalesce sums repeated rows and sorts them, for short and long gradients', () => {
  for (const n of [5, 40, 300, 5000]) {
    const dim = 3;
    const rows = new Int32Array(n);
    const vals = new Float32Array(n * dim);
    let seed = n;
    const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < n; i++) {
      rows[i] = Math.floor(rnd() * Math.max(2, n / 3));
      for (let b = 0; b < dim; b++) vals[i * dim + b] = Math.round(rnd() * 8) - 4;
    }
    const want = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const w = want.get(rows[i]!) ?? [0, 0, 0];
      for (let b = 0; b < dim; b++) w[b] += vals[i * dim + b]!;
      want.set(rows[i]!, w);
    }
    const c = coalesce({ kind: 'sparse', rows, values: vals, count: n }, dim, new CoalesceScratch());
    const keys = [...want.keys()].sort((a, b) => a - b);
    assert.equal(Array.from(c.rows.subarray(0, c.count)), keys, `n ${n}`);
    assert.equal(Array.from(c.values.subarray(0, c.count * dim)), keys.flatMap((k) => want.get(k)!), `n ${n}`);
  }
});

test.run();
