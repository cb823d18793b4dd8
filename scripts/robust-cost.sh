#!/usr/bin/env bash
# What --robust costs: one run draws the N frames of a (N, 512, 512) float32 field (640×480
# PNGs into DIR) with its colour limits from the series' extremes, another with --robust
# (the 2nd and 98th percentiles, from a histogram of the series counted in a second pass),
# rounds interleaved, on RANKS ranks. Prints each run's time per plot (the run's own "plots
# in S s": the range passes, reading, drawing, encoding and writing) and the median ratio.
#   ROUNDS=3 N=200 RANKS=1 DIR=/dev/shm scripts/robust-cost.sh
# Python (to write the field with h5py): PLOTRAND_TEST_PYTHON, else scripts/pyenv.sh's venv.
# plotrand-mpi: PLOTRAND, else built here (cargo build --release). MPIRUN: mpirun.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
N=${N:-200}
RANKS=${RANKS:-1}
DIR=${DIR:-/dev/shm}
MPIRUN=${MPIRUN:-mpirun}
python=${PLOTRAND_TEST_PYTHON:-$(scripts/pyenv.sh)}
if [ -z "${PLOTRAND:-}" ]; then
  cargo build --release --locked
  PLOTRAND=target/release/plotrand-mpi
fi
work=$(mktemp -d "$DIR/robust-cost.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$python" - "$work/field.h5" "$N" <<'EOF'
import sys, h5py, numpy as np
path, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(1)
y, x = np.mgrid[0:512, 0:512] / 512.0
with h5py.File(path, "w") as f:
    d = f.create_dataset("field", (n, 512, 512), "f4", chunks=(1, 512, 512))
    for t in range(n):
        d[t] = np.sin(6 * x + t / 10) * np.cos(4 * y) + 0.1 * rng.standard_normal((512, 512))
EOF

# Milliseconds per plot from the run's summary line ("N plots in S s on …").
per_plot() {
  rm -rf "$work/out"
  "$MPIRUN" -n "$RANKS" "$PLOTRAND" --input "$work/field.h5" --output-dir "$work/out" -q \
    --no-record --progress 0 "$@" |
    sed -n 's/^\([0-9]*\) plots\{0,1\} in \([0-9.]*\) s on.*/\1 \2/p' |
    awk '{ printf "%.3f", 1000 * $2 / $1 }'
}

plain=() robust=()
for round in $(seq "$ROUNDS"); do
  p=$(per_plot)
  r=$(per_plot --robust)
  plain+=("$p") robust+=("$r")
  echo "round $round: extremes $p ms, --robust $r ms a frame"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mp=$(median "${plain[@]}") mr=$(median "${robust[@]}")
awk -v p="$mp" -v r="$mr" 'BEGIN { printf "median: extremes %.3f ms, --robust %.3f ms, ratio %.2f\n", p, r, r / p }'
