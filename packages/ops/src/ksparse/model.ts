/**
 * A k-sparse autoencoder (Makhzani and Frey, 2013): z = W_e x + b_e, keep each
 * example's k largest units (the others are zero), x^ = W_d^T z + b_d, squared
 * error. Both weight matrices are stored a row per hidden unit (h x 784), so the
 * units active anywhere in the batch (the mask reduced over the batch) give the
 * only rows with a gradient: the products run on those rows gathered, and the
 * gradients are sparse rows (as tf.gather gives them), which SparseAdam and
 * LazyAdam take as they are and Adam densifies.
 *
 * With `lifetime`, each unit is also kept for the example where it is largest in
 * the batch (a lifetime-sparsity constraint, as winner-take-all autoencoders have):
 * then every unit is active in every batch and the "sparse" gradient touches every row.
 *
 * File format (little-endian): the 8 bytes "WLKSPAE1", a uint32 n, n bytes of UTF-8
 * JSON (format, version, hidden, k, lifetime, pixels and the parameters' names and
 * shapes), zero padding to a multiple of 4 bytes, then each parameter's float32
 * values in the order the JSON lists them (encoder.weight h x 784, encoder.bias h,
 * decoder.weight h x 784, decoder.bias 784).
 */
import { Parameter, Rng, WordloomError, nn } from '@wordloom/core';
import { readParamFile, writeParamFile } from '../io/param-file.js';
import { MNIST_PIXELS as D } from './data.js';

export const KSPARSE_MAGIC = 'WLKSPAE1';

export interface KSparseConfig {
  hidden: number;
  k: number;
  lifetime: boolean;
}

export interface GradientMode {
  /** 'sparse': sparse rows for W_e, b_e and W_d; 'dense': the same rows scattered into zeroed tables. */
  kind: 'sparse' | 'dense';
}

export class KSparseAutoencoder {
  readonly we: Parameter;
  readonly be: Parameter;
  readonly wd: Parameter;
  readonly bd: Parameter;
  readonly params: Parameter[];
  /** Rows touched by the last backward (units active in the batch). */
  active = 0;
  kernels: nn.MatmulKernels = nn.typescriptKernels;
  private z = new Float32Array(0);
  private mask = new Uint8Array(0);
  private zsA = new Float32Array(0);
  private wdA = new Float32Array(0);
  private xhat = new Float32Array(0);
  private d = new Float32Array(0);
  private rows = new Int32Array(0);
  private slot = new Int32Array(0);
  private dWeA = new Float32Array(0);
  private dBeA = new Float32Array(0);
  private dWdA = new Float32Array(0);
  private dzA = new Float32Array(0);
  private dBd = new Float32Array(D);
  private dense: Float32Array[] = [];
  private sorted = new Float32Array(0);

  constructor(readonly config: KSparseConfig, rng: Rng = new Rng(1), sparse = true) {
    const { hidden: h, k } = config;
    if (!Number.isInteger(h) || h < 1) throw new WordloomError('E_PARAM', `hidden must be a positive integer, got ${JSON.stringify(h)}`, { param: 'hidden' });
    if (!Number.isInteger(k) || k < 1 || k > h) throw new WordloomError('E_PARAM', `k must be an integer from 1 to hidden (${h}), got ${JSON.stringify(k)}`, { param: 'k' });
    const init = (p: Parameter, bound: number): Parameter => {
      for (let i = 0; i < p.size; i++) p.data[i] = (rng.next() * 2 - 1) * bound;
      return p;
    };
    this.we = init(new Parameter([h, D], { name: 'encoder.weight', sparse }), 1 / Math.sqrt(D));
    this.be = init(new Parameter([h], { name: 'encoder.bias', sparse }), 1 / Math.sqrt(D));
    this.wd = init(new Parameter([h, D], { name: 'decoder.weight', sparse }), 1 / Math.sqrt(h));
    this.bd = init(new Parameter([D], { name: 'decoder.bias' }), 1 / Math.sqrt(h));
    this.params = [this.we, this.be, this.wd, this.bd];
    this.slot = new Int32Array(h);
    this.sorted = new Float32Array(h);
  }

