/**
 * The character-level GRU classifier: each character of a text is an id (0 for a
 * character outside the alphabet), looked up in an embedding; a GRU reads the
 * text (left to right, or right to left), and a linear layer maps its last state
 * to one logit per label (softmax).
 *
 * File format (little-endian): the 8 bytes "WLCHGRU1", a uint32 n, n bytes of
 * UTF-8 JSON (format, version, labels, alphabet, sizes, reverse, max_length and
 * the parameters' names and shapes), zero padding to a multiple of 4 bytes, then
 * each parameter's float32 values in the order the JSON lists them (PyTorch's
 * names and layouts: embedding.weight, gru.weight_ih_l0 ..., linear.weight, linear.bias).
 */
import { Rng, WordloomError, nn, type Parameter } from '@wordloom/core';
import { readParamFile, writeParamFile } from '../io/param-file.js';
import { simdKernels } from '../kernels/nn-simd.js';

export const CHAR_GRU_MAGIC = 'WLCHGRU1';

export interface CharGRUConfig {
  labels: string[];
  /** Characters with ids 1..alphabet.length; id 0 is the unknown character. */
  alphabet: string[];
  embedDim: number;
  hidden: number;
  layers: number;
  reverse: boolean;
  maxLength: number;
}

export interface CharPrediction {
  label: string;
  probability: number;
}

export class CharGRUModel {
  readonly emb: nn.Embedding;
  readonly gru: nn.GRU;
  readonly out: nn.Linear;
  readonly params: Parameter[];
  private readonly ids = new Map<string, number>();
  private readonly batch = new nn.PackedBatch();
  private packed: Int32Array = new Int32Array(0);
  private readonly lengths: number[] = [];
  /** The products' kernels: WebAssembly SIMD where the runtime has it, else TypeScript. */
  kernels: nn.MatmulKernels = simdKernels() ?? nn.typescriptKernels;

  constructor(readonly config: CharGRUConfig, rng: Rng = new Rng(1)) {
    const c = config;
    if (c.labels.length < 2) throw new WordloomError('E_INPUT', `a classifier needs at least 2 labels, the data has ${c.labels.length}${c.labels.length ? ` (${c.labels[0]})` : ''}`, {}, 'give examples of two labels or more');
    c.alphabet.forEach((ch, i) => this.ids.set(ch, i + 1));
    this.emb = new nn.Embedding(c.alphabet.length + 1, c.embedDim, { rng: rng.fork(1), name: 'embedding.weight' });
    this.gru = new nn.GRU(c.embedDim, c.hidden, { numLayers: c.layers, reverse: c.reverse, rng: rng.fork(2), name: 'gru' });
    this.out = new nn.Linear(c.hidden, c.labels.length, { rng: rng.fork(3), name: 'linear' });
    this.params = [...this.emb.params, ...this.gru.params, ...this.out.params];
  }

  /** The ids of a text's characters (code points), cut at maxLength; an empty text reads as one unknown character. */
  encode(text: string): Int32Array {
    const out: number[] = [];
    for (const ch of text) {
      if (out.length >= this.config.maxLength) break;
      out.push(this.ids.get(ch) ?? 0);
    }
    if (out.length === 0) out.push(0);
    return Int32Array.from(out);
  }

  /**
   * Logits (texts x labels, the output layer's buffer) of a batch of encoded texts.
   * Packs the batch (sorted by length inside the GRU's layout), so any lengths mix.
   */
  logits(seqs: readonly Int32Array[]): Float32Array {
    this.lengths.length = seqs.length;
    for (let i = 0; i < seqs.length; i++) this.lengths[i] = seqs[i]!.length;
    const b = this.batch.reset(this.lengths, { reverse: this.config.reverse, maxLength: this.config.maxLength });
    this.packed = b.packIds(seqs, this.packed);
    const before = nn.useKernels(this.kernels);
    try {
      return this.out.forward(this.gru.forwardPacked(b, this.emb.forward(this.packed)));
    } finally {
      nn.useKernels(before);
    }
  }

  /** Backward pass of the last logits(): dLoss/dlogits in, gradients added to every parameter. */
  backward(dLogits: Float32Array): void {
    const before = nn.useKernels(this.kernels);
    try {
      this.emb.backward(this.gru.backwardPacked(this.out.backward(dLogits)));
    } finally {
      nn.useKernels(before);
    }
  }

  /** Labels of each text, most probable first (k of them, with probability >= threshold). */
  predict(texts: readonly string[], k = 1, threshold = 0, batchSize = 256): CharPrediction[][] {
    const L = this.config.labels.length;
    const res: CharPrediction[][] = [];
    for (let s = 0; s < texts.length; s += batchSize) {
      const seqs = texts.slice(s, s + batchSize).map((t) => this.encode(t));
      const z = this.logits(seqs);
      for (let i = 0; i < seqs.length; i++) {
        let max = -Infinity;
        for (let j = 0; j < L; j++) max = Math.max(max, z[i * L + j]!);
        let sum = 0;
        for (let j = 0; j < L; j++) sum += Math.exp(z[i * L + j]! - max);
        const preds = this.config.labels.map((label, j) => ({ label, probability: Math.exp(z[i * L + j]! - max) / sum }));
        preds.sort((a, b) => b.probability - a.probability || (a.label < b.label ? -1 : 1));
        res.push(preds.filter((p) => p.probability >= threshold).slice(0, k));
      }
    }
    return res;
  }

  /** Write the model (atomically: a temporary file renamed into place). */
  async save(file: string): Promise<void> {
    const c = this.config;
    await writeParamFile(file, CHAR_GRU_MAGIC, {
      format: 'wordloom-char-gru', version: 1, labels: c.labels, alphabet: c.alphabet, embed_dim: c.embedDim, hidden: c.hidden,
      layers: c.layers, reverse: c.reverse, max_length: c.maxLength,
    }, this.params);
  }

  static async load(file: string): Promise<CharGRUModel> {
    const { header: h, bad, fill } = await readParamFile(file, CHAR_GRU_MAGIC, 'char-gru model', 'train one with `wordloom char-gru train ... -o model.bin`');
    if (h?.format !== 'wordloom-char-gru' || h.version !== 1) bad(`format ${JSON.stringify(h?.format)} version ${JSON.stringify(h?.version)}`);
    if (!Array.isArray(h.labels) || !Array.isArray(h.alphabet) || !Array.isArray(h.params)) bad('the header lacks labels, alphabet or params');
    const model = new CharGRUModel({ labels: h.labels, alphabet: h.alphabet, embedDim: h.embed_dim, hidden: h.hidden, layers: h.layers, reverse: !!h.reverse, maxLength: h.max_length });
    fill(model.params);
    return model;
  }
}
