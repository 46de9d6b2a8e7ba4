"""Secrets must never reach a deskbridge log: the registry of what a test run used, and the scan.

Every server of a pytest session (of each pytest-xdist worker) logs into one directory
(conftest's `server_logs` fixture). Whatever secret the tests hand to a server or receive from it
is recorded in `secrets.jsonl` there: token signing keys, passwords (seed, CLI and every password
sent to /api/get/auth), issued tokens, the Zoho client secret and refresh token, webhook secrets.
At the end of the session `find_leaks` scans every `*.stderr` log for each, raw and as JSON would
escape it, and for any Zoho access token by its shape; conftest fails the run when it finds one.
"""

import json
import re
from pathlib import Path

SECRETS_FILE = "secrets.jsonl"
LOG_GLOB = "*.stderr"
# Shorter values ("x", "bad") are junk that tests send on purpose and would match by chance.
MIN_SECRET_CHARS = 8
# The simulator issues access tokens as "1000.<32 hex>.<32 hex>" (tools/zoho_sim/zoho_sim/auth.py).
ZOHO_ACCESS_TOKEN = re.compile(r"1000\.[0-9a-f]{32}\.[0-9a-f]{32}")

_log_dir = None


def use_directory(directory):
    """Sets where servers log and secrets are recorded for this session."""
    global _log_dir
    _log_dir = Path(directory)
    _log_dir.mkdir(parents=True, exist_ok=True)


def log_directory():
    return _log_dir


def record(kind, *values):
    """Remembers secret values of one kind (e.g. "password"); a no-op outside a session."""
    if _log_dir is None:
        return
    with open(_log_dir / SECRETS_FILE, "a", encoding="utf-8") as out:
        for value in values:
            if isinstance(value, str) and len(value) >= MIN_SECRET_CHARS:
                out.write(json.dumps({"kind": kind, "value": value}) + "\n")


def recorded(directory):
    """{value: kind} of every secret recorded in `directory`."""
    path = Path(directory) / SECRETS_FILE
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        found[entry["value"]] = entry["kind"]
    return found


def spellings(value):
    """The value as a log line could hold it: raw, JSON-escaped, JSON-escaped as ASCII."""
    return {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}


def find_leaks(directory, secrets=None):
    """[(log file name, line number, kind)] for every secret found in a log of `directory`."""
    secrets = recorded(directory) if secrets is None else secrets
    needles = {s: kind for value, kind in secrets.items() for s in spellings(value)}
    leaks = []
    for log in sorted(Path(directory).glob(LOG_GLOB)):
        text = log.read_text(encoding="utf-8", errors="replace")
        # Whole-file searches first (fast); lines only for what was found.
        hits = [(needle, kind) for needle, kind in needles.items() if needle in text]
        if ZOHO_ACCESS_TOKEN.search(text):
            hits.append((ZOHO_ACCESS_TOKEN, "zoho access token"))
        for needle, kind in hits:
            for number, line in enumerate(text.splitlines(), 1):
                found = needle.search(line) if isinstance(needle, re.Pattern) else needle in line
                if found:
                    leaks.append((log.name, number, kind))
    return leaks
