#!/usr/bin/env bash
# What a heatmap frame costs against the default random scatter plot, write included: one
# rank draws N frames of a (N, 512, 512) float32 field (read as hyperslabs, one colour range
# agreed over the series first) and N default plots, both 640×480 PNGs into DIR, rounds
# interleaved. Prints each run's drawing time per plot (the run's own "plots in S s": the
# range pass, reading, drawing, encoding and writing; not start-up) and the median ratio.
# NOISE: the standard deviation of the white noise added to the smooth field (0.1 by
# default: noise is what PNG compresses worst, so that is the dearest case).
#   ROUNDS=3 N=500 NOISE=0.1 DIR=/dev/shm scripts/heatmap-cost.sh
# Python (to write the field with h5py): PLOTRAND_TEST_PYTHON, else scripts/pyenv.sh's venv.
# plotrand-mpi: PLOTRAND, else built here (cargo build --release).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
N=${N:-500}
NOISE=${NOISE:-0.1}
DIR=${DIR:-/dev/shm}
python=${PLOTRAND_TEST_PYTHON:-$(scripts/pyenv.sh)}
if [ -z "${PLOTRAND:-}" ]; then
  cargo build --release --locked
  PLOTRAND=target/release/plotrand-mpi
fi
work=$(mktemp -d "$DIR/heatmap-cost.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$python" - "$work/field.h5" "$N" "$NOISE" <<'EOF'
import sys, h5py, numpy as np
path, n, noise = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
rng = np.random.default_rng(1)
y, x = np.mgrid[0:512, 0:512] / 512.0
with h5py.File(path, "w") as f:
    d = f.create_dataset("field", (n, 512, 512), "f4", chunks=(1, 512, 512))
    for t in range(n):
        d[t] = np.sin(6 * x + t / 10) * np.cos(4 * y) + noise * rng.standard_normal((512, 512))
    d.attrs["long_name"] = "field"
    d.attrs["units"] = "1"
EOF

# Milliseconds per plot from the run's summary line ("N plots in S s on …").
per_plot() {
  rm -rf "$work/out"
  "$PLOTRAND" --output-dir "$work/out" -q --no-record --progress 0 "$@" |
    sed -n 's/^\([0-9]*\) plots\{0,1\} in \([0-9.]*\) s on.*/\1 \2/p' |
    awk '{ printf "%.3f", 1000 * $2 / $1 }'
}

heat=() scatter=()
for round in $(seq "$ROUNDS"); do
  h=$(per_plot --input "$work/field.h5")
  s=$(per_plot -n "$N" --seed "$round")
  heat+=("$h") scatter+=("$s")
  echo "round $round: heatmap frame $h ms, default scatter $s ms"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
mh=$(median "${heat[@]}") ms=$(median "${scatter[@]}")
awk -v h="$mh" -v s="$ms" 'BEGIN { printf "median: heatmap %.3f ms, scatter %.3f ms, ratio %.2f\n", h, s, h / s }'
