/**
 * The algorithms. SGD, Adagrad, RMSprop, Adam, AdamW and SparseAdam follow
 * PyTorch 1.13's torch.optim (same options, defaults and update order; float32
 * parameters and state, arithmetic in double rounded on store). LazyAdam follows
 * TensorFlow Addons (moments updated only at the rows a sparse gradient names,
 * epsilon added to the uncorrected sqrt(v)); SMORMS3 follows Simon Funk's
 * definition (per-element memory, step min(lr, g^2/(g2 + eps)) / (sqrt(g2) + eps)).
 *
 * Sparse steps touch only the rows present: their cost is proportional to the rows
 * in the gradient, not to the table (except SGD with momentum, whose PyTorch
 * semantics decay the whole momentum buffer every step).
 */
import { WordloomError } from '../errors.js';
import type { Parameter } from './param.js';
import { Optimizer, ROUTER_HINT, type BaseOptions, type GroupSpec, type ParamState } from './optimizer.js';

type Params<O> = Parameter[] | GroupSpec<O>[];
type Betas = [number, number];

// ---------------------------------------------------------------- SGD
export interface SGDOptions extends BaseOptions {
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
  /** Maximize the objective (step along the gradient). */
  maximize: boolean;
}

/** torch.optim.SGD: momentum, dampening, Nesterov, L2 weight decay. `lr` has no default (PyTorch requires it). */
export class SGD extends Optimizer<SGDOptions> {
  private dense = new WeakMap<Parameter, Float32Array>();
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    if (options?.lr === undefined) throw new WordloomError('E_PARAM', 'SGD needs a learning rate (lr)', { param: 'lr' }, 'PyTorch has no default either; 0.01 to 0.1 are common');
    super('SGD', params, { momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false, ...options }, {
      lr: { kind: 'number', min: 0 }, momentum: { kind: 'number', min: 0 }, dampening: { kind: 'number' }, weight_decay: { kind: 'number', min: 0 }, nesterov: { kind: 'boolean' }, maximize: { kind: 'boolean' },
    });
  }
  protected override validate(o: SGDOptions, param: string | undefined): void {
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new WordloomError('E_PARAM', 'SGD: Nesterov momentum requires a momentum and zero dampening', { param: param ? `${param}.nesterov` : 'nesterov' });
    }
  }
  protected bufferSpec(o: SGDOptions): Record<string, number> {
    return o.momentum !== 0 ? { momentum_buffer: 0 } : {};
  }
  protected override sparseRefusal(o: SGDOptions): [string, string] | null {
    return o.weight_decay !== 0 ? ['weight_decay is not compatible with sparse gradients (as in PyTorch)', `set weight_decay to 0 for it, ${ROUTER_HINT}`] : null;
  }
  protected updateDense(p: Parameter, g: Float32Array, o: SGDOptions, st: ParamState, step: number): void {
    const { lr, momentum, dampening, weight_decay: wd, nesterov } = o;
    const sign = o.maximize ? -1 : 1;
    const x = p.data;
    const buf = st.buffers.momentum_buffer;
    const n = x.length;
    for (let i = 0; i < n; i++) {
      let d = sign * g[i]!;
      if (wd !== 0) d = Math.fround(d + wd * x[i]!);
      if (buf) {
        const b = step === 1 ? d : Math.fround(momentum * buf[i]! + (1 - dampening) * d);
        buf[i] = b;
        d = nesterov ? Math.fround(d + momentum * b) : b;
      }
      x[i] = x[i]! - lr * d;
    }
  }
  protected updateSparse(p: Parameter, rows: Int32Array, values: Float32Array, count: number, o: SGDOptions, st: ParamState, step: number): void {
    const dim = p.dim;
    if (o.momentum !== 0) {
      // PyTorch keeps a momentum buffer that decays at every row: densify.
      let d = this.dense.get(p);
      if (!d) this.dense.set(p, (d = new Float32Array(p.size)));
      d.fill(0);
      for (let k = 0; k < count; k++) d.set(values.subarray(k * dim, (k + 1) * dim), rows[k]! * dim);
      this.updateDense(p, d, o, st, step);
      return;
    }
    const x = p.data;
    const lr = o.maximize ? -o.lr : o.lr;
    for (let k = 0; k < count; k++) {
      const base = rows[k]! * dim;
      const src = k * dim;
      for (let b = 0; b < dim; b++) x[base + b] = x[base + b]! - lr * values[src + b]!;
    }
  }
}

