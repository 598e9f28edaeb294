#!/usr/bin/env python3
"""Trajectories of PyTorch 1.13's optimizers for the wordloom optimizer tests.

Run with Debian's python3-torch (apt-get install -y python3-torch):
    /usr/bin/python3 scripts/torch_optim_fixtures.py > data/fixtures/optim-trajectories.json

A parameter table of 12 rows x 4 (float32) is trained for 100 steps on a
gradient that depends on the parameters, the same function in both languages:
    dense:  G = (P - T) * W + N[t % 4]                       (float32 ops, in this order)
    sparse: rows ROWS[t % 4] (with repeats, summed on coalesce), each occurrence of
            row r giving (P[r] - T[r]) * W[r] + N[t % 4][r]
The parameters after steps 1, 2, 5, 10, 20, 50, 100 are recorded.

LazyAdam (TensorFlow Addons) and SMORMS3 (Simon Funk) have no PyTorch version:
they are written here in float64 numpy from their published definitions.
"""
import json
import sys

import numpy as np
import torch

R, D, STEPS, K = 12, 4, 100, 4
SNAP = [1, 2, 5, 10, 20, 50, 100]
rng = np.random.default_rng(20240601)
P0 = rng.normal(0, 1, (R, D)).astype(np.float32)
T = rng.normal(0, 1, (R, D)).astype(np.float32)
W = rng.uniform(0.2, 2.0, (R, D)).astype(np.float32)
N = rng.normal(0, 0.5, (K, R, D)).astype(np.float32)
ROWS = [[0, 3, 3, 7, 11], [1, 4, 7, 9], [2, 2, 5, 8, 10, 0], [6, 11, 3]]


def local_rows(pattern, start, end):
    n = end - start
    return [r % n for r in pattern]


def grad_dense(p, start, t):
    return (p - torch.from_numpy(T[start:start + p.shape[0]])) * torch.from_numpy(W[start:start + p.shape[0]]) + torch.from_numpy(N[t % K][start:start + p.shape[0]])


def grad_sparse(p, start, end, t):
    rows = local_rows(ROWS[t % K], start, end)
    g = torch.stack([(p[r] - torch.from_numpy(T[start + r])) * torch.from_numpy(W[start + r]) + torch.from_numpy(N[t % K][start + r]) for r in rows])
    return torch.sparse_coo_tensor(torch.tensor([rows], dtype=torch.long), g, p.shape)


TORCH = {
    'SGD': torch.optim.SGD, 'Adagrad': torch.optim.Adagrad, 'RMSprop': torch.optim.RMSprop, 'Adam': torch.optim.Adam,
    'AdamW': torch.optim.AdamW, 'SparseAdam': torch.optim.SparseAdam,
}
SCHED = {
    'StepLR': lambda o, a: torch.optim.lr_scheduler.StepLR(o, **a),
    'ExponentialLR': lambda o, a: torch.optim.lr_scheduler.ExponentialLR(o, **a),
}


def run_torch(case):
    params = []
    for spec in case['params']:
        s, e = spec['rows']
        params.append((torch.tensor(P0[s:e].copy(), requires_grad=False), s, e, spec['grad']))
    opts = []
    if case['type'] == 'Auto':
        # what a user does by hand: one optimizer per kind of gradient
        sp = [p for p, _, _, k in params if k == 'sparse']
        dp = [p for p, _, _, k in params if k == 'dense']
        opts.append(torch.optim.SparseAdam(sp, **case['options']))
        opts.append(torch.optim.Adam(dp, **case['options']))
    elif 'groups' in case:
        groups = [{'params': [params[i][0] for i in g['params']], **g['options']} for g in case['groups']]
        opts.append(TORCH[case['type']](groups, **case['options']))
    else:
        opts.append(TORCH[case['type']]([p for p, _, _, _ in params], **case['options']))
    scheds = [SCHED[case['schedule']['type']](opts[0], case['schedule']['args'])] if 'schedule' in case else []
    snaps = []
    for t in range(STEPS):
        for p, s, e, kind in params:
            p.grad = grad_dense(p, s, t) if kind == 'dense' else grad_sparse(p, s, e, t)
        for o in opts:
            o.step()
        for sc in scheds:
            sc.step()
        if t + 1 in SNAP:
            snaps.append(np.concatenate([p.detach().numpy().ravel() for p, _, _, _ in params]))
    return snaps


