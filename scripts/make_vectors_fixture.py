#!/usr/bin/env python3
"""Make the small real vectors fixture used by the knn/evaluate tests.

gensim 4.2 (Debian python3-gensim) Word2Vec, skip-gram, on the WikiText-2 train
split as is (cased, <unk> kept), one worker and a fixed seed; the 4,000 most
frequent words are written in word2vec binary format (exact float32) and the first
300 of them also in word2vec text format.

Run from the repository root:
    PYTHONHASHSEED=0 python3 scripts/make_vectors_fixture.py
"""
import gzip
import sys

import gensim
from gensim.models import KeyedVectors, Word2Vec

CORPUS = 'data/corpora/wikitext-2/wiki.train.tokens.gz'
OUT_BIN = 'data/fixtures/wt2-sg-d20-4k.bin'
OUT_TXT = 'data/fixtures/wt2-sg-d20-300.txt'
WORDS = 4000


def main():
    with gzip.open(CORPUS, 'rt', encoding='utf8') as f:
        sentences = [line.split() for line in f if line.strip()]
    model = Word2Vec(sentences, vector_size=20, window=5, min_count=5, sg=1, negative=5, epochs=3, workers=1, seed=1)
    kv = model.wv
    small = KeyedVectors(vector_size=kv.vector_size)
    small.add_vectors(kv.index_to_key[:WORDS], kv.vectors[:WORDS])
    small.save_word2vec_format(OUT_BIN, binary=True)
    head = KeyedVectors(vector_size=kv.vector_size)
    head.add_vectors(kv.index_to_key[:300], kv.vectors[:300])
    head.save_word2vec_format(OUT_TXT, binary=False)
    print(f'gensim {gensim.__version__}: {len(kv)} words trained, wrote {OUT_BIN} and {OUT_TXT}', file=sys.stderr)


if __name__ == '__main__':
    main()
