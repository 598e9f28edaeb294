#!/usr/bin/env python3
"""Reference labels and scores from scikit-learn for the clustering tests.

Writes data/fixtures/cluster-sklearn.json: a small data set (Gaussian blobs with
scattered noise, float32 values), sklearn.cluster.DBSCAN labels for several
(metric, eps, min_samples), and sklearn.metrics scores (adjusted_rand_score,
normalized_mutual_info_score) for some label pairs, and DBSCAN labels of small
sets (dbscan_order) whose cluster ids, in scikit-learn's order of discovery, differ
from a numbering by lowest member. The eps values are checked to
lie away from every pairwise distance, so float rounding cannot move a point in
or out of a neighbourhood.

Run: /usr/bin/python3 scripts/make_cluster_fixture.py   (Debian's python3-sklearn)
"""
import json
import os

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.pairwise import cosine_distances, euclidean_distances

rng = np.random.default_rng(4)
dim = 10
centres = rng.normal(size=(5, dim)) * 4
points = []
for c in range(5):
    size = [40, 30, 25, 12, 6][c]
    points.append(centres[c] + rng.normal(size=(size, dim)) * [0.6, 0.9, 1.2, 0.7, 1.5][c])
points.append(rng.uniform(-10, 10, size=(30, dim)))
X = np.concatenate(points).astype(np.float32)
X = X[rng.permutation(len(X))]
X64 = X.astype(np.float64)

runs = []
for metric, eps, ms in [
    ('euclidean', 2.0, 5), ('euclidean', 3.0, 4), ('euclidean', 4.5, 8), ('euclidean', 1.5, 2),
    ('cosine', 0.05, 5), ('cosine', 0.1, 4), ('cosine', 0.2, 10), ('cosine', 0.02, 2),
]:
    D = euclidean_distances(X64) if metric == 'euclidean' else cosine_distances(X64)
    gap = float(np.min(np.abs(D - eps)))
    assert gap > 1e-6, (metric, eps, gap)
    labels = DBSCAN(eps=eps, min_samples=ms, metric=metric).fit(X64).labels_
    runs.append({'metric': metric, 'eps': eps, 'min_samples': ms, 'labels': labels.tolist(),
                 'clusters': int(labels.max() + 1), 'noise': int((labels == -1).sum()), 'gap': gap})

# Cluster ids in scikit-learn's order of discovery: a cluster is numbered when the
# scan in index order reaches its first core point, so a border point of a later
# cluster can come first (point 0 here). Small sets where that order differs from
# numbering by lowest member.
def lowest_member_ids(labels):
    seen = {}
    return [-1 if l < 0 else seen.setdefault(l, len(seen)) for l in labels]


order_runs = []
X1 = np.array([0, 10, 10.5, 1, 1.5, 11, 2], dtype=np.float64).reshape(-1, 1)
order_sets = [('issue example', X1, 1.0, 3)]
ro = np.random.default_rng(21)
X2 = np.concatenate([c + ro.normal(size=(12, 2)) * 0.8 for c in ([0, 0], [6, 0], [0, 6], [6, 6])])
X2 = X2[ro.permutation(len(X2))].astype(np.float32).astype(np.float64)
order_sets.append(('2-d blobs', X2, 1.1, 6))
order_sets.append(('2-d blobs, more noise', X2, 0.9, 5))
for name, Xo, eps, ms in order_sets:
    if Xo.shape[1] > 1:
        assert float(np.min(np.abs(euclidean_distances(Xo) - eps))) > 1e-6, name
    labels = DBSCAN(eps=eps, min_samples=ms, metric='euclidean').fit(Xo).labels_.tolist()
    assert labels != lowest_member_ids(labels), name
    order_runs.append({'name': name, 'dim': Xo.shape[1], 'data': [float(v) for v in Xo.reshape(-1)], 'eps': eps,
                       'min_samples': ms, 'labels': labels})

scores = []
pairs = [
    ([0, 0, 1, 1], [1, 1, 0, 0]),
    ([0, 0, 1, 2], [0, 0, 1, 1]),
    ([0, 0, 0, 0], [0, 1, 2, 3]),
    ([0, 0, 1, 1, 2, 2, -1, -1], [0, 0, 0, 1, 1, 1, 2, -1]),
]
lr = np.random.default_rng(9)
for n, k1, k2 in [(50, 3, 4), (200, 6, 6), (500, 10, 3)]:
    pairs.append((lr.integers(-1, k1, n).tolist(), lr.integers(0, k2, n).tolist()))
for a, b in pairs:
    scores.append({'truth': a, 'pred': b, 'ari': adjusted_rand_score(a, b), 'nmi': normalized_mutual_info_score(a, b)})

out = {
    'sklearn': sklearn.__version__,
    'dim': dim,
    'data': [float(v) for v in X.reshape(-1)],
    'dbscan': runs,
    'scores': scores,
    'dbscan_order': order_runs,
}
path = os.path.join(os.path.dirname(__file__), '..', 'data', 'fixtures', 'cluster-sklearn.json')
with open(path, 'w') as f:
    json.dump(out, f)
print('wrote', path, [(r['metric'], r['eps'], r['min_samples'], r['clusters'], r['noise']) for r in runs], [r['labels'] for r in order_runs])
