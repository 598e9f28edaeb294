#!/usr/bin/env python3
"""Reference numbers from gensim for the knn and evaluate tests.

Loads data/fixtures/wt2-sg-d20-4k.bin (see make_vectors_fixture.py) with gensim and
writes data/fixtures/gensim-reference.json:

- analogies on data/eval/questions-words.txt: 3CosAdd is gensim's own
  KeyedVectors.evaluate_word_analogies; 3CosMul is the same loop calling
  most_similar_cosmul (gensim 4.2's evaluate_word_analogies ignores its
  similarity_function argument), on the vectors cut to the first restrict_vocab
  words (most_similar_cosmul has no working restrict_vocab in 4.2);
- word pairs: KeyedVectors.evaluate_word_pairs on wordsim353.tsv and simlex999.txt;
- neighbours: KeyedVectors.most_similar(word, topn=10[, restrict_vocab]).

Tests compare with these numbers without Python. Run from the repository root with
Debian's python3-gensim (4.2.0):
    python3 scripts/gensim_reference.py
"""
import itertools
import json
import sys

import gensim
import numpy
import scipy
from gensim import utils
from gensim.models import KeyedVectors

VECTORS = 'data/fixtures/wt2-sg-d20-4k.bin'
OUT = 'data/fixtures/gensim-reference.json'
ANALOGIES = 'data/eval/questions-words.txt'
PAIRS = ['data/eval/wordsim353.tsv', 'data/eval/simlex999.txt']
CASES = [
    {'restrict_vocab': 300000, 'case_insensitive': True},
    {'restrict_vocab': 1000, 'case_insensitive': True},
    {'restrict_vocab': 300000, 'case_insensitive': False},
]
KNN_WORDS = ['the', 'king', 'France', 'university', 'river', 'music', 'war', 'game', 'church', 'January',
             'film', 'played', 'three', 'German', 'ship', 'song', 'city', 'he', 'not-a-word']


def analogy_loop(kv, analogies, restrict_vocab, case_insensitive, solve):
    """gensim 4.2 evaluate_word_analogies, verbatim but for `solve` (and it records line numbers)."""
    ok_keys = kv.index_to_key[:restrict_vocab]
    if case_insensitive:
        ok_vocab = {k.upper(): kv.get_index(k) for k in reversed(ok_keys)}
    else:
        ok_vocab = {k: kv.get_index(k) for k in reversed(ok_keys)}
    oov = 0
    sections, section = [], None
    quadruplets_no = 0
    correct_lines = []
    with utils.open(analogies, 'rb') as fin:
        for line_no, line in enumerate(fin):
            line = utils.to_unicode(line)
            if line.startswith(': '):
                if section:
                    sections.append(section)
                section = {'section': line.lstrip(': ').strip(), 'correct': [], 'incorrect': []}
            else:
                if not section:
                    raise ValueError('Missing section header before line #%i in %s' % (line_no, analogies))
                try:
                    if case_insensitive:
                        a, b, c, expected = [word.upper() for word in line.split()]
                    else:
                        a, b, c, expected = [word for word in line.split()]
                except ValueError:
                    continue
                quadruplets_no += 1
                if a not in ok_vocab or b not in ok_vocab or c not in ok_vocab or expected not in ok_vocab:
                    oov += 1
                    continue
                original_key_to_index = kv.key_to_index
                kv.key_to_index = ok_vocab
                ignore = {a, b, c}
                predicted = None
                sims = solve(kv, a, b, c)
                kv.key_to_index = original_key_to_index
                for element in sims:
                    predicted = element[0].upper() if case_insensitive else element[0]
                    if predicted in ok_vocab and predicted not in ignore:
                        break
                if predicted == expected:
                    section['correct'].append((a, b, c, expected))
                    correct_lines.append(line_no + 1)
                else:
                    section['incorrect'].append((a, b, c, expected))
    if section:
        sections.append(section)
    total = {
        'section': 'Total accuracy',
        'correct': list(itertools.chain.from_iterable(s['correct'] for s in sections)),
        'incorrect': list(itertools.chain.from_iterable(s['incorrect'] for s in sections)),
    }
    sections.append(total)
    return sections, oov, quadruplets_no, correct_lines


def summarize(sections, oov, questions, correct_lines=None):
    *parts, total = sections
    c, i = len(total['correct']), len(total['incorrect'])
    out = {
        'accuracy': c / (c + i) if c + i else 0.0,
        'correct': c,
        'incorrect': i,
        'oov': oov,
        'questions': questions,
        'sections': [{'section': s['section'], 'correct': len(s['correct']), 'incorrect': len(s['incorrect'])} for s in parts],
    }
    if correct_lines is not None:
        out['correct_lines'] = correct_lines
    return out


def head(kv, n):
    if n >= len(kv):
        return kv
    small = KeyedVectors(vector_size=kv.vector_size)
    small.add_vectors(kv.index_to_key[:n], kv.vectors[:n])
    return small


def main():
    kv = KeyedVectors.load_word2vec_format(VECTORS, binary=True)
    ref = {
        'made_by': 'scripts/gensim_reference.py',
        'gensim': gensim.__version__,
        'numpy': numpy.__version__,
        'scipy': scipy.__version__,
        'vectors': VECTORS,
        'words': len(kv),
        'cases': [],
        'knn': [],
    }
    for case in CASES:
        rv, ci = case['restrict_vocab'], case['case_insensitive']
        entry = dict(case)
        score, sections = kv.evaluate_word_analogies(ANALOGIES, restrict_vocab=rv, case_insensitive=ci)
        # gensim's own numbers; the replicated loop (which also records the lines answered right) must agree.
        mine = analogy_loop(kv, ANALOGIES, rv, ci, lambda m, a, b, c: m.most_similar(positive=[b, c], negative=[a], topn=5, restrict_vocab=rv))
        add = summarize(sections, mine[1], mine[2], mine[3])
        assert abs(add['accuracy'] - score) < 1e-12 and add == summarize(*mine), 'replicated loop disagrees with gensim'
        cut = head(kv, rv)
        mul = summarize(*analogy_loop(cut, ANALOGIES, rv, ci, lambda m, a, b, c: m.most_similar_cosmul(positive=[b, c], negative=[a], topn=5)))
        entry['analogies'] = {'file': ANALOGIES, '3CosAdd': add, '3CosMul': mul}
        entry['similarity'] = []
        for p in PAIRS:
            pearson, spearman, oov_ratio = kv.evaluate_word_pairs(p, restrict_vocab=rv, case_insensitive=ci)
            entry['similarity'].append({'file': p, 'pearson': float(pearson[0]), 'spearman': float(spearman[0]), 'oov_ratio': float(oov_ratio)})
        ref['cases'].append(entry)
    for rv in (None, 1000):
        for w in KNN_WORDS:
            if w not in kv.key_to_index:
                ref['knn'].append({'word': w, 'restrict_vocab': rv, 'missing': True})
                continue
            sims = kv.most_similar(w, topn=10, restrict_vocab=rv)
            ref['knn'].append({'word': w, 'restrict_vocab': rv, 'neighbors': [[x, float(s)] for x, s in sims]})
    with open(OUT, 'w') as f:
        json.dump(ref, f, indent=1)
        f.write('\n')
    print(f'gensim {gensim.__version__}: wrote {OUT}', file=sys.stderr)


if __name__ == '__main__':
    main()
