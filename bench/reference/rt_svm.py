#!/usr/bin/env python3
"""A linear SVM on TF-IDF unigrams and bigrams, trained and tested on fastText-format
files (labels as __label__X tokens, then the words): the comparison figure for the
classifier in bench/RESULTS.md. Prints "accuracy A (train N, test M)".

    python3 bench/reference/rt_svm.py train.txt test.txt

bench/whole.mjs writes the files (the seeded 90/10 split of rt-polarity) and runs this.
Needs scikit-learn. Deterministic: LinearSVC with its default dual coordinate descent
and a fixed random_state.
"""
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC


def read(path):
    labels, texts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            toks = line.split()
            labs = [t for t in toks if t.startswith("__label__")]
            if not labs:
                continue
            labels.append(labs[0])
            texts.append(" ".join(t for t in toks if not t.startswith("__label__")))
    return labels, texts


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: rt_svm.py train.txt test.txt")
    ytr, xtr = read(sys.argv[1])
    yte, xte = read(sys.argv[2])
    vec = TfidfVectorizer(ngram_range=(1, 2), token_pattern=r"\S+", lowercase=False, sublinear_tf=True)
    clf = LinearSVC(C=1.0, random_state=0)
    clf.fit(vec.fit_transform(xtr), ytr)
    pred = clf.predict(vec.transform(xte))
    acc = sum(int(p == y) for p, y in zip(pred, yte)) / len(yte)
    print(f"accuracy {acc:.4f} (train {len(ytr)}, test {len(yte)})")


if __name__ == "__main__":
    main()
