#!/usr/bin/env bash
# Installs the moto server (the only local DynamoDB stand-in that checks SigV4 signatures and
# IAM policies) into a venv at host-tests/.venv-moto, pinned. Idempotent: does nothing when
# the pinned version is already there. Prints the path of moto_server on its last line.
#   scripts/install-moto.sh
set -euo pipefail
MOTO_VERSION="5.2.5"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/../host-tests/.venv-moto"
server="$venv/bin/moto_server"
if [ -x "$server" ] && "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('moto') != '$MOTO_VERSION')" 2>/dev/null; then
  [ -f "$venv/.gitignore" ] || echo '*' >"$venv/.gitignore"
  echo "$(cd "$venv" && pwd)/bin/moto_server"
  exit 0
fi
python3 -m venv "$venv" >&2
echo '*' >"$venv/.gitignore" # keep the venv out of git
"$venv/bin/pip" install --disable-pip-version-check --quiet "moto[server]==$MOTO_VERSION" >&2
"$venv/bin/python" -c "import moto; print('moto', moto.__version__)" >&2
echo "$(cd "$venv" && pwd)/bin/moto_server"
