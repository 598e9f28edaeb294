/**
 * fastText's training arguments as stored in a model file: twelve int32 values and
 * one float64, little-endian (56 bytes), in this order: dim, ws, epoch, minCount,
 * neg, wordNgrams, loss, model, bucket, minn, maxn, lrUpdateRate, t.
 */

/** The magic number at the start of a current fastText model file. */
export const FASTTEXT_MAGIC = 793712314;
/** The newest file version this module reads and writes. */
export const FASTTEXT_VERSION = 12;
/** Bytes of the stored args. */
export const ARGS_BYTES = 56;
/** fastText's default label prefix (not stored in the file). */
export const LABEL_PREFIX = '__label__';

export type LossName = 'hs' | 'ns' | 'softmax' | 'ova';
export type ModelName = 'cbow' | 'skipgram' | 'supervised';

/** Enum values in the file: loss hs=1 ns=2 softmax=3 ova=4; model cbow=1 sg=2 sup=3. */
export const LOSS_CODES: Record<LossName, number> = { hs: 1, ns: 2, softmax: 3, ova: 4 };
export const MODEL_CODES: Record<ModelName, number> = { cbow: 1, skipgram: 2, supervised: 3 };

export interface FastTextArgs {
  dim: number;
  ws: number;
  epoch: number;
  minCount: number;
  neg: number;
  wordNgrams: number;
  loss: LossName;
  model: ModelName;
  bucket: number;
  minn: number;
  maxn: number;
  lrUpdateRate: number;
  t: number;
  /** Whether the output matrix is product-quantized (read from the file, after the input matrix). */
  qout: boolean;
  /** Label prefix (fastText's -label; not stored in the file). */
  label: string;
}

export function lossName(code: number): LossName | undefined {
  return (Object.keys(LOSS_CODES) as LossName[]).find((k) => LOSS_CODES[k] === code);
}
export function modelName(code: number): ModelName | undefined {
  return (Object.keys(MODEL_CODES) as ModelName[]).find((k) => MODEL_CODES[k] === code);
}

/** fastText's defaults for a skipgram model (those of `fasttext skipgram`). */
export function defaultArgs(over: Partial<FastTextArgs> = {}): FastTextArgs {
  return {
    dim: 100, ws: 5, epoch: 5, minCount: 5, neg: 5, wordNgrams: 1, loss: 'ns', model: 'skipgram',
    bucket: 2000000, minn: 3, maxn: 6, lrUpdateRate: 100, t: 1e-4, qout: false, label: LABEL_PREFIX,
    ...over,
  };
}

/** The 56 bytes fastText stores for `args`. */
export function encodeArgs(args: FastTextArgs): Uint8Array {
  const out = new Uint8Array(ARGS_BYTES);
  const dv = new DataView(out.buffer);
  const ints = [args.dim, args.ws, args.epoch, args.minCount, args.neg, args.wordNgrams, LOSS_CODES[args.loss], MODEL_CODES[args.model], args.bucket, args.minn, args.maxn, args.lrUpdateRate];
  ints.forEach((v, i) => dv.setInt32(i * 4, v, true));
  dv.setFloat64(48, args.t, true);
  return out;
}
