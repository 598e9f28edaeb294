/**
 * A lookup table (PyTorch's nn.Embedding, N(0, 1) at start). Its gradient is
 * sparse rows by default: the rows looked up, each once, in increasing order, so
 * SparseAdam and LazyAdam take it without sorting (AutoOptimizer routes it there,
 * since the parameter is declared sparse). `sparse: false` makes a dense gradient.
 */
import { WordloomError } from '../errors.js';
import { Rng } from '../rng.js';
import { Parameter } from '../optim/param.js';
import { denseGradOf, grow, growInt, normalInit, requirePositiveInt } from './util.js';

export interface EmbeddingOptions {
  rng?: Rng;
  /** Parameter name (default "embedding.weight"). */
  name?: string;
  /** Sparse row gradients (default true). */
  sparse?: boolean;
}

export class Embedding {
  readonly weight: Parameter;
  readonly params: Parameter[];
  readonly sparse: boolean;
  private ids = new Int32Array(0);
  private n = 0;
  private y = new Float32Array(0);
  // sparse gradient: slot of each row touched since the gradient was cleared
  private slotOf: Int32Array;
  private slotRows = new Int32Array(64);
  private slotValues = new Float32Array(0);
  private slots = 0;
  private outRows = new Int32Array(64);
  private outValues = new Float32Array(0);
  private dense: Float32Array | null = null;

  constructor(readonly numEmbeddings: number, readonly dim: number, opts: EmbeddingOptions = {}) {
    const name = opts.name ?? 'embedding.weight';
    requirePositiveInt(numEmbeddings, 'numEmbeddings', `Embedding "${name}"`);
    requirePositiveInt(dim, 'dim', `Embedding "${name}"`);
    this.sparse = opts.sparse ?? true;
    this.weight = new Parameter([numEmbeddings, dim], { name, sparse: this.sparse });
    normalInit(this.weight.data, opts.rng ?? new Rng(1));
    this.params = [this.weight];
    this.slotOf = new Int32Array(numEmbeddings).fill(-1);
  }

  /** The rows of `ids` (n x dim, this layer's buffer). Every id must be an integer in 0..numEmbeddings-1. */
  forward(ids: ArrayLike<number>, n = ids.length): Float32Array {
    const V = this.numEmbeddings;
    const d = this.dim;
    this.ids = growInt(this.ids, n);
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      if (!(Number.isInteger(id) && id >= 0 && id < V)) {
        throw new WordloomError('E_INPUT', `embedding "${this.weight.name}": id ${id} at position ${i} is outside 0..${V - 1}`, { param: this.weight.name }, 'map unknown symbols to a reserved id before the lookup (and count it in the table size)');
      }
      this.ids[i] = id;
    }
    this.n = n;
    this.y = grow(this.y, n * d);
    const w = this.weight.data;
    const y = this.y;
    for (let i = 0; i < n; i++) {
      const src = this.ids[i]! * d;
      const dst = i * d;
      for (let b = 0; b < d; b++) y[dst + b] = w[src + b]!;
    }
    return y.subarray(0, n * d);
  }

  /** Add dLoss/dWeight for dLoss/dy (n x dim) to the gradient: sparse rows (summed per row) or dense. */
  backward(dy: Float32Array): void {
    const { n, dim: d } = this;
    if (dy.length < n * d) throw new WordloomError('E_STATE', `embedding "${this.weight.name}": backward got ${dy.length} gradient values for ${n} rows of ${d}`);
    if (!this.sparse) {
      this.dense ??= new Float32Array(this.weight.size);
      const g = denseGradOf(this.weight, this.dense);
      for (let i = 0; i < n; i++) {
        const o = this.ids[i]! * d;
        for (let b = 0; b < d; b++) g[o + b] += dy[i * d + b]!;
      }
      return;
    }
    const p = this.weight;
    const continuing = p.grad !== null && p.grad.kind === 'sparse' && p.grad.values.buffer === this.lastGradBuffer;
    if (!continuing) {
      for (let s = 0; s < this.slots; s++) this.slotOf[this.slotRows[s]!] = -1;
      this.slots = 0;
      if (p.grad !== null) throw new WordloomError('E_STATE', `embedding "${p.name}" already has a gradient this layer did not make`, { param: p.name }, "call the optimizer's zeroGrad() before the backward pass");
    }
    for (let i = 0; i < n; i++) {
      const r = this.ids[i]!;
      let s = this.slotOf[r]!;
      if (s < 0) {
        s = this.slots++;
        this.slotOf[r] = s;
        if (this.slotRows.length <= s) {
          const rows = new Int32Array(this.slotRows.length * 2);
          rows.set(this.slotRows);
          this.slotRows = rows;
        }
        this.slotRows[s] = r;
        if (this.slotValues.length < (s + 1) * d) {
          const v = new Float32Array(Math.max((s + 1) * d, this.slotValues.length * 2));
          v.set(this.slotValues);
          this.slotValues = v;
        }
        this.slotValues.fill(0, s * d, (s + 1) * d);
      }
      const o = s * d;
      const v = this.slotValues;
      for (let b = 0; b < d; b++) v[o + b] += dy[i * d + b]!;
    }
    // hand over the touched rows in increasing order
    const k = this.slots;
    this.outRows = growInt(this.outRows, k);
    const rows = this.outRows.subarray(0, k);
    rows.set(this.slotRows.subarray(0, k));
    rows.sort();
    this.outValues = grow(this.outValues, k * d);
    for (let j = 0; j < k; j++) {
      const o = this.slotOf[rows[j]!]! * d;
      for (let b = 0; b < d; b++) this.outValues[j * d + b] = this.slotValues[o + b]!;
    }
    p.setSparseGrad(rows, this.outValues.subarray(0, k * d), k);
    this.lastGradBuffer = (p.grad as { values: Float32Array }).values.buffer;
  }

  private lastGradBuffer: ArrayBufferLike | null = null;
}
