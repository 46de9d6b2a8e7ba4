"""Operations without Zoho: /readyz, /metrics (validated by promtool and a strict parser), the
access and audit log lines, log levels, and ETag / 304 on ticket_details."""

import copy
import json
import shutil
import subprocess

import pytest

import e2e_seed
import prom_text
from conftest import run_psql, write_json
from e2e_helpers import DETAILS

TICKET = 99  # acme's ticket, linked to Zoho, which this service does not have configured


@pytest.fixture(scope="module")
def acme(service):
    return service.login("acme")


def scrape(svc, headers=None):
    status, headers, raw = svc.request_raw("GET", "/metrics", headers=headers)
    assert status == 200, raw
    assert headers.get("Content-Type") == "text/plain; version=0.0.4; charset=utf-8"
    return raw.decode("utf-8")


def log_lines(svc):
    return [json.loads(line) for line in svc.log_text().splitlines() if line.strip()]


def lines_for(svc, request_id):
    return [line for line in log_lines(svc) if line.get("request_id") == request_id]


# /readyz -----------------------------------------------------------------------------------


def test_readyz_reports_each_check(service):
    status, headers, body = service.request("GET", "/readyz")
    assert status == 200
    assert body["status"] == "ready"
    checks = body["checks"]
    assert checks["database"] == {"status": "ok"}
    assert checks["migrations"]["status"] == "ok" and checks["migrations"]["version"] >= 1
    assert checks["zoho"] == {"status": "not_configured"}
    assert headers.get("X-Request-Id")


def test_readyz_fails_when_the_schema_is_not_this_builds(db_url, engine, tmp_path,
                                                         start_service):
    from conftest import import_seed
    import_seed(tmp_path, db_url)
    svc = start_service(db_url)
    version = svc.request("GET", "/readyz")[2]["checks"]["migrations"]["version"]

    # Another deployment (a newer build) migrated the shared database past this one.
    sql = (f"INSERT INTO schema_migrations (version, applied_at) "
           f"VALUES ({version + 1}, '2026-12-03T00:00:00Z')")
    if engine == "sqlite":
        subprocess.run(["sqlite3", db_url.removeprefix("sqlite:"), sql], check=True)
    else:
        run_psql(db_url, sql)

    status, _, body = svc.request("GET", "/readyz")
    assert status == 503
    assert body["status"] == "not_ready"
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["migrations"] == {
        "status": "error",
        "error": f"schema is at version {version + 1}, this build needs {version}"}
    assert svc.request("GET", "/healthz")[0] == 200, "alive, only not ready"


def test_readyz_fails_when_the_database_cannot_answer(db_url, engine, tmp_path, start_service):
    from conftest import import_seed
    import_seed(tmp_path, db_url)
    svc = start_service(db_url)
    assert svc.request("GET", "/readyz")[0] == 200

    sql = "ALTER TABLE schema_migrations RENAME TO schema_migrations_gone"
    if engine == "sqlite":
        subprocess.run(["sqlite3", db_url.removeprefix("sqlite:"), sql], check=True)
    else:
        run_psql(db_url, sql)
    status, _, body = svc.request("GET", "/readyz")
    assert status == 503 and body["status"] == "not_ready"
    assert body["checks"]["database"]["status"] == "error"
    assert body["checks"]["database"]["error"]
    assert body["checks"]["migrations"] == {"status": "unknown"}
    warnings = [line for line in log_lines(svc) if line["event"] == "not_ready"]
    assert warnings and warnings[-1]["check"] == "database"


def test_readyz_and_metrics_refuse_other_methods(service):
    for path in ("/readyz", "/metrics"):
        status, headers, _ = service.request("POST", path, b"")
        assert status == 405 and headers.get("Allow") == "GET, HEAD"


# /metrics ----------------------------------------------------------------------------------


def test_metrics_pass_promtool_and_the_strict_parser(service, acme):
    service.details(acme, chamado_id=TICKET)
    service.request("GET", "/readyz")
    text = scrape(service)
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: scripts/install-deps.sh installs Debian's prometheus"
    result = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "" and result.stderr.strip() == "", "lint findings"
    prom_text.parse(text)


