#!/usr/bin/env bash
# The Python host's tests, from a fresh machine: a venv in host-tests/python/.venv with the
# pinned dependencies, the node tools for dynalite, the component, this package installed
# from source (with the component as package data), ruff and mypy on the package, then pytest.
# Idempotent, and quick when nothing changed: each step is skipped when its inputs are
# unchanged.
#   host-tests/python/run-tests.sh [PYTEST ARGS...]
#   host-tests/python/run-tests.sh --prepare    only the venv and its dependencies (make test
#                                               runs this while the Rust hosts compile)
#
# Network rule: this machine may talk to loopback only. No test may reach the real instance
# metadata (169.254.169.254) or container (169.254.170.x) addresses, so the whole suite runs
# with instance metadata off and no container credentials; tests that need them point the
# override variables at fakes of their own on 127.0.0.1 (tests/conftest.py enforces the same).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
python="$venv/bin/python"

fingerprint() {
  cat "$@" | sha256sum | cut -d' ' -f1
}

ensure_node_tools() {
  if [ ! -d "$root/scripts/node/node_modules" ]; then
    "$root/scripts/install-toolchain.sh"
  fi
}

ensure_component() {
  if [ ! -f "$root/build/jovo_dynamodb.wasm" ]; then
    "$root/scripts/build-component.sh"
  fi
}

ensure_venv() {
  [ -x "$python" ] || python3 -m venv "$venv"
  # Dependencies (runtime and test) are reinstalled only when pyproject.toml changes.
  local stamp="$venv/.dependencies" wanted
  wanted="$(fingerprint "$here/pyproject.toml")"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    "$python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    # The package's dependency list, read from pyproject.toml, plus the test extras.
    "$python" - "$here/pyproject.toml" <<'PY' > "$venv/requirements.txt"
import sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["test"]))
PY
    "$python" -m pip install --quiet --disable-pip-version-check -r "$venv/requirements.txt"
    echo "$wanted" >"$stamp"
  fi
}

ensure_package() {
  # Reinstalled when its code, its build files or the component changed.
  local stamp="$venv/.package" wanted
  wanted="$(fingerprint "$here/pyproject.toml" "$here/setup.py" "$root/build/jovo_dynamodb.wasm" \
    $(find "$here/src" -name '*.py' -o -name py.typed | sort))"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    "$python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation \
      --force-reinstall "$here"
    echo "$wanted" >"$stamp"
  fi
}

lint() {
  "$venv/bin/ruff" check --quiet "$here/src" "$here/tests" "$here/setup.py" "$here/measure_overhead.py" "$here/measure_async.py" "$here/measure_items.py"
  "$venv/bin/mypy" --config-file "$here/pyproject.toml" "$here/src/jovo_dynamodb"
}

if [ "${1:-}" = "--prepare" ]; then
  ensure_venv
  exit 0
fi
ensure_node_tools
ensure_component
ensure_venv
ensure_package
cd "$here"
lint
export AWS_EC2_METADATA_DISABLED=true
unset AWS_EC2_METADATA_SERVICE_ENDPOINT AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI
exec "$python" -m pytest "$@"
