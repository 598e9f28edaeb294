export { countCooccurrences, validateRanks, RankStreamCounter, CooccurEngine, closeCooccurPools, openCooccurPools } from './count.js';
export { countTokenStream, cooccurFile, readGloveCorpus } from './stream.js';
export type { CorpusReadStats } from './stream.js';
export { cooccurParamSpecs, resolveCooccurParams, COOCCUR_DEFAULTS } from './params.js';
export type { CooccurParams } from './params.js';
export { cooccurOp } from './op.js';
