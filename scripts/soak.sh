#!/usr/bin/env bash
# The soak: mixed traffic (local tickets, Zoho-linked ones cached, revalidated and refreshed)
# against a release build with SQLite and the Zoho Desk simulator, for SECONDS (default 600),
# with attachment downloads beside it, sampling the service's RSS. Fails on any non-2xx answer,
# socket error or failed download, on a Zoho call refused for spent credits, or when RSS grows
# by more than bench.py's SOAK_MAX_GROWTH_MIB. Not part of scripts/test.sh.
# Usage: scripts/soak.sh [SECONDS]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
# bench/run.sh builds the release binary and installs wrk; bench.py --soak-only runs the soak
# alone (the same soak as `bench/run.sh --soak N`, without the benchmark scenarios).
exec bash "$root/bench/run.sh" --soak "$seconds" --soak-only
