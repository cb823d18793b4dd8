#!/usr/bin/env bash
# A strong-scaling study on this machine: the same plots on p = 1, 2, 4, … ranks, several runs
# each, then `plotrand-mpi speedup` prints p, Tp, Sp, Ep and draws the chart.
#   scripts/scaling.sh                       # 20000 plots, p = 1 2 4 8, 3 runs, into scaling/
#   PLOTS=500 RANKS="1 2" RUNS=5 OUT=/tmp/s scripts/scaling.sh [more plotrand-mpi flags]
# Rank counts above the core count are oversubscribed (a check of overhead, not of speed).
set -euo pipefail
cd "$(dirname "$0")/.."
PLOTS=${PLOTS:-20000}
RANKS=${RANKS:-"1 2 4 8"}
RUNS=${RUNS:-3}
OUT=${OUT:-scaling}
if [ -z "${PLOTRAND:-}" ]; then
  cargo build --release --locked
  target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
  PLOTRAND=${target_dir:-target}/release/plotrand-mpi
fi
BIN=$PLOTRAND
mkdir -p "$OUT"
flags=()
if mpirun --version 2>/dev/null | grep -q "Open MPI"; then
  [ "$(id -u)" -eq 0 ] && flags+=(--allow-run-as-root)
  flags+=(--oversubscribe)
fi
# Rank counts interleave within each round, so that drift in a shared machine's speed
# spreads over all of them instead of favouring the ones measured first.
for run in $(seq "$RUNS"); do
  for p in $RANKS; do
    rm -rf "$OUT/plots"
    mpirun "${flags[@]}" -n "$p" "$BIN" -o "$OUT/plots" -n "$PLOTS" --seed 1 --quiet \
      --record "$OUT/run-p$p-$run.h5" "$@" | sed -n '/load imbalance/p'
  done
done
rm -rf "$OUT/plots"
"$BIN" speedup "$OUT"/run-p*.h5 --chart "$OUT/speedup.png"
