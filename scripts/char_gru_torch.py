#!/usr/bin/env python3
"""The char-gru classifier in PyTorch, the same model and training as wordloom's
(packages/ops/src/char-gru): characters -> ids (by frequency in the training texts,
0 for the unknown character), nn.Embedding(sparse=True) -> nn.GRU over packed
batches (pack_sequence, enforce_sorted=False; each text flipped with --reverse) ->
nn.Linear on the last state -> cross-entropy; SparseAdam for the embedding and Adam
for the rest, both at --lr; shuffled batches of --batch texts (the last one smaller).

Run with Debian's python3-torch (apt-get install -y python3-torch):
    /usr/bin/python3 scripts/char_gru_torch.py --train train.txt --test test.txt [--reverse] [--threads 2] [--device cuda]
The files hold fastText-format lines (__label__x text). Prints one JSON line:
accuracy on --test, seconds of each epoch's training, mean loss of each epoch.
bench/char-gru.mjs writes the files (the same seeded split as wordloom's) and runs both.
"""
import argparse
import json
import random
import sys
import time
from collections import Counter

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_sequence

ap = argparse.ArgumentParser()
ap.add_argument('--train', required=True)
ap.add_argument('--test', required=True)
ap.add_argument('--embed-dim', type=int, default=16)
ap.add_argument('--hidden', type=int, default=64)
ap.add_argument('--layers', type=int, default=1)
ap.add_argument('--reverse', action='store_true')
ap.add_argument('--epoch', type=int, default=5)
ap.add_argument('--lr', type=float, default=0.003)
ap.add_argument('--batch', type=int, default=32)
ap.add_argument('--min-count', type=int, default=1)
ap.add_argument('--max-length', type=int, default=1024)
ap.add_argument('--seed', type=int, default=1)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--device', default='cpu', help="where the model runs: cpu (default) or cuda")
ap.add_argument('--prefix', default='__label__')
ap.add_argument('--eval-each', action='store_true', help='test accuracy after every epoch (not counted in its seconds), a line on stderr each')
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
random.seed(a.seed)


def read(path):
    out = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            toks = line.split()
            labels = [t[len(a.prefix):] for t in toks if t.startswith(a.prefix)]
            words = [t for t in toks if not t.startswith(a.prefix)]
            if labels:
                out.append((' '.join(words), labels[0]))
    return out


train, test = read(a.train), read(a.test)
labels = sorted({l for _, l in train})
label_id = {l: i for i, l in enumerate(labels)}
counts = Counter(ch for t, _ in train for ch in t)
alphabet = [ch for ch, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if c >= a.min_count]
char_id = {ch: i + 1 for i, ch in enumerate(alphabet)}


def encode(text):
    ids = [char_id.get(ch, 0) for ch in text[:a.max_length]] or [0]
    return torch.tensor(ids[::-1] if a.reverse else ids, dtype=torch.long, device=a.device)


class CharGRU(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(len(alphabet) + 1, a.embed_dim, sparse=True)
        self.gru = nn.GRU(a.embed_dim, a.hidden, num_layers=a.layers)
        self.out = nn.Linear(a.hidden, len(labels))

    def forward(self, seqs):
        _, h_n = self.gru(pack_sequence([self.emb(s) for s in seqs], enforce_sorted=False))
        return self.out(h_n[-1])


model = CharGRU().to(a.device)
sparse_opt = torch.optim.SparseAdam(list(model.emb.parameters()), lr=a.lr)
dense_opt = torch.optim.Adam(list(model.gru.parameters()) + list(model.out.parameters()), lr=a.lr)
xs = [encode(t) for t, _ in train]
ys = torch.tensor([label_id[l] for _, l in train], device=a.device)
epoch_seconds, losses, accuracies = [], [], []


def accuracy():
    model.eval()
    correct = 0
    with torch.no_grad():
        for s in range(0, len(test), 256):
            part = test[s:s + 256]
            pred = model([encode(t) for t, _ in part]).argmax(1).tolist()
            correct += sum(1 for p, (_, l) in zip(pred, part) if labels[p] == l)
    return correct / len(test)


for ep in range(a.epoch):
    t0 = time.perf_counter()
    order = torch.randperm(len(xs)).tolist()
    total = 0.0
    model.train()
    for s in range(0, len(order), a.batch):
        idx = order[s:s + a.batch]
        loss = F.cross_entropy(model([xs[i] for i in idx]), ys[torch.tensor(idx, device=a.device)])
        sparse_opt.zero_grad()
        dense_opt.zero_grad()
        loss.backward()
        sparse_opt.step()
        dense_opt.step()
        total += loss.item() * len(idx)
    epoch_seconds.append(time.perf_counter() - t0)
    losses.append(total / len(xs))
    if a.eval_each:
        accuracies.append(accuracy())
        print(f'epoch {ep + 1}: loss {losses[-1]:.4f}, test accuracy {accuracies[-1]:.4f}, {epoch_seconds[-1]:.2f} s', file=sys.stderr, flush=True)

acc = accuracies[-1] if accuracies else accuracy()
print(json.dumps({'accuracy': acc, 'test': len(test), 'train': len(train), 'alphabet': len(alphabet),
                  'epoch_seconds': epoch_seconds, 'losses': losses, 'accuracies': accuracies, 'threads': a.threads, 'device': a.device, 'torch': torch.__version__}))
