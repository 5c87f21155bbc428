# Sourced by .ci/run and scripts/check-notebook.sh.
# need_disk DIR GB WHAT: stop with one clear message where the file system
# holding DIR has less than GB gigabytes free (POSIX df: Linux and macOS),
# instead of pip's "No space left on device" minutes later.
need_disk() {
  local free
  free=$(df -Pk "$1" | awk 'NR == 2 { printf "%d", $4 / 1048576 }')
  if ((free < $2)); then
    echo "$3 needs about $2 GB free on the disk that holds $1;" \
      "it has $free GB. Free some space (old clones, copies of .venv)" \
      "or set TMPDIR to a larger disk, then run it again." >&2
    exit 1
  fi
}
