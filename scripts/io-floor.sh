#!/usr/bin/env bash
# Whole runs against the floor of writing their files, rounds interleaved so every case sees
# the same machine: PLOTS default plots at p = 1 and 2, on tmpfs and on disk, as
#   raw-same / raw-rank   the same bytes written by PROCS processes through the program's own
#                         atomic write (examples/io_floor.rs), temporaries beside the plot or
#                         in a directory of each process's own: no drawing, no MPI
#   flat-same / flat-rank plotrand-mpi -o DIR, --write-strategy same-dir / rank-dir
#   flat-auto             plotrand-mpi -o DIR (the strategy statfs chooses)
#   subdirs               plotrand-mpi --max-files-per-dir 1000
#   pack                  plotrand-mpi --pack
#   lesson                the lesson's matplotlib code (scripts/lesson_baseline.py), p
#                         processes of LESSON_PLOTS / p plots each (only if python3 has
#                         matplotlib and numpy)
# Seconds are wall clock around the whole command, start-up included; min–max and median of
# ROUNDS, then the goals: flat at p = 2 on disk against (best raw on disk + flat on tmpfs),
# and --pack at p = 2 on disk against 100x the lesson's plots per second at p = 2 on disk.
#   ROUNDS=3 PLOTS=4000 LESSON_PLOTS=128 DISK=/work/io-floor SHM=/dev/shm scripts/io-floor.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
PLOTS=${PLOTS:-4000}
LESSON_PLOTS=${LESSON_PLOTS:-128}
DISK=${DISK:-$PWD/target/io-floor}
SHM=${SHM:-/dev/shm}
MPIRUN=${MPIRUN:-mpirun}
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
target_dir=${target_dir:-target}
if [ -z "${PLOTRAND:-}" ]; then
  cargo build --release --locked
  PLOTRAND=$target_dir/release/plotrand-mpi
fi
cargo build --release --locked --example io_floor
FLOOR=$target_dir/release/examples/io_floor
launch=("$MPIRUN")
if [[ $("$MPIRUN" --version 2>&1 || true) == *"Open MPI"* || $("$MPIRUN" --version 2>&1 || true) == *OpenRTE* ]]; then
  launch+=(--oversubscribe)
  [ "$(id -u)" = 0 ] && launch+=(--allow-run-as-root)
fi
mkdir -p "$DISK"
shm_work=$(mktemp -d "$SHM/io-floor.XXXXXX")
disk_work=$(mktemp -d "$DISK/io-floor.XXXXXX")
trap 'rm -rf "$shm_work" "$disk_work"' EXIT
# The bytes the raw writer writes: one default plot.
"$PLOTRAND" -o "$shm_work/like" -n 1 --seed 1 -q --no-record >/dev/null
like=$shm_work/like.png
cp "$shm_work/like/plot_1.png" "$like"
rm -rf "$shm_work/like"

results=$shm_work/results.txt
: >"$results"
now() { date +%s.%N; }
# case fs p seconds
record() { echo "$1 $2 $3 $4" >>"$results"; printf '%-10s %-5s p=%s %6.2f s\n' "$1" "$2" "$3" "$4"; }
run_case() {
  local name=$1 fs=$2 p=$3 dir
  case $fs in tmpfs) dir=$shm_work/out ;; disk) dir=$disk_work/out ;; esac
  rm -rf "$dir"
  sync
  local t0 t1
  t0=$(now)
  case $name in
    raw-same) "$FLOOR" "$dir" "$PLOTS" "$p" same-dir "$like" >/dev/null ;;
    raw-rank) "$FLOOR" "$dir" "$PLOTS" "$p" rank-dir "$like" >/dev/null ;;
    flat-same) "${launch[@]}" -n "$p" "$PLOTRAND" -o "$dir" -n "$PLOTS" --seed 1 -q --write-strategy same-dir >/dev/null ;;
    flat-rank) "${launch[@]}" -n "$p" "$PLOTRAND" -o "$dir" -n "$PLOTS" --seed 1 -q --write-strategy rank-dir >/dev/null ;;
    flat-auto) "${launch[@]}" -n "$p" "$PLOTRAND" -o "$dir" -n "$PLOTS" --seed 1 -q >/dev/null ;;
    subdirs) "${launch[@]}" -n "$p" "$PLOTRAND" -o "$dir" -n "$PLOTS" --seed 1 -q --max-files-per-dir 1000 >/dev/null ;;
    pack) "${launch[@]}" -n "$p" "$PLOTRAND" -o "$dir" -n "$PLOTS" --seed 1 -q --pack >/dev/null ;;
    lesson)
      for r in $(seq "$p"); do
        python3 scripts/lesson_baseline.py "$dir/$r" $((LESSON_PLOTS / p)) >/dev/null &
      done
      wait ;;
  esac
  t1=$(now)
  record "$name" "$fs" "$p" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
}
CASES=${CASES:-raw-same raw-rank flat-same flat-rank flat-auto subdirs pack}
if [[ " $CASES " != *" lesson "* ]] && python3 -c 'import matplotlib, numpy' 2>/dev/null; then
  CASES="$CASES lesson"
fi
for round in $(seq "$ROUNDS"); do
  echo "round $round"
  for p in 1 2; do
    for fs in tmpfs disk; do
      for name in $CASES; do
        run_case "$name" "$fs" "$p"
      done
    done
  done
done
echo
echo "$PLOTS plots, $ROUNDS rounds: min – max (median) seconds"
stats() { grep "^$1 $2 $3 " "$results" | awk '{ print $4 }' | sort -g |
  awk '{ v[NR] = $1 } END { if (NR) printf "%.2f %.2f %.2f\n", v[1], v[NR], v[int((NR + 1) / 2)] }'; }
for p in 1 2; do
  for fs in tmpfs disk; do
    for name in $CASES; do
      read -r lo hi med < <(stats "$name" "$fs" "$p")
      printf '| %-10s | %-5s | %s | %.2f – %.2f (%.2f) |\n' "$name" "$fs" "$p" "$lo" "$hi" "$med"
    done
  done
done
median_of() { stats "$1" "$2" "$3" | awk '{ print $3 }'; }
floor=$(printf '%s\n' "$(median_of raw-same disk 2)" "$(median_of raw-rank disk 2)" | { grep . || echo 0; } | sort -g | head -1)
shm_flat=$(median_of flat-auto tmpfs 2)
disk_flat=$(median_of flat-auto disk 2)
disk_pack=$(median_of pack disk 2)
lesson=$(median_of lesson disk 2)
awk -v f="$floor" -v s="$shm_flat" -v d="$disk_flat" -v k="$disk_pack" -v n="$PLOTS" \
  -v l="${lesson:-0}" -v ln="$LESSON_PLOTS" 'BEGIN {
  printf "goal 1: flat, p = 2, disk %.2f s against floor %.2f + tmpfs %.2f = %.2f s: %.2fx (goal <= 1.25x)\n", d, f, s, f + s, d / (f + s)
  printf "goal 2: --pack, p = 2, disk %.2f s: %.0f plots/s", k, n / k
  if (l > 0) printf "; the lesson %.1f plots/s: %.0fx (goal >= 100x)", ln / l, (n / k) / (ln / l)
  printf "\n" }'
