"""Many instances: three deskbridge services on one PostgreSQL database and one Zoho simulator,
behind nginx as a load balancer configured from deploy/nginx/deskbridge.conf.

Checks what docs/deployment.md promises: one Zoho cache (a ticket fetched through one instance
is served from the database by the others, with no Zoho call), and, under mixed traffic
through nginx while an instance is killed, no failed request (nginx replays the requests the
dead instance dropped) and one token grant in all. test_shared_database.py checks the fetch
lease and token revocation on both engines.

PostgreSQL only (DESKBRIDGE_TEST_PG_URL, which scripts/test.sh sets), and nginx from Debian.
"""

import http.client
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

import zoho_data as zd
from zoho_fixtures import calls_of, nonzero_calls, zoho_env

REPO = Path(__file__).resolve().parents[2]
NGINX_SITE = REPO / "deploy" / "nginx" / "deskbridge.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
INSTANCES = 3
CLIENT_THREADS = 4
TRAFFIC_S = 6.0
KILL_AFTER_S = 2.0
SMALL_TICKETS = list(range(8, 20))

pytestmark = [
    pytest.mark.skipif(not os.environ.get("DESKBRIDGE_TEST_PG_URL"),
                       reason="needs PostgreSQL: DESKBRIDGE_TEST_PG_URL is not set"),
    pytest.mark.skipif(not os.path.exists(NGINX),
                       reason="needs nginx (scripts/install-deps.sh installs it)"),
]


@pytest.fixture(scope="module")
def engine():
    """Overrides conftest's engine parameter: instances share PostgreSQL, never a SQLite file."""
    return "postgres"


