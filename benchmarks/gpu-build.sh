#!/usr/bin/env bash
# A whole full-profile site build on a GPU machine, timed (the device
# session's second prepared command).  The docs toolchain travels as
# wheels in .whl/ (see the README's GPU section); the data in .data/.
#   -> $OUT/gpu-build.log (the build's plan, estimate, progress and time)
#   -> $OUT/full-plan-gpu.json (the plan the build recorded there)
set -u
OUT=${OUT:-/tmp/gpu-build}; mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
  --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1 MPLBACKEND=Agg
export NO_MKDOCS_2_WARNING=1 MLP_NOTES_PROFILE=full
export MLP_NOTES_DATA=${MLP_NOTES_DATA:-$PWD/.data}
export MLP_NOTES_CACHE=/tmp/mlp-notes-cache-full MLP_NOTES_RECORD_PLAN=1
export MLP_NOTES_OVER_BUDGET=1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
start=$SECONDS
timeout "${LIMIT:-480}" python3 -m mkdocs build --strict --site-dir /tmp/site-out \
  > "$OUT/gpu-build.log" 2>&1
rc=$?
echo "rc=$rc after $((SECONDS - start)) s" | tee -a "$OUT/gpu-build.log"
grep -v "^INFO" "$OUT/gpu-build.log" | tail -15
cp benchmarks/plans/full.json "$OUT/full-plan-gpu.json" 2>/dev/null || true
