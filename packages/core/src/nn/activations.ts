/**
 * Elementwise nonlinearities and dropout. Each keeps what its backward pass needs
 * (the output, or the dropout mask) in its own reused buffers.
 */
import { WordloomError } from '../errors.js';
import { Rng } from '../rng.js';
import { grow } from './util.js';

export class Tanh {
  private y = new Float32Array(0);
  private dx = new Float32Array(0);
  private n = 0;
  forward(x: Float32Array, n = x.length): Float32Array {
    this.y = grow(this.y, n);
    for (let i = 0; i < n; i++) this.y[i] = Math.tanh(x[i]!);
    this.n = n;
    return this.y.subarray(0, n);
  }
  backward(dy: Float32Array): Float32Array {
    const n = this.n;
    this.dx = grow(this.dx, n);
    for (let i = 0; i < n; i++) {
      const y = this.y[i]!;
      this.dx[i] = dy[i]! * (1 - y * y);
    }
    return this.dx.subarray(0, n);
  }
}

export class ReLU {
  private y = new Float32Array(0);
  private dx = new Float32Array(0);
  private n = 0;
  forward(x: Float32Array, n = x.length): Float32Array {
    this.y = grow(this.y, n);
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      this.y[i] = v > 0 ? v : 0;
    }
    this.n = n;
    return this.y.subarray(0, n);
  }
  /** The gradient at 0 is 0, as PyTorch's. */
  backward(dy: Float32Array): Float32Array {
    const n = this.n;
    this.dx = grow(this.dx, n);
    for (let i = 0; i < n; i++) this.dx[i] = this.y[i]! > 0 ? dy[i]! : 0;
    return this.dx.subarray(0, n);
  }
}

/**
 * Inverted dropout (PyTorch's nn.Dropout): in training each value is zeroed with
 * probability p and the others scaled by 1/(1-p); in evaluation it passes through.
 * The mask comes from the given seeded stream, so a seed gives the same run (not
 * PyTorch's masks: its generator is another).
 */
export class Dropout {
  private y = new Float32Array(0);
  private dx = new Float32Array(0);
  private mask = new Uint8Array(0);
  private n = 0;
  private active = false;
  readonly rng: Rng;

  constructor(readonly p: number, rng?: Rng) {
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) {
      throw new WordloomError('E_PARAM', `dropout probability must be in [0, 1), got ${JSON.stringify(p)}`, { param: 'dropout' });
    }
    this.rng = rng ?? new Rng(1);
  }

  /** training false (evaluation) or p = 0: returns x itself. */
  forward(x: Float32Array, training = true, n = x.length): Float32Array {
    this.n = n;
    this.active = training && this.p > 0;
    if (!this.active) return x.subarray(0, n);
    if (this.mask.length < n) this.mask = new Uint8Array(Math.max(n, this.mask.length * 2));
    this.y = grow(this.y, n);
    const scale = 1 / (1 - this.p);
    const threshold = Math.floor(this.p * 4294967296);
    for (let i = 0; i < n; i++) {
      const keep = this.rng.nextU32() >= threshold ? 1 : 0;
      this.mask[i] = keep;
      this.y[i] = keep ? x[i]! * scale : 0;
    }
    return this.y.subarray(0, n);
  }

  backward(dy: Float32Array): Float32Array {
    const n = this.n;
    if (!this.active) return dy.subarray(0, n);
    this.dx = grow(this.dx, n);
    const scale = 1 / (1 - this.p);
    for (let i = 0; i < n; i++) this.dx[i] = this.mask[i] ? dy[i]! * scale : 0;
    return this.dx.subarray(0, n);
  }
}
