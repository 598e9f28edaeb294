/**
 * Learning-rate schedules over any optimizer's parameter groups (single or routed),
 * after torch.optim.lr_scheduler: each group's lr becomes its base lr times a
 * factor of the number of step() calls so far. Call step() after optimizer.step().
 */
import { WordloomError } from '../errors.js';
import { showValue } from './param.js';

interface HasGroups {
  readonly paramGroups: readonly { options: { lr: number } }[];
}

export abstract class LRSchedule {
  readonly baseLrs: number[];
  /** step() calls so far (PyTorch's last_epoch). */
  t = 0;
  constructor(readonly optimizer: HasGroups) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.options.lr);
  }
  /** The lr multiplier after t steps. */
  abstract factor(t: number): number;
  step(): void {
    this.t++;
    this.apply();
  }
  /** The current learning rates. */
  get lrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.options.lr);
  }
  private apply(): void {
    const f = this.factor(this.t);
    this.optimizer.paramGroups.forEach((g, i) => (g.options.lr = this.baseLrs[i]! * f));
  }
  state(): { t: number; base_lrs: number[] } {
    return { t: this.t, base_lrs: [...this.baseLrs] };
  }
  loadState(s: { t: number; base_lrs: number[] }): void {
    if (s === null || typeof s !== 'object' || !Array.isArray(s.base_lrs)) throw new WordloomError('E_STATE', 'a saved schedule needs "t" and "base_lrs" (a list), as state() writes them');
    if (s.base_lrs.length !== this.baseLrs.length) throw new WordloomError('E_STATE', `the saved schedule has ${s.base_lrs.length} groups, the optimizer ${this.baseLrs.length}`);
    if (typeof s.t !== 'number' || !Number.isInteger(s.t) || s.t < 0) throw new WordloomError('E_STATE', `the saved schedule's step count t must be an integer >= 0, got ${showValue(s.t)}`);
    const bad = s.base_lrs.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 0);
    if (bad >= 0) throw new WordloomError('E_STATE', `the saved schedule's base lr of group ${bad} must be a finite number >= 0, got ${showValue(s.base_lrs[bad])}`);
    this.t = s.t;
    this.baseLrs.splice(0, this.baseLrs.length, ...s.base_lrs);
    this.apply();
  }
}

/** torch StepLR: lr = base * gamma^floor(t / step_size). */
export class StepLR extends LRSchedule {
  constructor(optimizer: HasGroups, readonly stepSize: number, readonly gamma = 0.1) {
    super(optimizer);
    if (!Number.isInteger(stepSize) || stepSize < 1) throw new WordloomError('E_PARAM', `StepLR step_size must be an integer >= 1, got ${stepSize}`, { param: 'step_size' });
  }
  factor(t: number): number {
    return this.gamma ** Math.floor(t / this.stepSize);
  }
}

/** torch ExponentialLR: lr = base * gamma^t. */
export class ExponentialLR extends LRSchedule {
  constructor(optimizer: HasGroups, readonly gamma: number) {
    super(optimizer);
  }
  factor(t: number): number {
    return this.gamma ** t;
  }
}

/** fastText's schedule: lr falls linearly from base to 0 over `total` steps: base * (1 - t / total). */
export class LinearDecayLR extends LRSchedule {
  constructor(optimizer: HasGroups, readonly total: number) {
    super(optimizer);
    if (!(total > 0)) throw new WordloomError('E_PARAM', `LinearDecayLR total must be > 0, got ${total}`, { param: 'total' });
  }
  factor(t: number): number {
    return Math.max(0, 1 - t / this.total);
  }
}
