/**
 * One optimizer object over several: MultiOptimizer steps a fixed list, and
 * AutoOptimizer routes every parameter by the gradient it produces (declared
 * sparse, or seen at its first step) to a sparse-capable optimizer (SparseAdam or
 * LazyAdam) or to a dense one (Adam or AdamW), with shared options. This is the
 * answer to "Adam refuses sparse gradients and SparseAdam refuses dense ones".
 */
import { WordloomError } from '../errors.js';
import { Parameter } from './param.js';
import { Optimizer, type OptimizerStateDict, type ParamGroup, type SharedOptimizer } from './optimizer.js';
import { Adam, AdamW, LazyAdam, OPTIMIZER_TYPES, SparseAdam, type OptimizerType } from './algorithms.js';

export interface MultiStateDict {
  type: 'Multi';
  parts: OptimizerStateDict[];
  /** AutoOptimizer: the route of each parameter (by name). */
  routes?: Record<string, 'sparse' | 'dense'>;
}

export interface SharedMulti {
  type: 'Multi';
  parts: SharedOptimizer[];
}

/** The interface every optimizer here offers (single or routed), e.g. to schedules and training loops. */
export interface Stepper {
  readonly paramGroups: ParamGroup[];
  zeroGrad(): void;
  step(): void;
}

export class MultiOptimizer implements Stepper {
  readonly optimizers: Optimizer<any>[];
  constructor(optimizers: Optimizer<any>[]) {
    this.optimizers = [...optimizers];
    const seen = new Set<Parameter>();
    for (const o of this.optimizers) {
      for (const p of o.params) {
        if (seen.has(p)) throw new WordloomError('E_PARAM', `parameter "${p.name}" is given to two optimizers`, { param: p.name }, 'give each parameter to one optimizer');
        seen.add(p);
      }
    }
  }
  /** Every group of every optimizer (schedules set their lr). */
  get paramGroups(): ParamGroup[] {
    return this.optimizers.flatMap((o) => o.paramGroups as ParamGroup[]);
  }
  get params(): Parameter[] {
    return this.optimizers.flatMap((o) => o.params);
  }
  zeroGrad(): void {
    for (const o of this.optimizers) o.zeroGrad();
  }
  step(): void {
    for (const o of this.optimizers) o.step();
  }
  stateDict(): MultiStateDict {
    return { type: 'Multi', parts: this.optimizers.map((o) => o.stateDict()) };
  }
  loadStateDict(s: MultiStateDict): void {
    if (s.type !== 'Multi' || s.parts.length !== this.optimizers.length) {
      throw new WordloomError('E_STATE', `the saved state has ${s.parts?.length ?? 0} optimizers, this one ${this.optimizers.length}`);
    }
    this.optimizers.forEach((o, i) => o.loadStateDict(s.parts[i]!));
  }
  share(): SharedMulti {
    return { type: 'Multi', parts: this.optimizers.map((o) => o.share()) };
  }
}

export interface AutoOptions {
  /** The optimizer for sparse gradients: 'SparseAdam' (PyTorch) or 'LazyAdam' (TensorFlow Addons). Default SparseAdam. */
  sparse?: 'SparseAdam' | 'LazyAdam';
  /** The optimizer for dense gradients: 'Adam' (default) or 'AdamW'. */
  dense?: 'Adam' | 'AdamW';
  lr?: number;
  betas?: [number, number];
  /** Both optimizers' eps (default: each one's own, 1e-8 for SparseAdam and Adam, 1e-7 for LazyAdam). */
  eps?: number;
  /** Dense parameters only (Adam's L2 or AdamW's decoupled decay). */
  weight_decay?: number;
  /** Dense parameters only. */
  amsgrad?: boolean;
}

/**
 * Takes all the parameters and routes each: declared sparse (Parameter option
 * `sparse: true`) or given a sparse gradient at its first step -> the sparse
 * optimizer; a dense gradient -> the dense optimizer. A parameter keeps its route;
 * a later gradient of the other kind is refused with the reason.
 */
