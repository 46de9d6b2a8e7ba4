"""Fixtures for the Zoho Desk half: the project's simulator (tools/zoho_sim, see
docs/zoho-simulator.md) on an ephemeral port, and deskbridge services pointed at it.

conftest.py imports the fixtures from here. The simulator is module-scoped (one per test module
and database engine) and starts from the fixture in zoho_data.py; services are module-scoped
too, and tests that need other flags start their own through `zoho_services.start(...)`.
Everything started is stopped at teardown; a service must exit 0 on SIGTERM.
"""

import datetime
import http.client
import json
import os
import secrets
import subprocess
import time
import urllib.parse
import zoneinfo
from pathlib import Path

import pytest

import zoho_data as zd

REPO = Path(__file__).resolve().parents[2]
SIM_EXE = Path(os.environ.get("DESKBRIDGE_ZOHO_SIM",
                              REPO / "tools" / "zoho_sim" / "deskbridge-zoho-sim"))
SIM_STARTUP_TIMEOUT_S = 20
# Many services share one simulator: no grant throttle and no cap on live tokens, so that one
# service's grant never revokes another's token. POST /_sim/reset {"config": true} keeps these.
SIM_BASE_ARGS = ("--token-throttle-limit", "0", "--max-active-tokens", "0")

CALL_KINDS = ("token", "organizations", "ticket", "search", "threads_list", "thread_detail",
              "thread_full_content", "thread_original_content", "attachments_list",
              "attachment_content", "unknown")


def _base():
    # conftest imports this module; its helpers are read once both are loaded.
    import conftest
    return conftest


# ---------------------------------------------------------------------------------------------
# The simulator


class ZohoSim:
    """One deskbridge-zoho-sim process, its control API and a Desk client used as an oracle."""

    def __init__(self, workdir, fixture, extra_args=()):
        self.workdir = workdir
        self.fixture_path = workdir / "zoho-fixture.json"
        self.fixture_path.write_text(json.dumps(fixture, ensure_ascii=False), encoding="utf-8")
        self.port_file = workdir / "zoho-sim.port"
        self.log_path = workdir / "zoho-sim.log"
        self.extra_args = list(extra_args)
        self.process = None
        self.port = None
        self._oracle_token = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        assert SIM_EXE.exists(), f"no simulator at {SIM_EXE}"
        args = ["/usr/bin/python3", str(SIM_EXE), "--fixture", str(self.fixture_path),
                "--port", "0", "--port-file", str(self.port_file), *SIM_BASE_ARGS,
                *self.extra_args]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=log)
        deadline = time.monotonic() + SIM_STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("simulator exited:\n" + self.log_text())
            if self.port_file.exists():
                self.port = int(self.port_file.read_text().strip())
                try:
                    if self.control("GET", "health")[0] == 200:
                        return self
                except OSError:
                    pass
            time.sleep(0.05)
        self.process.kill()
        raise AssertionError("simulator did not start:\n" + self.log_text())

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_text(self):
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    # HTTP

    def request(self, method, path, body=None, headers=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = dict(headers or {})
            if isinstance(body, (dict, list)):
                body = json.dumps(body, ensure_ascii=False).encode("utf-8")
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=body, headers=headers)
            res = conn.getresponse()
            return res.status, res.headers, res.read()
        finally:
            conn.close()

    def control(self, method, path, body=None):
        status, _, raw = self.request(method, "/_sim/" + path, body)
        return status, json.loads(raw) if raw else None

    def _ok(self, method, path, body=None, expect=200):
        status, answer = self.control(method, path, body)
        assert status == expect, f"{method} /_sim/{path}: {status} {answer}"
        return answer

    # Control API

    def counts(self):
        return self._ok("GET", "counts")

    def reset(self, config=True, data=False, tokens=False):
        """Counts back to zero; knobs back to the command line's unless config=False."""
        return self._ok("POST", "reset", {"config": config, "data": data, "tokens": tokens})

    def config(self, **knobs):
        return self._ok("POST", "config", knobs)

    def add_thread(self, zoho_id, **raw):
        return self._ok("POST", f"tickets/{zoho_id}/threads", raw, expect=201)

    def patch_ticket(self, zoho_id, **fields):
        return self._ok("PATCH", f"tickets/{zoho_id}", fields)

    def delete_ticket(self, zoho_id):
        return self._ok("DELETE", f"tickets/{zoho_id}")

    def expire_tokens(self):
        return self._ok("POST", "expire-tokens")

    # The Desk API itself, to learn what Zoho serves (its calls are counted: use before reset)

    def desk(self, path):
        if self._oracle_token is None:
            form = urllib.parse.urlencode({
                "grant_type": "refresh_token", "client_id": zd.CLIENT_ID,
                "client_secret": zd.CLIENT_SECRET, "refresh_token": zd.REFRESH_TOKEN})
            status, _, raw = self.request(
                "POST", "/oauth/v2/token", form.encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})
            assert status == 200, raw
            self._oracle_token = json.loads(raw)["access_token"]
        status, _, raw = self.request("GET", path, headers={
            "Authorization": "Zoho-oauthtoken " + self._oracle_token, "orgId": zd.ORG_ID})
        assert status in (200, 204), f"GET {path}: {status} {raw[:300]!r}"
        return json.loads(raw) if raw else None


