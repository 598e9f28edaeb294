/**
 * Parameters and gradients for the optimizers. A parameter is a float32 tensor
 * over a SharedArrayBuffer with a shape; its first dimension is its rows (an
 * embedding table's words) and the rest, flattened, a row's width (`dim`).
 *
 * A gradient is dense (same length as the parameter) or sparse rows: row indices
 * plus a rows x dim block of values, as an embedding lookup produces. A row may
 * appear several times in a sparse gradient; its values are summed before an
 * optimizer uses them (PyTorch's coalesce).
 */
import { WordloomError } from '../errors.js';
import { sharedFloat32, toShared } from '../buffers.js';

export interface DenseGrad {
  readonly kind: 'dense';
  /** Same length as the parameter. */
  readonly values: Float32Array;
}

export interface SparseGrad {
  readonly kind: 'sparse';
  /** Row indices, `count` of them (repeats allowed). */
  readonly rows: Int32Array;
  /** count x dim values, row-major. */
  readonly values: Float32Array;
  readonly count: number;
}

export type Gradient = DenseGrad | SparseGrad;

export interface ParameterOptions {
  /** Parameter name, used in errors and saved states (default: "param<i>" given by the optimizer). */
  name?: string;
  /** Initial values (copied into shared memory unless already shared). */
  data?: Float32Array;
  /** Declares that this parameter receives sparse gradients (used by AutoOptimizer). */
  sparse?: boolean;
}

export class Parameter {
  name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
  /** Rows: shape[0] (1 for a scalar). */
  readonly rows: number;
  /** Values per row: the product of shape[1:]. */
  readonly dim: number;
  readonly sparse: boolean;
  grad: Gradient | null = null;

  constructor(shape: readonly number[], opts: ParameterOptions = {}) {
    if (!Array.isArray(shape) || shape.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new WordloomError('E_PARAM', `a parameter shape must be a list of non-negative integers, got ${showValue(shape)}`, { param: opts.name });
    }
    this.shape = [...shape];
    this.rows = shape.length === 0 ? 1 : shape[0]!;
    this.dim = shape.length <= 1 ? 1 : shape.slice(1).reduce((a, b) => a * b, 1);
    const n = this.rows * this.dim;
    this.name = opts.name ?? '';
    this.sparse = opts.sparse ?? false;
    if (opts.data) {
      if (opts.data.length !== n) {
        throw new WordloomError('E_PARAM', `parameter data has ${opts.data.length} values but the shape ${JSON.stringify(shape)} needs ${n}`, { param: this.name || undefined });
      }
      this.data = toShared(opts.data);
    } else this.data = sharedFloat32(n);
  }

  get size(): number {
    return this.data.length;
  }

  /**
   * Make this parameter's values another array of the same length, not a copy: a
   * worker's replica of a model reads and writes the trainer's shared memory this way.
   */
  adopt(data: Float32Array): void {
    if (!(data instanceof Float32Array) || data.length !== this.data.length) {
      throw new WordloomError('E_PARAM', `parameter "${this.name}" holds ${this.data.length} values and cannot adopt ${data instanceof Float32Array ? `an array of ${data.length}` : 'something that is not a Float32Array'}`, { param: this.name || undefined });
    }
    (this as { data: Float32Array }).data = data;
  }

  /** Set a dense gradient (same length as the parameter; not copied). */
  setGrad(values: Float32Array): void {
    if (values.length !== this.data.length) {
      throw new WordloomError('E_PARAM', `the dense gradient of "${this.name}" has ${values.length} values, the parameter ${this.data.length}`, { param: this.name });
    }
    this.grad = { kind: 'dense', values };
  }

