// The main job's data, as the benchmarks and quality studies use it: WikiText-2
// train, ASCII-lowercased, `<unk>` written `unk`, vocabulary min_count 5 (20,487
// words), co-occurrences over a symmetric 1/distance window of 15 (9,552,195
// records). Built from the bundled data with the tokenize, vocab and cooccur ops.
const OPS = new URL('../../packages/ops/dist/src/index.js', import.meta.url).href;

/** A path under the repository root. */
export const repoPath = (p) => new URL('../../' + p, import.meta.url).pathname;

/** The evaluation files of the main job's quality figures. */
export const mainJobEval = {
  analogies: [repoPath('data/eval/questions-words.txt')],
  similarity: [repoPath('data/eval/wordsim353.tsv')],
  methods: ['3CosAdd'],
};

/** Tokenize, count and window the corpus: { ops, ctx, vocab, cooc }. */
export async function mainJobCooccurrences({ threads = 2 } = {}) {
  const ops = await import(OPS);
  const { tokenize, tokenizeDefaults, buildVocab, countTokenStream, standaloneContext } = ops;
  const ctx = standaloneContext({ threads });
  const input = repoPath('data/corpora/wikitext-2/wiki.train.tokens.gz');
  const stream = tokenize(tokenizeDefaults({ input, lowercase: 'ascii', replace: { '<unk>': 'unk' } }), ctx);
  const vocab = await buildVocab(stream, { min_count: 5, max_size: 0 });
  const cooc = await countTokenStream(stream, vocab, { window: 15 }, ctx);
  return { ops, ctx, vocab, cooc };
}
