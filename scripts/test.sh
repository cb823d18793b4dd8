#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit tests, and integration tests that run the
# real binary for real — under Open MPI's mpirun with several ranks; against an MPICH build
# (its own target directory); on a single-node and a 3-node SLURM cluster and across three
# hosts made of network namespaces (tests/cluster/). Installs what is missing first. Run as
# root for all of it: the tests that need root (SLURM daemons, network namespaces, tmpfs
# mounts; the `root` test binary, tests/root/) are ignored by a plain `cargo test` and run
# here with --include-ignored when root runs this script. Run by another user, it runs the
# rest and says it left those out.
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_EXTRA_PACKAGES="mpich libmpich-dev munge slurmd slurmctld slurm-client iproute2 procps poppler-utils"
. scripts/setup.sh

for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    if command -v rustup >/dev/null 2>&1; then
      rustup component add "$component"
    else
      echo "test: cargo ${component/rustfmt/fmt} is missing; install the Rust component '$component'" >&2
      exit 1
    fi
  fi
done

# Both MPI implementations are installed side by side: name each one's wrappers explicitly.
if command -v mpicc.openmpi >/dev/null; then
  export MPICC=mpicc.openmpi PLOTRAND_TEST_MPIRUN=mpirun.openmpi
fi
command -v mpicc.mpich >/dev/null || {
  echo "test: mpicc.mpich not found; the MPICH suite needs: sudo apt-get install mpich libmpich-dev" >&2
  exit 1
}
mpich=(env MPICC=mpicc.mpich PLOTRAND_TEST_MPIRUN=mpirun.mpich CARGO_TARGET_DIR=target/mpich)

# The root-only suites run only as root, as the README says; a normal user's run leaves them
# ignored (cargo test then lists them as ignored, with the reason).
if [ "$(id -u)" -eq 0 ]; then
  ignored=(--include-ignored)
else
  ignored=()
  echo "test: not root: the root-only suites (SLURM, network namespaces, tmpfs mounts) are skipped; run as root to include them" >&2
fi

echo "== cargo fmt --check" >&2
cargo fmt --all -- --check
echo "== cargo clippy" >&2
cargo clippy --locked --all-targets -- -D warnings
echo "== build against MPICH (target/mpich)" >&2
"${mpich[@]}" cargo build --locked
# The tests that read real data files make them with the Python libraries scientists use
# (tests/data/make_real_files.py): scripts/pyenv.sh installs those, pinned, into a venv.
echo "== Python venv with xarray, netCDF4, h5py, pandas, PyTables (scripts/pyenv.sh)" >&2
PLOTRAND_TEST_PYTHON=$(scripts/pyenv.sh)
export PLOTRAND_TEST_PYTHON

echo "== cargo test (Open MPI; clusters also run the MPICH build)" >&2
PLOTRAND_MPICH_BIN=$PWD/target/mpich/debug/plotrand-mpi cargo test --locked -- ${ignored[@]+"${ignored[@]}"}
echo "== cargo test, MPI integration suite against MPICH" >&2
"${mpich[@]}" cargo test --locked --test integration -- \
  mpi_run:: failures:: hdf5_files:: signals:: output_trust::
echo "== cargo test, frames agreeing one colour range (an MPI all-reduce) under MPICH" >&2
"${mpich[@]}" cargo test --locked --test integration -- real_data::frames_share_one_colour_range
# The archive scan and the record readers under libFuzzer, briefly (docs/operations.md):
# installing cargo-fuzz and the instrumented build took 1 + 5.5 min here, the runs 2 × 30 s.
# PLOTRAND_FUZZ_SECONDS sets the time per target; 0 leaves fuzzing out.
if [ "${PLOTRAND_FUZZ_SECONDS:-30}" != 0 ]; then
  echo "== fuzz targets, ${PLOTRAND_FUZZ_SECONDS:-30} s each (scripts/fuzz.sh)" >&2
  scripts/fuzz.sh "${PLOTRAND_FUZZ_SECONDS:-30}"
fi