// ---------------------------------------------------------------- Adagrad
export interface AdagradOptions extends BaseOptions {
  lr_decay: number;
  weight_decay: number;
  initial_accumulator_value: number;
  eps: number;
  maximize: boolean;
}

/** torch.optim.Adagrad, with its sparse path (rows present only; no weight decay). */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super('Adagrad', params, { lr: 1e-2, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10, maximize: false, ...options }, {
      lr: { kind: 'number', min: 0 }, lr_decay: { kind: 'number', min: 0 }, weight_decay: { kind: 'number', min: 0 }, initial_accumulator_value: { kind: 'number', min: 0 }, eps: { kind: 'number', min: 0 }, maximize: { kind: 'boolean' },
    });
  }
  protected bufferSpec(o: AdagradOptions): Record<string, number> {
    return { sum: o.initial_accumulator_value };
  }
  protected override sparseRefusal(o: AdagradOptions): [string, string] | null {
    return o.weight_decay !== 0 ? ['weight_decay is not compatible with sparse gradients (as in PyTorch)', `set weight_decay to 0 for it, ${ROUTER_HINT}`] : null;
  }
  protected updateDense(p: Parameter, g: Float32Array, o: AdagradOptions, st: ParamState, step: number): void {
    const clr = o.lr / (1 + (step - 1) * o.lr_decay);
    const { eps, weight_decay: wd } = o;
    const x = p.data;
    const sum = st.buffers.sum!;
    const sign = o.maximize ? -1 : 1;
    for (let i = 0, n = x.length; i < n; i++) {
      const d = wd !== 0 ? Math.fround(sign * g[i]! + wd * x[i]!) : sign * g[i]!;
      const s = (sum[i] = sum[i]! + d * d);
      x[i] = x[i]! - clr * (d / (Math.fround(Math.sqrt(s)) + eps));
    }
  }
  protected updateSparse(p: Parameter, rows: Int32Array, values: Float32Array, count: number, o: AdagradOptions, st: ParamState, step: number): void {
    const clr = o.lr / (1 + (step - 1) * o.lr_decay);
    const eps = o.eps;
    const dim = p.dim;
    const x = p.data;
    const sum = st.buffers.sum!;
    const sign = o.maximize ? -1 : 1;
    for (let k = 0; k < count; k++) {
      const base = rows[k]! * dim;
      const src = k * dim;
      for (let b = 0; b < dim; b++) {
        const d = sign * values[src + b]!;
        const i = base + b;
        const s = (sum[i] = sum[i]! + d * d);
        x[i] = x[i]! - clr * (d / (Math.fround(Math.sqrt(s)) + eps));
      }
    }
  }
}

// ---------------------------------------------------------------- RMSprop
export interface RMSpropOptions extends BaseOptions {
  alpha: number;
  eps: number;
  weight_decay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/** torch.optim.RMSprop (dense gradients only). */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super('RMSprop', params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false, maximize: false, ...options }, {
      lr: { kind: 'number', min: 0 }, alpha: { kind: 'number', min: 0 }, eps: { kind: 'number', min: 0 }, weight_decay: { kind: 'number', min: 0 }, momentum: { kind: 'number', min: 0 }, centered: { kind: 'boolean' }, maximize: { kind: 'boolean' },
    });
  }
  protected bufferSpec(o: RMSpropOptions): Record<string, number> {
    const b: Record<string, number> = { square_avg: 0 };
    if (o.momentum > 0) b.momentum_buffer = 0;
    if (o.centered) b.grad_avg = 0;
    return b;
  }
  protected override sparseRefusal(): [string, string] {
    return ['RMSprop does not support sparse gradients (as in PyTorch)', `use Adagrad, SparseAdam or LazyAdam for it, ${ROUTER_HINT}`];
  }
  protected updateDense(p: Parameter, g: Float32Array, o: RMSpropOptions, st: ParamState): void {
    const { lr, alpha, eps, weight_decay: wd, momentum } = o;
    const x = p.data;
    const sq = st.buffers.square_avg!;
    const ga = o.centered ? st.buffers.grad_avg! : undefined;
    const buf = momentum > 0 ? st.buffers.momentum_buffer! : undefined;
    const sign = o.maximize ? -1 : 1;
    for (let i = 0, n = x.length; i < n; i++) {
      const d = wd !== 0 ? Math.fround(sign * g[i]! + wd * x[i]!) : sign * g[i]!;
      const s = (sq[i] = alpha * sq[i]! + (1 - alpha) * d * d);
      let avg: number;
      if (ga) {
        const m = (ga[i] = alpha * ga[i]! + (1 - alpha) * d);
        avg = Math.fround(Math.sqrt(Math.fround(s - m * m))) + eps;
      } else avg = Math.fround(Math.sqrt(s)) + eps;
      avg = Math.fround(avg);
      if (buf) {
        const b = (buf[i] = momentum * buf[i]! + d / avg);
        x[i] = x[i]! - lr * b;
      } else x[i] = x[i]! - lr * (d / avg);
    }
  }
  protected updateSparse(): void {}
}

