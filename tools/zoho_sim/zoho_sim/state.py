"""Mutable simulator state shared by all handlers (single event loop, so no locks)."""

import collections
import random
import time

from . import config as cfg
from .model import Store

KINDS = ("token", "organizations", "ticket", "search", "threads_list", "thread_detail",
         "thread_full_content", "thread_original_content", "attachments_list",
         "attachment_content", "unknown")


class Counts:
    def __init__(self):
        self.calls = dict.fromkeys(KINDS, 0)
        self.status = collections.Counter()
        self.by_kind = collections.defaultdict(collections.Counter)
        self.faults = {"error": 0, "hang": 0, "malformed": 0}
        self.rejected = {"concurrency": 0, "credits": 0, "token_throttle": 0}
        self.max_in_flight = 0

    def record(self, kind, status):
        self.status[str(status)] += 1
        self.by_kind[kind][str(status)] += 1


class SimState:
    def __init__(self, fixture, knobs, generate_override=None):
        self.fixture = fixture
        self.generate_override = generate_override
        self.initial_knobs = dict(knobs)
        self.knobs = dict(knobs)
        self.store = Store(fixture, generate_override)
        self.counts = Counts()
        self.in_flight = 0
        self.credits_used = 0
        self.rng = random.Random(knobs.get("seed"))
        from .auth import TokenRegistry
        self.tokens = TokenRegistry()
        # Rendered Desk bodies keyed by URL; see faults._api_call. Any control-API write
        # clears it, so it can never serve data older than the last mutation.
        self.body_cache = {}

    @property
    def credits_remaining(self):
        return max(0, self.knobs["credits"] - self.credits_used)

    def configure(self, changes):
        self.knobs = cfg.apply(self.knobs, changes)
        self.body_cache.clear()
        if changes.get("refresh_token_revoked") and self.knobs["refresh_token_revoked"]:
            self.tokens.expire_all()
        if "credits" in changes:
            self.credits_used = 0
        if "seed" in changes:
            self.rng.seed(self.knobs["seed"])

    def reset(self, knobs=False, data=False, tokens=False):
        self.body_cache.clear()
        self.counts = Counts()
        self.counts.max_in_flight = self.in_flight
        self.credits_used = 0
        if knobs:
            self.knobs = dict(self.initial_knobs)
            self.rng.seed(self.knobs.get("seed"))
        if data:
            self.store = Store(self.fixture, self.generate_override)
        if tokens:
            self.tokens.clear()

    def counts_body(self):
        c = self.counts
        return {"calls": dict(c.calls), "status": dict(c.status),
                "by_kind": {k: dict(v) for k, v in c.by_kind.items()},
                "faults": dict(c.faults), "rejected": dict(c.rejected),
                "in_flight": self.in_flight, "max_in_flight": c.max_in_flight,
                "credits_used": self.credits_used,
                "credits_remaining": self.credits_remaining,
                "tokens_active": self.tokens.active_count(),
                # Lets a benchmark tell "simulator saturated" from "client saturated".
                "process_cpu_seconds": round(time.process_time(), 3)}