def test_the_strict_parser_rejects_what_prometheus_would(service):
    good = "# HELP a_total A.\n# TYPE a_total counter\na_total 1\n"
    prom_text.parse(good)
    for bad in (good.rstrip("\n"),                                  # no final newline
                good + "a_total 2\n",                               # repeated series
                "b 1\n",                                            # no TYPE
                "# TYPE a counter\na{x=\"1} 1\n",                   # unterminated label
                "# TYPE a counter\na{x=1} 1\n",                     # unquoted label
                "# TYPE a gauge\na one\n",                          # bad value
                "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                "h_sum 1\nh_count 1\n"):                            # not cumulative
        with pytest.raises(prom_text.Invalid):
            prom_text.parse(bad)


def test_counters_move_after_real_requests(service, acme):
    before = prom_text.parse(scrape(service))
    for _ in range(3):
        assert service.details(acme, chamado_id=TICKET)[0] == 200
    for _ in range(2):
        assert service.details("not-a-token", chamado_id=TICKET)[0] == 401
    assert service.request("GET", "/no/such/route")[0] == 404
    after = prom_text.parse(scrape(service))

    def delta(name, **labels):
        return prom_text.value(after, name, **labels) - prom_text.value(before, name, **labels)

    total = "deskbridge_http_requests_total"
    assert delta(total, endpoint="ticket_details", status="200") == 3
    assert delta(total, endpoint="ticket_details", status="401") == 2
    assert delta(total, endpoint="unknown", status="404") == 1
    assert delta(total, endpoint="metrics", status="200") == 1  # the first scrape
    hist = "deskbridge_http_request_duration_seconds"
    assert delta(hist + "_count", endpoint="ticket_details") == 5
    assert delta(hist + "_bucket", endpoint="ticket_details", le="+Inf") == 5
    assert delta(hist + "_sum", endpoint="ticket_details") > 0
    # Only the scrape itself is in flight while it renders.
    assert prom_text.value(after, "deskbridge_http_requests_in_flight") == 1
    assert prom_text.value(after, "deskbridge_work_pool_threads") >= 1
    conns = (prom_text.value(after, "deskbridge_db_connections", state="busy") +
             prom_text.value(after, "deskbridge_db_connections", state="idle"))
    assert conns >= 1, "ticket_details used at least one database connection"
    assert prom_text.value(after, "deskbridge_db_connections", state="busy") == 0


def test_labels_are_a_fixed_set_and_never_hold_the_webhook_secret(service):
    secret = "NeverInAMetricOrLog-0123456789"
    assert service.request("POST", f"/api/zoho/webhook/{secret}", b"[]")[0] == 404
    service.request("GET", f"/some/{secret}/path?x=1")
    assert service.request_raw("GET", "/docs/openapi.yaml")[0] == 200
    assert service.request_raw("GET", f"/api/attachments/1/{secret}")[0] in (403, 404)
    text = scrape(service)
    assert secret not in text and secret not in service.log_text()
    endpoints = {dict(labels).get("endpoint") for (name, labels) in prom_text.parse(text)
                 if name.startswith("deskbridge_http_")}
    assert endpoints - {None} <= {"ticket_details", "auth", "healthz", "readyz", "metrics",
                                  "zoho_webhook", "attachment", "docs", "unknown", "rejected"}
    assert {"zoho_webhook", "attachment", "docs"} <= endpoints


def test_requests_refused_before_routing_are_counted(service):
    before = prom_text.parse(scrape(service))
    status, _, _ = service.request_raw("GET", DETAILS, b"x" * (64 * 1024 + 1))
    assert status == 413
    after = prom_text.parse(scrape(service))
    series = ("deskbridge_http_requests_total", (("endpoint", "rejected"), ("status", "413")))
    assert after.get(series, 0) - before.get(series, 0) == 1


def test_metrics_bearer_token_when_configured(service, start_service):
    from conftest import clean_env
    token = "metrics-token-0123456789abcdef"
    svc = start_service(service.db_url, secret=service.secret,
                        env=clean_env(DESKBRIDGE_SECRET=service.secret,
                                      DESKBRIDGE_METRICS_TOKEN=token))
    status, headers, body = svc.request("GET", "/metrics")
    assert (status, body) == (401, {"success": False, "error": "metrics token required"})
    assert headers.get("WWW-Authenticate") == "Bearer"
    assert svc.request("GET", "/metrics", headers={"Authorization": "Bearer wrong"})[0] == 401
    scrape(svc, headers={"Authorization": f"Bearer {token}"})
    assert token not in svc.log_text()


# Logs --------------------------------------------------------------------------------------


def test_access_and_audit_lines_of_a_ticket_read(service, acme):
    status, headers, _ = service.request("GET", DETAILS, {"auth": acme, "chamado_id": TICKET},
                                         headers={"X-Request-Id": "e2e-ops-read"})
    assert status == 200 and headers["X-Request-Id"] == "e2e-ops-read"
    mine = {line["event"]: line for line in lines_for(service, "e2e-ops-read")}
    assert set(mine) == {"request", "ticket_read"}

    access = mine["request"]
    assert {k: access[k] for k in ("level", "endpoint", "method", "status", "client", "user",
                                   "ticket", "zoho_calls")} == {
        "level": "info", "endpoint": "ticket_details", "method": "GET", "status": 200,
        "client": "127.0.0.1", "user": "acme", "ticket": TICKET, "zoho_calls": 0}
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] >= 0
    assert access["time"].endswith("Z")

    audit = mine["ticket_read"]
    assert {k: audit[k] for k in ("level", "user", "staff", "customer", "ticket", "refresh",
                                  "outcome")} == {
        "level": "info", "user": "acme", "staff": False, "customer": 100, "ticket": TICKET,
        "refresh": False, "outcome": "ok"}
    assert acme not in service.log_text(), "a token must never be logged"


