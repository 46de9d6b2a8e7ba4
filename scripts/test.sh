#!/usr/bin/env bash
# Installs what the tests need, builds, and runs every test: unit tests (ctest) and the
# black-box suites (pytest) against the built binaries, real SQLite and PostgreSQL databases and
# the Zoho simulator.
# Then, unless --quick, the sanitizer builds and the fuzz smoke (scripts/test-extra.sh).
# Usage: scripts/test.sh [--quick]  (from anywhere; BUILD_DIR overrides ./build)
set -euo pipefail

quick=0
[ "${1:-}" != --quick ] || quick=1

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
cd "$root"

bash scripts/install-deps.sh

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDESKBRIDGE_TESTS=ON >/dev/null
cmake --build "$build" -j "$(nproc)"

# Every suite runs against both engines: a throwaway PostgreSQL server for this run, unless the
# caller already points DESKBRIDGE_TEST_PG_URL at one.
source scripts/pg-test-server.sh
if [ -z "${DESKBRIDGE_TEST_PG_URL:-}" ]; then
  echo "== starting a throwaway PostgreSQL server"
  trap pg_test_server_stop EXIT
  trap 'exit 130' INT TERM  # through the EXIT trap, so the server never outlives the run
  pg_test_server_start
fi
export DESKBRIDGE_TEST_PG_URL

status=0
echo "== API document: lint docs/openapi.yaml, check the /docs page built from it"
(cd docs/api-tools && npm ci --no-audit --no-fund --loglevel=error && npm run --silent lint \
  && npm run --silent check-reference) || status=1

echo "== unit tests (ctest)"
(cd "$build" && ctest --output-on-failure -j "$(nproc)") || status=1

echo "== black-box tests (pytest)"
suites=(tests/e2e)
[ -d tests/zoho_sim ] && suites+=(tests/zoho_sim)
# One pytest-xdist worker per core, each test module on one worker (its server is module-scoped):
# the suites mostly wait on servers, so this about halves their time.
DESKBRIDGE_BIN="$build/deskbridge" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
  -n "$(nproc)" --dist loadscope "${suites[@]}" || status=1

if [ $quick -eq 0 ]; then
  bash scripts/test-extra.sh || status=1
fi

exit $status
