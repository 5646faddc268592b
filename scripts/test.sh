#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh, idempotent) and runs the whole test suite:
# formatting, clippy, and every unit, integration and CLI test against the real model.
# `make test` and `.ci/run` run exactly this.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

scripts/setup.sh
scripts/install_browser.sh
# shellcheck disable=SC1091
. .libtorch/env

echo "[test] cargo fmt --check" >&2
cargo fmt --all -- --check
echo "[test] cargo clippy --all-targets -- -D warnings" >&2
cargo clippy --release --locked --all-targets --quiet -- -D warnings
echo "[test] cargo test" >&2
cargo test --release --locked
