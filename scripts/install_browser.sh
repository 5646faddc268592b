#!/usr/bin/env bash
# Installs Debian's Chromium for the HTML report test (tests/html_report.rs), which opens a
# report headless, screenshots it and checks the rendered page. Idempotent. Run by
# scripts/test.sh; `make demo` does not need a browser.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "[browser] chromium is missing and this user cannot install packages; install the Debian package 'chromium' (apt-get install chromium) and rerun" >&2
        exit 1
    fi
fi
echo "[browser] installing chromium (Debian package) for the HTML report test" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q --no-install-recommends chromium >&2 \
    || { $SUDO apt-get update -q >&2 && $SUDO apt-get install -y -q --no-install-recommends chromium >&2; }
command -v chromium >/dev/null
