#!/usr/bin/env bash
# Builds plotrand-mpi (release) and runs the demo: 64 plots on every core of this machine.
#   ./scripts/demo.sh                  # mpirun -n <cores> plotrand-mpi -o plots -n 64
#   RANKS=4 ./scripts/demo.sh -n 200   # other rank count; extra arguments go to plotrand-mpi
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

cargo build --release --locked
# Wherever cargo puts its builds (CARGO_TARGET_DIR, or target-dir in a cargo config).
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
bin=${target_dir:-target}/release/plotrand-mpi
ranks=${RANKS:-$(nproc)}
launch=(mpirun -n "$ranks")
# Open MPI refuses root unless told, and more ranks than cores unless told.
if mpirun --version 2>/dev/null | grep -q "Open MPI"; then
  [ "$(id -u)" -eq 0 ] && launch+=(--allow-run-as-root)
  [ "$ranks" -gt "$(nproc)" ] && launch+=(--oversubscribe)
fi
# Defaults first: a later -o or -n from the command line overrides them.
args=(-o plots -n 64 "$@")
echo "+ ${launch[*]} $bin ${args[*]}" >&2
exec "${launch[@]}" "$bin" "${args[@]}"
