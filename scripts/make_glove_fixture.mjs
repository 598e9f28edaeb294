// Writes data/fixtures/wt2-glove-d50-1k.bin: the 1,000 most frequent words of the demo's
// GloVe vectors (examples/wikitext2-glove.yaml: WikiText-2 train, dim 50, 15 iterations,
// seed 1, 2 threads), word2vec binary. Run the demo first (npx pnpm@10.34.9 demo), then:
//   node scripts/make_glove_fixture.mjs [out/wikitext2/vectors.txt]
import { readVectors, writeVectors } from '../packages/ops/dist/src/index.js';

const src = process.argv[2] ?? 'out/wikitext2/vectors.txt';
const v = await readVectors(src, { limit: 1000 });
await writeVectors(v, 'data/fixtures/wt2-glove-d50-1k.bin', 'word2vec-binary');
console.log(`wrote data/fixtures/wt2-glove-d50-1k.bin: ${v.size} x ${v.dim}`);
