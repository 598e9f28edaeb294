/**
 * fasttext-model: read a fastText .bin/.ftz model as a vectors artifact that also
 * makes vectors for words outside its vocabulary (from their character n-grams).
 */
import { resolve } from 'node:path';
import { defineOp, type ParamSpecs } from '../op.js';
import { loadFastTextModel, readFastTextModel } from './reader.js';
import { SubwordEmbeddings } from './embeddings.js';

export interface FastTextModelParams {
  model: string;
  limit?: number;
  lazy: boolean;
}

export const fasttextModelParams: ParamSpecs = {
  model: { type: 'path', mustExist: true, doc: 'the fastText model file (.bin or .ftz; every fastText format, supervised or not)' },
  limit: { type: 'int', optional: true, min: 1, doc: 'rows for only the first N words (the most frequent); others still get vectors as unseen words' },
  lazy: { type: 'boolean', default: false, doc: 'leave the input matrix in the file and read rows when needed (less memory for a large .bin)' },
};

export const fasttextModelOp = defineOp<FastTextModelParams, SubwordEmbeddings>({
  name: 'fasttext-model',
  summary: "Read a fastText .bin/.ftz model: its words' vectors as fastText computes them, and vectors for unseen words from their character n-grams (knn, evaluate and the clustering ops use them).",
  params: fasttextModelParams,
  inputs: {},
  output: 'vectors',
  run: async (_inputs, params, ctx) => {
    const file = resolve(ctx.baseDir, params.model);
    ctx.progress({ phase: 'reading', message: `reading ${file}` });
    const model = params.lazy
      ? readFastTextModel(file, { output: false, lazy: true })
      : await loadFastTextModel(file, { output: false, signal: ctx.signal, onProgress: (done, total) => ctx.progress({ phase: 'reading', done, total, unit: 'bytes' }) });
    const a = model.args;
    ctx.log(
      `${file}: fastText ${model.version ? `version ${model.version}` : 'oldest format'} ${a.model} model, ${model.dict.nwords} words${model.dict.nlabels ? `, ${model.dict.nlabels} labels` : ''}, dim ${a.dim}, ` +
        (model.hasSubwords ? `character n-grams ${a.minn}-${a.maxn} in ${model.dict.isPruned ? `${model.dict.pruneidxSize} kept of ` : ''}${a.bucket} buckets` : 'no character n-grams (unseen words get no vector)') +
        (model.quantInput ? ', product-quantized' : ''),
    );
    ctx.progress({ phase: 'computing', done: 0, total: model.dict.nwords, unit: 'words' });
    const emb = SubwordEmbeddings.fromModel(model, { limit: params.limit });
    ctx.progress({ phase: 'done', done: emb.size, total: emb.size, unit: 'words', metrics: { words: emb.size, dim: emb.dim } });
    return emb;
  },
});
