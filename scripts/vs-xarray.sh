#!/usr/bin/env bash
# Per-frame time of a (T, 512, 512) field drawn as one 640×480 PNG per time step, plotrand-mpi
# against the Python way — xarray's .plot() + savefig per frame over multiprocessing.Pool(p),
# one colour range for the series (scripts/xarray_frames.py) — on the same NetCDF-4 file
# written by xarray, at each p, rounds interleaved so both see the same machine; medians of
# wall-clock ms/frame (start-up, imports and the colour-range pass included on both sides)
# and their ratio. Issue 12, item 7.
#   ROUNDS=3 FRAMES=64 PROCS="1 2" DIR=/tmp scripts/vs-xarray.sh [more plotrand-mpi flags]
# Python: PLOTRAND_TEST_PYTHON, else the venv of scripts/pyenv.sh (made if missing).
# plotrand-mpi: PLOTRAND, else built here (cargo build --release).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
FRAMES=${FRAMES:-64}
PROCS=${PROCS:-"1 2"}
DIR=${DIR:-${TMPDIR:-/tmp}}
python=${PLOTRAND_TEST_PYTHON:-$(scripts/pyenv.sh)}
if [ -z "${PLOTRAND:-}" ]; then
  cargo build --release --locked
  target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
  PLOTRAND=${target_dir:-target}/release/plotrand-mpi
fi
launch=(mpirun)
if mpirun --version 2>/dev/null | grep -q "Open MPI"; then
  [ "$(id -u)" -eq 0 ] && launch+=(--allow-run-as-root)
  launch+=(--oversubscribe)
fi
work=$(mktemp -d "$DIR/vs-xarray.XXXXXX")
trap 'rm -rf "$work"' EXIT
file=$work/frames.nc

"$python" scripts/xarray_frames.py make "$file" --frames "$FRAMES"
echo "vs-xarray: $FRAMES frames of 512 x 512 float32 in $file ($(du -m "$file" | cut -f1) MB)"

pngs() { find "$1" -name '*.png' 2>/dev/null | wc -l; }
# Wall-clock milliseconds of a command; its output goes to $work/log.
ms_of() {
  local t0=$EPOCHREALTIME
  "$@" >"$work/log" 2>&1 || return 1
  awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", 1000 * (b - a) }'
}
plotrand() {
  rm -rf "$work/ours"
  "${launch[@]}" -n "$1" "$PLOTRAND" --input "$file" --output-dir "$work/ours" \
    -q --no-record --progress 0 "${@:2}"
}

# plotrand-mpi's frame support is new: try it once and compare with the frames it should make.
ours_ok=1
if ! plotrand 1 "$@" >"$work/log" 2>&1 || [ "$(pngs "$work/ours")" -ne "$FRAMES" ]; then
  ours_ok=0
  echo "plotrand-mpi: not yet able to draw frames of this file" \
    "($(pngs "$work/ours") PNGs for $FRAMES frames); it said:"
  sed -n '1,5s/^/    /p' "$work/log"
fi

declare -A ours theirs
for round in $(seq "$ROUNDS"); do
  for p in $PROCS; do
    rm -rf "$work/theirs"
    ms=$(ms_of "$python" scripts/xarray_frames.py draw "$file" "$work/theirs" -p "$p") || {
      cat "$work/log" >&2
      exit 1
    }
    per=$(awk -v t="$ms" -v n="$FRAMES" 'BEGIN { printf "%.1f", t / n }')
    echo "round $round: xarray p=$p: $per ms/frame wall ($(cat "$work/log"))"
    theirs[$p]+="$per "
    [ "$ours_ok" -eq 1 ] || continue
    ms=$(ms_of plotrand "$p" "$@") || {
      cat "$work/log" >&2
      exit 1
    }
    per=$(awk -v t="$ms" -v n="$FRAMES" 'BEGIN { printf "%.1f", t / n }')
    kb=$(($(du -sk "$work/ours" | cut -f1) / FRAMES))
    echo "round $round: plotrand-mpi p=$p: $per ms/frame wall, ${kb} KB/frame on disk" \
      "($(sed -n 's/^\([0-9]* plots in [0-9.]* s\).*/\1 by its own clock/p' "$work/log"))"
    ours[$p]+="$per "
  done
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for p in $PROCS; do
  # shellcheck disable=SC2086 # the lists are space-separated numbers
  m_theirs=$(median ${theirs[$p]})
  if [ "$ours_ok" -eq 1 ]; then
    # shellcheck disable=SC2086
    m_ours=$(median ${ours[$p]})
    awk -v p="$p" -v a="$m_ours" -v b="$m_theirs" 'BEGIN {
      printf "p=%s: median ms/frame: plotrand-mpi %.1f, xarray %.1f: %.1fx faster\n", p, a, b, b / a }'
  else
    echo "p=$p: median ms/frame: xarray $m_theirs (plotrand-mpi not measured)"
  fi
done
