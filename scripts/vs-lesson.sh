#!/usr/bin/env bash
# Per-plot time of the default plot, plotrand-mpi against the lesson's matplotlib code, one
# process each, rounds interleaved so both see the same machine; medians and their ratio.
#   ROUNDS=3 PLOTS=2000 LESSON_PLOTS=200 DIR=/tmp scripts/vs-lesson.sh
# Needs matplotlib and numpy for python3 (pip install matplotlib numpy).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
PLOTS=${PLOTS:-2000}
LESSON_PLOTS=${LESSON_PLOTS:-200}
DIR=${DIR:-${TMPDIR:-/tmp}}
python3 -c 'import matplotlib, numpy' 2>/dev/null || {
  echo "vs-lesson: needs matplotlib and numpy: pip install matplotlib numpy" >&2
  exit 1
}
if [ -z "${PLOTRAND:-}" ]; then
  cargo build --release --locked
  target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
  PLOTRAND=${target_dir:-target}/release/plotrand-mpi
fi
work=$(mktemp -d "$DIR/vs-lesson.XXXXXX")
trap 'rm -rf "$work"' EXIT
ours=() theirs=()
for round in $(seq "$ROUNDS"); do
  rm -rf "$work/ours" "$work/theirs"
  line=$("$PLOTRAND" -o "$work/ours" -n "$PLOTS" --seed "$round" -q --no-record | grep 'plots/s')
  kb=$(( $(du -sk "$work/ours" | cut -f1) / PLOTS ))
  ms=$(awk -v l="$line" -v n="$PLOTS" 'BEGIN { split(l, w, " "); printf "%.3f", 1000 * w[4] / n }')
  echo "plotrand-mpi: $PLOTS plots: $ms ms/plot, ${kb} KB/plot on disk"
  ours+=("$ms")
  line=$(python3 scripts/lesson_baseline.py "$work/theirs" "$LESSON_PLOTS")
  echo "$line"
  theirs+=("$(sed -n 's/.*: \([0-9.]*\) ms\/plot.*/\1/p' <<<"$line")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
m_ours=$(median "${ours[@]}")
m_theirs=$(median "${theirs[@]}")
awk -v a="$m_ours" -v b="$m_theirs" 'BEGIN {
  printf "median ms/plot: plotrand-mpi %.3f, matplotlib %.2f: %.0fx faster\n", a, b, b / a }'
