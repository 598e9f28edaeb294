#!/usr/bin/env python3
"""Forward and backward passes of PyTorch 1.13 layers for the wordloom nn tests.

Run with Debian's python3-torch (apt-get install -y python3-torch):
    /usr/bin/python3 scripts/make_nn_fixtures.py > data/fixtures/nn-layers.json

Every case is float32 with weights drawn by torch (seed 0) and written out, so the
tests load the same weights. A layer's backward is checked through a scalar
loss = sum(output * G) with a fixed random G (so dLoss/doutput = G); the losses
themselves are differentiated directly. Embedding gradients are written dense
(the sparse gradient coalesced). GRU cases: an unpacked batch of equal lengths,
packed batches of mixed lengths (pack_sequence, enforce_sorted=False) with one
and two layers, and right-to-left reading (each sequence flipped before packing).
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_sequence, pad_packed_sequence

torch.manual_seed(0)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def linear_case():
    lin = nn.Linear(5, 3)
    x = torch.randn(4, 5, requires_grad=True)
    g = torch.randn(4, 3)
    y = lin(x)
    (y * g).sum().backward()
    return {'in': 5, 'out': 3, 'rows': 4, 'weight': flat(lin.weight), 'bias': flat(lin.bias), 'x': flat(x), 'G': flat(g),
            'y': flat(y), 'dx': flat(x.grad), 'dweight': flat(lin.weight.grad), 'dbias': flat(lin.bias.grad)}


def embedding_case():
    emb = nn.Embedding(7, 3, sparse=True)
    ids = [2, 5, 2, 0, 6, 5, 2]
    g = torch.randn(len(ids), 3)
    y = emb(torch.tensor(ids))
    (y * g).sum().backward()
    return {'num': 7, 'dim': 3, 'weight': flat(emb.weight), 'ids': ids, 'G': flat(g), 'y': flat(y),
            'dweight': flat(emb.weight.grad.coalesce().to_dense())}


def activation_case(fn):
    x = torch.randn(12)
    x[3] = 0.0
    x.requires_grad_(True)
    g = torch.randn(12)
    y = fn(x)
    (y * g).sum().backward()
    return {'x': flat(x), 'G': flat(g), 'y': flat(y), 'dx': flat(x.grad)}


def cross_entropy_case():
    logits = (torch.randn(5, 4) * 2).requires_grad_(True)
    targets = [0, 3, 1, 1, 2]
    loss = F.cross_entropy(logits, torch.tensor(targets))
    loss.backward()
    return {'rows': 5, 'classes': 4, 'logits': flat(logits), 'targets': targets, 'loss': float(loss), 'dlogits': flat(logits.grad)}


def triplet_case():
    m, d = 6, 5
    a = torch.randn(m, d, requires_grad=True)
    p = torch.randn(m, d, requires_grad=True)
    n = torch.randn(m, d, requires_grad=True)
    crit = nn.TripletMarginWithDistanceLoss(distance_function=lambda x, y: 1 - F.cosine_similarity(x, y), margin=0.3)
    loss = crit(a, p, n)
    loss.backward()
    hinge = (1 - F.cosine_similarity(a, p)) - (1 - F.cosine_similarity(a, n)) + 0.3
    return {'rows': m, 'dim': d, 'margin': 0.3, 'anchor': flat(a), 'positive': flat(p), 'negative': flat(n), 'loss': float(loss),
            'danchor': flat(a.grad), 'dpositive': flat(p.grad), 'dnegative': flat(n.grad), 'active': int((hinge > 0).sum())}


def gru_case(name, inp, hid, layers, lengths, reverse, packed):
    gru = nn.GRU(inp, hid, num_layers=layers)
    seqs = [torch.randn(L, inp, requires_grad=True) for L in lengths]
    g_last = torch.randn(len(lengths), hid)
    g_out = [torch.randn(L, hid) for L in lengths]  # by each sequence's own element order
    read = [s.flip(0) if reverse else s for s in seqs]
    if packed:
        out_p, h_n = gru(pack_sequence(read, enforce_sorted=False))
        padded, _ = pad_packed_sequence(out_p)
        outs = [padded[:L, i] for i, L in enumerate(lengths)]
    else:
        assert len(set(lengths)) == 1
        out, h_n = gru(torch.stack(read, 1))
        outs = [out[:, i] for i in range(len(lengths))]
    outs = [o.flip(0) if reverse else o for o in outs]  # back to each sequence's element order
    last = h_n[-1]
    loss = (last * g_last).sum() + sum((o * g).sum() for o, g in zip(outs, g_out))
    loss.backward()
    params = {k: flat(v) for k, v in gru.named_parameters()}
    grads = {k: flat(v.grad) for k, v in gru.named_parameters()}
    return {'name': name, 'input': inp, 'hidden': hid, 'layers': layers, 'lengths': lengths, 'reverse': reverse, 'packed': packed,
            'params': params, 'seqs': [flat(s) for s in seqs], 'Glast': flat(g_last), 'Gout': [flat(g) for g in g_out],
            'last': flat(last), 'outputs': [flat(o) for o in outs], 'dseqs': [flat(s.grad) for s in seqs], 'grads': grads}


def model_case(reverse):
    """Embedding (sparse) -> GRU -> Linear -> cross-entropy over id sequences: the character classifier's graph."""
    V, E, H, C = 10, 4, 5, 3
    emb = nn.Embedding(V, E, sparse=True)
    gru = nn.GRU(E, H)
    lin = nn.Linear(H, C)
    seqs = [[1, 4, 4, 9, 2], [3], [7, 7, 0, 2, 5, 8, 1], [6, 2, 9], [5, 5, 5, 1, 0]]
    targets = [2, 0, 1, 1, 0]
    read = [torch.tensor(s[::-1] if reverse else s) for s in seqs]

    def run():
        _, h_n = gru(pack_sequence([emb(s) for s in read], enforce_sorted=False))
        logits = lin(h_n[-1])
        return logits, F.cross_entropy(logits, torch.tensor(targets))

    logits, loss = run()
    loss.backward()
    start = {'embedding': flat(emb.weight), 'gru': {k: flat(v) for k, v in gru.named_parameters()},
             'linear_weight': flat(lin.weight), 'linear_bias': flat(lin.bias)}
    grads = {'dembedding': flat(emb.weight.grad.coalesce().to_dense()), 'dgru': {k: flat(v.grad) for k, v in gru.named_parameters()},
             'dlinear_weight': flat(lin.weight.grad), 'dlinear_bias': flat(lin.bias.grad)}
    # then 5 steps on this batch: SparseAdam for the embedding, Adam for the rest
    sparse_opt = torch.optim.SparseAdam([emb.weight], lr=0.01)
    dense_opt = torch.optim.Adam(list(gru.parameters()) + list(lin.parameters()), lr=0.01)
    losses = []
    for _ in range(5):
        sparse_opt.step()
        dense_opt.step()
        sparse_opt.zero_grad()
        dense_opt.zero_grad()
        _, l = run()
        l.backward()
        losses.append(float(l))
    return {**start, **grads, 'steps_lr': 0.01, 'losses_after_steps': losses, 'embedding_after_steps': flat(emb.weight), 'linear_weight_after_steps': flat(lin.weight),
            'vocab': V, 'embed': E, 'hidden': H, 'classes': C, 'reverse': reverse, 'seqs': seqs, 'targets': targets,
            'logits': flat(logits), 'loss': float(loss)}


out = {
    'torch': torch.__version__,
    'linear': linear_case(),
    'embedding': embedding_case(),
    'tanh': activation_case(torch.tanh),
    'relu': activation_case(torch.relu),
    'cross_entropy': cross_entropy_case(),
    'triplet': triplet_case(),
    'gru': [
        gru_case('unpacked', 3, 4, 1, [5, 5, 5], False, False),
        gru_case('unpacked-2-layers', 3, 4, 2, [4, 4], False, False),
        gru_case('packed', 3, 4, 1, [3, 6, 1, 6, 4], False, True),
        gru_case('packed-2-layers', 3, 4, 2, [3, 6, 1, 6, 4], False, True),
        gru_case('packed-reverse', 2, 3, 2, [2, 5, 3, 5], True, True),
    ],
    'model': [model_case(False), model_case(True)],
}
json.dump(out, sys.stdout, separators=(',', ':'))
sys.stdout.write('\n')
