#!/usr/bin/env bash
# Installs what deskbridge needs, builds it in release mode and starts the demo: a throwaway
# SQLite database with demo data, printing curl commands to try the API.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DDESKBRIDGE_TESTS=OFF >/dev/null
cmake --build build-release -j "$(nproc)" --target deskbridge
exec ./build-release/deskbridge demo --zoho-sim "$root/tools/zoho_sim/deskbridge-zoho-sim" \
  --zoho-fixture "$root/data/zoho-demo.json" "$@"
