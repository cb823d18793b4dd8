#!/usr/bin/env bash
# The fuzz targets of fuzz/ (cargo fuzz, libFuzzer), each for a bounded time, starting from
# its checked-in corpus, fuzz/corpus/TARGET:
#   tar_scan     --pack --resume's scan, cut-back and index of a rank's archive, on raw bytes
#   record_read  report, extract and --resume's readers on run records made from the input
# No sanitizer, so the stable toolchain does; cargo-fuzz is installed when missing.
# A crash, a hang (10 s) or running out of memory (2 GiB) fails the script and leaves the
# input in fuzz/artifacts/TARGET/: make it a regular test, fix it, add it to the corpus.
#
#   scripts/fuzz.sh [SECONDS per target, default 60] [TARGET…]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(tar_scan record_read)

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi
if [ -z "${MPICC:-}" ] && command -v mpicc.openmpi >/dev/null; then
  export MPICC=mpicc.openmpi
fi
# Beside the main build's, which it cannot share (every crate is instrumented).
target_dir=${CARGO_TARGET_DIR:-$PWD/target}/fuzz

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for target in "${targets[@]}"; do
  echo "== fuzz $target for ${seconds} s" >&2
  # libFuzzer adds what it finds to its first corpus directory: a scratch copy, so that the
  # corpus checked in stays the small one chosen by hand.
  mkdir -p "$work/$target"
  cp fuzz/corpus/"$target"/* "$work/$target"/
  log=$work/$target.log
  if ! cargo fuzz run --sanitizer none --target-dir "$target_dir" "$target" "$work/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3 \
    -print_final_stats=1 >"$log" 2>&1; then
    # libFuzzer's report, the input as the target decoded it, and how to run it again.
    tail -n 120 "$log" >&2
    echo "fuzz: $target failed; its input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
    "$log" >&2
done
