#!/usr/bin/env bash
# Two builds of plotrand-mpi on the same work, alternated: each draws N default plots on one
# rank into DIR, ROUNDS times; prints each run's wall and CPU seconds, then the medians and
# their ratios (B / A). How BENCHMARKS.md compares a change with the commit before it:
#   git worktree add /tmp/before HEAD~1 && cargo build --release --manifest-path /tmp/before/Cargo.toml
#   ROUNDS=9 scripts/ab-cost.sh /tmp/before/target/release/plotrand-mpi target/release/plotrand-mpi
set -euo pipefail
[ $# -eq 2 ] || { sed -n '2,6p' "$0"; exit 2; }
A=$1 B=$2
ROUNDS=${ROUNDS:-5}
N=${N:-1000}
DIR=${DIR:-/dev/shm}
work=$(mktemp -d "$DIR/ab-cost.XXXXXX")
trap 'rm -rf "$work"' EXIT
for round in $(seq "$ROUNDS"); do
  for which in A B; do
    bin=$A; [ "$which" = B ] && bin=$B
    rm -rf "$work/out"
    /usr/bin/time -f "$which %e %U %S" -o "$work/time" "$bin" -n "$N" -o "$work/out" -q >/dev/null
    cat "$work/time"
  done
done | tee "$work/runs" | awk '{ print $1, "wall", $2, "cpu", $3 + $4 }'
awk '
  { wall[$1] = wall[$1] " " $2; cpu[$1] = cpu[$1] " " ($3 + $4) }
  function median(list,   v, n, i, j, t) {
    n = split(list, v, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return v[int((n + 1) / 2)]
  }
  END {
    printf "median wall s: A %.3f B %.3f ratio %.3f\n", median(wall["A"]), median(wall["B"]), median(wall["B"]) / median(wall["A"])
    printf "median cpu s:  A %.3f B %.3f ratio %.3f\n", median(cpu["A"]), median(cpu["B"]), median(cpu["B"]) / median(cpu["A"])
  }' "$work/runs"
