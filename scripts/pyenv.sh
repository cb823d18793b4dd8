#!/usr/bin/env bash
# Makes (or brings up to date) a Python venv with the libraries scientists write HDF5 and
# NetCDF-4 files with — xarray, netCDF4, h5netcdf, h5py, pandas, PyTables, numpy, matplotlib,
# cftime — at the versions pinned in scripts/python-requirements.txt. The tests generate their
# real input files with it (tests/data/make_real_files.py), and the reference scripts
# (look.py, xarray_frames.py) draw with it. Prints the venv's python on stdout, everything
# else on stderr, so that callers can write
#     PLOTRAND_TEST_PYTHON=$(scripts/pyenv.sh)
# Where:  PLOTRAND_PYENV (default target/pyenv in the repository); the base interpreter is
# PYTHON (default python3). When that cannot make a venv (missing, older than 3.11, or
# Debian's python3 without python3-venv), as root on Debian/Ubuntu it installs python3,
# python3-venv and python3-pip with apt, and otherwise says what to install. Safe to run
# again: a venv whose pins have not changed is left as it is (a few milliseconds).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
requirements=$root/scripts/python-requirements.txt
venv=${PLOTRAND_PYENV:-$root/target/pyenv}
python=${PYTHON:-python3}
# numpy 2.4, pandas 3 and xarray 2026 need Python 3.11 or newer (Debian 12 has 3.11).
min_minor=11
packages=(python3 python3-venv python3-pip)

say() { printf 'pyenv: %s\n' "$*" >&2; }
# shellcheck source=scripts/apt.sh
. "$root/scripts/apt.sh"

# A base interpreter is usable when it is new enough and can make a venv with pip in it
# (Debian splits ensurepip into python3-venv; without it `python3 -m venv` fails).
usable() {
  command -v "$1" >/dev/null 2>&1 &&
    "$1" -c "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, $min_minor))" 2>/dev/null
}

find_python() {
  usable "$python" && return 0
  if ! command -v dpkg-query >/dev/null 2>&1; then
    say "no usable Python: '$python' is missing, older than 3.$min_minor or has no venv module."
    say "install Python >= 3.$min_minor with its venv module (your package manager, or"
    say "'module load python' on a cluster), or name one with PYTHON=/path/to/python3."
    exit 1
  fi
  local missing
  mapfile -t missing < <(missing_packages "${packages[@]}")
  apt_install_or_explain "${missing[@]}"
  # The system's own interpreter, now complete, when the one named first is not usable.
  usable "$python" && return 0
  if usable /usr/bin/python3; then
    python=/usr/bin/python3
    return 0
  fi
  say "'$python' and /usr/bin/python3 are older than 3.$min_minor or cannot make a venv;"
  say "name a Python >= 3.$min_minor with PYTHON=/path/to/python3 and run this command again."
  exit 1
}

# The pins the venv was last installed with, copied into it once the install succeeded.
stamp=$venv/.plotrand-requirements.txt

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c '' 2>/dev/null &&
  cmp -s "$requirements" "$stamp"; then
  printf '%s\n' "$venv/bin/python"
  exit 0
fi

find_python
# A venv whose interpreter no longer runs (its base Python was removed or upgraded) is
# rebuilt rather than repaired.
if [ -e "$venv" ] && ! "$venv/bin/python" -c '' 2>/dev/null; then
  say "removing $venv: its python does not run"
  rm -rf "$venv"
fi
if [ ! -e "$venv/bin/python" ]; then
  say "creating a venv at $venv with $("$python" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
fi
say "installing the pinned packages (scripts/python-requirements.txt) into $venv"
# Wheels only: a source build of netCDF4, h5py or tables would need libnetcdf/HDF5 headers
# and minutes of compiling; every pinned package has a manylinux wheel.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
  -r "$requirements" >&2
cp "$requirements" "$stamp"
"$venv/bin/python" - >&2 <<'PY'
import h5py, netCDF4, tables
print(f"pyenv: bundled HDF5: h5py {h5py.version.hdf5_version}, netCDF4 "
      f"{netCDF4.__hdf5libversion__} (netcdf-c {netCDF4.__netcdf4libversion__}), "
      f"tables {tables.hdf5_version}")
PY
printf '%s\n' "$venv/bin/python"
