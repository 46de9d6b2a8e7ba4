"""Command line: deskbridge-zoho-sim --fixture FILE.json [--port 0 --port-file P] [knobs]."""

import argparse
import asyncio
import json
import resource
import sys

from . import config as cfg
from .app import serve
from .util import FixtureError
from .state import SimState


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="deskbridge-zoho-sim",
        description="Zoho Desk API simulator (see docs/zoho-simulator.md).")
    parser.add_argument("--fixture", required=True, help="fixture JSON file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = ephemeral")
    parser.add_argument("--port-file", help="write the bound port here once listening")
    parser.add_argument("--quiet", action="store_true", help="no per-request log lines")
    parser.add_argument("--generate-tickets", type=int, metavar="N",
                        help="add N generated tickets (overrides fixture generate.tickets)")
    parser.add_argument("--threads-per-ticket", type=int, metavar="M",
                        help="threads per generated ticket (default 10)")
    parser.add_argument("--generated-content-bytes", type=int, metavar="B",
                        help="approximate HTML size of each generated thread (default 600)")
    cfg.add_arguments(parser)
    return parser.parse_args(argv)


def _raise_fd_limit():
    # Hundreds of concurrent connections need more than a 1024 soft limit.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = 65536 if hard == resource.RLIM_INFINITY else hard
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        knobs = cfg.from_args(args)
    except cfg.ConfigError as exc:
        sys.exit("deskbridge-zoho-sim: %s" % exc)
    generate = {k: v for k, v in (("tickets", args.generate_tickets),
                                  ("threads", args.threads_per_ticket),
                                  ("content_bytes", args.generated_content_bytes))
                if v is not None}
    try:
        with open(args.fixture, encoding="utf-8") as handle:
            fixture = json.load(handle)
        state = SimState(fixture, knobs, generate)
    except (OSError, json.JSONDecodeError, FixtureError, ValueError, TypeError) as exc:
        sys.exit("deskbridge-zoho-sim: bad fixture %s: %s" % (args.fixture, exc))
    _raise_fd_limit()
    announce = (lambda msg: None) if args.quiet else \
        (lambda msg: print(msg, file=sys.stderr, flush=True))
    try:
        asyncio.run(serve(state, args.host, args.port, args.port_file, args.quiet, announce))
    except KeyboardInterrupt:
        pass
    return 0
