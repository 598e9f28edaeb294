/**
 * The optimizer contract, after PyTorch's torch.optim: parameter groups with their
 * own options, zeroGrad() and step(), and a state that saves and loads.
 *
 * State lives in SharedArrayBuffers (per parameter: a step counter and the
 * algorithm's buffers), allocated on first use. share() describes the parameters
 * and the state as shared arrays; attachOptimizer() rebuilds the optimizer on the
 * same memory in a worker, so several workers can step the same parameters at once
 * without locks (Hogwild): the step counter is advanced atomically, the other
 * updates race benignly as in Hogwild SGD.
 */
import { WordloomError } from '../errors.js';
import { sharedFloat32, sharedInt32 } from '../buffers.js';
import { CoalesceScratch, Parameter, coalesce, showValue } from './param.js';

export interface BaseOptions {
  lr: number;
}

/** A group in the constructor, PyTorch style: its parameters plus options that override the defaults. */
export type GroupSpec<O> = { params: Parameter[] } & Partial<O>;

export interface ParamGroup<O extends BaseOptions = BaseOptions> {
  readonly params: Parameter[];
  options: O;
}

/** Per-parameter state: steps taken (shared Int32Array of length 1) and the algorithm's buffers. */
export interface ParamState {
  readonly step: Int32Array;
  readonly buffers: Record<string, Float32Array>;
}

/** What stateDict() returns: a plain JSON-able object plus typed arrays (copies). */
export interface OptimizerStateDict {
  type: string;
  groups: { options: Record<string, unknown>; params: string[] }[];
  state: Record<string, { step: number; buffers: Record<string, Float32Array> }>;
}

/** share()'s description: everything is shared memory or plain values, so it can be posted to a worker. */
export interface SharedOptimizer {
  type: string;
  groups: { options: Record<string, unknown>; params: { name: string; shape: number[]; data: Float32Array; sparse: boolean; state: ParamState }[] }[];
}

export type OptionKind = { kind: 'number'; min?: number; max?: number; minExclusive?: boolean } | { kind: 'boolean' } | { kind: 'betas' };

/** The router's hint, given whenever an optimizer refuses a kind of gradient. */
export const ROUTER_HINT = 'or use AutoOptimizer, which routes sparse gradients to SparseAdam/LazyAdam and dense ones to Adam';