def run_reference(case):
    """float64 LazyAdam (TensorFlow Addons) and SMORMS3 (Simon Funk)."""
    (spec,) = case['params']
    kind = spec['grad']
    o = case['options']
    p = P0.astype(np.float64).copy()
    m = np.zeros_like(p); v = np.zeros_like(p)
    mem = np.ones_like(p); g1 = np.zeros_like(p); g2 = np.zeros_like(p)
    T64, W64, N64 = T.astype(np.float64), W.astype(np.float64), N.astype(np.float64)
    snaps = []
    for t in range(STEPS):
        if kind == 'dense':
            rows = list(range(R)); G = (p - T64) * W64 + N64[t % K]
        else:
            rows = sorted(set(ROWS[t % K]))
            G = np.zeros_like(p)
            for r in ROWS[t % K]:
                G[r] += (p[r] - T64[r]) * W64[r] + N64[t % K][r]
            G = G[rows]
        rows = np.array(rows)
        if case['type'] == 'LazyAdam':
            b1, b2 = o.get('betas', [0.9, 0.999]); eps = o.get('eps', 1e-7); lr = o.get('lr', 1e-3)
            step = t + 1
            lr_t = lr * np.sqrt(1 - b2 ** step) / (1 - b1 ** step)
            m[rows] = b1 * m[rows] + (1 - b1) * G
            v[rows] = b2 * v[rows] + (1 - b2) * G * G
            p[rows] -= lr_t * m[rows] / (np.sqrt(v[rows]) + eps)
        else:  # SMORMS3
            lr = o.get('lr', 1e-3); eps = o.get('eps', 1e-16)
            r = 1 / (mem[rows] + 1)
            g1[rows] = (1 - r) * g1[rows] + r * G
            g2[rows] = (1 - r) * g2[rows] + r * G * G
            q = g1[rows] ** 2 / (g2[rows] + eps)
            p[rows] -= G * np.minimum(lr, q) / (np.sqrt(g2[rows]) + eps)
            mem[rows] = 1 + mem[rows] * (1 - q)
        if t + 1 in SNAP:
            snaps.append(p.ravel().copy())
    return snaps


