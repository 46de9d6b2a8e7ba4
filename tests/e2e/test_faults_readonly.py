"""Fault injection: the SQLite database stops taking writes under a running service, as when its
file system is remounted read-only. Root ignores file modes and a remount is refused while the
service holds the file open, so the fault is injected where the kernel would report it: libfiu
(Debian's fiu-utils) runs the service with its POSIX preload, and `fiu-ctrl` makes every
pwrite(2) fail with EROFS until told to stop. SQLite writes its WAL and pages with pwrite, while
sockets and logs use other calls, so only the database is hit.

While the fault lasts, reads (and refreshes, which find nothing new to write) keep being
answered, a webhook (which must write its stale mark) answers the contract's 500 quickly, and
health checks answer at once; when it ends the service writes again without a restart, and the
database file is intact."""

import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

import zoho_data as zd

from fault_load import TIME_FACTOR, Load, assert_healthy_fast, cached_mixed_load_body

EROFS = 30
WRITE_FAULT = "posix/io/rw/pwrite"
MARGIN_S = 3 * TIME_FACTOR
SECRET = "e2e-readonly-Webhook_0123456789"


@pytest.fixture
def fiu(tmp_path):
    if shutil.which("fiu-run") is None or shutil.which("fiu-ctrl") is None:
        pytest.skip("fiu-utils is not installed (scripts/install-deps.sh installs it)")
    prefix = str(tmp_path / "fiu-ctrl")

    def control(pid, command):
        result = subprocess.run(["fiu-ctrl", "-f", prefix, "-c", command, str(pid)],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr

    return ["fiu-run", "-x", "-f", prefix], control


def test_sqlite_refusing_writes_mid_load(engine, zoho_services, fiu):
    if engine != "sqlite":
        pytest.skip("the fault is in SQLite's file writes")
    wrapper, control = fiu
    svc = zoho_services.start("--zoho-max-age", "3600", "--zoho-webhook-secret", SECRET,
                              wrapper=wrapper)
    pid = svc.svc.process.pid
    tickets = list(zd.SMALL)[:6]
    body = cached_mixed_load_body(svc, tickets)

    with Load(svc.port, body, workers=4) as before:
        time.sleep(1)

    def mark_stale(n):
        start = time.monotonic()
        status, _, reply = svc.webhook(
            SECRET, [{"eventType": "Ticket_Update", "payload": {"ticketId": zd.zid(n)}}])
        return status, reply, time.monotonic() - start

    control(pid, f"enable name={WRITE_FAULT},failinfo={EROFS}")
    try:
        with Load(svc.port, body, workers=4) as faulty:
            time.sleep(1)
            refused = [mark_stale(n) for n in tickets[:3]]
            assert_healthy_fast(svc)
            time.sleep(1)
    finally:
        control(pid, f"disable name={WRITE_FAULT}")

    marked = [mark_stale(n) for n in tickets[:3]]
    with Load(svc.port, body, workers=4) as after:
        time.sleep(2)

    assert before.answers and all(a.status == 200 for a in before.answers), before.answers[:5]
    assert faulty.answers and all(a.status == 200 for a in faulty.answers), faulty.answers[:5]
    assert all(a.seconds < MARGIN_S for a in faulty.answers), faulty.answers
    for status, reply, seconds in refused:
        assert status == 500 and reply == {
            "success": False, "error": "Internal error: database unavailable"}, reply
        assert seconds < MARGIN_S
    for status, reply, _ in marked:
        assert status == 200 and reply["marked_stale"] == 1, reply
    assert after.answers and all(a.status == 200 for a in after.answers), after.answers[:5]
    revalidated = [a for a in after.answers if a.body["sync"].get("source") == "zoho"]
    assert revalidated, "no request revalidated the tickets marked stale after the fault"
    assert "webhook_mark_failed" in svc.log_text()

    db_path = Path(svc.db_url.removeprefix("sqlite:"))
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
