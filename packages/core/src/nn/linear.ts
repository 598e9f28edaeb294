/**
 * A fully connected layer, y = x W^T + b (PyTorch's nn.Linear: weight out x in,
 * bias out, both U(-1/sqrt(in), 1/sqrt(in)) at start).
 */
import { WordloomError } from '../errors.js';
import { Rng } from '../rng.js';
import { Parameter } from '../optim/param.js';
import { kernels } from './matmul.js';
import { checkFinite, denseGradOf, grow, requirePositiveInt, uniformInit } from './util.js';

export interface LinearOptions {
  /** Initialisation stream (default: seed 1). */
  rng?: Rng;
  /** Prefix of the parameter names: "<name>.weight", "<name>.bias" (default "linear"). */
  name?: string;
  /** No bias term (default: a bias). */
  bias?: boolean;
}

export class Linear {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly params: Parameter[];
  private x: Float32Array = new Float32Array(0);
  private m = 0;
  private y = new Float32Array(0);
  private dx = new Float32Array(0);
  private gW: Float32Array;
  private gB: Float32Array;

  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    const name = opts.name ?? 'linear';
    requirePositiveInt(inFeatures, 'inFeatures', `Linear "${name}"`);
    requirePositiveInt(outFeatures, 'outFeatures', `Linear "${name}"`);
    const rng = opts.rng ?? new Rng(1);
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = new Parameter([outFeatures, inFeatures], { name: `${name}.weight` });
    uniformInit(this.weight.data, bound, rng);
    this.bias = opts.bias === false ? null : new Parameter([outFeatures], { name: `${name}.bias` });
    if (this.bias) uniformInit(this.bias.data, bound, rng);
    this.params = this.bias ? [this.weight, this.bias] : [this.weight];
    this.gW = new Float32Array(this.weight.size);
    this.gB = new Float32Array(outFeatures);
  }

  /**
   * y = x W^T + b for m rows of x (m x inFeatures, row-major). The result is this
   * layer's buffer, overwritten by the next forward; x must stay unchanged until backward.
   */
  forward(x: Float32Array, m = x.length / this.inFeatures): Float32Array {
    const k = this.inFeatures;
    if (!Number.isInteger(m) || m < 0 || x.length < m * k) {
      throw new WordloomError('E_INPUT', `Linear "${this.weight.name}": the input has ${x.length} values, not ${Number.isInteger(m) ? m : 'a whole number of'} rows of ${k}`);
    }
    checkFinite(x, m * k, `the input of ${this.weight.name}`, k);
    this.x = x;
    this.m = m;
    this.y = grow(this.y, m * this.outFeatures);
    kernels.current.matmulTransB(x, 0, this.weight.data, this.bias ? this.bias.data : null, this.y, 0, m, this.outFeatures, k);
    return this.y.subarray(0, m * this.outFeatures);
  }

  /** Given dLoss/dy (m x out), add dLoss/dW and dLoss/db to the gradients and return dLoss/dx (m x in, this layer's buffer). */
  backward(dy: Float32Array): Float32Array {
    const { m, inFeatures: k, outFeatures: n } = this;
    if (dy.length < m * n) throw new WordloomError('E_STATE', `Linear "${this.weight.name}": backward got ${dy.length} gradient values for ${m} rows of ${n}`);
    const gW = denseGradOf(this.weight, this.gW);
    const gB = this.bias ? denseGradOf(this.bias, this.gB) : null;
    kernels.current.matmulTransAAcc(dy, 0, this.x, 0, gW, gB, m, n, k);
    this.dx = grow(this.dx, m * k);
    kernels.current.matmulAcc(dy, 0, this.weight.data, this.dx, 0, m, n, k, true);
    return this.dx.subarray(0, m * k);
  }
}