ALL = [{'rows': [0, R], 'grad': 'dense'}]
ALLS = [{'rows': [0, R], 'grad': 'sparse'}]
CASES = [
    ('SGD', {'lr': 0.05}, ALL), ('SGD', {'lr': 0.05, 'momentum': 0.9}, ALL),
    ('SGD', {'lr': 0.03, 'momentum': 0.9, 'dampening': 0.1, 'weight_decay': 0.01}, ALL),
    ('SGD', {'lr': 0.03, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 0.01}, ALL),
    ('SGD', {'lr': 0.05}, ALLS), ('SGD', {'lr': 0.05, 'momentum': 0.9}, ALLS),
    ('Adagrad', {'lr': 0.1}, ALL), ('Adagrad', {'lr': 0.1, 'lr_decay': 0.01, 'weight_decay': 0.01, 'initial_accumulator_value': 0.1, 'eps': 1e-8}, ALL),
    ('Adagrad', {'lr': 0.1}, ALLS), ('Adagrad', {'lr': 0.1, 'lr_decay': 0.01, 'initial_accumulator_value': 0.1, 'eps': 1e-8}, ALLS),
    ('RMSprop', {}, ALL), ('RMSprop', {'lr': 0.003, 'momentum': 0.9}, ALL),
    ('RMSprop', {'lr': 0.003, 'centered': True, 'momentum': 0.5, 'weight_decay': 0.01, 'alpha': 0.9}, ALL),
    ('Adam', {}, ALL), ('Adam', {'lr': 0.01}, ALL), ('Adam', {'lr': 0.01, 'amsgrad': True, 'weight_decay': 0.01}, ALL),
    ('Adam', {'lr': 0.01, 'betas': [0.8, 0.99], 'eps': 1e-6}, ALL),
    ('AdamW', {'lr': 0.01}, ALL), ('AdamW', {'lr': 0.01, 'amsgrad': True, 'weight_decay': 0.1}, ALL),
    ('SparseAdam', {}, ALLS), ('SparseAdam', {'lr': 0.01}, ALLS), ('SparseAdam', {'lr': 0.01, 'betas': [0.8, 0.99], 'eps': 1e-6}, ALLS),
    ('LazyAdam', {'lr': 0.01}, ALL), ('LazyAdam', {'lr': 0.01}, ALLS), ('LazyAdam', {'lr': 0.01, 'betas': [0.8, 0.99], 'eps': 1e-6}, ALLS),
    ('SMORMS3', {'lr': 0.01}, ALL), ('SMORMS3', {'lr': 0.01}, ALLS), ('SMORMS3', {}, ALLS),
    # maximize (PyTorch 1.13): step along the gradient
    ('SGD', {'lr': 0.01, 'momentum': 0.5, 'maximize': True}, ALL), ('SGD', {'lr': 0.01, 'maximize': True}, ALLS),
    ('Adagrad', {'lr': 0.1, 'maximize': True}, ALLS), ('RMSprop', {'lr': 0.003, 'maximize': True}, ALL),
    ('Adam', {'lr': 0.01, 'maximize': True}, ALL), ('AdamW', {'lr': 0.01, 'maximize': True}, ALL), ('SparseAdam', {'lr': 0.01, 'maximize': True}, ALLS),
]


def r9(a):
    return [float('%.9g' % x) for x in np.asarray(a, dtype=np.float32).ravel()]


def main():
    cases = []
    for typ, opts, params in CASES:
        cases.append({'type': typ, 'options': opts, 'params': params})
    two = [{'rows': [0, 6], 'grad': 'dense'}, {'rows': [6, R], 'grad': 'dense'}]
    cases.append({'type': 'Adam', 'options': {'lr': 0.01}, 'params': two, 'groups': [{'params': [0], 'options': {}}, {'params': [1], 'options': {'lr': 0.003, 'weight_decay': 0.1}}]})
    cases.append({'type': 'Auto', 'options': {'lr': 0.01}, 'params': [{'rows': [0, 6], 'grad': 'sparse'}, {'rows': [6, R], 'grad': 'dense'}]})
    cases.append({'type': 'SGD', 'options': {'lr': 0.05, 'momentum': 0.9}, 'params': ALL, 'schedule': {'type': 'StepLR', 'args': {'step_size': 30, 'gamma': 0.5}}})
    cases.append({'type': 'Adam', 'options': {'lr': 0.02}, 'params': ALL, 'schedule': {'type': 'ExponentialLR', 'args': {'gamma': 0.98}}})
    for c in cases:
        snaps = run_reference(c) if c['type'] in ('LazyAdam', 'SMORMS3') else run_torch(c)
        c['trajectory'] = [[float('%.8g' % x) for x in s] for s in snaps]
    out = {
        'made_by': 'scripts/torch_optim_fixtures.py with torch ' + torch.__version__ + ' (LazyAdam and SMORMS3: float64 numpy reference)',
        'rows': R, 'dim': D, 'steps': STEPS, 'snapshots': SNAP,
        'P0': r9(P0), 'T': r9(T), 'W': r9(W), 'N': [r9(n) for n in N], 'ROWS': ROWS,
        'cases': cases,
    }
    json.dump(out, sys.stdout, separators=(',', ':'))


if __name__ == '__main__':
    main()
