#!/usr/bin/env python3
"""Reference vocabularies from GloVe's vocab_count for the vocabulary-order tests.

Runs Stanford GloVe's vocab_count (build it from https://github.com/stanfordnlp/GloVe:
`gcc -O2 -o vocab_count src/vocab_count.c src/common.c`; it is not part of this
repository) on corpora whose ties on count exercise its exact order:
  - non-ASCII words tied with ASCII ones (vocab_count compares words as signed C
    chars, so bytes >= 0x80 sort before ASCII);
  - a -max-vocab cut inside a group of words tied on count (vocab_count keeps the
    ones its hash table yields first: buckets in order, move-to-front chains);
  - words that share one hash bucket, seen once or more, in several orders;
  - the bundled Bulgarian and Lee corpora with several cuts.
Small corpora are written next to the outputs, in data/fixtures/vocab-count/;
cases.json lists every case: corpus, vocab_count arguments, output file.

Run: python3 scripts/make_vocab_fixtures.py /path/to/vocab_count
"""
import json
import os
import random
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'data', 'fixtures', 'vocab-count')
TSIZE = 1048576


def bucket(word: bytes) -> int:
    """GloVe's bitwisehash (common.c), bytes taken as signed chars; only used to find collisions."""
    h = 1159241
    for b in word:
        c = b - 256 if b >= 128 else b
        h ^= ((h << 5) + c + (h >> 2)) & 0xFFFFFFFF
        h &= 0xFFFFFFFF
    return (h & 0x7FFFFFFF) % TSIZE


def colliding(prefix: str, n: int, start: int = 0) -> list:
    """The first n words prefix+number (from start) that fall into one bucket."""
    seen = {}
    i = start
    while True:
        w = f'{prefix}{i}'
        b = bucket(w.encode())
        seen.setdefault(b, []).append(w)
        if len(seen[b]) == n:
            return seen[b]
        i += 1


def main() -> None:
    tool = sys.argv[1] if len(sys.argv) > 1 else 'vocab_count'
    os.makedirs(OUT, exist_ok=True)
    corpora = {}

    corpora['nonascii-tie.txt'] = 'a \u00e9\n'
    corpora['cut-tie.txt'] = 'b c\n'
    # Prefixes and extensions by ASCII and non-ASCII bytes, capitals, digits, Cyrillic.
    corpora['prefixes.txt'] = 'a a\u00e9 ab A \u00e9 \u00e9a z 1 \u0436 \u0436a a\u0436 Z \u00e9\u00e9 ~\n'

    # Five words in one bucket, each seen 3 times, and three in another, each seen twice,
    # in an order where last occurrences differ from first ones; one bucket of words seen once.
    c5 = colliding('w', 5)
    c3 = colliding('k', 3)
    c4 = colliding('u', 4)
    rng = random.Random(13)
    toks = [w for w in c5 for _ in range(3)] + [w for w in c3 for _ in range(2)] + c4
    rng.shuffle(toks)
    lines = [' '.join(toks[i:i + 7]) for i in range(0, len(toks), 7)]
    lines.append(' '.join(['the'] * 9))
    corpora['collide.txt'] = '\n'.join(lines) + '\n'
    # Counts 1 and 2 in one bucket: the two seen twice come out latest last occurrence
    # first (c6[1], then c6[0], although c6[0] came first), then those seen once in corpus order.
    c6 = colliding('q', 6)
    corpora['collide2.txt'] = ' '.join([c6[0], c6[1], c6[2], c6[3], c6[0], c6[4], c6[1], c6[5], 'x', 'x', 'x']) + '\n'

    # Random words over a small mixed alphabet, many ties on low counts.
    rng = random.Random(7)
    alphabet = ['a', 'b', 'A', '\u00e9', '\u0436', '\u4e2d', '1', '_']
    words = sorted({''.join(rng.choice(alphabet) for _ in range(rng.randint(1, 3))) for _ in range(400)})
    toks = []
    for i, w in enumerate(words):
        toks += [w] * max(1, int(40 / (i % 37 + 1)))
    rng.shuffle(toks)
    corpora['mixed.txt'] = '\n'.join(' '.join(toks[i:i + 17]) for i in range(0, len(toks), 17)) + '\n'

    for name, text in corpora.items():
        with open(os.path.join(OUT, name), 'w', encoding='utf-8') as f:
            f.write(text)

    cases = [
        ('nonascii-tie', 'fixtures/vocab-count/nonascii-tie.txt', []),
        ('cut-tie-1', 'fixtures/vocab-count/cut-tie.txt', ['-max-vocab', '1']),
        ('prefixes', 'fixtures/vocab-count/prefixes.txt', []),
        ('prefixes-cut-5', 'fixtures/vocab-count/prefixes.txt', ['-max-vocab', '5']),
    ]
    for m in range(1, 14):
        cases.append((f'collide-cut-{m}', 'fixtures/vocab-count/collide.txt', ['-max-vocab', str(m)]))
    for m in range(1, 7):
        cases.append((f'collide2-cut-{m}', 'fixtures/vocab-count/collide2.txt', ['-max-vocab', str(m)]))
    cases.append(('mixed', 'fixtures/vocab-count/mixed.txt', []))
    for m in [10, 50, 100, 150, 200]:
        cases.append((f'mixed-cut-{m}', 'fixtures/vocab-count/mixed.txt', ['-max-vocab', str(m)]))
    cases.append(('bg', 'corpora/bg-wiki-sample.txt', []))
    for m in [100, 1000, 3000, 6000]:
        cases.append((f'bg-cut-{m}', 'corpora/bg-wiki-sample.txt', ['-max-vocab', str(m)]))
    cases.append(('bg-min2-cut-1500', 'corpora/bg-wiki-sample.txt', ['-min-count', '2', '-max-vocab', '1500']))
    for m in [700, 2000, 5000]:
        cases.append((f'lee-cut-{m}', 'corpora/lee_background.cor', ['-max-vocab', str(m)]))

    manifest = []
    for name, corpus, args in cases:
        with open(os.path.join(ROOT, 'data', corpus), 'rb') as f:
            out = subprocess.run([tool, '-verbose', '0', *args], stdin=f, capture_output=True, check=True).stdout
        with open(os.path.join(OUT, name + '.vocab.txt'), 'wb') as f:
            f.write(out)
        manifest.append({'name': name, 'corpus': corpus, 'args': args, 'output': f'fixtures/vocab-count/{name}.vocab.txt',
                         'words': out.count(b'\n')})
    with open(os.path.join(OUT, 'cases.json'), 'w') as f:
        json.dump({'tool': 'GloVe vocab_count (stanfordnlp/GloVe master, 52f7dbc)', 'collisions': [c5, c3, c4, c6], 'cases': manifest}, f, indent=1)
        f.write('\n')
    print('wrote', len(manifest), 'cases to', OUT)


if __name__ == '__main__':
    main()
