#!/usr/bin/env bash
# The benchmark: builds deskbridge in release mode, starts it with SQLite and the Zoho Desk
# simulator, runs every scenario once on this machine and prints one table (also written to
# bench/out/results.md). Not part of the default test run.
#   bash bench/run.sh            # scenarios 1-6 (about 2 minutes)
#   bash bench/run.sh --soak 300 # plus a 5-minute memory soak
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
export DEBIAN_FRONTEND=noninteractive
for p in wrk; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    apt-get install -y -qq --no-install-recommends "$p"
done

cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DDESKBRIDGE_TESTS=OFF >/dev/null
cmake --build build-release --target deskbridge

exec /usr/bin/python3 bench/bench.py --bin build-release/deskbridge "$@"
