#!/usr/bin/env bash
# The whole test suite, as the README's Quick start and .ci/run run it:
# installs what the tests need (nginx from Debian, the Python packages in .venv),
# then the quality gates (ruff lint + format, mypy --strict, docs freshness) and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends nginx >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
export PATH="$PWD/.venv/bin:/usr/sbin:/sbin:$PATH"

echo "== ruff"
ruff check src tests bench scripts
ruff format --check src tests bench scripts
echo "== mypy --strict"
mypy --strict src/sup2circus
echo "== docs are generated from the mapping table"
python -m sup2circus.docs --check
echo "== pytest"
python -m pytest -n 2 -p no:cacheprovider "$@"