def test_audit_line_of_a_ticket_not_found(service, acme):
    foreign = next(iter(e2e_seed.tickets_not_of(100)))
    status = service.request("GET", DETAILS, {"auth": acme, "chamado_id": foreign, "refresh": 1},
                             headers={"X-Request-Id": "e2e-ops-404"})[0]
    assert status == 404
    mine = {line["event"]: line for line in lines_for(service, "e2e-ops-404")}
    assert mine["ticket_read"]["outcome"] == "not_found"
    assert mine["ticket_read"]["ticket"] is None and mine["ticket_read"]["refresh"] is True
    assert mine["request"]["user"] == "acme" and mine["request"]["status"] == 404


def test_log_level_warn_drops_access_and_audit_lines(service, start_service):
    svc = start_service(service.db_url, secret=service.secret, extra_args=["--log-level", "warn"])
    token = svc.login("acme")
    assert svc.details(token, chamado_id=TICKET)[0] == 200
    events = {line["event"] for line in log_lines(svc)}
    assert not events & {"request", "ticket_read", "listening"}
    assert all(line["level"] in ("warn", "error") for line in log_lines(svc))


# ETag and 304 ------------------------------------------------------------------------------


def test_etag_and_not_modified(service, acme):
    status, headers, raw = service.request_raw("GET", DETAILS,
                                               {"auth": acme, "chamado_id": TICKET})
    assert status == 200
    tag = headers["ETag"]
    assert tag.startswith('"') and tag.endswith('"') and len(tag) == 34
    assert headers["Cache-Control"] == "private, no-cache"

    for given in (tag, f'"other", {tag}', f"W/{tag}", "*", f'"a",\t W/"b" , {tag}'):
        status, headers, raw = service.request_raw(
            "GET", DETAILS, {"auth": acme, "chamado_id": TICKET}, {"If-None-Match": given})
        assert (status, raw) == (304, b""), given
        assert headers["ETag"] == tag
        assert headers.get("X-Request-Id")
        assert headers.get("Content-Length") is None and headers.get("Content-Type") is None

    for given in ('"other"', tag[:-2] + '"', tag.upper()):
        status, headers, raw = service.request_raw(
            "GET", DETAILS, {"auth": acme, "chamado_id": TICKET}, {"If-None-Match": given})
        assert status == 200 and json.loads(raw)["success"] is True, given
        assert headers["ETag"] == tag


def test_not_modified_keeps_the_connection_usable(service, acme):
    conn = service.connect()
    try:
        body = json.dumps({"auth": acme, "chamado_id": TICKET})
        conn.request("GET", DETAILS, body=body)
        first = conn.getresponse()
        first.read()
        tag = first.headers["ETag"]
        conn.request("GET", DETAILS, body=body, headers={"If-None-Match": tag})
        second = conn.getresponse()
        assert (second.status, second.read()) == (304, b"")
        conn.request("GET", "/healthz")
        assert conn.getresponse().read() == b'{"status":"ok"}'
    finally:
        conn.close()


def test_errors_never_answer_not_modified(service, acme):
    status = service.request("GET", DETAILS, {"auth": "bad", "chamado_id": TICKET},
                             {"If-None-Match": "*"})[0]
    assert status == 401


def test_etag_changes_with_the_data(db_url, tmp_path, start_service):
    from conftest import import_seed, import_file
    import_seed(tmp_path, db_url)
    svc = start_service(db_url)
    token = svc.login("ops")
    tags = {n: svc.request_raw("GET", DETAILS, {"auth": token, "chamado_id": n})[1]["ETag"]
            for n in sorted(e2e_seed.EXPECTED_TICKETS)}
    assert len(set(tags.values())) == len(tags), "every ticket has its own tag"

    changed = copy.deepcopy(next(t for t in e2e_seed.SEED["tickets"] if t["id"] == TICKET))
    changed["status"] = "Closed"
    result = import_file(write_json(tmp_path / "change.json", {"tickets": [changed]}), db_url)
    assert result.returncode == 0, result.stderr
    status, headers, raw = svc.request_raw("GET", DETAILS, {"auth": token, "chamado_id": TICKET},
                                           {"If-None-Match": tags[TICKET]})
    assert status == 200 and json.loads(raw)["ticket"]["status"] == "Closed"
    assert headers["ETag"] != tags[TICKET]