def calls_of(counts, kind=None):
    """Calls of one kind, or of every kind (token grants included)."""
    if kind is not None:
        return counts["calls"][kind]
    return sum(counts["calls"].values())


def nonzero_calls(counts):
    """{kind: n} for the kinds the simulator saw at least once: handy in assertions."""
    return {k: v for k, v in counts["calls"].items() if v}


# ---------------------------------------------------------------------------------------------
# deskbridge services pointed at a simulator


def zoho_env(sim, secret, **overrides):
    """The service's environment: the token secret and the four Zoho credentials. An override
    of None removes that variable."""
    env = _base().clean_env(
        DESKBRIDGE_SECRET=secret,
        DESKBRIDGE_ZOHO_DESK_URL=sim.url,
        DESKBRIDGE_ZOHO_ACCOUNTS_URL=sim.url,
        DESKBRIDGE_ZOHO_CLIENT_ID=zd.CLIENT_ID,
        DESKBRIDGE_ZOHO_CLIENT_SECRET=zd.CLIENT_SECRET,
        DESKBRIDGE_ZOHO_REFRESH_TOKEN=zd.REFRESH_TOKEN,
        DESKBRIDGE_ZOHO_ORG_ID=zd.ORG_ID,
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


class ZohoService:
    """A started conftest.Service plus the tokens of the two Zoho users."""

    def __init__(self, svc):
        self.svc = svc
        self.staff = svc.login(zd.STAFF, zd.PASSWORDS[zd.STAFF])
        self.client = svc.login(zd.CLIENT, zd.PASSWORDS[zd.CLIENT])

    def __getattr__(self, name):
        return getattr(self.svc, name)

    def ask(self, n=None, token=None, refresh=None, **fields):
        """ticket_details for fixture ticket n (by chamado_id) or for `fields`; returns
        (status, body, seconds)."""
        if n is not None:
            fields.setdefault("chamado_id", zd.chamado(n))
        if refresh is not None:
            fields["refresh"] = refresh
        start = time.monotonic()
        status, _, body = self.svc.details(token or self.staff, **fields)
        return status, body, time.monotonic() - start

    def ok(self, n=None, token=None, refresh=None, links=False, **fields):
        """Like ask(), but the answer must be a 200: returns (body, seconds). Each attachment's
        downloadUrl (it changes with time) is checked and removed unless links=True."""
        status, body, seconds = self.ask(n, token, refresh, **fields)
        assert status == 200, f"ticket_details answered {status}: {body}"
        assert body["success"] is True
        if not links:
            for f in body["attachments"]:
                assert f.pop("downloadUrl").startswith("/api/attachments/"), f
        return body, seconds

    def webhook(self, secret, events, method="POST"):
        body = None if method in ("GET", "HEAD") else events
        return self.svc.request(method, f"/api/zoho/webhook/{secret}", body)


class _Cleanups:
    """Collects database drops (conftest's request.addfinalizer protocol) so that they run
    after the services using those databases have stopped."""

    def __init__(self):
        self.callbacks = []

    def addfinalizer(self, callback):
        self.callbacks.append(callback)


class ZohoServices:
    """Starts services on fresh seeded databases, all pointed at one simulator."""

    def __init__(self, sim, engine, workdir):
        self.sim = sim
        self.engine = engine
        self.workdir = workdir
        self.cleanups = _Cleanups()
        self.started = []

    def new_database(self):
        base = _base()
        db = base.new_database_url(self.engine, self.workdir, "zoho", self.cleanups)
        result = base.import_file(
            base.write_json(self.workdir / f"zoho-seed-{secrets.token_hex(3)}.json",
                            zd.LOCAL_SEED), db)
        assert result.returncode == 0, result.stderr
        return db

    def start(self, *flags, env=None, db=None, wrapper=(), **env_overrides):
        """`deskbridge serve FLAGS` with the Zoho environment (plus overrides)."""
        base = _base()
        secret = secrets.token_urlsafe(36)
        env = env if env is not None else zoho_env(self.sim, secret, **env_overrides)
        env.setdefault("DESKBRIDGE_SECRET", secret)
        svc = base.Service(db or self.new_database(), self.workdir,
                           secret=env["DESKBRIDGE_SECRET"], extra_args=flags, env=env,
                           wrapper=wrapper)
        svc.start()
        self.started.append(svc)
        return ZohoService(svc)

    def stop(self, service):
        raw = service.svc if isinstance(service, ZohoService) else service
        if raw in self.started:
            self.started.remove(raw)
            base = _base()
            base.stop_and_check(raw)

    def stop_all(self):
        errors = []
        while self.started:
            svc = self.started.pop()
            try:
                _base().stop_and_check(svc)
            except AssertionError as exc:
                errors.append(str(exc))
        while self.cleanups.callbacks:
            try:
                self.cleanups.callbacks.pop()()
            except AssertionError as exc:
                errors.append(str(exc))
        assert not errors, "\n".join(errors)


@pytest.fixture(scope="module")
def zoho_sim(engine, tmp_path_factory):
    """The simulator for one test module (and engine), on the fixture of zoho_data.py."""
    sim = ZohoSim(tmp_path_factory.mktemp("zoho_sim"), zd.sim_fixture()).start()
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def zoho_services(zoho_sim, engine, tmp_path_factory):
    services = ZohoServices(zoho_sim, engine, tmp_path_factory.mktemp("zoho_services"))
    yield services
    services.stop_all()


@pytest.fixture(scope="module")
def zoho_service(zoho_services):
    """A service with the default Zoho flags (max-age 60 s, deadline 8 s)."""
    return zoho_services.start()


@pytest.fixture
def zoho_clean(zoho_sim):
    """Knobs back to the simulator's start values and counts to zero, before and after."""
    zoho_sim.reset(config=True)
    yield zoho_sim
    zoho_sim.reset(config=True)


# ---------------------------------------------------------------------------------------------
# Times

SAO_PAULO = zoneinfo.ZoneInfo("America/Sao_Paulo")
DISPLAY_FORMAT = "%Y-%m-%d %H:%M:%S"


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def assert_display_time_between(text, before, after):
    """`text` is a São Paulo "YYYY-MM-DD HH:MM:SS" between the UTC instants before and after
    (to the second)."""
    local = datetime.datetime.strptime(text, DISPLAY_FORMAT).replace(tzinfo=SAO_PAULO)
    low = before.replace(microsecond=0) - datetime.timedelta(seconds=1)
    assert low <= local <= after + datetime.timedelta(seconds=1), (text, before, after)