  /**
   * Codes of B images (B x hidden, this model's buffer; zero outside each example's
   * top k). `train` applies the lifetime constraint when configured.
   */
  encode(x: Float32Array, B: number, train = false): Float32Array {
    const h = this.config.hidden;
    const k = this.config.k;
    if (this.z.length < B * h) {
      this.z = new Float32Array(B * h);
      this.mask = new Uint8Array(B * h);
    }
    const z = this.z;
    const mask = this.mask;
    const before = nn.useKernels(this.kernels);
    try {
      nn.kernels.current.matmulTransB(x, 0, this.we.data, this.be.data, z, 0, B, h, D);
    } finally {
      nn.useKernels(before);
    }
    nn.checkFinite(z, B * h, 'the codes', h);
    for (let b = 0; b < B; b++) {
      const row = z.subarray(b * h, (b + 1) * h);
      this.sorted.set(row);
      this.sorted.sort();
      const thr = this.sorted[h - k]!;
      // the k largest: those above the k-th value, then ties at it in order, so exactly k
      let ties = k;
      for (let u = 0; u < h; u++) if (row[u]! > thr) ties--;
      for (let u = 0; u < h; u++) {
        let on = row[u]! > thr ? 1 : 0;
        if (!on && row[u] === thr && ties > 0) {
          on = 1;
          ties--;
        }
        mask[b * h + u] = on;
      }
    }
    if (train && this.config.lifetime) {
      for (let u = 0; u < h; u++) {
        let best = 0;
        for (let b = 1; b < B; b++) if (z[b * h + u]! > z[best * h + u]!) best = b;
        mask[best * h + u] = 1;
      }
    }
    for (let q = 0; q < B * h; q++) if (!mask[q]) z[q] = 0;
    return z.subarray(0, B * h);
  }

  /** Squared error of B images (mean over pixels and images); keeps what backward needs. */
  forward(x: Float32Array, B: number, train = true): number {
    const h = this.config.hidden;
    const zs = this.encode(x, B, train);
    // the units active anywhere in the batch, in increasing order
    let a = 0;
    this.rows = this.rows.length >= h ? this.rows : new Int32Array(h);
    for (let u = 0; u < h; u++) {
      let on = 0;
      for (let b = 0; b < B; b++) if (this.mask[b * h + u]) { on = 1; break; }
      this.slot[u] = on ? a : -1;
      if (on) this.rows[a++] = u;
    }
    this.active = a;
    this.grow(B, a);
    const zsA = this.zsA, wdA = this.wdA, xhat = this.xhat;
    for (let b = 0; b < B; b++) for (let j = 0; j < a; j++) zsA[b * a + j] = zs[b * h + this.rows[j]!]!;
    for (let j = 0; j < a; j++) wdA.set(this.wd.data.subarray(this.rows[j]! * D, (this.rows[j]! + 1) * D), j * D);
    const before = nn.useKernels(this.kernels);
    try {
      nn.kernels.current.matmulAcc(zsA, 0, wdA, xhat, 0, B, a, D, true);
    } finally {
      nn.useKernels(before);
    }
    let se = 0;
    const scale = 2 / (B * D);
    for (let b = 0; b < B; b++) {
      for (let p = 0; p < D; p++) {
        const q = b * D + p;
        const r = xhat[q]! + this.bd.data[p]! - x[q]!;
        xhat[q] = r + x[q]!;
        se += r * r;
        this.d[q] = r * scale;
      }
    }
    this.lastX = x;
    this.lastB = B;
    const loss = se / (B * D);
    if (!Number.isFinite(loss)) throw new WordloomError('E_DIVERGED', `the reconstruction loss is ${loss}`, {}, 'lower the learning rate');
    return loss;
  }

