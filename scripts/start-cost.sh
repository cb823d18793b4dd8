#!/usr/bin/env bash
# Rank 0's cost before the first plot of an input run of many frames: the time from start to
# the manifest (written after planning and --pack's preparation, before any rank draws) and
# the peak memory (VmHWM) by then, with and without --pack, for each binary given.
#
# Usage:  scripts/start-cost.sh BIN... (default: target/release/plotrand-mpi)
# Env:    FRAMES (default 10000000), PLOTRAND_TEST_PYTHON (a Python with h5py; scripts/pyenv.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${FRAMES:-10000000}
python=${PLOTRAND_TEST_PYTHON:-target/pyenv/bin/python}
[ $# -gt 0 ] || set -- target/release/plotrand-mpi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" - "$work/frames.h5" "$frames" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "w") as f:
    f.create_dataset("field", shape=(int(sys.argv[2]), 2, 2), dtype="u1",
                     chunks=(100000, 2, 2), compression="gzip", fillvalue=1)
PY
printf '%-40s %-8s %12s %14s\n' binary layout seconds "peak RSS MiB"
for bin in "$@"; do
  for layout in files pack; do
    dir=$work/out-$layout
    rm -rf "$dir"
    flags=(--input "$work/frames.h5" -o "$dir" -q --no-record)
    [ "$layout" = pack ] && flags+=(--pack)
    start=$(date +%s.%N)
    "$bin" "${flags[@]}" >/dev/null 2>&1 &
    pid=$!
    while [ ! -e "$dir/plotrand-manifest.txt" ]; do
      kill -0 "$pid" 2>/dev/null || { echo "$bin exited before its manifest" >&2; exit 1; }
      sleep 0.005
    done
    end=$(date +%s.%N)
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
    kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
    printf '%-40s %-8s %12.2f %14.0f\n' "$bin" "$layout" "$(echo "$end - $start" | bc)" "$(echo "$hwm / 1024" | bc)"
  done
done
