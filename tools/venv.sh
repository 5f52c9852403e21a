#!/usr/bin/env bash
# Makes a virtual environment with exactly what requirements.lock pins, and nothing newer.
#   tools/venv.sh .venv
# --no-deps: pip resolves nothing against the package index (an extra such as fonttools[woff] would
# otherwise pick the newest release); --require-hashes: every file is the one that was locked;
# --no-build-isolation --no-index: the project itself is installed with the locked setuptools.
set -euo pipefail
venv=${1:-.venv}
python=${PYTHON:-python3}
cd "$(dirname "$0")/.."
"$python" -m venv --clear "$venv"  # a fresh environment: nothing left from an older lock
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
  -r requirements.lock
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation \
  --no-index -e .
"$venv/bin/python" -m pip check --disable-pip-version-check >/dev/null || {
  echo "Låsfilen requirements.lock är ofullständig: kör make lock." >&2
  "$venv/bin/python" -m pip check >&2
  exit 1
}
