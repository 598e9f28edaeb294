/**
 * A gated recurrent unit over packed variable-length batches, with PyTorch's
 * equations and parameter layout (nn.GRU, gates in the order r, z, n):
 *
 *   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
 *   z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
 *   h' = (1 - z) * n + z * h
 *
 * weight_ih_l<k> is 3H x in, weight_hh_l<k> 3H x H, the biases 3H, all
 * U(-1/sqrt(H), 1/sqrt(H)) at start; the initial state is zero. Layer k > 0
 * reads the outputs of layer k-1 (no dropout between layers).
 *
 * The caller passes a plain list of sequences (forward) or a PackedBatch and its
 * packed input (forwardPacked): the layer sorts by length, runs each step over
 * the sequences still going, takes each sequence's last state at its own length
 * and returns the states in the caller's order. The input projections of a whole
 * layer are one matrix product; each step is one product over the active rows.
 */
import { WordloomError } from '../errors.js';
import { Rng } from '../rng.js';
import { Parameter } from '../optim/param.js';
import { kernels } from './matmul.js';
import { PackedBatch } from './packed.js';
import { checkFinite, denseGradOf, fastExp, grow, requirePositiveInt, uniformInit } from './util.js';

export interface GRUOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Read each sequence from its last element to its first (default false). */
  reverse?: boolean;
  /** Refuse sequences longer than this (default: no limit). */
  maxLength?: number;
  rng?: Rng;
  /** Prefix of the parameter names, "<name>.weight_ih_l0" ... (default "gru"). */
  name?: string;
}

interface LayerState {
  wih: Parameter;
  whh: Parameter;
  bih: Parameter;
  bhh: Parameter;
  gWih: Float32Array;
  gWhh: Float32Array;
  gBih: Float32Array;
  gBhh: Float32Array;
  inSize: number;
  /** Input of the layer (packed total x inSize): the caller's or the layer below's out. */
  x: Float32Array;
  /** Input projections, then gates r, z, n (total x 3H). */
  gates: Float32Array;
  /** W_hn h + b_hn (total x H). */
  hn: Float32Array;
  /** Outputs (total x H). */
  out: Float32Array;
  /** The state each row started from (total x H). */
  hprev: Float32Array;
  dGi: Float32Array;
  dGh: Float32Array;
  dx: Float32Array;
}

export class GRU {
  readonly numLayers: number;
  readonly reverse: boolean;
  readonly maxLength: number;
  readonly params: Parameter[] = [];
  private readonly layers: LayerState[] = [];
  private readonly own = new PackedBatch();
  private batch: PackedBatch | null = null;
  private packedIn: Float32Array = new Float32Array(0);
  private state = new Float32Array(0);
  private gh = new Float32Array(0);
  private last = new Float32Array(0);
  private dH = new Float32Array(0);
  private dHh = new Float32Array(0);
  private whhT = new Float32Array(0);

  constructor(readonly inputSize: number, readonly hiddenSize: number, opts: GRUOptions = {}) {
    const name = opts.name ?? 'gru';
    requirePositiveInt(inputSize, 'inputSize', `GRU "${name}"`);
    requirePositiveInt(hiddenSize, 'hiddenSize', `GRU "${name}"`);
    this.numLayers = requirePositiveInt(opts.numLayers ?? 1, 'numLayers', `GRU "${name}"`);
    this.reverse = opts.reverse ?? false;
    this.maxLength = opts.maxLength ?? Infinity;
    const rng = opts.rng ?? new Rng(1);
    const H = hiddenSize;
    const bound = 1 / Math.sqrt(H);
    for (let k = 0; k < this.numLayers; k++) {
      const inSize = k === 0 ? inputSize : H;
      const wih = new Parameter([3 * H, inSize], { name: `${name}.weight_ih_l${k}` });
      const whh = new Parameter([3 * H, H], { name: `${name}.weight_hh_l${k}` });
      const bih = new Parameter([3 * H], { name: `${name}.bias_ih_l${k}` });
      const bhh = new Parameter([3 * H], { name: `${name}.bias_hh_l${k}` });
      for (const p of [wih, whh, bih, bhh]) uniformInit(p.data, bound, rng);
      this.params.push(wih, whh, bih, bhh);
      this.layers.push({
        wih, whh, bih, bhh, inSize,
        gWih: new Float32Array(wih.size), gWhh: new Float32Array(whh.size), gBih: new Float32Array(3 * H), gBhh: new Float32Array(3 * H),
        x: new Float32Array(0), gates: new Float32Array(0), hn: new Float32Array(0), out: new Float32Array(0), hprev: new Float32Array(0),
        dGi: new Float32Array(0), dGh: new Float32Array(0), dx: new Float32Array(0),
      });
    }
  }

