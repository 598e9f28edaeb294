#!/usr/bin/env bash
# Checks that fastText itself loads the model files wordloom writes, and records what it
# prints for them, so that the tests (which never run fastText) can assert that the
# bytes wordloom writes today are the bytes fastText loaded (sha256) and give those
# vectors and predictions. Needs the build (npx pnpm build) and Debian's fasttext 0.9.2.
# Inputs: models under data/fasttext/ and data/classify/rt-polarity.{pos,neg}.
# Run from the repository root: bash scripts/make_fasttext_write_fixtures.sh
set -euo pipefail
FT=${FASTTEXT:-/usr/bin/fasttext}
D=data/fasttext
W="node packages/cli/dist/src/bin.js"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
sum() { sha256sum "$1" | cut -d' ' -f1; }

# a supervised softmax model without character n-grams (what a wordloom classifier is):
# 2000 lines of each rt-polarity file, lowercased, word bigrams
{ head -n 2000 data/classify/rt-polarity.pos | awk '{ print "__label__pos " tolower($0) }'
  head -n 2000 data/classify/rt-polarity.neg | awk '{ print "__label__neg " tolower($0) }'; } | paste -d '\n' - - > "$T/sm.train"
"$FT" supervised -input "$T/sm.train" -output "$T/sup_sm" -loss softmax -wordNgrams 2 -minn 0 -maxn 0 -bucket 3000 -dim 8 -epoch 5 -lr 0.5 -minCount 1 -thread 1 -seed 5 -verbose 0
cp "$T/sup_sm.bin" "$D/sup_sm.bin"
"$FT" predict-prob "$D/sup_sm.bin" "$D/rt_sup.test.txt" 2 > "$D/sup_sm.bin.predict-prob.txt"

# models written by wordloom: .bin of the oldest format, a float16 subword model made a
# .bin again, a version-11 supervised model, and a classifier made from sup_sm
$W convert "$D/lee_fasttext.bin" "$T/lee.bin" 2>/dev/null
$W convert "$D/ft_wt2_sg.bin" "$T/wt2.subword" --float16 2>/dev/null
$W convert "$T/wt2.subword" "$T/wt2_f16.bin" 2>/dev/null
$W convert "$D/sup_hs_v11.bin" "$T/sup_hs_v11.bin" 2>/dev/null
node scripts/fasttext-write-fixture.mjs classifier "$D/sup_sm.bin" "$T/classifier.bin"
node scripts/fasttext-write-fixture.mjs ftz "$D/lee_fasttext_new.bin" "$T/lee_q.ftz"

O=$D/written.txt
{
  echo "# sha256 of the files wordloom wrote, each followed by what fasttext printed for it"
  echo "## lee.bin $(sum "$T/lee.bin") print-word-vectors lee.words.txt"
  "$FT" print-word-vectors "$T/lee.bin" < "$D/lee.words.txt"
  echo "## wt2_f16.bin $(sum "$T/wt2_f16.bin") print-word-vectors ft_wt2_sg.words.txt"
  "$FT" print-word-vectors "$T/wt2_f16.bin" < "$D/ft_wt2_sg.words.txt"
  echo "## sup_hs_v11.bin $(sum "$T/sup_hs_v11.bin") predict-prob sup4.test.txt 3"
  "$FT" predict-prob "$T/sup_hs_v11.bin" "$D/sup4.test.txt" 3
  echo "## classifier.bin $(sum "$T/classifier.bin") predict-prob rt_sup.test.txt 2"
  "$FT" predict-prob "$T/classifier.bin" "$D/rt_sup.test.txt" 2
  echo "## lee_q.ftz $(sum "$T/lee_q.ftz") print-word-vectors lee.words.txt"
  "$FT" print-word-vectors "$T/lee_q.ftz" < "$D/lee.words.txt"
} > "$O"
echo "fixtures written: $D/sup_sm.bin, $D/sup_sm.bin.predict-prob.txt, $O"
