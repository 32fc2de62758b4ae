#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine, then runs them.
# This is the README's test command; .ci/run calls it. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's chromium drives the browser tests (playwright cannot download browsers here).
if ! command -v chromium >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# Bytecode for the package, also where PYTHONDONTWRITEBYTECODE is set (CI machines): each build
# process and locale worker then starts 0.15 s sooner. Python checks each file's mtime.
.venv/bin/python -m compileall -q tools/helpcenter >/dev/null

# axe-core and lighthouse for the accessibility and mobile audits.
(cd tests/audit && npm ci --no-audit --no-fund --loglevel=error)

exec .venv/bin/python -m pytest "$@"
