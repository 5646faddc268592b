# Sourced by the peer benchmarks: builds .venv-bench (torch 2.4.0, sentence-transformers
# 3.0.1, which brings transformers) on first use, so every peer runs on the same stack.
if [ ! -x .venv-bench/bin/python ] || ! .venv-bench/bin/python -c 'import sentence_transformers, transformers' 2>/dev/null; then
    echo "[bench] building .venv-bench (torch==2.4.0, sentence-transformers==3.0.1)" >&2
    "${PYTHON:-python3}" -m venv .venv-bench
    .venv-bench/bin/pip install -q --disable-pip-version-check torch==2.4.0 sentence-transformers==3.0.1
fi
