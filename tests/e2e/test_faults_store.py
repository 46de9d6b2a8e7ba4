"""Fault injection into the database under load: a SQLite file locked by another process, and a
PostgreSQL server stopped and started again on the same port. While the database is away the
service answers the contract's 500 within a bounded time (SQLite waits its 5 s busy_timeout for
the lock; PostgreSQL fails at once), keeps answering health checks, and serves again as soon as
the database is back, without a restart."""

import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

import zoho_data as zd

from conftest import REPO, Service, import_seed, stop_and_check
from e2e_seed import EXPECTED_TICKETS
from fault_load import TIME_FACTOR, Load, assert_healthy_fast, cached_mixed_load_body

TICKET = 99
SQLITE_BUSY_TIMEOUT_S = 5  # PRAGMA busy_timeout in src/store/detail/sqlite_connection.cpp
# A busy 2-core machine (or a sanitizer build) adds to every bound below.
MARGIN_S = 3 * TIME_FACTOR


def details_body(token):
    return lambda i: {"auth": token, "chamado_id": TICKET}


def check_served(answers):
    assert answers, "the load sent nothing"
    for a in answers:
        assert a.status == 200 and a.body["ticket"] == EXPECTED_TICKETS[TICKET], a


def check_failed_fast(answers, message_start, bound_s):
    """Every answer is the contract's 500 (or, for requests that began before the fault, a
    200), and none took longer than bound_s."""
    assert answers, "the load sent nothing"
    failures = [a for a in answers if a.status == 500]
    assert failures, answers[:5]
    for a in answers:
        assert a.status in (200, 500), a
        if a.status == 500:
            assert a.body["success"] is False, a
            assert a.body["error"].startswith(message_start), a
        assert a.seconds < bound_s, a


# ---------------------------------------------------------------------------------------------
# SQLite locked by another process

HOLD_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN IMMEDIATE")
db.execute("UPDATE tickets SET subject = subject WHERE id = -1")
print("locked", flush=True)
sys.stdin.read()
db.execute("ROLLBACK")
"""


def hold_write_lock(db_path):
    holder = subprocess.Popen(["/usr/bin/python3", "-c", HOLD_LOCK, str(db_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def release(holder):
    holder.stdin.close()
    assert holder.wait(timeout=10) == 0


def test_sqlite_write_locked_by_another_process(engine, zoho_services, tmp_path):
    """The database is in WAL mode: another process holding the write lock stops writers only.
    Reads keep being answered; a refresh waits the busy timeout twice (the cache write fails
    and is only logged, then the write-back of Zoho's values fails) and answers the contract's
    500; once the lock is gone, refreshes work again."""
    if engine != "sqlite":
        pytest.skip("a file lock is SQLite's")
    svc = zoho_services.start("--zoho-max-age", "3600")
    db_path = Path(svc.db_url.removeprefix("sqlite:"))
    body = cached_mixed_load_body(svc, list(zd.SMALL)[:8])

    # Separate loads, so that every request of the second one starts under the lock.
    with Load(svc.port, body, workers=4) as before:
        time.sleep(1)
    holder = hold_write_lock(db_path)
    with Load(svc.port, body, workers=4) as locked:
        time.sleep(2 * SQLITE_BUSY_TIMEOUT_S + 1)
        assert_healthy_fast(svc)
        release(holder)
    with Load(svc.port, body, workers=4) as after:
        time.sleep(2)

    assert before.answers and all(a.status == 200 for a in before.answers), before.answers
    assert after.answers and all(a.status == 200 for a in after.answers), after.answers
    reads = [a for a in locked.answers if a.status == 200 and "zoho" not in a.body]
    check_failed_fast(locked.answers, "Internal error: database busy",
                      2 * SQLITE_BUSY_TIMEOUT_S + MARGIN_S)
    # Plain reads were answered while writers waited.
    assert reads, locked.answers[:5]


# ---------------------------------------------------------------------------------------------
# PostgreSQL stopped and started again

PG_SCRIPT = REPO / "scripts" / "pg-test-server.sh"
PG_MAX_BACKOFF_S = 2


def pg_shell(command):
    """Runs `command` in bash with scripts/pg-test-server.sh's functions loaded."""
    result = subprocess.run(["bash", "-c", f"source {PG_SCRIPT} && {command}"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def private_pg():
    """A PostgreSQL cluster of this test's own (the suite's shared server must stay up):
    (its directory, its URL)."""
    if subprocess.run(["bash", "-c", f"source {PG_SCRIPT} && pg_test_server_bindir"],
                      capture_output=True).returncode != 0:
        pytest.skip("no PostgreSQL server binaries (scripts/install-deps.sh installs them)")
    directory, url = pg_shell("pg_test_server_start && "
                              "echo \"$PG_TEST_SERVER_DIR $DESKBRIDGE_TEST_PG_URL\"").split()
    yield directory, url
    pg_shell(f"pg_test_server_stop {directory}")


def pg_ctl(directory, port, action):
    # The same options as pg_test_server_launch, so that the server comes back on its port.
    options = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories="
               f"{directory} -c max_connections=300 -c fsync=off")
    mode = "-m fast" if action == "stop" else f"-o '{options}'"
    pg_shell(f'pg_test_server_as_owner "$(pg_test_server_bindir)/pg_ctl" -D {directory}/data '
             f"-l {directory}/server.log -w -t 60 {mode} {action} >/dev/null")


def test_postgres_stopped_and_restarted_under_load(private_pg, tmp_path):
    directory, url = private_pg
    port = urllib.parse.urlsplit(url).port
    import_seed(tmp_path, url)
    svc = Service(url, tmp_path).start()
    token = svc.login("ops")

    with Load(svc.port, details_body(token), workers=4) as load:
        load.phase("before")
        time.sleep(1)
        load.phase("stopping")
        pg_ctl(directory, port, "stop")
        load.phase("down")
        time.sleep(3)
        assert_healthy_fast(svc)
        load.phase("starting")
        pg_ctl(directory, port, "start")
        # Each pooled connection retries with a backoff capped at 2 s
        # (src/store/detail/postgres_connection.hpp); then every answer is served again.
        time.sleep(PG_MAX_BACKOFF_S + 1)
        load.phase("after")
        time.sleep(2)

    stop_and_check(svc)
    check_served(load.of("before"))
    # With the server gone, connecting fails at once: no answer waits for a timeout.
    check_failed_fast(load.of("down"), "Internal error: ", MARGIN_S)
    check_served(load.of("after"))
    assert "database" in svc.log_text()
