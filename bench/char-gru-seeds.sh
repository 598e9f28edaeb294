#!/bin/bash
# The char-gru classifier against PyTorch over many epochs and seeds at once, each seed
# its own pair of processes (wordloom on one thread each, PyTorch on --torch-device):
# test accuracy and training loss after every epoch, one log per seed and side. For a
# machine with more cores than seeds x 2 (and a GPU for PyTorch, or TDEV=cpu):
#
#   T=540 SEEDS="1 2 3 4 5 6" EPOCH=60 TDEV=cuda PY=python3 OUT=logs bash bench/char-gru-seeds.sh
#
# Each process stops after T seconds (the curves up to then are in the logs); with
# .dev/node.xz and .dev/mods.tar.xz present (a machine without Node: a compressed node
# binary and the built node_modules/dist), they are unpacked first.
T=${T:-540}
SEEDS=${SEEDS:-"1 2 3"}
EPOCH=${EPOCH:-20}
OUT=${OUT:-bench/out/char-gru-seeds}
mkdir -p "$OUT"
if [ -f .dev/node.xz ]; then
  mkdir -p /tmp/nb && xz -dc .dev/node.xz > /tmp/nb/node && chmod +x /tmp/nb/node && export PATH=/tmp/nb:$PATH
  tar -xJf .dev/mods.tar.xz
fi
node --version; nproc; ${PY:-/usr/bin/python3} -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'
L=$(mktemp -d); P=()
for s in $SEEDS; do
  timeout $T node bench/char-gru.mjs --curve --only wordloom --wl-threads 1 --epoch $EPOCH --seeds $s > $L/wl-$s.log 2>&1 & P+=($!)
  timeout $T node bench/char-gru.mjs --curve --only torch --python ${PY:-/usr/bin/python3} --torch-device ${TDEV:-cpu} --threads 1 --epoch $EPOCH --seeds $s > $L/pt-$s.log 2>&1 & P+=($!)
done
dump() { for f in $L/*; do echo "== $f"; cat $f; done > "$OUT/all.log.tmp"; mv "$OUT/all.log.tmp" "$OUT/all.log"; }
( while sleep 30; do dump; done ) &
D=$!
wait "${P[@]}"
kill $D; dump
echo "logs: $OUT/all.log"
