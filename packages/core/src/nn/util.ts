/**
 * What every layer shares: growing buffers reused from step to step, the dense
 * gradient buffer of a parameter (PyTorch's accumulation: gradients add up until
 * the optimizer's zeroGrad() clears them), checks of the caller's input, and
 * PyTorch's initialisations.
 */
import { WordloomError } from '../errors.js';
import type { Rng } from '../rng.js';
import type { Parameter } from '../optim/param.js';

/** `buf` if it holds n values, else a new array of at least n (contents not kept). */
export function grow<B extends ArrayBufferLike>(buf: Float32Array<B>, n: number): Float32Array<B> {
  return buf.length >= n ? buf : (new Float32Array(Math.max(n, Math.ceil(buf.length * 1.5))) as unknown as Float32Array<B>);
}
export function growInt<B extends ArrayBufferLike>(buf: Int32Array<B>, n: number): Int32Array<B> {
  return buf.length >= n ? buf : (new Int32Array(Math.max(n, Math.ceil(buf.length * 1.5))) as unknown as Int32Array<B>);
}

/**
 * The array a layer adds `p`'s dense gradient into. When `p` has no gradient
 * (after zeroGrad) the layer's own buffer is zeroed and becomes the gradient; when
 * it already is the gradient, backward adds to it; a gradient set by someone else
 * is copied in first, so nothing is lost.
 */
export function denseGradOf(p: Parameter, own: Float32Array): Float32Array {
  const g = p.grad;
  if (g !== null && g.kind === 'dense' && g.values === own) return own;
  if (g !== null && g.kind === 'dense') own.set(g.values);
  else if (g !== null) {
    throw new WordloomError('E_STATE', `parameter "${p.name}" holds a sparse gradient but its layer makes dense ones`, { param: p.name }, 'call the optimizer\'s zeroGrad() before the backward pass');
  } else own.fill(0);
  p.setGrad(own);
  return own;
}

/** Throw unless the first n values are finite numbers. */
export function checkFinite(x: Float32Array, n: number, what: string, width = 1, param?: string): void {
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (v - v !== 0) {
      const row = Math.floor(i / width);
      throw new WordloomError(
        'E_INPUT',
        `${what} holds ${v} at row ${row}${width > 1 ? `, column ${i - row * width}` : ''}`,
        param ? { param } : {},
        'NaN or infinite values usually come from the data (check it) or from a diverged model (lower the learning rate)',
      );
    }
  }
}

/** U(-bound, bound) into `a` (PyTorch's default for Linear and GRU weights, bound = 1/sqrt(fan)). */
export function uniformInit(a: Float32Array, bound: number, rng: Rng): void {
  for (let i = 0; i < a.length; i++) a[i] = (rng.next() * 2 - 1) * bound;
}

/** N(0, 1) into `a` (PyTorch's default for Embedding). */
export function normalInit(a: Float32Array, rng: Rng): void {
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
}

export function requirePositiveInt(v: unknown, what: string, layer: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new WordloomError('E_PARAM', `${layer}: ${what} must be a positive integer, got ${JSON.stringify(v)}`, { param: what });
  }
  return v;
}

const POW2 = Float64Array.from({ length: 256 }, (_, i) => 2 ** (i - 128));

/**
 * e^x to within 1e-8 relative (well past float32's 6e-8), about twice as fast as
 * Math.exp: x = (n + f) ln 2 with n an integer and |f| <= 1/2, 2^n from a table,
 * e^(f ln 2) by its Taylor series to the 7th power. Arguments beyond +-88 (where
 * float32 over- or underflows) are clamped there.
 */
export function fastExp(x: number): number {
  if (x > 88) x = 88;
  else if (x < -88) x = -88;
  else if (x !== x) return NaN;
  const t = x * 1.4426950408889634;
  const n = Math.round(t);
  const y = (t - n) * 0.6931471805599453;
  const p = 1 + y * (1 + y * (0.5 + y * (0.16666666666666666 + y * (0.041666666666666664 + y * (0.008333333333333333 + y * (0.001388888888888889 + y * 0.0001984126984126984))))));
  return p * POW2[n + 128]!;
}