  /**
   * Run over a list of sequences, each lengths[i] x inputSize values (row-major).
   * Returns the top layer's last state of each sequence at its own length, B x H in
   * the given order (this layer's buffer, overwritten by the next forward).
   */
  forward(seqs: ArrayLike<Float32Array>): Float32Array {
    const lengths: number[] = [];
    for (let i = 0; i < seqs.length; i++) {
      const q = seqs[i]!;
      if (!(q instanceof Float32Array)) throw new WordloomError('E_INPUT', `sequence ${i} must be a Float32Array of length x ${this.inputSize} values`);
      if (q.length % this.inputSize !== 0) {
        throw new WordloomError('E_INPUT', `sequence ${i} has ${q.length} values, not a whole number of vectors of ${this.inputSize}`, {}, 'give each sequence as its vectors one after another (length x inputSize values)');
      }
      lengths.push(q.length / this.inputSize);
    }
    const batch = this.own.reset(lengths, { reverse: this.reverse, maxLength: this.maxLength });
    this.packedIn = batch.packVectors(seqs, this.inputSize, this.packedIn);
    return this.forwardPacked(batch, this.packedIn);
  }

  /** Gradients for forward(): given dLoss/dlast (B x H), return dLoss/dinput per sequence (new arrays). */
  backward(dLast: Float32Array): Float32Array[] {
    const dx = this.backwardPacked(dLast);
    return this.batch!.unpackVectors(dx, this.inputSize);
  }

  /**
   * Run over a packed batch: x holds batch.total rows of inputSize in packed order
   * (batch.packIds / packVectors make it). The batch's `reverse` must be this layer's.
   * x must stay unchanged until backward. Returns the last states as forward().
   */
  forwardPacked(batch: PackedBatch, x: Float32Array): Float32Array {
    if (batch.reverse !== this.reverse) {
      throw new WordloomError('E_STATE', `the batch was packed ${batch.reverse ? 'right to left' : 'left to right'} but this GRU reads ${this.reverse ? 'right to left' : 'left to right'}`, {}, 'pack with the same reverse option as the GRU');
    }
    if (batch.steps > this.maxLength) {
      throw new WordloomError('E_INPUT', `a sequence of the batch has ${batch.steps} elements, more than the limit of ${this.maxLength}`, { param: 'max_length' });
    }
    const T = batch.total;
    if (x.length < T * this.inputSize) throw new WordloomError('E_INPUT', `the packed input has ${x.length} values; ${T} elements of ${this.inputSize} need ${T * this.inputSize}`);
    checkFinite(x, T * this.inputSize, 'the GRU input', this.inputSize);
    this.batch = batch;
    const H = this.hiddenSize;
    const B = batch.size;
    this.state = grow(this.state, B * H);
    this.gh = grow(this.gh, B * 3 * H);
    let input = x;
    for (const L of this.layers) {
      this.runLayer(L, batch, input);
      input = L.out;
    }
    // last states: the state buffer holds the top layer's, in sorted order
    this.last = grow(this.last, B * H);
    for (let i = 0; i < B; i++) this.last.set(this.state.subarray(batch.rank[i]! * H, (batch.rank[i]! + 1) * H), i * H);
    return this.last.subarray(0, B * H);
  }

  /** The top layer's outputs at every element, packed (batch.total x H; valid until the next forward). */
  get outputs(): Float32Array {
    const top = this.layers[this.numLayers - 1]!;
    return top.out.subarray(0, (this.batch?.total ?? 0) * this.hiddenSize);
  }

  private runLayer(L: LayerState, batch: PackedBatch, x: Float32Array): void {
    const H = this.hiddenSize;
    const G = 3 * H;
    const total = batch.total;
    L.x = x;
    L.gates = grow(L.gates, total * G);
    L.hn = grow(L.hn, total * H);
    L.out = grow(L.out, total * H);
    L.hprev = grow(L.hprev, total * H);
    const gates = L.gates;
    const hn = L.hn;
    const out = L.out;
    const hprev = L.hprev;
    const state = this.state;
    const gh = this.gh;
    const bhh = L.bhh.data;
    kernels.current.matmulTransB(x, 0, L.wih.data, L.bih.data, gates, 0, total, G, L.inSize);
    state.fill(0, 0, batch.size * H);
    for (let t = 0; t < batch.steps; t++) {
      const bs = batch.batchSizes[t]!;
      const off = batch.offsets[t]!;
      if (t === 0) for (let s = 0; s < bs; s++) gh.set(bhh, s * G);
      else kernels.current.matmulTransB(state, 0, L.whh.data, bhh, gh, 0, bs, G, H);
      for (let s = 0; s < bs; s++) {
        const row = off + s;
        const go = row * G;
        const ho = row * H;
        const so = s * H;
        const ghO = s * G;
        for (let u = 0; u < H; u++) {
          const r = 1 / (1 + fastExp(-(gates[go + u]! + gh[ghO + u]!)));
          const z = 1 / (1 + fastExp(-(gates[go + H + u]! + gh[ghO + H + u]!)));
          const hnv = gh[ghO + 2 * H + u]!;
          // tanh(a) = 1 - 2 / (e^2a + 1): one exp, and exact to double rounding (stored as float32)
          const n = 1 - 2 / (fastExp(2 * (gates[go + 2 * H + u]! + r * hnv)) + 1);
          const hp = state[so + u]!;
          gates[go + u] = r;
          gates[go + H + u] = z;
          gates[go + 2 * H + u] = n;
          hn[ho + u] = hnv;
          hprev[ho + u] = hp;
          const h = (1 - z) * n + z * hp;
          state[so + u] = h;
          out[ho + u] = h;
        }
      }
    }
  }

