// Helper of scripts/make_fasttext_write_fixtures.sh: writes a wordloom classifier made
// from a fastText softmax model back as a fastText .bin with the classifier's own writer.
// Usage: node scripts/fasttext-write-fixture.mjs <supervised.bin> <out.bin>
import { ClassifierModel, readFastTextModel } from '../packages/ops/dist/src/index.js';

const [input, out] = process.argv.slice(2);
const model = ClassifierModel.fromFastText(readFastTextModel(input));
await model.saveFastText(out);
