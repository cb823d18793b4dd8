#!/usr/bin/env bash
# Builds plotrand-mpi (release) and runs the demo: 64 plots on every core of this machine.
#   ./scripts/demo.sh                  # mpirun -n <cores> plotrand-mpi -o plots -n 64
#   RANKS=4 ./scripts/demo.sh -n 200   # other rank count; extra arguments go to plotrand-mpi
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

cargo build --release --locked
ranks=${RANKS:-$(nproc)}
launch=(mpirun -n "$ranks")
# Open MPI refuses root unless told, and more ranks than cores unless told.
if mpirun --version 2>/dev/null | grep -q "Open MPI"; then
  [ "$(id -u)" -eq 0 ] && launch+=(--allow-run-as-root)
  [ "$ranks" -gt "$(nproc)" ] && launch+=(--oversubscribe)
fi
args=(-o plots -n 64 "$@")
echo "+ ${launch[*]} target/release/plotrand-mpi ${args[*]}" >&2
exec "${launch[@]}" target/release/plotrand-mpi "${args[@]}"
