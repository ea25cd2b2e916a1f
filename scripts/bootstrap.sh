#!/usr/bin/env bash
# Create or reuse .venv and install what the project needs (once per change of pyproject.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $($PYTHON --version)..." >&2
  "$PYTHON" -m venv .venv
fi
stamp=$(cat pyproject.toml scripts/bootstrap.sh | sha256sum | cut -d' ' -f1)
if [ "$(cat .venv/.installed 2>/dev/null)" != "$stamp" ]; then
  echo "Installing dependencies into .venv (first run takes a few minutes)..." >&2
  .venv/bin/python -m pip install -q --upgrade pip
  # torch first and pinned: an unpinned torch (pulled in by sentence-transformers)
  # downloads a multi-GB CUDA build; this version installs a CPU build here.
  .venv/bin/python -m pip install -q "torch==2.13.0"
  .venv/bin/python -m pip install -q -e ".[dev]"
  echo "$stamp" > .venv/.installed
fi