def render_nginx(directory, port, backends):
    """A complete nginx.conf in `directory` around the deployment's site file."""
    servers = "\n    ".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;"
                           for p in backends)
    site = (NGINX_SITE.read_text().replace("@SERVERS@", servers)
            .replace("@LISTEN@", f"127.0.0.1:{port}"))
    (directory / "deskbridge.conf").write_text(site)
    for sub in ("logs", "temp"):
        (directory / sub).mkdir(exist_ok=True)
    # As root nginx would switch its workers to `nobody`, who cannot enter pytest's temp tree.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (directory / "nginx.conf").write_text(f"""{user}worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {directory}/logs/access.log;
    client_body_temp_path {directory}/temp/body;
    proxy_temp_path {directory}/temp/proxy;
    fastcgi_temp_path {directory}/temp/fastcgi;
    uwsgi_temp_path {directory}/temp/uwsgi;
    scgi_temp_path {directory}/temp/scgi;
    include {directory}/deskbridge.conf;
}}
""")
    return directory / "nginx.conf"


class Nginx:
    def __init__(self, directory, backends):
        import conftest
        self.directory = directory
        self.port = conftest.free_port()
        conf = render_nginx(directory, self.port, backends)
        self.process = subprocess.Popen(
            [NGINX, "-p", str(directory), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=open(directory / "logs" / "stderr.log", "ab"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "nginx exited:\n" + self.log_text()
            try:
                http.client.HTTPConnection("127.0.0.1", self.port, timeout=1).connect()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("nginx did not start:\n" + self.log_text())

    def log_text(self):
        logs = self.directory / "logs"
        return "\n".join(p.read_text(errors="replace") for p in sorted(logs.glob("*.log")))

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def request(self, method, path, body):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=json.dumps(body).encode(),
                         headers={"Content-Type": "application/json"})
            res = conn.getresponse()
            raw = res.read()
            return res.status, json.loads(raw) if raw else None
        finally:
            conn.close()


@pytest.fixture(scope="module")
def cluster(zoho_sim, zoho_services, tmp_path_factory):
    """(nginx, [ZohoService] * 3): three instances on one seeded database, one token secret."""
    db = zoho_services.new_database()
    env = zoho_env(zoho_sim, "multi-instance-secret-0123456789-abcdefghij")
    zoho_sim.reset(config=True, tokens=True)
    instances = [zoho_services.start(env=dict(env), db=db) for _ in range(INSTANCES)]
    nginx = Nginx(tmp_path_factory.mktemp("nginx"), [i.svc.port for i in instances])
    yield nginx, instances
    nginx.stop()


def ticket_through(instance, n):
    body, _ = instance.ok(n)
    assert body["sync"]["zoho"] == "ok", body["sync"]
    assert [t["id"] for t in body["threads"]] == zd.small_expected_thread_ids(n)
    return body["sync"]


def test_a_ticket_fetched_through_one_instance_is_served_from_cache_by_another(zoho_sim,
                                                                               cluster):
    _, (a, b, c) = cluster
    n = 21
    first = ticket_through(a, n)
    assert first["source"] == "zoho" and first["calls"] > 0
    before = zoho_sim.counts()

    for other in (b, c):
        sync = ticket_through(other, n)
        assert (sync["source"], sync["calls"]) == ("cache", 0), sync
    assert nonzero_calls(zoho_sim.counts()) == nonzero_calls(before), "no Zoho call at all"


@pytest.mark.parametrize("chunked", [False, True], ids=["announced", "chunked"])
def test_a_download_cut_part_way_stays_cut_through_nginx(zoho_sim, cluster, chunked):
    """nginx buffers a download from the instance, and must not turn a body the instance cut
    (Zoho stopped part-way) into one that looks complete (docs/deployment.md, nginx)."""
    nginx, instances = cluster
    n, size = 20, 4 * 1024 * 1024
    att = zoho_sim._ok("POST", f"tickets/{zd.zid(n)}/attachments",
                       {"name": "grande.bin", "size": size}, expect=201)["id"]
    try:
        body, _ = instances[0].ok(n, refresh=1, links=True)
        url = next(f["downloadUrl"] for f in body["attachments"] if f["id"] == att)
        for cut in (0, size // 3):
            zoho_sim.config(download_chunked=chunked, download_cut_after=cut)
            conn = http.client.HTTPConnection("127.0.0.1", nginx.port, timeout=30)
            try:
                conn.request("GET", url)
                res = conn.getresponse()
                assert res.status == 200
                got, complete = bytearray(), True
                try:
                    while chunk := res.read(64 * 1024):
                        got += chunk
                except http.client.IncompleteRead as short:
                    got += short.partial
                    complete = False
                length = res.getheader("Content-Length")
                complete = complete and (length is None or int(length) == len(got))
            finally:
                conn.close()
            assert complete == (cut == 0), (cut, len(got))
            assert bytes(got) == zd.attachment_bytes(att, len(got))
    finally:
        # Not a reset: that would zero the counts the next test's one-grant check reads.
        zoho_sim.config(download_chunked=False, download_cut_after=0)


def test_mixed_traffic_survives_a_killed_instance_with_one_token_grant(zoho_sim, zoho_services,
                                                                       cluster):
    nginx, instances = cluster
    victim = instances[-1]
    staff = instances[0].staff
    stop = threading.Event()
    outcomes = []
    lock = threading.Lock()

    def client(k):
        i = 0
        while not stop.is_set():
            i += 1
            kind = ("auth", "local", "zoho", "zoho")[(i + k) % 4]
            try:
                if kind == "auth":
                    status, body = nginx.request("POST", "/api/get/auth",
                                                 {"login": zd.CLIENT,
                                                  "password": zd.PASSWORDS[zd.CLIENT]})
                    ok = status == 200 and body["success"] is True
                elif kind == "local":
                    status, body = nginx.request("GET", "/api/get/ticket_details",
                                                 {"auth": staff,
                                                  "chamado_id": zd.UNLINKED_CHAMADO})
                    ok = status == 200 and body["ticket"]["id"] == zd.UNLINKED_CHAMADO
                else:
                    n = SMALL_TICKETS[(i * 7 + k) % len(SMALL_TICKETS)]
                    status, body = nginx.request("GET", "/api/get/ticket_details",
                                                 {"auth": staff, "chamado_id": zd.chamado(n)})
                    ok = status == 200 and body["sync"]["zoho"] == "ok"
            except (OSError, ValueError, http.client.HTTPException) as exc:
                status, body, ok = None, repr(exc), False
            with lock:
                outcomes.append((time.monotonic(), kind, ok, status, body if not ok else None))

    workers = [threading.Thread(target=client, args=(k,)) for k in range(CLIENT_THREADS)]
    for w in workers:
        w.start()
    time.sleep(KILL_AFTER_S)
    victim.svc.process.kill()  # SIGKILL: no drain, connections cut mid-request
    victim.svc.process.wait()
    killed_at = time.monotonic()
    zoho_services.started.remove(victim.svc)
    time.sleep(TRAFFIC_S - KILL_AFTER_S)
    stop.set()
    for w in workers:
        w.join(60)

    failed = [o for o in outcomes if not o[2]]
    after_kill = [o for o in outcomes if o[0] > killed_at]
    assert len(outcomes) > 50, f"too little traffic: {len(outcomes)} requests"
    assert len(after_kill) > 20, "traffic went on after the kill"
    for kind in ("auth", "local", "zoho"):
        assert any(o[1] == kind and o[2] for o in after_kill), kind
    # At most the requests in flight on the dead instance when it died; nginx replays those.
    assert len(failed) <= CLIENT_THREADS, failed
    assert not [o for o in failed if o[0] > killed_at + 1.0], failed

    counts = zoho_sim.counts()
    assert calls_of(counts, "token") == 1, nonzero_calls(counts)
    token = stored_token(instances[0].svc.db_url)
    assert token
    for instance in instances:
        assert token not in instance.svc.log_text(), "the access token must never be logged"


def stored_token(db_url):
    result = subprocess.run(["psql", "-X", "-At", "-d", db_url, "-c",
                             "SELECT access_token FROM zoho_tokens"],
                            capture_output=True, text=True, timeout=60, check=True)
    return result.stdout.strip()

