#!/usr/bin/env bash
# The whole test suite, quick profile: lint, unit tests, every page's code
# blocks under pytest, a strict build of the site, then the tests that
# need the built site.  Does its own set-up (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser

export MLP_NOTES_PROFILE=quick MPLBACKEND=Agg NO_MKDOCS_2_WARNING=1
export MLP_NOTES_CACHE=${MLP_NOTES_CACHE:-$PWD/.cache/quick}
PY=.venv/bin/python
start=$SECONDS

echo "== lint (ruff)"
$PY -m ruff check .
$PY -m ruff format --check .

echo "== unit tests and page code blocks (pytest, quick profile)"
$PY -m pytest -m "not site"

echo "== strict site build (quick profile)"
$PY -m mkdocs build --strict --site-dir site

echo "== tests of the built site"
$PY -m pytest -m site

echo "== all green in $((SECONDS - start)) s (quick profile)"
