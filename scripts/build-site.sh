#!/usr/bin/env bash
# Build the whole site with the full profile (every page executed, every
# figure generated) into site/.  Runs are cached (MLP_NOTES_CACHE, default
# .cache/full), so a rebuild with nothing changed does not retrain.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export MLP_NOTES_PROFILE=${MLP_NOTES_PROFILE:-full} MPLBACKEND=Agg
export NO_MKDOCS_2_WARNING=1
export MLP_NOTES_CACHE=${MLP_NOTES_CACHE:-$PWD/.cache/$MLP_NOTES_PROFILE}
start=$SECONDS
.venv/bin/python -m mkdocs build --strict --site-dir site
echo "Built site/ (profile $MLP_NOTES_PROFILE) in $((SECONDS - start)) s."
echo "Serve it with:  .venv/bin/python -m http.server -d site 8000"
echo "then open http://localhost:8000/"
