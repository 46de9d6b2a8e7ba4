"""Fixtures that drive the real deskbridge binary: databases, CLI runs and running servers.

Run: DESKBRIDGE_BIN=build/deskbridge /usr/bin/python3 -m pytest tests/e2e -q

Servers are module-scoped: argon2 makes every imported user and every login cost about 100 ms,
so each test module imports the seed once, starts one server and caches its tokens.
"""

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

import e2e_seed
import log_secrets
import zoho_data

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("DESKBRIDGE_BIN", REPO / "build" / "deskbridge"))
STARTUP_TIMEOUT_S = 10
SHUTDOWN_TIMEOUT_S = 10


# ---------------------------------------------------------------------------------------------
# Databases


def engine_names():
    names = ["sqlite"]
    # scripts/test.sh always starts a throwaway PostgreSQL server and sets this.
    if os.environ.get("DESKBRIDGE_TEST_PG_URL"):
        names.append("postgres")
    return names


def run_psql(url, sql):
    """Runs one SQL command through psql (the standard library has no PostgreSQL driver)."""
    result = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"psql {sql!r} failed: {result.stderr}"


def postgres_database_url(name, request):
    """Creates an empty PostgreSQL database called `name` and returns its URL.

    The database lives on DESKBRIDGE_TEST_PG_URL's server and is dropped when the requesting
    fixture ends.
    """
    # PostgreSQL would silently cut a longer name, and two cut names may collide.
    assert len(name) <= 63, f"database name too long: {name}"
    server = os.environ["DESKBRIDGE_TEST_PG_URL"]
    run_psql(server, f'CREATE DATABASE "{name}"')
    # FORCE: a server that a test left running may still hold connections.
    request.addfinalizer(
        lambda: run_psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return urllib.parse.urlsplit(server)._replace(path="/" + name).geturl()


def new_database_url(engine, directory, prefix, request):
    """A fresh, empty database; `directory` holds SQLite files, `request` owns the cleanup."""
    # Unique, lower-case and short, so that one PostgreSQL server can hold every test's database.
    name = f"{prefix}_{secrets.token_hex(4)}".lower()
    if engine == "sqlite":
        return f"sqlite:{directory / (name + '.db')}"
    if engine == "postgres":
        return postgres_database_url(name, request)
    raise ValueError(f"unknown engine {engine!r}")


@pytest.fixture(scope="module", params=engine_names())
def engine(request):
    return request.param


@pytest.fixture
def db_url(engine, tmp_path, request):
    """A fresh, empty database for one test."""
    return new_database_url(engine, tmp_path, "e2e", request)


@pytest.fixture(scope="module")
def module_db_url(engine, tmp_path_factory, request):
    """A fresh, empty database shared by one test module."""
    prefix = "e2e_" + request.module.__name__.replace(".", "_")
    return new_database_url(engine, tmp_path_factory.mktemp(prefix), prefix, request)


# ---------------------------------------------------------------------------------------------
# The command line


def clean_env(**extra):
    """The caller's environment without DESKBRIDGE_* settings that would leak into a run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKBRIDGE_")}
    env.update(extra)
    return env


def run_cli(*args, stdin=None, env=None, timeout=60):
    """Runs `deskbridge ARGS...` to completion; returns the CompletedProcess (text mode)."""
    assert BINARY.exists(), f"no deskbridge binary at {BINARY}; set DESKBRIDGE_BIN"
    if "--password-stdin" in args and stdin:
        log_secrets.record("password", stdin.rstrip("\n"))
    return subprocess.run([str(BINARY), *map(str, args)], input=stdin, capture_output=True,
                          text=True, env=env if env is not None else clean_env(),
                          timeout=timeout)


def write_json(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def import_file(path, db):
    return run_cli("import", path, "--db", db)


def import_seed(directory, db):
    result = import_file(write_json(directory / "seed.json", e2e_seed.SEED), db)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="session")
def cli():
    return run_cli


# ---------------------------------------------------------------------------------------------
# Servers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encode_body(body):
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


SECRET_VARIABLES = ("DESKBRIDGE_SECRET", "DESKBRIDGE_ZOHO_CLIENT_SECRET",
                    "DESKBRIDGE_ZOHO_REFRESH_TOKEN", "DESKBRIDGE_ZOHO_WEBHOOK_SECRET")


class Service:
    """One `deskbridge serve` process on a loopback port, and an HTTP client for it."""

    def __init__(self, db, workdir, secret=None, extra_args=(), env=None, subcommand="serve",
                 wrapper=()):
        self.db_url = db  # None for `demo`, which makes its own
        self.wrapper = list(wrapper)  # a command that runs the binary, e.g. a fault injector
        self.subcommand = subcommand
        self.secret = secret or secrets.token_urlsafe(36)  # 48 characters
        # Every server of the session logs into one directory, scanned for secrets at the end.
        log_dir = log_secrets.log_directory() or workdir
        self.stderr_path = log_dir / f"server-{secrets.token_hex(4)}.stderr"
        self.extra_args = list(extra_args)
        self.env = env if env is not None else clean_env(DESKBRIDGE_SECRET=self.secret)
        log_secrets.record("token secret", self.secret,
                           *(self.env.get(k) for k in SECRET_VARIABLES))
        if "--zoho-webhook-secret" in self.extra_args:
            i = self.extra_args.index("--zoho-webhook-secret")
            log_secrets.record("webhook secret", self.extra_args[i + 1])
        self.port = None
        self.process = None
        self._tokens = {}

    # Lifecycle

    def start(self):
        # The free port is only free until someone else takes it: retry on a bind failure.
        for _ in range(3):
            self.port = free_port()
            self._spawn()
            if self._wait_healthy():
                return self
            if "cannot listen" not in self.log_text():
                break
        raise AssertionError(f"deskbridge serve did not start:\n{self.log_text()}")

    def _spawn(self):
        args = [*self.wrapper, str(BINARY), self.subcommand,
                "--listen", f"127.0.0.1:{self.port}",
                *(["--db", self.db_url] if self.db_url else []), *self.extra_args]
        with open(self.stderr_path, "ab") as err:
            self.process = subprocess.Popen(args, env=self.env, stdout=subprocess.DEVNULL,
                                            stderr=err)

    def _wait_healthy(self):
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.02)
        self.process.kill()
        self.process.wait()
        return False

    def stop(self):
        """SIGTERM, then the exit code (None if it had to be killed after the timeout)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=SHUTDOWN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None

    def log_text(self):
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    # HTTP

    def connect(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request_raw(self, method, path, body=None, headers=None):
        """One request on a fresh connection: (status, headers, body bytes)."""
        record_sent_secrets(path, body)
        conn = self.connect()
        try:
            conn.request(method, path, body=encode_body(body), headers=headers or {})
            res = conn.getresponse()
            raw = res.read()
        finally:
            conn.close()
        is_json = res.headers.get("Content-Type", "").startswith("application/json")
        if res.status == 200 and is_json and b'"auth"' in raw:
            log_secrets.record("issued token", json.loads(raw).get("auth"))
        return res.status, res.headers, raw

    def request(self, method, path, body=None, headers=None):
        """One request on a fresh connection: (status, headers, parsed JSON or None)."""
        status, res_headers, raw = self.request_raw(method, path, body, headers)
        return status, res_headers, json.loads(raw) if raw else None

    def details(self, token, **fields):
        """GET /api/get/ticket_details with {"auth": token, **fields}."""
        return self.request("GET", "/api/get/ticket_details", {"auth": token, **fields})

    def login(self, login, password=None, fresh=False):
        """A token for `login` (seed password by default); cached unless fresh=True."""
        password = e2e_seed.PASSWORDS[login] if password is None else password
        key = (login, password)
        if fresh or key not in self._tokens:
            status, _, body = self.request("POST", "/api/get/auth",
                                           {"login": login, "password": password})
            assert status == 200, f"login {login}: {status} {body}"
            self._tokens[key] = body["auth"]
        return self._tokens[key]

    # CLI against this server's database

    def cli(self, *args, stdin=None):
        return run_cli(*args, "--db", self.db_url, stdin=stdin)


def record_sent_secrets(path, body):
    """Passwords and webhook secrets a test sends, right or wrong, are secrets all the same."""
    if isinstance(body, dict):
        log_secrets.record("password", body.get("password"))
    if path.startswith("/api/zoho/webhook/"):
        log_secrets.record("webhook secret", path[len("/api/zoho/webhook/"):])


def stop_and_check(service):
    rc = service.stop()
    assert rc == 0, f"deskbridge serve exited with {rc} after SIGTERM:\n{service.log_text()}"


@pytest.fixture(scope="module")
def service(module_db_url, tmp_path_factory):
    """A server on the seeded module database."""
    workdir = tmp_path_factory.mktemp("service")
    import_seed(workdir, module_db_url)
    svc = Service(module_db_url, workdir).start()
    yield svc
    stop_and_check(svc)


@pytest.fixture
def start_service(tmp_path):
    """Starts extra servers for one test: start_service(db, secret=..., extra_args=...)."""
    started = []

    def start(db, **kwargs):
        svc = Service(db, tmp_path, **kwargs).start()
        started.append(svc)
        return svc

    yield start
    for svc in started:
        stop_and_check(svc)


# ---------------------------------------------------------------------------------------------
# Secrets in logs (log_secrets.py)


@pytest.fixture(scope="session", autouse=True)
def server_logs(tmp_path_factory):
    """One directory for every server log of the session, and the secrets known up front."""
    log_secrets.use_directory(tmp_path_factory.getbasetemp() / "server-logs")
    log_secrets.record("password", *e2e_seed.PASSWORDS.values(), *zoho_data.PASSWORDS.values())
    log_secrets.record("zoho secret", zoho_data.CLIENT_SECRET, zoho_data.REFRESH_TOKEN)
    return log_secrets.log_directory()


# Under pytest-xdist every worker logs into its own directory and hands its path to the
# controller (the workers' ends are reported before the controller's session ends).
_worker_log_directories = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    directory = getattr(node, "workeroutput", {}).get("server_logs")
    if directory:
        _worker_log_directories.append(Path(directory))


def pytest_sessionfinish(session, exitstatus):
    """Fails the run when any server log holds a recorded secret (scanned once, by the
    controller when pytest-xdist runs the tests)."""
    own = log_secrets.log_directory()
    if hasattr(session.config, "workerinput"):
        if own is not None:
            session.config.workeroutput["server_logs"] = str(own)
        return

    directories = ([own] if own is not None else []) + _worker_log_directories
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for directory in directories:
        leaks = log_secrets.find_leaks(directory)
        if leaks:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if reporter is None:
            continue
        count = len(list(directory.glob(log_secrets.LOG_GLOB)))
        reporter.write_line(f"secret scan: {count} server logs in {directory}, "
                            f"{len(log_secrets.recorded(directory))} secrets, "
                            f"{len(leaks)} leaks")
        for name, line, kind in leaks[:50]:
            reporter.write_line(f"  LEAK: {kind} in {name} line {line}", red=True)


# ---------------------------------------------------------------------------------------------
# Zoho Desk: the simulator and services pointed at it (zoho_fixtures.py)

from zoho_fixtures import (  # noqa: E402,F401
    zoho_clean, zoho_service, zoho_services, zoho_sim)
