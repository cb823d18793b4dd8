#!/usr/bin/env bash
# Installs (as root, with apt) or names (otherwise) what building and testing plotrand-mpi
# needs: a Rust toolchain, a C toolchain, Open MPI, HDF5 (library and h5dump) and libclang
# (rsmpi generates its MPI bindings with bindgen at build time). Sourced by demo.sh and
# test.sh; test.sh adds what its tests run for real (MPICH, SLURM, munge, iproute2) through
# SETUP_EXTRA_PACKAGES. Safe to run again.
set -euo pipefail

packages=(openmpi-bin libopenmpi-dev libclang-dev pkg-config gcc libc6-dev libhdf5-dev hdf5-tools
  ${SETUP_EXTRA_PACKAGES:-})

say() { printf 'setup: %s\n' "$*" >&2; }
# shellcheck source=scripts/apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

install_system_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    if command -v mpicc >/dev/null 2>&1 && command -v mpirun >/dev/null 2>&1; then
      say "not a Debian/Ubuntu system; using the MPI found on PATH ($(command -v mpicc))"
      return 0
    fi
    say "not a Debian/Ubuntu system and no MPI on PATH."
    say "install an MPI implementation with its compiler wrappers (Open MPI or MPICH: mpicc, mpirun),"
    say "libclang and pkg-config with your package manager, or 'module load' them on a cluster."
    exit 1
  fi
  local missing
  mapfile -t missing < <(missing_packages "${packages[@]}")
  apt_install_or_explain "${missing[@]}"
}

# The minimum Rust version is Cargo.toml's rust-version, read from there so it cannot drift.
rust_version() {
  sed -n 's/^rust-version *= *"\([^"]*\)".*/\1/p' "$(dirname "${BASH_SOURCE[0]}")/../Cargo.toml"
}

check_rust() {
  if [ -f "$HOME/.cargo/env" ] && ! command -v cargo >/dev/null 2>&1; then
    # shellcheck disable=SC1091
    . "$HOME/.cargo/env"
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    say "no Rust toolchain (cargo) found. Install one with rustup (Rust >= $(rust_version)):"
    say "    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh"
    say "then open a new shell (or '. \$HOME/.cargo/env') and run this command again."
    exit 1
  fi
}

install_system_packages
check_rust