  /**
   * Gradients for forwardPacked(): dLast is dLoss/d(last states) (B x H, the caller's
   * order); dOutputs, when given, dLoss/d(top layer outputs) (packed, total x H).
   * Adds the parameter gradients and returns dLoss/dx (packed, total x inputSize,
   * this layer's buffer).
   */
  backwardPacked(dLast: Float32Array | null, dOutputs: Float32Array | null = null): Float32Array {
    const batch = this.batch;
    if (!batch) throw new WordloomError('E_STATE', 'GRU backward before forward');
    const H = this.hiddenSize;
    const B = batch.size;
    if (dLast && dLast.length < B * H) throw new WordloomError('E_STATE', `GRU backward: dLast has ${dLast.length} values for ${B} states of ${H}`);
    if (dOutputs && dOutputs.length < batch.total * H) throw new WordloomError('E_STATE', `GRU backward: dOutputs has ${dOutputs.length} values for ${batch.total} outputs of ${H}`);
    let dOut = dOutputs;
    for (let k = this.numLayers - 1; k >= 0; k--) {
      const L = this.layers[k]!;
      this.dH = grow(this.dH, B * H);
      if (k === this.numLayers - 1 && dLast) {
        for (let i = 0; i < B; i++) this.dH.set(dLast.subarray(i * H, (i + 1) * H), batch.rank[i]! * H);
      } else this.dH.fill(0, 0, B * H);
      dOut = this.backLayer(L, batch, dOut);
    }
    return dOut!.subarray(0, batch.total * this.inputSize);
  }

  private backLayer(L: LayerState, batch: PackedBatch, dOut: Float32Array | null): Float32Array {
    const H = this.hiddenSize;
    const G = 3 * H;
    const total = batch.total;
    L.dGi = grow(L.dGi, total * G);
    L.dGh = grow(L.dGh, total * G);
    const { gates, hn, hprev, dGi, dGh } = L;
    const dH = this.dH;
    const whh = L.whh.data;
    this.whhT = grow(this.whhT, G * H);
    const whhT = this.whhT;
    for (let j = 0; j < G; j++) for (let c = 0; c < H; c++) whhT[c * G + j] = whh[j * H + c]!;
    this.dHh = grow(this.dHh, batch.size * H);
    const dHh = this.dHh;
    for (let t = batch.steps - 1; t >= 0; t--) {
      const bs = batch.batchSizes[t]!;
      const off = batch.offsets[t]!;
      for (let s = 0; s < bs; s++) {
        const row = off + s;
        const go = row * G;
        const ho = row * H;
        const so = s * H;
        for (let u = 0; u < H; u++) {
          const dh = dH[so + u]! + (dOut === null ? 0 : dOut[ho + u]!);
          const r = gates[go + u]!;
          const z = gates[go + H + u]!;
          const n = gates[go + 2 * H + u]!;
          const hp = hprev[ho + u]!;
          const dnPre = dh * (1 - z) * (1 - n * n);
          const dzPre = dh * (hp - n) * z * (1 - z);
          const drPre = dnPre * hn[ho + u]! * r * (1 - r);
          dGi[go + u] = drPre;
          dGi[go + H + u] = dzPre;
          dGi[go + 2 * H + u] = dnPre;
          dGh[go + u] = drPre;
          dGh[go + H + u] = dzPre;
          dGh[go + 2 * H + u] = dnPre * r;
          dH[so + u] = dh * z; // the direct path to h_prev; W_hh's path is added below
        }
      }
      if (t > 0) {
        // dh_prev += dGh W_hh, as dGh (W_hh^T)^T: the product every kernel does best
        kernels.current.matmulTransB(dGh, off * G, whhT, null, dHh, 0, bs, H, G);
        for (let q = 0; q < bs * H; q++) dH[q] += dHh[q]!;
      }
    }
    const gWih = denseGradOf(L.wih, L.gWih);
    const gBih = denseGradOf(L.bih, L.gBih);
    const gWhh = denseGradOf(L.whh, L.gWhh);
    const gBhh = denseGradOf(L.bhh, L.gBhh);
    kernels.current.matmulTransAAcc(dGi, 0, L.x, 0, gWih, gBih, total, G, L.inSize);
    kernels.current.matmulTransAAcc(dGh, 0, hprev, 0, gWhh, gBhh, total, G, H);
    L.dx = grow(L.dx, total * L.inSize);
    kernels.current.matmulAcc(dGi, 0, L.wih.data, L.dx, 0, total, G, L.inSize, true);
    return L.dx;
  }
}
