/**
 * The word encoder of the stem-triplet task: character embedding -> dropout ->
 * GRU (last state) -> linear, a vector per word. A batch of triplets is one packed
 * batch of anchors, positives and negatives, so the three share one pass.
 */
import { Rng, nn, type Parameter } from '@wordloom/core';
import { simdKernels } from '../kernels/nn-simd.js';

export interface StemEncoderConfig {
  /** Characters with ids 1..alphabet.length; 0 is the unknown character. */
  alphabet: string[];
  embedDim: number;
  hidden: number;
  dim: number;
  layers: number;
  reverse: boolean;
  dropout: number;
}

export class StemEncoder {
  readonly emb: nn.Embedding;
  readonly drop: nn.Dropout;
  readonly gru: nn.GRU;
  readonly out: nn.Linear;
  readonly params: Parameter[];
  kernels: nn.MatmulKernels = simdKernels() ?? nn.typescriptKernels;
  private readonly ids = new Map<string, number>();
  private readonly batch = new nn.PackedBatch();
  private packed: Int32Array = new Int32Array(0);
  private readonly lengths: number[] = [];

  constructor(readonly config: StemEncoderConfig, rng: Rng = new Rng(1)) {
    const c = config;
    c.alphabet.forEach((ch, i) => this.ids.set(ch, i + 1));
    this.emb = new nn.Embedding(c.alphabet.length + 1, c.embedDim, { rng: rng.fork(1), name: 'embedding.weight' });
    this.drop = new nn.Dropout(c.dropout, rng.fork(4));
    this.gru = new nn.GRU(c.embedDim, c.hidden, { numLayers: c.layers, reverse: c.reverse, rng: rng.fork(2), name: 'gru' });
    this.out = new nn.Linear(c.hidden, c.dim, { rng: rng.fork(3), name: 'linear' });
    this.params = [...this.emb.params, ...this.gru.params, ...this.out.params];
  }

  encode(word: string): Int32Array {
    const out: number[] = [];
    for (const ch of word) out.push(this.ids.get(ch) ?? 0);
    if (out.length === 0) out.push(0);
    return Int32Array.from(out);
  }

  /** Vectors (n x dim, the linear layer's buffer) of encoded words; dropout only when training. */
  forward(seqs: readonly Int32Array[], training: boolean): Float32Array {
    this.lengths.length = seqs.length;
    for (let i = 0; i < seqs.length; i++) this.lengths[i] = seqs[i]!.length;
    const b = this.batch.reset(this.lengths, { reverse: this.config.reverse });
    this.packed = b.packIds(seqs, this.packed);
    const before = nn.useKernels(this.kernels);
    try {
      const x = this.emb.forward(this.packed);
      return this.out.forward(this.gru.forwardPacked(b, this.drop.forward(x, training)));
    } finally {
      nn.useKernels(before);
    }
  }

  backward(dVectors: Float32Array): void {
    const before = nn.useKernels(this.kernels);
    try {
      this.emb.backward(this.drop.backward(this.gru.backwardPacked(this.out.backward(dVectors))));
    } finally {
      nn.useKernels(before);
    }
  }

  /** Vectors of many words, in batches (evaluation mode). */
  embed(words: readonly string[], batchSize = 512): Float32Array {
    const d = this.config.dim;
    const out = new Float32Array(words.length * d);
    for (let s = 0; s < words.length; s += batchSize) {
      const part = words.slice(s, s + batchSize).map((w) => this.encode(w));
      out.set(this.forward(part, false), s * d);
    }
    return out;
  }
}