// ---------------------------------------------------------------- Adam, AdamW
export interface AdamOptions extends BaseOptions {
  betas: Betas;
  eps: number;
  weight_decay: number;
  amsgrad: boolean;
  maximize: boolean;
}

const ADAM_KINDS = {
  lr: { kind: 'number', min: 0 }, betas: { kind: 'betas' }, eps: { kind: 'number', min: 0 }, weight_decay: { kind: 'number', min: 0 }, amsgrad: { kind: 'boolean' }, maximize: { kind: 'boolean' },
} as const;

function adamDense(p: Parameter, g: Float32Array, o: AdamOptions, st: ParamState, step: number, decoupled: boolean): void {
  const { lr, eps, weight_decay: wd, amsgrad } = o;
  const [b1, b2] = o.betas;
  const x = p.data;
  const m = st.buffers.exp_avg!;
  const v = st.buffers.exp_avg_sq!;
  const vmax = amsgrad ? st.buffers.max_exp_avg_sq! : undefined;
  const bc1 = 1 - b1 ** step;
  const bc2sqrt = Math.sqrt(1 - b2 ** step);
  const stepSize = lr / bc1;
  const decay = decoupled ? 1 - lr * wd : 1;
  const sign = o.maximize ? -1 : 1;
  if (!vmax && !decoupled && wd === 0) {
    // the common case, without per-element branches (same arithmetic)
    for (let i = 0, n = x.length; i < n; i++) {
      const d = sign * g[i]!;
      const mi = (m[i] = b1 * m[i]! + (1 - b1) * d);
      const vi = (v[i] = b2 * v[i]! + (1 - b2) * d * d);
      x[i] = x[i]! - stepSize * (mi / Math.fround(Math.fround(Math.sqrt(vi)) / bc2sqrt + eps));
    }
    return;
  }
  for (let i = 0, n = x.length; i < n; i++) {
    let xi = x[i]!;
    let d = sign * g[i]!;
    if (decoupled) xi = Math.fround(xi * decay);
    else if (wd !== 0) d = Math.fround(d + wd * xi);
    const mi = (m[i] = b1 * m[i]! + (1 - b1) * d);
    let vi = (v[i] = b2 * v[i]! + (1 - b2) * d * d);
    if (vmax) vi = vmax[i] = Math.max(vmax[i]!, vi);
    const denom = Math.fround(Math.fround(Math.sqrt(vi)) / bc2sqrt + eps);
    x[i] = xi - stepSize * (mi / denom);
  }
}

function adamBuffers(o: AdamOptions): Record<string, number> {
  return o.amsgrad ? { exp_avg: 0, exp_avg_sq: 0, max_exp_avg_sq: 0 } : { exp_avg: 0, exp_avg_sq: 0 };
}

/** torch.optim.Adam (dense gradients only; L2 weight decay added to the gradient). */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false, ...options }, ADAM_KINDS);
  }
  protected bufferSpec(o: AdamOptions): Record<string, number> {
    return adamBuffers(o);
  }
  protected override sparseRefusal(): [string, string] {
    return ['Adam does not support sparse gradients (as in PyTorch)', `use SparseAdam or LazyAdam for it, ${ROUTER_HINT}`];
  }
  protected updateDense(p: Parameter, g: Float32Array, o: AdamOptions, st: ParamState, step: number): void {
    adamDense(p, g, o, st, step, false);
  }
  protected updateSparse(): void {}
}

