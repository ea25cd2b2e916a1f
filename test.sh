#!/usr/bin/env bash
# Run the whole test suite (extra arguments go to pytest, e.g. ./test.sh -m "not browser").
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh
# Browser tests drive Debian's Chromium; install it (with a CJK font) when we can.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing chromium and fonts-wqy-microhei for the browser tests..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei) >&2 \
    || echo "warning: could not install chromium; browser tests will be skipped" >&2
fi
# No model hub here or in CI: every model must come from an installed package.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" = 5 ]; then
  echo "error: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