export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  readonly paramGroups: ParamGroup<O>[] = [];
  protected readonly states = new Map<Parameter, ParamState>();
  protected readonly scratch = new CoalesceScratch();
  private named = 0;

  protected constructor(
    /** Algorithm name ("Adam", "SparseAdam", ...). */
    readonly type: string,
    params: Parameter[] | GroupSpec<O>[],
    readonly defaults: O,
    protected readonly optionKinds: Record<keyof O & string, OptionKind>,
  ) {
    this.checkOptions(defaults, undefined);
    if (!Array.isArray(params)) throw new WordloomError('E_PARAM', `${type} needs a list of parameters or parameter groups`);
    if (params.every((p) => p instanceof Parameter)) this.addParamGroup({ params: params as Parameter[] } as GroupSpec<O>);
    else for (const g of params as GroupSpec<O>[]) this.addParamGroup(g);
  }

  /** Add a group: its parameters and options overriding the optimizer's defaults. */
  addParamGroup(spec: GroupSpec<O>): void {
    const { params, ...over } = spec as { params: Parameter[] } & Record<string, unknown>;
    if (!Array.isArray(params) || !params.every((p) => p instanceof Parameter)) {
      throw new WordloomError('E_PARAM', `${this.type}: a parameter group needs "params", a list of Parameter`);
    }
    const options = { ...this.defaults } as O;
    for (const [k, v] of Object.entries(over)) {
      if (v === undefined) continue;
      if (!(k in this.optionKinds)) {
        throw new WordloomError('E_PARAM', `${this.type} has no option "${k}"`, { param: k }, `its options are ${Object.keys(this.optionKinds).join(', ')}`);
      }
      (options as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v;
    }
    this.checkOptions(options, params[0]?.name);
    for (const p of params) {
      if (this.paramGroups.some((g) => g.params.includes(p))) {
        throw new WordloomError('E_PARAM', `parameter "${p.name}" is in two groups of ${this.type}`, { param: p.name });
      }
      if (!p.name) p.name = `param${this.named}`;
      this.named++;
    }
    this.paramGroups.push({ params: [...params], options });
  }

  private checkOptions(o: O, param: string | undefined): void {
    for (const k of Object.keys(o as object)) {
      if (!(k in this.optionKinds)) {
        throw new WordloomError('E_PARAM', `${this.type} has no option "${k}"`, { param: k }, `its options are ${Object.keys(this.optionKinds).join(', ')}`);
      }
    }
    for (const [k, kind] of Object.entries(this.optionKinds) as [string, OptionKind][]) {
      const v = (o as Record<string, unknown>)[k];
      const bad = (what: string): never => {
        throw new WordloomError('E_PARAM', `${this.type} option ${k} ${what}, got ${showValue(v)}`, { param: param ? `${param}.${k}` : k });
      };
      if (kind.kind === 'boolean') {
        if (typeof v !== 'boolean') bad('must be true or false');
      } else if (kind.kind === 'betas') {
        if (!Array.isArray(v) || v.length !== 2 || !v.every((b) => typeof b === 'number' && b >= 0 && b < 1)) bad('must be two numbers in [0, 1)');
      } else {
        if (typeof v !== 'number' || !Number.isFinite(v)) bad('must be a finite number');
        const n = v as number;
        if (kind.min !== undefined && (kind.minExclusive ? n <= kind.min : n < kind.min)) bad(`must be ${kind.minExclusive ? '>' : '>='} ${kind.min}`);
        if (kind.max !== undefined && n > kind.max) bad(`must be <= ${kind.max}`);
      }
    }
    this.validate(o, param);
  }

  /** Extra checks across options (throw WordloomError). */
  protected validate(_o: O, _param: string | undefined): void {}

  /** Names of the state buffers for these options, with their initial value. */
  protected abstract bufferSpec(o: O): Record<string, number>;
  /** Why this parameter cannot take a sparse gradient under these options (message, hint), or null. */
  protected sparseRefusal(_o: O): [string, string] | null {
    return null;
  }
  /** Why it cannot take a dense gradient, or null. */
  protected denseRefusal(_o: O): [string, string] | null {
    return null;
  }
  protected abstract updateDense(p: Parameter, g: Float32Array, o: O, st: ParamState, step: number): void;
  protected abstract updateSparse(p: Parameter, rows: Int32Array, values: Float32Array, count: number, o: O, st: ParamState, step: number): void;

  /** Every parameter, in group order. */
  get params(): Parameter[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** Whether this optimizer (with a parameter's group options) takes a gradient kind. */
  accepts(kind: 'dense' | 'sparse', p?: Parameter): boolean {
    const o = p ? this.groupOf(p).options : this.defaults;
    return (kind === 'dense' ? this.denseRefusal(o) : this.sparseRefusal(o)) === null;
  }

  protected groupOf(p: Parameter): ParamGroup<O> {
    const g = this.paramGroups.find((x) => x.params.includes(p));
    if (!g) throw new WordloomError('E_STATE', `parameter "${p.name}" is not in this ${this.type} optimizer`, { param: p.name });
    return g;
  }

  /** The state of a parameter, allocated (in shared memory) on first use. */
  stateOf(p: Parameter, o: O = this.groupOf(p).options): ParamState {
    let st = this.states.get(p);
    if (!st) {
      const buffers: Record<string, Float32Array> = {};
      for (const [name, init] of Object.entries(this.bufferSpec(o))) {
        const b = sharedFloat32(p.size);
        if (init !== 0) b.fill(init);
        buffers[name] = b;
      }
      st = { step: sharedInt32(1), buffers };
      this.states.set(p, st);
    } else {
      // options changed (e.g. amsgrad turned on): add missing buffers
      for (const [name, init] of Object.entries(this.bufferSpec(o))) {
        if (!st.buffers[name]) {
          const b = sharedFloat32(p.size);
          if (init !== 0) b.fill(init);
          st.buffers[name] = b;
        }
      }
    }
    return st;
  }

  /** Forget the gradients (set them to null: PyTorch's set_to_none). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /** Update every parameter that has a gradient. */
  step(): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) if (p.grad) this.stepParam(p, group.options);
    }
  }

  /** Update one parameter from its gradient with its group's options. */
  protected stepParam(p: Parameter, o: O): void {
    const g = p.grad!;
    const st = this.stateOf(p, o);
    if (g.kind === 'dense') {
      const why = this.denseRefusal(o);
      if (why) this.refuse(p, 'dense', why);
      const step = Atomics.add(st.step, 0, 1) + 1;
      this.updateDense(p, g.values, o, st, step);
    } else {
      const why = this.sparseRefusal(o);
      if (why) this.refuse(p, 'sparse', why);
      const c = coalesce(g, p.dim, this.scratch);
      const step = Atomics.add(st.step, 0, 1) + 1;
      this.updateSparse(p, c.rows, c.values, c.count, o, st, step);
    }
  }

  private refuse(p: Parameter, kind: string, [why, hint]: [string, string]): never {
    throw new WordloomError('E_PARAM', `${this.type} cannot take the ${kind} gradient of parameter "${p.name}": ${why}`, { param: p.name }, hint);
  }

  /** A copy of the state: options, parameter names, steps and buffers. */
  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict['state'] = {};
    const groups = this.paramGroups.map((g) => {
      for (const p of g.params) {
        const st = this.stateOf(p, g.options);
        const buffers: Record<string, Float32Array> = {};
        for (const [k, b] of Object.entries(st.buffers)) buffers[k] = new Float32Array(b);
        state[p.name] = { step: Atomics.load(st.step, 0), buffers };
      }
      return { options: cloneOptions(g.options), params: g.params.map((p) => p.name) };
    });
    return { type: this.type, groups, state };
  }

  /**
   * Restore a state from stateDict() (same algorithm, same groups and parameter
   * shapes): options, steps and buffers are copied in. Everything is checked before
   * anything changes, so a refused state leaves the optimizer as it was.
   */
  loadStateDict(s: OptimizerStateDict): void {
    if (s === null || typeof s !== 'object') throw new WordloomError('E_STATE', `a saved ${this.type} state must be an object (from stateDict()), got ${showValue(s)}`);
    if (s.type !== this.type) throw new WordloomError('E_STATE', `cannot load a ${s.type} state into ${this.type}`, {}, `create a ${s.type} optimizer to resume this state`);
    if (!Array.isArray(s.groups) || s.state === null || typeof s.state !== 'object') {
      throw new WordloomError('E_STATE', `the saved ${s.type} state needs "groups" (a list) and "state" (an object), as stateDict() writes them`);
    }
    if (s.groups.length !== this.paramGroups.length) {
      throw new WordloomError('E_STATE', `the saved ${s.type} state has ${s.groups.length} parameter groups, this optimizer ${this.paramGroups.length}`);
    }
    const plan: { g: ParamGroup<O>; options: O; params: { p: Parameter; step: number; buffers: Record<string, ArrayLike<number>> }[] }[] = [];
    this.paramGroups.forEach((g, gi) => {
      const sg = s.groups[gi]!;
      if (sg === null || typeof sg !== 'object' || !Array.isArray(sg.params) || sg.options === null || typeof sg.options !== 'object') {
        throw new WordloomError('E_STATE', `group ${gi} of the saved ${s.type} state needs "options" (an object) and "params" (a list of names)`);
      }
      if (sg.params.length !== g.params.length) {
        throw new WordloomError('E_STATE', `group ${gi} of the saved ${s.type} state has ${sg.params.length} parameters, this optimizer's ${g.params.length}`);
      }
      const options = { ...g.options, ...(cloneOptions(sg.options) as Partial<O>) } as O;
      this.checkOptions(options, g.params[0]?.name);
      const params = g.params.map((p, pi) => {
        const saved = s.state[sg.params[pi]!];
        if (!saved) throw new WordloomError('E_STATE', `the saved ${s.type} state has no entry for parameter "${sg.params[pi]}"`, { param: p.name });
        const step = saved.step;
        if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step > 0x7fffffff) {
          throw new WordloomError('E_STATE', `the saved step count of parameter "${p.name}" must be an integer from 0 to ${0x7fffffff}, got ${showValue(step)}`, { param: p.name }, 'load a state written by stateDict()');
        }
        if (saved.buffers === null || typeof saved.buffers !== 'object') {
          throw new WordloomError('E_STATE', `the saved state of parameter "${p.name}" has no buffers`, { param: p.name }, 'load a state written by stateDict()');
        }
        const buffers: Record<string, ArrayLike<number>> = {};
        for (const k of Object.keys(this.bufferSpec(options))) {
          const src = saved.buffers[k] as unknown;
          if (!src) throw new WordloomError('E_STATE', `the saved state of parameter "${p.name}" has no "${k}" buffer`, { param: p.name });
          if (!(src instanceof Float32Array || src instanceof Float64Array || Array.isArray(src))) {
            throw new WordloomError('E_STATE', `the saved "${k}" of parameter "${p.name}" must be a Float32Array or a list of numbers`, { param: p.name });
          }
          if (src.length !== p.size) throw new WordloomError('E_STATE', `the saved "${k}" of parameter "${p.name}" has ${src.length} values, the parameter ${p.size}`, { param: p.name });
          if (Array.isArray(src) && !src.every((x) => typeof x === 'number')) {
            throw new WordloomError('E_STATE', `the saved "${k}" of parameter "${p.name}" holds something that is not a number`, { param: p.name });
          }
          buffers[k] = src as ArrayLike<number>;
        }
        return { p, step, buffers };
      });
      plan.push({ g, options, params });
    });
    for (const { g, options, params } of plan) {
      g.options = options;
      for (const { p, step, buffers } of params) {
        const st = this.stateOf(p, options);
        for (const [k, b] of Object.entries(st.buffers)) {
          const src = buffers[k];
          if (src) b.set(src);
        }
        Atomics.store(st.step, 0, step);
      }
    }
  }

  /** Describe parameters and state as shared memory, for attachOptimizer() in a worker. */
  share(): SharedOptimizer {
    return {
      type: this.type,
      groups: this.paramGroups.map((g) => ({
        options: cloneOptions(g.options),
        params: g.params.map((p) => ({ name: p.name, shape: [...p.shape], data: p.data, sparse: p.sparse, state: this.stateOf(p, g.options) })),
      })),
    };
  }

  /** Adopt shared state (used by attachOptimizer). */
  adoptState(p: Parameter, st: ParamState): void {
    this.states.set(p, st);
  }
}

export function cloneOptions<T>(o: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) out[k] = Array.isArray(v) ? [...v] : v;
  return out;
}