/** torch.optim.AdamW (decoupled weight decay, default 1e-2; dense gradients only). */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('AdamW', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 1e-2, amsgrad: false, maximize: false, ...options }, ADAM_KINDS);
  }
  protected bufferSpec(o: AdamOptions): Record<string, number> {
    return adamBuffers(o);
  }
  protected override sparseRefusal(): [string, string] {
    return ['AdamW does not support sparse gradients (as in PyTorch)', `use SparseAdam or LazyAdam for it, ${ROUTER_HINT}`];
  }
  protected updateDense(p: Parameter, g: Float32Array, o: AdamOptions, st: ParamState, step: number): void {
    adamDense(p, g, o, st, step, true);
  }
  protected updateSparse(): void {}
}

// ---------------------------------------------------------------- SparseAdam, LazyAdam
export interface SparseAdamOptions extends BaseOptions {
  betas: Betas;
  eps: number;
  maximize: boolean;
}

/** LazyAdam's options (TensorFlow's Adam has no maximize). */
export interface LazyAdamOptions extends BaseOptions {
  betas: Betas;
  eps: number;
}

const LAZY_ADAM_KINDS = { lr: { kind: 'number', min: 0 }, betas: { kind: 'betas' }, eps: { kind: 'number', min: 0 } } as const;
/** PyTorch 1.13's SparseAdam refuses lr 0 and eps 0 (0.0 < lr, 0.0 < eps), unlike Adam. */
const SPARSE_ADAM_KINDS = {
  lr: { kind: 'number', min: 0, minExclusive: true }, betas: { kind: 'betas' }, eps: { kind: 'number', min: 0, minExclusive: true }, maximize: { kind: 'boolean' },
} as const;

/** Adam on the rows present (moments of absent rows untouched), eps added to the uncorrected sqrt(v): SparseAdam and LazyAdam. */
function lazyAdamRows(p: Parameter, rows: Int32Array, values: Float32Array, count: number, o: LazyAdamOptions & { maximize?: boolean }, st: ParamState, step: number): void {
  const [b1, b2] = o.betas;
  const eps = o.eps;
  const stepSize = (o.lr * Math.sqrt(1 - b2 ** step)) / (1 - b1 ** step);
  const sign = o.maximize ? -1 : 1;
  const dim = p.dim;
  const x = p.data;
  const m = st.buffers.exp_avg!;
  const v = st.buffers.exp_avg_sq!;
  for (let k = 0; k < count; k++) {
    const base = rows[k]! * dim;
    const src = k * dim;
    for (let b = 0; b < dim; b++) {
      const i = base + b;
      const d = sign * values[src + b]!;
      const mi = (m[i] = b1 * m[i]! + (1 - b1) * d);
      const vi = (v[i] = b2 * v[i]! + (1 - b2) * d * d);
      x[i] = x[i]! - stepSize * (mi / Math.fround(Math.fround(Math.sqrt(vi)) + eps));
    }
  }
}

/** torch.optim.SparseAdam: sparse gradients only; a step updates the moments and values of the rows present. */
export class SparseAdam extends Optimizer<SparseAdamOptions> {
  constructor(params: Params<SparseAdamOptions>, options: Partial<SparseAdamOptions> = {}) {
    super('SparseAdam', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, maximize: false, ...options }, SPARSE_ADAM_KINDS);
  }
  protected bufferSpec(): Record<string, number> {
    return { exp_avg: 0, exp_avg_sq: 0 };
  }
  protected override denseRefusal(): [string, string] {
    return ['SparseAdam does not support dense gradients (as in PyTorch)', `use Adam or LazyAdam for it, ${ROUTER_HINT}`];
  }
  protected updateDense(): void {}
  protected updateSparse(p: Parameter, rows: Int32Array, values: Float32Array, count: number, o: SparseAdamOptions, st: ParamState, step: number): void {
    lazyAdamRows(p, rows, values, count, o, st, step);
  }
}

/**
 * TensorFlow Addons' LazyAdam: on a sparse gradient, the moments and values of the
 * rows present are updated (absent rows keep theirs); on a dense one, TensorFlow's
 * Adam. Default eps 1e-7 (TensorFlow's).
 */
