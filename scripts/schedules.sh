#!/usr/bin/env bash
# Static against dynamic scheduling, interleaved rounds, on a uniform workload (default
# plots) and a skewed one (`plotrand-mpi sample`: 48 datasets of 10 to 2,000,000 points, the
# heavy ones last). Prints each run's summary line.
#   RANKS=2 ROUNDS=3 scripts/schedules.sh     (TMPDIR=/dev/shm: measure the program, not the disk)
set -euo pipefail
cd "$(dirname "$0")/.."
RANKS=${RANKS:-2}
ROUNDS=${ROUNDS:-3}
if [ -z "${PLOTRAND:-}" ]; then
  cargo build --release --locked
  target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
  PLOTRAND=${target_dir:-target}/release/plotrand-mpi
fi
flags=()
if mpirun --version 2>/dev/null | grep -q "Open MPI"; then
  [ "$(id -u)" -eq 0 ] && flags+=(--allow-run-as-root)
  flags+=(--oversubscribe)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PLOTRAND" sample "$work/skewed.h5" --max-points 2000000 > /dev/null
run() { # run LABEL ARGS…
  local label=$1; shift
  rm -rf "$work/out"
  printf '%-28s ' "$label"
  mpirun "${flags[@]}" -n "$RANKS" "$PLOTRAND" -o "$work/out" -q --no-record --progress 0 "$@" | sed -n '/load imbalance/p'
}
for round in $(seq "$ROUNDS"); do
  run "uniform static" -n 20000 --seed 1 --schedule static
  run "uniform dynamic" -n 20000 --seed 1 --schedule dynamic
  run "skewed static" --input "$work/skewed.h5" --schedule static
  run "skewed dynamic" --input "$work/skewed.h5" --schedule dynamic
  run "skewed dynamic, chunk 1" --input "$work/skewed.h5" --schedule dynamic --chunk 1
done
