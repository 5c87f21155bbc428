#!/usr/bin/env bash
# The GPU session's one prepared command (run from the repository root on a
# machine with CUDA; the four Fashion-MNIST files in $MLP_NOTES_DATA):
#   1. the training benchmark through the same code  -> $OUT/cuda.json
#      (and the run log, $OUT/cuda-runs.jsonl)
#   2. the unit tests with CUDA as the default device -> $OUT/pytest-cuda.txt
#   3. the best-MLP probe on validation               -> $OUT/best-mlp-cuda-$JOBS.jsonl
#      (JOBS: "budget", the third session's; see best_mlp_probe.py)
# The benchmark runs alone (it is timed); tests and probe share the GPU.
set -u
OUT=${OUT:-/tmp/gpu-check}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD MLP_NOTES_CACHE=/tmp/mlp-notes-cache
export MLP_NOTES_DATA=${MLP_NOTES_DATA:-$PWD/.data}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
python3 -c "import torch, torchvision; print(torch.__version__, torchvision.__version__, torch.cuda.get_device_name())"
timeout 180 python3 benchmarks/train_speed.py --device cuda --epochs 10 2>&1 | tail -4
cp benchmarks/results/cuda.json benchmarks/results/cuda-runs.jsonl "$OUT/" || echo "no cuda.json"
timeout 300 python3 -m pytest -q -o addopts="" -p no:cacheprovider -m "not site" tests \
  --ignore=tests/test_browser.py --ignore=tests/test_site.py --ignore=tests/test_pages.py \
  --ignore=tests/test_notebooks.py --ignore=tests/test_search.py --ignore=tests/test_pagecache.py \
  > "$OUT/pytest-cuda.txt" 2>&1 &
JOBS=${JOBS:-budget}
python3 benchmarks/best_mlp_probe.py --jobs "$JOBS" --workers "${WORKERS:-14}" \
  --minutes "${MINUTES:-3}" --out "$OUT/best-mlp-cuda-$JOBS.jsonl" | tail -3
wait
tail -3 "$OUT/pytest-cuda.txt"
