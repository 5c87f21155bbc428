#!/usr/bin/env bash
# A downloaded notebook, run as a learner would run it: a fresh virtual
# environment with only Jupyter's runner (nbclient, ipykernel), the
# notebook executed top to bottom from its own first cell, which installs
# mlp_notes and its dependencies.  Offline, or to test this checkout, the
# first cell installs the checkout (MLP_NOTES_SOURCE).  Quick profile (the
# notebook's default).  Prints the install time, run time and disk used.
#   bash scripts/check-notebook.sh [site/notebooks/mlp-scratch.ipynb]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
nb=$(realpath "${1:-site/notebooks/mlp-scratch.ipynb}")
[[ -f $nb ]] || { echo "no notebook $nb: build the site first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
source "$root/scripts/disk.sh"
# the environment is 5.7 GB with the CUDA torch; pip unpacks wheels beside it
need_disk "$work" 8 "A fresh environment for the notebook"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q nbclient ipykernel
cd "$work"  # not the checkout: mlp_notes comes only from the first cell
unset MLP_NOTES_PROFILE
MLP_NOTES_SOURCE=${MLP_NOTES_SOURCE:-$root} MLP_NOTES_CACHE=$work/cache \
  "$work/venv/bin/python" - "$nb" <<'PY'
import sys
import time

import nbformat
from nbclient import NotebookClient

nb = nbformat.read(sys.argv[1], as_version=4)
client = NotebookClient(nb, timeout=1800, kernel_name="python3")
started = time.perf_counter()
first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
with client.setup_kernel():
    for i, cell in enumerate(nb.cells):
        client.execute_cell(cell, i)
        if i == first:  # the install cell
            installed = time.perf_counter()
done = time.perf_counter()
print(f"{sys.argv[1]}: install cell {installed - started:.0f} s, "
      f"the {len(nb.cells) - first - 1} cells after it "
      f"{done - installed:.0f} s")
PY
echo "fresh environment: $(du -sh "$work/venv" | cut -f1)"
