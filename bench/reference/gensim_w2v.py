#!/usr/bin/env python3
"""gensim 4.2 word2vec (no subwords) on a plain-text corpus, for bench/word2vec.mjs.

usage: gensim_w2v.py CORPUS OUT.vec MODEL(skipgram|cbow) DIM WS EPOCH MIN_COUNT THREADS SEED

Trains Word2Vec with gensim's defaults otherwise (negative 5, sample 1e-3, alpha
0.025 for skip-gram / 0.05 for CBOW, ns_exponent 0.75) and writes the vectors in
word2vec text format. Prints the training seconds as JSON on the last line.
"""
import json
import sys
import time

from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence

corpus, out, model, dim, ws, epoch, min_count, threads, seed = sys.argv[1:10]
sg = 1 if model == 'skipgram' else 0
t0 = time.time()
m = Word2Vec(
    LineSentence(corpus), vector_size=int(dim), window=int(ws), epochs=int(epoch), min_count=int(min_count),
    workers=int(threads), seed=int(seed), sg=sg, alpha=0.025 if sg else 0.05,
)
train = time.time() - t0
m.wv.save_word2vec_format(out, binary=False)
print(json.dumps({'train': train, 'words': len(m.wv)}))