export class LazyAdam extends Optimizer<LazyAdamOptions> {
  constructor(params: Params<LazyAdamOptions>, options: Partial<LazyAdamOptions> = {}) {
    super('LazyAdam', params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-7, ...options }, LAZY_ADAM_KINDS);
  }
  protected bufferSpec(): Record<string, number> {
    return { exp_avg: 0, exp_avg_sq: 0 };
  }
  protected updateDense(p: Parameter, g: Float32Array, o: LazyAdamOptions, st: ParamState, step: number): void {
    const rows = ALL_ROWS.get(p.rows);
    lazyAdamRows(p, rows, g, p.rows, o, st, step);
  }
  protected updateSparse(p: Parameter, rows: Int32Array, values: Float32Array, count: number, o: LazyAdamOptions, st: ParamState, step: number): void {
    lazyAdamRows(p, rows, values, count, o, st, step);
  }
}

/** 0..n-1 row lists, cached, so that a dense step can run a row kernel. */
const ALL_ROWS = {
  cache: new Map<number, Int32Array>(),
  get(n: number): Int32Array {
    let r = this.cache.get(n);
    if (!r) {
      r = new Int32Array(n);
      for (let i = 0; i < n; i++) r[i] = i;
      if (this.cache.size > 16) this.cache.clear();
      this.cache.set(n, r);
    }
    return r;
  },
};

// ---------------------------------------------------------------- SMORMS3
export interface SMORMS3Options extends BaseOptions {
  eps: number;
}

/**
 * Simon Funk's SMORMS3 ("squared mean over root mean squared cubed"): per element a
 * memory length mem (starting at 1), averages g and g2 of the gradient and its
 * square with rate 1/(mem+1), step min(lr, g^2/(g2+eps)) / (sqrt(g2)+eps) times
 * the gradient, then mem = 1 + mem (1 - g^2/(g2+eps)). On a sparse gradient only
 * the rows present advance.
 */
export class SMORMS3 extends Optimizer<SMORMS3Options> {
  constructor(params: Params<SMORMS3Options>, options: Partial<SMORMS3Options> = {}) {
    super('SMORMS3', params, { lr: 1e-3, eps: 1e-16, ...options }, { lr: { kind: 'number', min: 0 }, eps: { kind: 'number', min: 0 } });
  }
  protected bufferSpec(): Record<string, number> {
    return { mem: 1, g: 0, g2: 0 };
  }
  protected updateDense(p: Parameter, g: Float32Array, o: SMORMS3Options, st: ParamState): void {
    smorms3Rows(p, ALL_ROWS.get(p.rows), g, p.rows, o, st);
  }
  protected updateSparse(p: Parameter, rows: Int32Array, values: Float32Array, count: number, o: SMORMS3Options, st: ParamState): void {
    smorms3Rows(p, rows, values, count, o, st);
  }
}

function smorms3Rows(p: Parameter, rows: Int32Array, values: Float32Array, count: number, o: SMORMS3Options, st: ParamState): void {
  const { lr, eps } = o;
  const dim = p.dim;
  const x = p.data;
  const mem = st.buffers.mem!;
  const ga = st.buffers.g!;
  const g2a = st.buffers.g2!;
  for (let k = 0; k < count; k++) {
    const base = rows[k]! * dim;
    const src = k * dim;
    for (let b = 0; b < dim; b++) {
      const i = base + b;
      const d = values[src + b]!;
      const r = 1 / (mem[i]! + 1);
      const gi = (ga[i] = (1 - r) * ga[i]! + r * d);
      const g2 = (g2a[i] = (1 - r) * g2a[i]! + r * d * d);
      const q = (gi * gi) / (g2 + eps);
      x[i] = x[i]! - (d * Math.min(lr, q)) / (Math.sqrt(g2) + eps);
      mem[i] = 1 + mem[i]! * (1 - q);
    }
  }
}

/** The algorithms by type name, for attachOptimizer() and saved states. */
export const OPTIMIZER_TYPES = {
  SGD: (params: Params<any>) => new SGD(params, { lr: 0 }),
  Adagrad: (params: Params<any>) => new Adagrad(params),
  RMSprop: (params: Params<any>) => new RMSprop(params),
  Adam: (params: Params<any>) => new Adam(params),
  AdamW: (params: Params<any>) => new AdamW(params),
  SparseAdam: (params: Params<any>) => new SparseAdam(params),
  LazyAdam: (params: Params<any>) => new LazyAdam(params),
  SMORMS3: (params: Params<any>) => new SMORMS3(params),
} as const;
export type OptimizerType = keyof typeof OPTIMIZER_TYPES;
