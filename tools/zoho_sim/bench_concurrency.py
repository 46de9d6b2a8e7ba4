#!/usr/bin/env python3
"""Burst benchmark for the simulator: N concurrent GETs against a running simulator.

  deskbridge-zoho-sim --fixture data/zoho-demo.json --latency-ms 100 --port-file /tmp/p &
  bench_concurrency.py --port $(cat /tmp/p) --fixture data/zoho-demo.json -n 500 --waves 5

Each wave fires N requests at once on N separate connections and reports wall time; with
100 ms injected latency a wave should take little more than 0.1 s if the simulator is not
the bottleneck."""

import argparse
import asyncio
import json
import resource
import sys
import time

import aiohttp


async def token(session, base, oauth):
    data = dict(oauth, grant_type="refresh_token")
    async with session.post(base + "/oauth/v2/token", data=data) as resp:
        return (await resp.json())["access_token"]


async def server_cpu(session, base):
    async with session.get(base + "/_sim/counts") as resp:
        return (await resp.json())["process_cpu_seconds"]


async def wave(session, url, headers, n):
    async def one():
        async with session.get(url, headers=headers) as resp:
            await resp.read()
            return resp.status
    started = time.monotonic()
    statuses = await asyncio.gather(*(one() for _ in range(n)))
    return time.monotonic() - started, statuses


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fixture", required=True)
    parser.add_argument("-n", type=int, default=500)
    parser.add_argument("--waves", type=int, default=5)
    parser.add_argument("--path", default="/api/v1/tickets/123456789012345678/threads")
    parser.add_argument("--new-connections", action="store_true",
                        help="close every connection (default: keep-alive across waves)")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    fixture = json.load(open(args.fixture, encoding="utf-8"))
    base = "http://127.0.0.1:%d" % args.port
    connector = aiohttp.TCPConnector(limit=0, force_close=args.new_connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        headers = {"Authorization": "Zoho-oauthtoken " + await token(session, base,
                                                                      fixture["oauth"]),
                   "orgId": fixture["org"]["id"]}
        for k in range(args.waves):
            cpu0, own0 = await server_cpu(session, base), time.process_time()
            took, statuses = await wave(session, base + args.path, headers, args.n)
            cpu1, own1 = await server_cpu(session, base), time.process_time()
            bad = [s for s in statuses if s != 200]
            print("wave %d: %d requests in %.3f s (%d non-200); CPU simulator %.3f s, "
                  "client %.3f s" % (k + 1, args.n, took, len(bad), cpu1 - cpu0, own1 - own0))
            sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main())
