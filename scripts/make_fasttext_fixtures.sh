#!/usr/bin/env bash
# Makes the extra fastText fixtures under data/fasttext/ with Debian's fasttext tool
# (0.9.2), so that every loss (softmax, hs, one-vs-all), cbow, a quantized output
# matrix with qnorm, a sub-quantizer width that does not divide dim, and a version-11
# supervised file have reference outputs printed by fastText itself.
# Inputs: data/classify/rt-polarity.{pos,neg}, data/corpora/lee_background.cor, and
# the models copied into data/fasttext/ (see data/README.md).
# Run from the repository root: bash scripts/make_fasttext_fixtures.sh
set -euo pipefail
FT=${FASTTEXT:-/usr/bin/fasttext}
D=data/fasttext
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# --- labelled rt-polarity: every 5th line of each file is held out for testing ---
# 4 classes (polarity x length) for the hierarchical softmax, so its Huffman tree has
# inner nodes of different depths; two labels per line (polarity, length) for one-vs-all.
mk() { # file label
  awk -v L="$2" '{ n = split($0, w, " "); len = (n > 20) ? "long" : "short";
    line = tolower($0);
    if (NR % 5 == 0) print "__label__" L "_" len " " line > "'"$T"'/test4." L;
    else print "__label__" L "_" len " " line > "'"$T"'/train4." L;
    if (NR % 5 == 0) print "__label__" L " __label__" len " " line > "'"$T"'/testml." L;
    else print "__label__" L " __label__" len " " line > "'"$T"'/trainml." L; }' "$1"
}
mk data/classify/rt-polarity.pos pos
mk data/classify/rt-polarity.neg neg
# interleave pos and neg lines (paste alternates them), keep 3000 for training
paste -d '\n' "$T/train4.pos" "$T/train4.neg" | awk 'NR <= 3000' > "$T/train4.txt"
paste -d '\n' "$T/trainml.pos" "$T/trainml.neg" | awk 'NR <= 3000' > "$T/trainml.txt"
paste -d '\n' "$T/test4.pos" "$T/test4.neg" | awk 'NR <= 300' > "$D/sup4.test.txt"
paste -d '\n' "$T/testml.pos" "$T/testml.neg" | awk 'NR <= 300' > "$D/supml.test.txt"

# a labelled test file for the rt_sup models (the last 150 lines of each polarity)
{ tail -n 150 data/classify/rt-polarity.pos | awk '{ print "__label__pos " tolower($0) }'
  tail -n 150 data/classify/rt-polarity.neg | awk '{ print "__label__neg " tolower($0) }'; } > "$D/rt_sup.test.txt"

common="-dim 10 -epoch 5 -lr 0.5 -minCount 1 -thread 1 -seed 5 -verbose 0"
"$FT" supervised -input "$T/train4.txt" -output "$T/sup_hs" -loss hs -wordNgrams 2 -minn 2 -maxn 3 -bucket 6000 $common
"$FT" supervised -input "$T/trainml.txt" -output "$T/sup_ova" -loss ova -wordNgrams 3 -minn 0 -maxn 0 -bucket 4000 $common
# quantize: sub-quantizers of 4 for dim 10 (the last covers 2), norms quantized, dictionary pruned
"$FT" quantize -input "$T/train4.txt" -output "$T/sup_hs" -dsub 4 -qnorm -cutoff 2500 -retrain -epoch 1 -thread 1 -verbose 0
# many labels (an output matrix can only be quantized with 256 rows or more): each line's
# first word is its label (hierarchical softmax over a deep Huffman tree); quantized with
# sub-quantizers of 3 (the last covers 1), quantized norms and a quantized output matrix
cat data/classify/rt-polarity.pos data/classify/rt-polarity.neg | awk '{ $0 = tolower($0); f = $1; $1 = ""; line = "__label__" f $0;
  if (NR % 10 == 0) print line > "'"$T"'/many.test"; else print line > "'"$T"'/many.train" }'
awk 'NR <= 300' "$T/many.test" > "$D/supmany.test.txt"
"$FT" supervised -input "$T/many.train" -output "$T/sup_many" -loss hs -minn 3 -maxn 4 -bucket 4000 -dim 10 -epoch 3 -lr 0.3 -minCount 1 -thread 1 -seed 5 -verbose 0
"$FT" quantize -input "$T/many.train" -output "$T/sup_many" -dsub 3 -qnorm -qout -cutoff 3000 -thread 1 -verbose 0
cp "$T/sup_many.ftz" "$D/sup_many.ftz"
cp "$T/sup_hs.bin" "$D/sup_hs.bin"
cp "$T/sup_hs.ftz" "$D/sup_hs.ftz"
cp "$T/sup_ova.bin" "$D/sup_ova.bin"
# version 11: the same hs file with its version field set to 11; fastText then drops character n-grams (maxn = 0)
cp "$D/sup_hs.bin" "$D/sup_hs_v11.bin"
printf '\x0b' | dd of="$D/sup_hs_v11.bin" bs=1 seek=4 count=1 conv=notrunc status=none