export class AutoOptimizer extends MultiOptimizer {
  readonly sparseOptimizer: SparseAdam | LazyAdam;
  readonly denseOptimizer: Adam | AdamW;
  private pending: Parameter[] = [];
  private readonly all: Parameter[];

  constructor(params: Parameter[], opts: AutoOptions = {}) {
    const shared: Record<string, unknown> = {};
    if (opts.lr !== undefined) shared.lr = opts.lr;
    if (opts.betas !== undefined) shared.betas = opts.betas;
    if (opts.eps !== undefined) shared.eps = opts.eps;
    const dense: Record<string, unknown> = { ...shared };
    if (opts.weight_decay !== undefined) dense.weight_decay = opts.weight_decay;
    if (opts.amsgrad !== undefined) dense.amsgrad = opts.amsgrad;
    const sparseKind = opts.sparse ?? 'SparseAdam';
    const denseKind = opts.dense ?? 'Adam';
    if (sparseKind !== 'SparseAdam' && sparseKind !== 'LazyAdam') throw new WordloomError('E_PARAM', `AutoOptimizer: sparse must be 'SparseAdam' or 'LazyAdam', got ${JSON.stringify(sparseKind)}`, { param: 'sparse' });
    if (denseKind !== 'Adam' && denseKind !== 'AdamW') throw new WordloomError('E_PARAM', `AutoOptimizer: dense must be 'Adam' or 'AdamW', got ${JSON.stringify(denseKind)}`, { param: 'dense' });
    const s = sparseKind === 'LazyAdam' ? new LazyAdam([], shared) : new SparseAdam([], shared);
    const d = denseKind === 'AdamW' ? new AdamW([], dense) : new Adam([], dense);
    super([s, d]);
    this.sparseOptimizer = s;
    this.denseOptimizer = d;
    this.all = [...params];
    const names = new Set<string>();
    this.all.forEach((p, i) => {
      if (!(p instanceof Parameter)) throw new WordloomError('E_PARAM', 'AutoOptimizer takes a list of Parameter');
      if (!p.name) p.name = `param${i}`;
      if (names.has(p.name)) throw new WordloomError('E_PARAM', `two parameters are named "${p.name}"`, { param: p.name }, 'names identify parameters in saved states: make them unique');
      names.add(p.name);
      if (p.sparse) this.route(p, 'sparse');
      else this.pending.push(p);
    });
  }

  override get params(): Parameter[] {
    return [...this.all];
  }

  /** Where a parameter goes: 'sparse', 'dense', or undefined before its first gradient. */
  routeOf(p: Parameter): 'sparse' | 'dense' | undefined {
    if (this.sparseOptimizer.paramGroups[0]!.params.includes(p)) return 'sparse';
    if (this.denseOptimizer.paramGroups[0]!.params.includes(p)) return 'dense';
    return undefined;
  }

  /** Route a parameter now (instead of at its first gradient). */
  route(p: Parameter, kind: 'sparse' | 'dense'): void {
    if (!this.all.includes(p)) throw new WordloomError('E_STATE', `parameter "${p.name}" is not in this AutoOptimizer`, { param: p.name });
    const now = this.routeOf(p);
    if (now === kind) return;
    if (now) throw new WordloomError('E_STATE', `parameter "${p.name}" is already routed to the ${now} optimizer`, { param: p.name });
    this.pending = this.pending.filter((x) => x !== p);
    (kind === 'sparse' ? this.sparseOptimizer : this.denseOptimizer).paramGroups[0]!.params.push(p);
  }

  override zeroGrad(): void {
    for (const p of this.all) p.grad = null;
  }

