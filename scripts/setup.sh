#!/usr/bin/env bash
# Set up everything the site and the tests need, idempotently:
#   1. the real Fashion-MNIST (Debian's dataset-fashion-mnist; as root via
#      apt-get, otherwise it says what to run),
#   2. a virtual environment in .venv with the package and the pinned
#      toolchain (constraints.txt), reinstalled only when those files change,
#   3. Debian's chromium for the browser test (only with --browser).
# Set MLP_NOTES_TORCH_INDEX=https://download.pytorch.org/whl/cpu to install
# the CPU-only torch (about 0.2 GB instead of several GB) on a machine with
# no GPU and network access.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
[[ "${1:-}" == "--browser" ]] && want_browser=1

apt_install() {
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq "$@" >/dev/null
  else
    echo "setup: please run: sudo apt-get install -y $*" >&2
    return 1
  fi
}

if [[ -z "${MLP_NOTES_DATA:-}" ]] &&
   [[ ! -f /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ]]; then
  echo "setup: installing Debian's dataset-fashion-mnist" >&2
  apt_install dataset-fashion-mnist ||
    echo "setup: no Debian data; the loader will try to download" >&2
fi
if [[ $want_browser -eq 1 ]] && ! command -v chromium >/dev/null; then
  echo "setup: installing Debian's chromium for the browser test" >&2
  apt_install chromium
fi

PY=${PYTHON:-python3}
[[ -x .venv/bin/python ]] || "$PY" -m venv .venv
stamp=.venv/.mlp-notes-installed
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  echo "setup: installing mlp_notes and its toolchain into .venv" >&2
  .venv/bin/python -m pip install -q --upgrade pip
  extra=()
  if [[ -n "${MLP_NOTES_TORCH_INDEX:-}" ]]; then
    # e.g. the CPU-only wheels; "==2.14.1" also admits "2.14.1+cpu"
    extra=(--extra-index-url "$MLP_NOTES_TORCH_INDEX")
  fi
  .venv/bin/python -m pip install -q ${extra[@]+"${extra[@]}"} \
    -c constraints.txt -e '.[test]'

  echo "$want" > "$stamp"
fi
