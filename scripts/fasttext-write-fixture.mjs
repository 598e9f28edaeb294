// Helper of scripts/make_fasttext_write_fixtures.sh: writes models with wordloom's own
// writers for fastText to load.
//   node scripts/fasttext-write-fixture.mjs classifier <supervised.bin> <out.bin>
//     a wordloom classifier made from a fastText softmax model, saved as a fastText .bin
//   node scripts/fasttext-write-fixture.mjs ftz <model.bin> <out.ftz>
//     the model product-quantized (dsub 3, qnorm, qout, 8 k-means iterations), as a .ftz
// The tests make the same files with the same settings and compare their sha256.
import { ClassifierModel, quantizeModel, readFastTextModel, writeFastTextModel } from '../packages/ops/dist/src/index.js';

const [mode, input, out] = process.argv.slice(2);
if (mode === 'classifier') {
  await ClassifierModel.fromFastText(readFastTextModel(input)).saveFastText(out);
} else if (mode === 'ftz') {
  await writeFastTextModel(quantizeModel(readFastTextModel(input), { dsub: 3, qnorm: true, qout: true, iterations: 8 }), out);
} else {
  console.error('usage: node scripts/fasttext-write-fixture.mjs classifier|ftz <model> <out>');
  process.exit(2);
}