  override step(): void {
    if (this.pending.length) {
      for (const p of [...this.pending]) if (p.grad) this.route(p, p.grad.kind === 'sparse' ? 'sparse' : 'dense');
    }
    for (const p of this.sparseOptimizer.paramGroups[0]!.params) {
      if (p.grad && p.grad.kind === 'dense' && !this.sparseOptimizer.accepts('dense', p)) {
        throw new WordloomError('E_PARAM', `parameter "${p.name}" was routed to ${this.sparseOptimizer.type} for sparse gradients but now has a dense gradient`, { param: p.name }, 'a parameter keeps the route of its first gradient (or its sparse declaration); choose sparse: \'LazyAdam\', which also takes dense gradients, or give it one kind of gradient');
      }
    }
    for (const p of this.denseOptimizer.paramGroups[0]!.params) {
      if (p.grad && p.grad.kind === 'sparse') {
        throw new WordloomError('E_PARAM', `parameter "${p.name}" was routed to ${this.denseOptimizer.type} for dense gradients but now has a sparse gradient`, { param: p.name }, 'declare it sparse (new Parameter(shape, { sparse: true })) so that it is routed to the sparse optimizer from the start');
      }
    }
    super.step();
  }

  override stateDict(): MultiStateDict {
    const routes: Record<string, 'sparse' | 'dense'> = {};
    for (const p of this.all) {
      const r = this.routeOf(p);
      if (r) routes[p.name] = r;
    }
    return { ...super.stateDict(), routes };
  }

  override loadStateDict(s: MultiStateDict): void {
    for (const [name, r] of Object.entries(s.routes ?? {})) {
      const p = this.all.find((x) => x.name === name);
      if (!p) throw new WordloomError('E_STATE', `the saved state routes a parameter "${name}" that this optimizer does not have`, { param: name });
      if (r !== 'sparse' && r !== 'dense') throw new WordloomError('E_STATE', `the saved state routes parameter "${name}" to ${JSON.stringify(r)}; a route is 'sparse' or 'dense'`, { param: name });
      const now = this.routeOf(p);
      if (now && now !== r) throw new WordloomError('E_STATE', `the saved state routes parameter "${name}" to the ${r} optimizer, but it is already routed to the ${now} one`, { param: name });
    }
    for (const [name, r] of Object.entries(s.routes ?? {})) this.route(this.all.find((x) => x.name === name)!, r);
    super.loadStateDict(s);
  }

  override share(): SharedMulti {
    if (this.pending.length) {
      throw new WordloomError('E_STATE', `parameter "${this.pending[0]!.name}" is not routed yet, so its state cannot be shared`, { param: this.pending[0]!.name }, 'declare it sparse, call route(p, kind), or step once before sharing');
    }
    return super.share();
  }
}

/**
 * Rebuild an optimizer in a worker on the memory that share() described: the
 * parameters wrap the same shared arrays and the state is the same shared state, so
 * steps taken here update what every other holder sees (Hogwild).
 */
export function attachOptimizer(shared: SharedOptimizer): Optimizer<any>;
export function attachOptimizer(shared: SharedMulti): MultiOptimizer;
export function attachOptimizer(shared: SharedOptimizer | SharedMulti): Optimizer<any> | MultiOptimizer {
  if (shared.type === 'Multi') return new MultiOptimizer((shared as SharedMulti).parts.map((p) => attachOptimizer(p)));
  const s = shared as SharedOptimizer;
  const make = OPTIMIZER_TYPES[s.type as OptimizerType];
  if (!make) throw new WordloomError('E_STATE', `unknown optimizer type "${s.type}"`, {}, `known: ${Object.keys(OPTIMIZER_TYPES).join(', ')}`);
  const groups = s.groups.map((g) => ({
    ...g.options,
    params: g.params.map((p) => new Parameter(p.shape, { name: p.name, data: p.data, sparse: p.sparse })),
  }));
  const opt = make([]);
  opt.paramGroups.length = 0;
  for (const g of groups) opt.addParamGroup(g);
  s.groups.forEach((g, gi) => g.params.forEach((p, pi) => opt.adoptState(opt.paramGroups[gi]!.params[pi]!, p.state)));
  return opt;
}

/** Parameters of an attached optimizer by name. */
export function paramsByName(opt: { params: Parameter[] }): Map<string, Parameter> {
  return new Map(opt.params.map((p) => [p.name, p]));
}
