#!/usr/bin/env bash
# Installs every Debian 12 package deskbridge needs to build, test and run.
# Idempotent; run as root (or through sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libcurl4-openssl-dev libsqlite3-dev sqlite3 libpq-dev
  libsodium-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev libxxhash-dev libgumbo-dev
  libhowardhinnant-date-dev tzdata media-types
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev clang-format
  postgresql postgresql-contrib
  python3 python3-pytest python3-pytest-xdist python3-aiohttp procps
  nginx
  prometheus  # for promtool, which checks the /metrics output in the tests
  fiu-utils   # libfiu's fault injection (tests/e2e/test_faults_readonly.py)
)
# The API document's tools and tests: docs/api-tools runs on Node.js (Debian's, unless the
# machine has one), tests/e2e/test_openapi.py and test_docs_page.py on these.
packages+=(python3-jsonschema python3-yaml chromium)
command -v npm >/dev/null || packages+=(nodejs npm)

export DEBIAN_FRONTEND=noninteractive
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