  /**
   * Set a sparse gradient: the first `count` row indices (repeats are summed) and
   * exactly count x dim values. Both are copied (into buffers this parameter reuses),
   * so changing the arrays afterwards cannot change the gradient past these checks.
   */
  setSparseGrad(rows: Int32Array, values: Float32Array, count = rows?.length): void {
    const name = this.name;
    if (!(rows instanceof Int32Array) || !(values instanceof Float32Array)) {
      throw new WordloomError('E_PARAM', `the sparse gradient of "${name}" needs an Int32Array of rows and a Float32Array of values`, { param: name });
    }
    if (!Number.isInteger(count) || count < 0 || count > rows.length) {
      throw new WordloomError('E_PARAM', `the sparse gradient of "${name}": count ${showValue(count)} must be an integer from 0 to the ${rows.length} rows given`, { param: name });
    }
    if (values.length !== count * this.dim) {
      throw new WordloomError(
        'E_PARAM',
        `the sparse gradient of "${name}" has ${count} rows and ${values.length} values; ${count} rows of ${this.dim} need exactly ${count * this.dim}`,
        { param: name },
        `pass values.subarray(0, count * ${this.dim}), and check that the gradient's row width is the parameter's (shape ${JSON.stringify(this.shape)})`,
      );
    }
    for (let i = 0; i < count; i++) {
      const r = rows[i]!;
      if (!(r >= 0 && r < this.rows)) {
        throw new WordloomError('E_PARAM', `the sparse gradient of "${name}" names row ${r}, outside 0..${this.rows - 1}`, { param: name });
      }
    }
    if (this.sparseRows.length < count) this.sparseRows = new Int32Array(Math.max(count, this.sparseRows.length * 2));
    if (this.sparseValues.length < values.length) this.sparseValues = new Float32Array(Math.max(values.length, this.sparseValues.length * 2));
    const ownRows = this.sparseRows.subarray(0, count);
    const ownValues = this.sparseValues.subarray(0, values.length);
    ownRows.set(rows.subarray(0, count));
    ownValues.set(values);
    this.grad = { kind: 'sparse', rows: ownRows, values: ownValues, count };
  }

  private sparseRows = new Int32Array(0);
  private sparseValues = new Float32Array(0);
}

/** Reusable buffers for coalescing sparse gradients (one per optimizer instance, so per worker). */
export class CoalesceScratch {
  rows = new Int32Array(64);
  values = new Float32Array(64);
  order = new Int32Array(64);
  private keyBuf = new Float64Array(64);

  keys(n: number): Float64Array {
    if (this.keyBuf.length < n) this.keyBuf = new Float64Array(n * 2);
    return this.keyBuf.subarray(0, n);
  }

  ensure(count: number, dim: number): void {
    if (this.rows.length < count) {
      this.rows = new Int32Array(count * 2);
      this.order = new Int32Array(count * 2);
    }
    if (this.values.length < count * dim) this.values = new Float32Array(count * dim * 2);
  }
}

/**
 * Sum repeated rows and sort them (PyTorch's coalesce). Returns the unique rows and
 * their values; when the rows are already strictly increasing the gradient's own
 * arrays are returned (no copy). Work is O(count log count + count * dim).
 */
export function coalesce(g: SparseGrad, dim: number, scratch: CoalesceScratch): { rows: Int32Array; values: Float32Array; count: number } {
  const n = g.count;
  const rows = g.rows;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (rows[i]! <= rows[i - 1]!) {
      sorted = false;
      break;
    }
  }
  if (sorted) return { rows, values: g.values, count: n };
  scratch.ensure(n, dim);
  const order = scratch.order;
  for (let i = 0; i < n; i++) order[i] = i;
  const ord = order.subarray(0, n);
  if (n <= 48 || n >= 2097152) {
    // insertion sort, stable (equal rows keep their order); also the fallback for huge gradients
    if (n >= 2097152) ord.sort((a, b) => rows[a]! - rows[b]! || a - b);
    else
      for (let i = 1; i < n; i++) {
        const x = ord[i]!;
        const rx = rows[x]!;
        let j = i - 1;
        while (j >= 0 && rows[ord[j]!]! > rx) {
          ord[j + 1] = ord[j]!;
          j--;
        }
        ord[j + 1] = x;
      }
  } else {
    // native numeric sort of row * 2^21 + position (exact in a double): sorted by row, then position
    const keys = scratch.keys(n);
    for (let i = 0; i < n; i++) keys[i] = rows[i]! * 2097152 + i;
    keys.sort();
    for (let i = 0; i < n; i++) ord[i] = keys[i]! % 2097152;
  }
  const outRows = scratch.rows;
  const outVals = scratch.values;
  let u = -1;
  let prev = -1;
  for (let k = 0; k < n; k++) {
    const i = ord[k]!;
    const r = rows[i]!;
    const src = i * dim;
    if (r !== prev) {
      u++;
      outRows[u] = r;
      prev = r;
      const dst = u * dim;
      for (let b = 0; b < dim; b++) outVals[dst + b] = g.values[src + b]!;
    } else {
      const dst = u * dim;
      for (let b = 0; b < dim; b++) outVals[dst + b] = outVals[dst + b]! + g.values[src + b]!;
    }
  }
  return { rows: outRows, values: outVals, count: u + 1 };
}

/** A value as an error message shows it: numbers as JavaScript prints them (NaN, Infinity, -0 stay visible), the rest as JSON. */
export function showValue(v: unknown): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `[${v.map(showValue).join(', ')}]`;
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)) ?? String(v);
  } catch {
    return String(v);
  }
}
