/**
 * The operators that pipelines can name. Each operator folder exports its
 * OperatorDef; add it here (one import, one entry).
 */
import type { OperatorDef } from './op.js';
import { tokenizeOp } from './tokenize/index.js';
import { vocabOp } from './vocab/index.js';
import { knnOp } from './knn/index.js';
import { evaluateOp } from './evaluate/index.js';
import { cooccurOp } from './cooccur/index.js';
import { gloveOp } from './glove/index.js';
import { knnGraphOp } from './knn-graph/index.js';
import { classifyOp } from './classify/index.js';
import { chineseWhispersOp } from './chinese-whispers/index.js';
import { dbscanOp } from './dbscan/index.js';
import { reportOp } from './report/index.js';
import { fasttextModelOp } from './subword/op.js';
import { subwordsOp } from './subwords/index.js';
import { linearOp } from './linear/index.js';
import { word2vecOp } from './word2vec/index.js';
import { charGruOp } from './char-gru/index.js';
import { stemTripletOp } from './stem-triplet/index.js';
import { ksparseOp } from './ksparse/index.js';

export const operators: OperatorDef[] = [
  tokenizeOp,
  vocabOp,
  knnOp,
  evaluateOp,
  cooccurOp,
  gloveOp,
  knnGraphOp,
  classifyOp,
  chineseWhispersOp,
  dbscanOp,
  reportOp,
  fasttextModelOp,
  subwordsOp,
  linearOp,
  word2vecOp,
  charGruOp,
  stemTripletOp,
  ksparseOp,
];

export function findOperator(name: string): OperatorDef | undefined {
  return operators.find((o) => o.name === name);
}
