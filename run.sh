#!/usr/bin/env bash
# Start the chat on http://127.0.0.1:7860 (extra arguments go to `python -m assistant`).
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh
exec .venv/bin/python -m assistant "$@"
