#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit tests and the integration tests that run the
# real binary under the real mpirun with several ranks. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
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

echo "== cargo fmt --check" >&2
cargo fmt --all -- --check
echo "== cargo clippy" >&2
cargo clippy --locked --all-targets -- -D warnings
echo "== cargo test" >&2
cargo test --locked