  /** Gradients of the last forward: sparse rows of the active units, or (mode dense) scattered into zeroed tables. */
  backward(mode: GradientMode): void {
    const h = this.config.hidden;
    const B = this.lastB;
    const a = this.active;
    const x = this.lastX;
    const { zsA, wdA, d, dWeA, dBeA, dWdA, dzA } = this;
    dWeA.fill(0, 0, a * D);
    dBeA.fill(0, 0, a);
    dWdA.fill(0, 0, a * D);
    this.dBd.fill(0);
    const before = nn.useKernels(this.kernels);
    try {
      const K = nn.kernels.current;
      K.matmulTransAAcc(zsA, 0, d, 0, dWdA, null, B, a, D);
      K.matmulTransB(d, 0, wdA, null, dzA, 0, B, a, D);
      for (let b = 0; b < B; b++) for (let j = 0; j < a; j++) if (!this.mask[b * h + this.rows[j]!]) dzA[b * a + j] = 0;
      K.matmulTransAAcc(dzA, 0, x, 0, dWeA, dBeA, B, a, D);
    } finally {
      nn.useKernels(before);
    }
    for (let b = 0; b < B; b++) for (let p = 0; p < D; p++) this.dBd[p] += d[b * D + p]!;
    this.bd.setGrad(this.dBd);
    const rows = this.rows.subarray(0, a);
    if (mode.kind === 'sparse') {
      this.we.setSparseGrad(rows, dWeA.subarray(0, a * D), a);
      this.be.setSparseGrad(rows, dBeA.subarray(0, a), a);
      this.wd.setSparseGrad(rows, dWdA.subarray(0, a * D), a);
      return;
    }
    if (!this.dense.length) this.dense = [new Float32Array(h * D), new Float32Array(h), new Float32Array(h * D)];
    const [gWe, gBe, gWd] = this.dense as [Float32Array, Float32Array, Float32Array];
    gWe.fill(0);
    gBe.fill(0);
    gWd.fill(0);
    for (let j = 0; j < a; j++) {
      const u = rows[j]!;
      gWe.set(dWeA.subarray(j * D, (j + 1) * D), u * D);
      gWd.set(dWdA.subarray(j * D, (j + 1) * D), u * D);
      gBe[u] = dBeA[j]!;
    }
    this.we.setGrad(gWe);
    this.be.setGrad(gBe);
    this.wd.setGrad(gWd);
  }

  /** Mean squared error of many images, in batches (the top-k codes, no lifetime constraint). */
  reconstructionError(images: Float32Array, n: number, batch = 500): number {
    let total = 0;
    for (let s = 0; s < n; s += batch) {
      const B = Math.min(batch, n - s);
      total += this.forward(images.subarray(s * D, (s + B) * D), B, false) * B;
    }
    return total / n;
  }

  /** Codes of many images (n x hidden, new array). */
  codes(images: Float32Array, n: number, batch = 500): Float32Array {
    const h = this.config.hidden;
    const out = new Float32Array(n * h);
    for (let s = 0; s < n; s += batch) {
      const B = Math.min(batch, n - s);
      out.set(this.encode(images.subarray(s * D, (s + B) * D), B, false), s * h);
    }
    return out;
  }

  /** Write the model (atomically: a temporary file renamed into place). */
  async save(file: string): Promise<void> {
    const c = this.config;
    await writeParamFile(file, KSPARSE_MAGIC, {
      format: 'wordloom-ksparse', version: 1, hidden: c.hidden, k: c.k, lifetime: c.lifetime, pixels: D,
    }, this.params);
  }

  static async load(file: string): Promise<KSparseAutoencoder> {
    const { header: h, bad, fill } = await readParamFile(file, KSPARSE_MAGIC, 'k-sparse autoencoder', 'train one with `wordloom ksparse train digits.u8.gz -o model.bin`');
    if (h?.format !== 'wordloom-ksparse' || h.version !== 1) bad(`format ${JSON.stringify(h?.format)} version ${JSON.stringify(h?.version)}`);
    if (h.pixels !== D || !Array.isArray(h.params)) bad(`the header lacks params or has ${JSON.stringify(h.pixels)} pixels (expected ${D})`);
    const model = new KSparseAutoencoder({ hidden: h.hidden, k: h.k, lifetime: !!h.lifetime });
    fill(model.params);
    return model;
  }

  private lastX: Float32Array = new Float32Array(0);
  private lastB = 0;

  private grow(B: number, a: number): void {
    const need = (arr: Float32Array<ArrayBuffer>, n: number): Float32Array<ArrayBuffer> => (arr.length >= n ? arr : new Float32Array(n));
    this.zsA = need(this.zsA, B * a);
    this.wdA = need(this.wdA, a * D);
    this.xhat = need(this.xhat, B * D);
    this.d = need(this.d, B * D);
    this.dWeA = need(this.dWeA, a * D);
    this.dBeA = need(this.dBeA, a);
    this.dWdA = need(this.dWdA, a * D);
    this.dzA = need(this.dzA, B * a);
  }
}
