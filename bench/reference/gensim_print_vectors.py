#!/usr/bin/env python3
"""Anchor for bench/fasttext-load.mjs: load a fastText .bin with gensim's
load_facebook_vectors and print `word v1 ... vd` for each word read from stdin,
as `fasttext print-word-vectors` does."""
import sys
from gensim.models.fasttext import load_facebook_vectors

kv = load_facebook_vectors(sys.argv[1])
out = sys.stdout
for line in sys.stdin:
    w = line.strip()
    if not w:
        continue
    v = kv[w]
    out.write(w + ' ' + ' '.join('%.5g' % x for x in v) + '\n')
