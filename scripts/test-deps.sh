#!/usr/bin/env bash
# Installs the Debian packages the test suite runs, when missing:
#   redis-server   runtime router store, gateway shared state, bundle publishing
#   postgresql     analytics SQL and request-log tests (initdb lives in /usr/lib/postgresql/<v>/bin)
#   prometheus     promtool rule tests, the readiness gate and gateway end-to-end tests
#   python3-yaml   PyYAML, which LiteLLM reads its config with
# Needs root or sudo; does nothing when everything is there.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
{ command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; } || missing+=(postgresql)
{ command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; } || missing+=(prometheus)
python3 -c 'import yaml' >/dev/null 2>&1 || missing+=(python3-yaml)

if [ ${#missing[@]} -eq 0 ]; then
  echo "== test dependencies present"
  exit 0
fi
echo "== installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "switchyard: the tests need ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
    exit 2
  fi
  SUDO="sudo"
fi
$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