# --- tiny models, small enough to cut at every byte in the tests ---
awk 'NR <= 40' "$T/train4.txt" > "$T/tiny.train"
"$FT" supervised -input "$T/tiny.train" -output "$T/tiny_sup" -loss softmax -dim 4 -epoch 2 -minCount 3 -wordNgrams 2 -minn 2 -maxn 3 -bucket 300 -thread 1 -seed 5 -verbose 0
"$FT" quantize -input "$T/tiny.train" -output "$T/tiny_sup" -dsub 3 -qnorm -cutoff 280 -thread 1 -verbose 0
cp "$T/tiny_sup.bin" "$T/tiny_sup.ftz" "$D/"
"$FT" predict-prob "$D/tiny_sup.bin" "$D/sup4.test.txt" 2 > "$D/tiny_sup.bin.predict-prob.txt"
"$FT" predict-prob "$D/tiny_sup.ftz" "$D/sup4.test.txt" 2 > "$D/tiny_sup.ftz.predict-prob.txt"

# --- cbow on the Lee corpus ---
"$FT" cbow -input data/corpora/lee_background.cor -output "$T/cbow_lee" -dim 12 -minn 2 -maxn 5 -bucket 8000 -epoch 3 -minCount 3 -thread 1 -seed 5 -verbose 0
cp "$T/cbow_lee.bin" "$D/cbow_lee.bin"

# --- reference outputs ---
printf '%s\n' government governments fire firefighters australia australian unknownword über наука a xyzzyq '</s>' > "$D/cbow_lee.words.txt"
"$FT" print-word-vectors "$D/cbow_lee.bin" < "$D/cbow_lee.words.txt" > "$D/cbow_lee.word-vectors.txt"
for m in sup_hs.bin sup_hs.ftz sup_ova.bin sup_hs_v11.bin; do
  "$FT" print-word-vectors "$D/$m" < "$D/rt_sup.words.txt" > "$D/$m.word-vectors.txt"
done
for m in sup_hs.bin sup_hs.ftz sup_hs_v11.bin; do
  "$FT" predict-prob "$D/$m" "$D/sup4.test.txt" 3 > "$D/$m.predict-prob.txt"
  { "$FT" test "$D/$m" "$D/sup4.test.txt" 1; "$FT" test "$D/$m" "$D/sup4.test.txt" 2; } > "$D/$m.test.txt"
done
"$FT" predict-prob "$D/sup_many.ftz" "$D/supmany.test.txt" 3 > "$D/sup_many.ftz.predict-prob.txt"
{ "$FT" test "$D/sup_many.ftz" "$D/supmany.test.txt" 1; "$FT" test "$D/sup_many.ftz" "$D/supmany.test.txt" 5; } > "$D/sup_many.ftz.test.txt"
"$FT" print-word-vectors "$D/sup_many.ftz" < "$D/rt_sup.words.txt" > "$D/sup_many.ftz.word-vectors.txt"
"$FT" predict-prob "$D/sup_ova.bin" "$D/supml.test.txt" 4 0.2 > "$D/sup_ova.bin.predict-prob.txt"
{ "$FT" test "$D/sup_ova.bin" "$D/supml.test.txt" 1; "$FT" test "$D/sup_ova.bin" "$D/supml.test.txt" 2; } > "$D/sup_ova.bin.test.txt"
for m in rt_sup.bin rt_sup.ftz; do
  { "$FT" test "$D/$m" "$D/rt_sup.test.txt" 1; "$FT" test "$D/$m" "$D/rt_sup.test.txt" 2; } > "$D/$m.test.txt"
done
# print-ngrams: n-gram vectors (on pruned models fastText pairs the surviving rows with the names of the first n-grams)
for pair in "cbow_lee.bin government über a" "rt_sup.ftz movie amazingly zzqx" "sup_hs.ftz film unwatchable" "sup_many.ftz movie xqzv"; do
  set -- $pair
  m=$1; shift
  for w in "$@"; do echo "## $w"; "$FT" print-ngrams "$D/$m" "$w"; done > "$D/$m.print-ngrams.txt"
done
echo "fixtures written to $D"
