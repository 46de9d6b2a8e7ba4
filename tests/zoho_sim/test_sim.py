"""Tests for tools/zoho_sim (the Zoho Desk simulator). Run with:
    /usr/bin/python3 -m pytest tests/zoho_sim -q
The simulator runs as a subprocess on an ephemeral port, as the C++ tests use it."""

import concurrent.futures
import hashlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SIM = os.path.join(ROOT, "tools", "zoho_sim", "deskbridge-zoho-sim")
DEMO = os.path.join(ROOT, "data", "zoho-demo.json")
with open(DEMO, encoding="utf-8") as _f:
    FIXTURE = json.load(_f)
OAUTH = FIXTURE["oauth"]
ORG = FIXTURE["org"]["id"]
T1 = "123456789012345678"        # demo ticket 12345, six threads
TRUNCATED = "123456789012350003"  # demo thread marked truncated, carries nf-67890.pdf
GEN1 = "17000000000000001"       # first generated ticket
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


class Sim:
    def __init__(self, port, pid=None):
        self.port = port
        self.pid = pid  # of the simulator process, to read its memory use

    def request(self, method, path, body=None, headers=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
                headers = dict(headers or {}, **{"Content-Type": "application/json"})
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def control(self, method, path, body=None):
        status, _h, data = self.request(method, "/_sim/" + path, body)
        return status, json.loads(data) if data else None

    def config(self, **knobs):
        status, body = self.control("POST", "config", knobs)
        assert status == 200, body
        return body

    def counts(self):
        return self.control("GET", "counts")[1]

    def grant(self, **overrides):
        params = dict(OAUTH, grant_type="refresh_token", **overrides)
        status, _h, data = self.request(
            "POST", "/oauth/v2/token", urllib.parse.urlencode(params),
            {"Content-Type": "application/x-www-form-urlencoded"})
        try:
            return status, json.loads(data)
        except ValueError:
            return status, data

    def token(self):
        status, body = self.grant()
        assert status == 200 and "access_token" in body, body
        return body["access_token"]

    def api(self, path, token=None, org=ORG, timeout=10):
        """GET a Desk path; returns (status, headers, parsed JSON or None for no body)."""
        headers = {}
        if token is not False:
            headers["Authorization"] = "Zoho-oauthtoken " + (token or self.token())
        if org is not None:
            headers["orgId"] = org
        status, hdrs, data = self.request("GET", path, headers=headers, timeout=timeout)
        try:
            body = json.loads(data) if data else None
        except ValueError:
            body = data
        return status, hdrs, body


def start_sim(tmp_dir, *extra, fixture=DEMO):
    port_file = os.path.join(tmp_dir, "port")
    log = open(os.path.join(tmp_dir, "sim.log"), "w")
    proc = subprocess.Popen([sys.executable, SIM, "--fixture", fixture, "--port", "0",
                             "--port-file", port_file] + list(extra),
                            stdout=log, stderr=log)
    deadline = time.monotonic() + 15
    while not os.path.exists(port_file):
        assert proc.poll() is None, open(log.name).read()
        assert time.monotonic() < deadline, "simulator did not start"
        time.sleep(0.02)
    with open(port_file) as handle:
        return proc, Sim(int(handle.read()), proc.pid)


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    proc, handle = start_sim(str(tmp_path_factory.mktemp("sim")), "--seed", "7",
                             "--generate-tickets", "2", "--threads-per-ticket", "25")
    yield handle
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(autouse=True)
def fresh(sim):
    sim.control("POST", "reset", {"all": True})
    return sim


# ---- OAuth ---------------------------------------------------------------------------

def test_token_grant_from_form_and_query(sim):
    status, body = sim.grant()
    assert status == 200
    assert body["expires_in"] == 3600 and body["token_type"] == "Bearer"
    assert body["api_domain"] == "https://www.zohoapis.com" and body["access_token"]
    query = urllib.parse.urlencode(dict(OAUTH, grant_type="refresh_token"))
    status, _h, data = sim.request("POST", "/oauth/v2/token?" + query)
    assert status == 200 and "access_token" in json.loads(data)


def test_token_errors(sim):
    assert sim.grant(refresh_token="nope") == (200, {"error": "invalid_code"})
    assert sim.grant(client_id="nope") == (200, {"error": "invalid_client"})
    assert sim.grant(client_secret="nope") == (200, {"error": "invalid_client_secret"})
    sim.config(token_error_status=400)
    assert sim.grant(refresh_token="nope") == (400, {"error": "invalid_code"})


def test_token_throttle_and_window(sim):
    sim.config(token_throttle_limit=3, token_throttle_window=1)
    for _ in range(3):
        assert sim.grant()[0] == 200
    status, body = sim.grant()
    assert status == 400 and body["error"] == "Access Denied"
    assert body["error_description"].startswith("You have made too many requests")
    assert sim.counts()["rejected"]["token_throttle"] == 1
    time.sleep(1.05)
    assert sim.grant()[0] == 200


def test_token_lifetime(sim):
    sim.config(token_lifetime=1)
    status, body = sim.grant()
    assert body["expires_in"] == 1
    assert sim.api("/api/v1/organizations", token=body["access_token"])[0] == 200
    time.sleep(1.1)
    status, _h, err = sim.api("/api/v1/organizations", token=body["access_token"])
    assert status == 401 and err["errorCode"] == "INVALID_OAUTH"


def test_expire_tokens_and_active_token_cap(sim):
    sim.config(max_active_tokens=2)
    first, second, third = sim.token(), sim.token(), sim.token()
    assert sim.api("/api/v1/organizations", token=first)[0] == 401
    assert sim.api("/api/v1/organizations", token=third)[0] == 200
    sim.control("POST", "expire-tokens")
    for tok in (second, third):
        status, _h, err = sim.api("/api/v1/organizations", token=tok)
        assert (status, err["errorCode"]) == (401, "INVALID_OAUTH")


# ---- auth / org / validation -----------------------------------------------------------

def test_auth_errors(sim):
    status, hdrs, err = sim.api("/api/v1/tickets/" + T1, token=False)
    assert status == 401 and err == {
        "errorCode": "UNAUTHORIZED",
        "message": "You are not authenticated to perform this operation."}
    assert "x-rate-limit-remaining-v3" in hdrs
    status, _h, err = sim.api("/api/v1/tickets/" + T1, token="1000.bogus")
    assert status == 401 and err == {"errorCode": "INVALID_OAUTH",
                                     "message": "The OAuth Token you provided is invalid."}
    status, _h, _b = sim.request("GET", "/api/v1/tickets/" + T1,
                                 headers={"Authorization": "Bearer " + sim.token(),
                                          "orgId": ORG})
    assert status == 401


def test_org_header(sim):
    tok = sim.token()
    status, _h, err = sim.api("/api/v1/tickets/" + T1, token=tok, org=None)
    assert status == 422 and err["errorCode"] == "UNPROCESSABLE_ENTITY"
    status, _h, err = sim.api("/api/v1/tickets/" + T1, token=tok, org="999")
    assert status == 403 and err == {
        "errorCode": "OAUTH_ORG_MISMATCH",
        "message": "The OAuthToken is not valid for specified organization"}
    status, hdrs, body = sim.api("/api/v1/organizations", token=tok, org=None)
    assert status == 200
    assert body == {"data": [{"id": ORG, "companyName": "TPL Logística", "portalName": "tpl",
                              "portalURL": "https://desk.zoho.com/support/tpl",
                              "edition": "ENTERPRISE", "isDefault": True,
                              "isAdminInOrg": True}]}
    assert hdrs["x-rate-limit-request-weight-v3"] == "3"


def test_scopes(sim):
    tok = sim.token()
    sim.config(scopes="Desk.tickets.READ")
    status, hdrs, err = sim.api("/api/v1/organizations", token=tok)
    assert status == 403 and err["errorCode"] == "SCOPE_MISMATCH" and err["message"]
    assert hdrs["x-rate-limit-request-weight-v3"] == "0"
    assert sim.api("/api/v1/tickets/" + T1, token=tok)[0] == 200
    status, _h, err = sim.api("/api/v1/tickets/search?ticketNumber=12345", token=tok)
    assert status == 403 and err["errorCode"] == "SCOPE_MISMATCH"
    # Any one of the listed organisation scopes will do; .ALL covers .READ; case is ignored.
    sim.config(scopes="desk.settings.read, Desk.tickets.ALL")
    assert sim.api("/api/v1/organizations", token=tok)[0] == 200
    assert sim.api("/api/v1/tickets/" + T1 + "/threads", token=tok)[0] == 200
    sim.config(scopes="Desk.basic.READ")
    status, _h, err = sim.api("/api/v1/tickets/" + T1, token=tok)
    assert status == 403 and err["errorCode"] == "SCOPE_MISMATCH"


def test_revoked_refresh_token(sim):
    tok = sim.token()
    sim.config(refresh_token_revoked=True)
    assert sim.grant() == (200, {"error": "invalid_code"})
    status, _h, err = sim.api("/api/v1/organizations", token=tok)
    assert status == 401 and err["errorCode"] == "INVALID_OAUTH"
    sim.control("POST", "reset", {"config": True})
    assert sim.api("/api/v1/organizations")[0] == 200


def test_several_organisations(tmp_path):
    fixture = dict(FIXTURE, organizations=[
        {"id": 70000000002, "companyName": "Outra Empresa", "portalName": "outra"}])
    path = tmp_path / "fixture.json"
    path.write_text(json.dumps(fixture), encoding="utf-8")
    proc, other = start_sim(str(tmp_path), fixture=str(path))
    try:
        tok = other.token()
        status, _h, body = other.api("/api/v1/organizations", token=tok, org=None)
        assert status == 200
        assert [(o["id"], o["portalName"], o["isDefault"]) for o in body["data"]] == [
            (ORG, "tpl", True), ("70000000002", "outra", False)]
        # The second organisation is reachable but holds none of the fixture's tickets.
        assert other.api("/api/v1/tickets/" + T1, token=tok)[0] == 200
        status, _h, err = other.api("/api/v1/tickets/" + T1, token=tok, org="70000000002")
        assert status == 404 and err["errorCode"] == "URL_NOT_FOUND"
        assert other.api("/api/v1/tickets/search?ticketNumber=12345", token=tok,
                         org="70000000002")[0] == 204
        status, _h, err = other.api("/api/v1/tickets/" + T1, token=tok, org="70000000003")
        assert status == 403 and err["errorCode"] == "OAUTH_ORG_MISMATCH"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_validation_and_unknown_paths(sim):
    tok = sim.token()
    status, _h, err = sim.api("/api/v1/tickets/%s/threads?sortOrder=asc" % T1, token=tok)
    assert status == 422
    assert err["message"] == "Extra query parameter 'sortOrder' is present in the input."
    status, _h, err = sim.api("/api/v1/tickets/%s/nothing" % T1, token=tok)
    assert (status, err["errorCode"]) == (404, "URL_NOT_FOUND")
    status, _h, err = sim.api("/api/v1/tickets/999", token=tok)
    assert (status, err["errorCode"]) == (404, "URL_NOT_FOUND")
    assert sim.api("/api/v1/tickets/%s?include=bogus" % T1, token=tok)[0] == 422


# ---- endpoints -------------------------------------------------------------------------

def test_get_ticket_shape(sim):
    status, hdrs, t = sim.api("/api/v1/tickets/%s?include=departments,contacts" % T1)
    assert status == 200 and hdrs["x-rate-limit-request-weight-v3"] == "1"
    assert t["id"] == T1 and t["ticketNumber"] == "12345"
    assert t["status"] == "Open" and t["statusType"] == "Open"
    assert t["threadCount"] == "6" and t["attachmentCount"] == "4"
    assert ISO_MS.match(t["createdTime"]) and ISO_MS.match(t["modifiedTime"])
    assert t["cf"]["cf_numero_do_pedido"] == "12345"
    assert t["department"] == {"id": t["departmentId"], "name": "TECNOLOGIA"}
    assert t["contact"]["email"] == "joao.silva@acme.com.br"
    assert "departmentName" not in t and "threads" not in t
    assert "department" not in sim.api("/api/v1/tickets/" + T1)[2]


def test_search(sim):
    tok = sim.token()
    status, hdrs, body = sim.api("/api/v1/tickets/search?ticketNumber=12345", token=tok)
    assert status == 200 and body["count"] == "1" and body["data"][0]["id"] == T1
    assert hdrs["x-rate-limit-request-weight-v3"] == "3"
    status, _h, body = sim.api("/api/v1/tickets/search?ticketNumber=12345,20001", token=tok)
    assert body["count"] == "2"
    status, _h, body = sim.api("/api/v1/tickets/search?ticketNumber=424242", token=tok)
    assert status == 204 and body is None
    assert sim.api("/api/v1/tickets/search?ticketNumber=1&limit=101", token=tok)[0] == 422
    assert sim.api("/api/v1/tickets/search?ticketNumber=1&from=1000", token=tok)[0] == 422


def _page(sim, tok, ticket, start, limit, extra=""):
    return sim.api("/api/v1/tickets/%s/threads?from=%s&limit=%s%s"
                   % (ticket, start, limit, extra), token=tok)


def test_thread_paging_base0(sim):
    tok = sim.token()
    seen = []
    for start, expect in ((0, 10), (10, 10), (20, 5)):
        status, _h, body = _page(sim, tok, GEN1, start, 10)
        assert status == 200 and len(body["data"]) == expect
        seen += [row["id"] for row in body["data"]]
    assert len(set(seen)) == 25
    assert seen[0] == str(27000000000000000 + 10000 + 25)  # newest first by default
    times = [row["createdTime"] for row in _page(sim, tok, GEN1, 0, 100)[2]["data"]]
    assert times == sorted(times, reverse=True)
    status, _h, body = _page(sim, tok, GEN1, 25, 10)
    assert status == 204 and body is None
    asc = _page(sim, tok, GEN1, 0, 1, "&sortBy=sendDateTime")[2]["data"]
    assert asc[0]["id"] == str(27000000000000000 + 10000 + 1)
    for bad in ((0, 0), (0, 101), (-1, 10), ("x", 10), (0, "y")):
        status, _h, err = _page(sim, tok, GEN1, *bad)
        assert status == 422 and err["errorCode"] == "UNPROCESSABLE_ENTITY", bad
    err = _page(sim, tok, GEN1, 0, 101)[2]
    assert err["message"] == "The value passed for field 'limit' exceeds the range of '1-100'."


def test_thread_paging_base1(sim):
    tok = sim.token()
    first = _page(sim, tok, GEN1, 0, 3)[2]["data"]
    sim.config(paging_base=1)
    assert _page(sim, tok, GEN1, 1, 3)[2]["data"] == first
    assert _page(sim, tok, GEN1, 0, 3)[0] == 422
    assert _page(sim, tok, GEN1, 26, 3)[0] == 204


def test_thread_list_rows(sim):
    status, _h, body = sim.api("/api/v1/tickets/%s/threads?limit=50" % T1)
    rows = body["data"]
    assert len(rows) == 6
    assert {r["status"] for r in rows} == {"SUCCESS", "DRAFT"}
    assert [r["visibility"] for r in rows].count("private") == 1
    assert {r["direction"] for r in rows} == {"in", "out"}
    for row in rows:
        assert "content" not in row and "attachments" not in row
        assert isinstance(row["attachmentCount"], str) and ISO_MS.match(row["createdTime"])
        assert row["author"]["type"] in ("END_USER", "AGENT") and row["summary"]
    with_files = [r for r in rows if r["hasAttach"]]
    assert sorted(r["attachmentCount"] for r in with_files) == ["1", "2"]


def test_thread_detail_truncated_and_full_content(sim):
    tok = sim.token()
    base = "/api/v1/tickets/%s/threads/%s" % (T1, TRUNCATED)
    status, _h, short = sim.api(base + "?include=plainText", token=tok)
    assert status == 200 and short["isContentTruncated"] is True
    assert short["plainText"] and short["content"].startswith("<div>Olá Ana")
    full_url = urllib.parse.urlsplit(short["fullContentURL"])
    assert full_url.path == base + "/fullContent"
    status, _h, full = sim.api(full_url.path, token=tok)
    assert status == 200 and full["isContentTruncated"] is False
    assert "fullContentURL" not in full
    assert full["content"].startswith(short["content"])
    assert len(full["content"]) > len(short["content"])
    assert full["content"].endswith("</blockquote></blockquote>")
    assert short["attachments"] == full["attachments"]
    att = short["attachments"][0]
    assert att["name"] == "nf-67890.pdf" and att["size"] == "102400"
    other = sim.api("/api/v1/tickets/%s/threads/123456789012350002" % T1, token=tok)[2]
    assert other["isContentTruncated"] is False and other["attachments"] == []
    assert sim.counts()["calls"]["thread_full_content"] == 1


def _block(att_id):
    return b"".join(hashlib.sha256(("%s:%d" % (att_id, k)).encode()).digest()
                    for k in range(128))


def _expected_bytes(att_id, size):
    return (_block(att_id) * (size // 4096 + 1))[:size]


def _expected_sha256(att_id, size):
    """sha256 of the payload without building it: 64 KiB of whole blocks at a time."""
    pattern = _block(att_id) * 16
    digest = hashlib.sha256()
    whole, rest = divmod(size, len(pattern))
    for _ in range(whole):
        digest.update(pattern)
    digest.update(pattern[:rest])
    return digest.hexdigest()


def test_attachment_downloads(sim):
    tok = sim.token()
    detail = sim.api("/api/v1/tickets/%s/threads/%s" % (T1, TRUNCATED), token=tok)[2]
    att = detail["attachments"][0]
    href = urllib.parse.urlsplit(att["href"])
    assert href.port == sim.port
    status, hdrs, data = sim.request("GET", href.path, headers={
        "Authorization": "Zoho-oauthtoken " + tok, "orgId": ORG})
    assert status == 200 and hdrs["content-type"] == "application/pdf"
    assert len(data) == int(att["size"]) and data == _expected_bytes(att["id"], 102400)
    assert sim.api(href.path, token=tok, org=None)[0] == 422
    status, _h, body = sim.api("/api/v1/tickets/%s/attachments" % T1, token=tok)
    assert status == 200 and len(body["data"]) == 1
    row = body["data"][0]
    assert set(row) >= {"id", "name", "size", "href", "creatorId", "createdTime", "isPublic"}
    status, _h, data = sim.request("GET", urllib.parse.urlsplit(row["href"]).path, headers={
        "Authorization": "Zoho-oauthtoken " + tok, "orgId": ORG})
    assert status == 200 and len(data) == int(row["size"]) == 184320
    assert sim.api("/api/v1/tickets/%s/attachments?from=1" % T1, token=tok)[0] == 204
    first = sim.api("/api/v1/tickets/%s/threads/123456789012350001" % T1, token=tok)[2]
    assert all(a["previewurl"] for a in first["attachments"])  # jpgs get a preview
    assert sim.api(href.path.replace(att["id"], "1"), token=tok)[0] == 404
    sim.config(ticket_attachments_include_threads=True)
    body = sim.api("/api/v1/tickets/%s/attachments?limit=100" % T1, token=tok)[2]
    assert len(body["data"]) == 4
    assert sim.counts()["calls"]["attachment_content"] == 4


def test_original_content(sim):
    status, _h, body = sim.api("/api/v1/tickets/%s/threads/%s/originalContent"
                               % (T1, TRUNCATED))
    assert status == 200 and body["from"] == "joao.silva@acme.com.br"
    assert body["content"].startswith("Return-Path:")


def test_generated_ids(sim):
    status, _h, body = sim.api("/api/v1/tickets/search?ticketNumber=1000002")
    assert body["data"][0]["id"] == "17000000000000002"
    detail = sim.api("/api/v1/tickets/17000000000000002/threads/%d"
                     % (27000000000000000 + 20000 + 5))[2]
    assert detail["attachments"][0]["id"] == str(37000000000000000 + 20000 + 5)


# ---- knobs -----------------------------------------------------------------------------

def test_latency(sim):
    tok = sim.token()
    sim.config(latency_ms=300)
    started = time.monotonic()
    assert sim.api("/api/v1/tickets/" + T1, token=tok)[0] == 200
    assert time.monotonic() - started >= 0.3


def test_concurrency_limit(sim):
    tok = sim.token()
    sim.config(max_concurrent=2, latency_ms=400, retry_after=7)
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        results = list(pool.map(lambda _: sim.api("/api/v1/tickets/" + T1, token=tok),
                                range(5)))
    ok = [r for r in results if r[0] == 200]
    limited = [r for r in results if r[0] == 429]
    assert len(ok) == 2 and len(limited) == 3
    assert limited[0][2] == {"errorCode": "TOO_MANY_REQUESTS", "message":
                             "The maximum number of Concurrent API Calls that can be made "
                             "has been exceeded."}
    assert limited[0][1]["retry-after"] == "7"
    counts = sim.counts()
    assert counts["max_in_flight"] == 2 and counts["rejected"]["concurrency"] == 3


def test_credits(sim):
    tok = sim.token()
    sim.config(credits=4)
    status, hdrs, _b = sim.api("/api/v1/tickets/" + T1, token=tok)
    assert hdrs["x-rate-limit-remaining-v3"] == "3"
    status, hdrs, _b = sim.api("/api/v1/tickets/%s/threads" % T1, token=tok)
    assert status == 200 and hdrs["x-rate-limit-remaining-v3"] == "0"
    status, hdrs, err = sim.api("/api/v1/tickets/" + T1, token=tok)
    assert status == 429 and err["errorCode"] == "THRESHOLD_EXCEEDED"
    assert int(hdrs["retry-after"]) > 0
    assert sim.counts()["credits_used"] == 4
    sim.config(credits_retry_after=False)
    status, hdrs, err = sim.api("/api/v1/tickets/" + T1, token=tok)
    assert status == 429 and err["errorCode"] == "THRESHOLD_EXCEEDED"
    assert "retry-after" not in hdrs
    assert sim.counts()["rejected"]["credits"] == 2


def test_error_rate_and_fault_path(sim):
    tok = sim.token()
    sim.config(error_rate=1, fault_path="/threads")
    assert sim.api("/api/v1/tickets/" + T1, token=tok)[0] == 200
    status, _h, err = sim.api("/api/v1/tickets/%s/threads" % T1, token=tok)
    assert status == 500 and err["errorCode"] == "INTERNAL_SERVER_ERROR"
    sim.config(fault_path="")
    assert sim.grant()[0] == 200  # token endpoint is spared by default
    sim.config(token_faults=True)
    assert sim.grant()[0] == 500
    assert sim.counts()["faults"]["error"] == 2


def test_malformed_rate(sim):
    tok = sim.token()
    sim.config(malformed_rate=1)
    status, _h, data = sim.request("GET", "/api/v1/tickets/" + T1, headers={
        "Authorization": "Zoho-oauthtoken " + tok, "orgId": ORG})
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(data)
    assert sim.counts()["faults"]["malformed"] == 1


def test_hang_rate_does_not_block_others(sim):
    tok = sim.token()
    sim.config(hang_rate=1, fault_path="/threads")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        hung = pool.submit(sim.api, "/api/v1/tickets/%s/threads" % T1, tok, ORG, 1.5)
        time.sleep(0.2)
        started = time.monotonic()
        assert sim.api("/api/v1/tickets/" + T1, token=tok)[0] == 200
        assert time.monotonic() - started < 0.7  # the hung call lasts 1.5 s
        assert sim.counts()["in_flight"] == 1
        with pytest.raises(socket.timeout):
            hung.result()
    deadline = time.monotonic() + 3
    while sim.counts()["in_flight"] and time.monotonic() < deadline:
        time.sleep(0.05)
    counts = sim.counts()
    assert counts["in_flight"] == 0 and counts["faults"]["hang"] == 1


def test_counts(sim):
    tok = sim.token()
    sim.api("/api/v1/tickets/" + T1, token=tok)
    sim.api("/api/v1/tickets/%s/threads" % T1, token=tok)
    sim.api("/api/v1/tickets/%s/threads" % T1, token=tok, org=None)
    counts = sim.counts()
    assert counts["calls"]["token"] == 1 and counts["calls"]["ticket"] == 1
    assert counts["calls"]["threads_list"] == 2
    assert counts["by_kind"]["threads_list"] == {"200": 1, "422": 1}
    assert counts["status"]["200"] == 3 and counts["in_flight"] == 0
    for kind in ("organizations", "search", "thread_detail", "thread_full_content",
                 "attachments_list", "attachment_content"):
        assert counts["calls"][kind] == 0


# ---- streamed downloads ----------------------------------------------------------------

def _add_file(sim, size, name="dados.bin"):
    """A ticket-level attachment of `size` bytes; returns (its id, its content path)."""
    status, row = sim.control("POST", "tickets/%s/attachments" % T1,
                              {"name": name, "size": size})
    assert status == 201, row
    return row["id"], urllib.parse.urlsplit(row["href"]).path


def _open(sim, path, tok, timeout=10):
    """Start a download; the caller reads the body from the returned response."""
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=timeout)
    conn.request("GET", path, headers={"Authorization": "Zoho-oauthtoken " + tok,
                                       "orgId": ORG})
    return conn, conn.getresponse()


def _proc_kib(pid, field):
    with open("/proc/%d/status" % pid, encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def test_large_download_is_streamed(sim):
    tok = sim.token()
    size = 64 * 1024 * 1024
    att_id, path = _add_file(sim, size)
    watch = sim.pid is not None and os.path.exists("/proc/%d/status" % sim.pid)
    if watch:
        rss_before, hwm_before = _proc_kib(sim.pid, "VmRSS"), _proc_kib(sim.pid, "VmHWM")
        rss_peak = rss_before
    conn, resp = _open(sim, path, tok, timeout=60)
    try:
        assert resp.status == 200 and resp.getheader("Content-Length") == str(size)
        assert resp.getheader("Content-Disposition") == "attachment; filename*=UTF-8''dados.bin"
        assert resp.getheader("X-Rate-Limit-Remaining-v3") is not None
        digest, got, pieces = hashlib.sha256(), 0, 0
        while True:
            piece = resp.read(1024 * 1024)
            if not piece:
                break
            digest.update(piece)
            got += len(piece)
            pieces += 1
            if watch and pieces % 8 == 0:
                rss_peak = max(rss_peak, _proc_kib(sim.pid, "VmRSS"))
    finally:
        conn.close()
    assert got == size and digest.hexdigest() == _expected_sha256(att_id, size)
    if watch:
        # Buffering the file would add at least its 64 MiB; streaming adds a few pieces.
        assert rss_peak - rss_before < 16 * 1024, (rss_before, rss_peak)
        assert _proc_kib(sim.pid, "VmHWM") - hwm_before < 16 * 1024
    counts = sim.counts()
    assert counts["calls"]["attachment_content"] == 1 and counts["in_flight"] == 0


def test_download_rate(sim):
    tok = sim.token()
    att_id, path = _add_file(sim, 200 * 1024)
    sim.config(download_rate=200 * 1024)
    started = time.monotonic()
    status, hdrs, data = sim.request("GET", path, headers={
        "Authorization": "Zoho-oauthtoken " + tok, "orgId": ORG})
    elapsed = time.monotonic() - started
    assert status == 200 and hdrs["content-length"] == str(200 * 1024)
    assert data == _expected_bytes(att_id, 200 * 1024)
    assert 0.7 <= elapsed <= 3, elapsed


def test_download_keeps_its_concurrency_slot(sim):
    tok = sim.token()
    _att_id, path = _add_file(sim, 100 * 1024)
    sim.config(download_rate=100 * 1024, max_concurrent=1)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        download = pool.submit(sim.request, "GET", path, None, {
            "Authorization": "Zoho-oauthtoken " + tok, "orgId": ORG})
        time.sleep(0.4)  # headers are out; the body takes about 1 s
        assert sim.counts()["in_flight"] == 1
        assert sim.api("/api/v1/tickets/" + T1, token=tok)[0] == 429
        status, hdrs, data = download.result()
    assert status == 200 and len(data) == 100 * 1024
    assert hdrs["x-rate-limit-request-weight-v3"] == "1"
    assert sim.counts()["in_flight"] == 0
    assert sim.api("/api/v1/tickets/" + T1, token=tok)[0] == 200


def test_download_chunked(sim):
    tok = sim.token()
    att_id, path = _add_file(sim, 184320 + 7)
    sim.config(download_chunked=True)
    status, hdrs, data = sim.request("GET", path, headers={
        "Authorization": "Zoho-oauthtoken " + tok, "orgId": ORG})
    assert status == 200 and "content-length" not in hdrs
    assert hdrs["transfer-encoding"] == "chunked"
    assert data == _expected_bytes(att_id, 184320 + 7)


def test_download_cut_after(sim):
    tok = sim.token()
    att_id, path = _add_file(sim, 184320)
    sim.config(download_cut_after=10000)
    conn, resp = _open(sim, path, tok)
    try:
        assert resp.status == 200 and resp.getheader("Content-Length") == "184320"
        # IncompleteRead means EOF came before the announced length: the server hung up.
        with pytest.raises(http.client.IncompleteRead) as short:
            resp.read()
    finally:
        conn.close()
    assert short.value.partial == _expected_bytes(att_id, 10000)
    sim.config(download_chunked=True)
    conn, resp = _open(sim, path, tok)
    try:
        assert resp.getheader("Content-Length") is None
        with pytest.raises(http.client.IncompleteRead):
            resp.read()  # no final zero-size chunk
    finally:
        conn.close()
    sim.config(download_chunked=False, download_cut_after=184320)  # not short: whole body
    status, _h, data = sim.request("GET", path, headers={
        "Authorization": "Zoho-oauthtoken " + tok, "orgId": ORG})
    assert status == 200 and data == _expected_bytes(att_id, 184320)
    counts = sim.counts()
    assert counts["in_flight"] == 0 and counts["by_kind"]["attachment_content"] == {"200": 3}


def test_malformed_download_is_short(sim):
    tok = sim.token()
    att_id, path = _add_file(sim, 100001)
    sim.config(malformed_rate=1, fault_path="/content")
    conn, resp = _open(sim, path, tok)
    try:
        assert resp.status == 200 and resp.getheader("Content-Length") == "100001"
        with pytest.raises(http.client.IncompleteRead) as short:
            resp.read()
    finally:
        conn.close()
    assert short.value.partial == _expected_bytes(att_id, 50000)
    assert sim.counts()["faults"]["malformed"] == 1


def test_download_knobs_validate_and_reset(sim):
    for bad in ({"download_rate": -1}, {"download_chunked": "maybe"},
                {"download_cut_after": "x"}):
        assert sim.control("POST", "config", bad)[0] == 400, bad
    sim.config(download_rate=1000, download_chunked="yes", download_cut_after=10)
    sim.control("POST", "reset", {"config": True})
    knobs = sim.control("GET", "config")[1]
    assert (knobs["download_rate"], knobs["download_chunked"],
            knobs["download_cut_after"]) == (0, False, 0)
    tok = sim.token()
    att_id, path = _add_file(sim, 50000)
    started = time.monotonic()
    status, hdrs, data = sim.request("GET", path, headers={
        "Authorization": "Zoho-oauthtoken " + tok, "orgId": ORG})
    assert status == 200 and hdrs["content-length"] == "50000"
    assert data == _expected_bytes(att_id, 50000) and time.monotonic() - started < 2


# ---- control API -----------------------------------------------------------------------

def test_attachment_content_size_differs_from_listed_size(sim):
    tok = sim.token()
    status, row = sim.control("POST", "tickets/%s/attachments" % T1,
                              {"name": "mentira.bin", "size": 10, "contentSize": 5000})
    assert status == 201 and row["size"] == "10" and "contentSize" not in row
    status, _h, data = sim.request("GET", urllib.parse.urlsplit(row["href"]).path, headers={
        "Authorization": "Zoho-oauthtoken " + tok, "orgId": ORG})
    assert status == 200 and data == _expected_bytes(row["id"], 5000)
    assert sim.control("POST", "tickets/%s/attachments" % T1,
                       {"name": "x.bin", "contentSize": "many"})[0] == 400
    sim.control("POST", "reset", {"data": True})


def test_control_mutations(sim):
    tok = sim.token()
    before = sim.api("/api/v1/tickets/" + T1, token=tok)[2]
    status, row = sim.control("POST", "tickets/%s/threads" % T1, {
        "direction": "in", "content": "<div>Alguma novidade?</div>",
        "attachments": [{"name": "foto.png", "size": 10}]})
    assert status == 201 and row["hasAttach"] is True
    rows = sim.api("/api/v1/tickets/%s/threads" % T1, token=tok)[2]["data"]
    assert len(rows) == 7 and rows[0]["id"] == row["id"]
    after = sim.api("/api/v1/tickets/" + T1, token=tok)[2]
    assert after["threadCount"] == "7" and after["modifiedTime"] > before["modifiedTime"]
    status, _t = sim.control("PATCH", "tickets/" + T1, {"status": "Closed",
                                                         "cf": {"cf_numero_do_pedido": "1"}})
    patched = sim.api("/api/v1/tickets/" + T1, token=tok)[2]
    assert patched["status"] == "Closed" and patched["statusType"] == "Closed"
    assert patched["cf"] == {"cf_numero_do_pedido": "1"}
    assert sim.control("PATCH", "tickets/" + T1, {"threadCount": "9"})[0] == 400
    assert sim.control("DELETE", "tickets/" + T1)[0] == 200
    assert sim.api("/api/v1/tickets/" + T1, token=tok)[0] == 404
    assert sim.control("DELETE", "tickets/" + T1)[0] == 404
    sim.control("POST", "reset", {"data": True})
    assert sim.api("/api/v1/tickets/" + T1, token=tok)[2]["threadCount"] == "6"


def test_config_and_reset(sim):
    assert sim.control("POST", "config", {"latency_msx": 1})[0] == 400
    assert sim.control("POST", "config", {"error_rate": 2})[0] == 400
    assert sim.config(latency_ms=5)["latency_ms"] == 5
    sim.control("POST", "reset", {"config": True})
    assert sim.control("GET", "config")[1]["latency_ms"] == 0


def test_cli_flags_and_bad_fixture(tmp_path):
    proc, other = start_sim(str(tmp_path), "--paging-base", "1", "--credits", "5",
                            "--token-faults", "--download-chunked", "--download-rate", "4096",
                            "--quiet")
    try:
        knobs = other.control("GET", "config")[1]
        assert (knobs["paging_base"], knobs["credits"], knobs["token_faults"]) == (1, 5, True)
        assert (knobs["download_chunked"], knobs["download_rate"]) == (True, 4096)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    bad = tmp_path / "bad.json"
    bad.write_text('{"tickets": [{"id": "abc"}]}')
    result = subprocess.run([sys.executable, SIM, "--fixture", str(bad)],
                            capture_output=True, text=True, timeout=10)
    assert result.returncode != 0 and "bad fixture" in result.stderr
