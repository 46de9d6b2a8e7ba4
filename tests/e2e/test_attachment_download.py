"""Attachment downloads: the signed, short-lived `downloadUrl` of every attachment in a
ticket_details answer, and what following it does (README "Attachment downloads").

The simulator's bytes are deterministic (docs/zoho-simulator.md "Downloads"), so every download
is compared with what the simulator itself serves for that attachment.
"""

import json
import re
import socket
import threading
import time
import urllib.parse

import pytest

import conftest
import zoho_data as zd
from zoho_fixtures import calls_of

pytestmark = pytest.mark.usefixtures("zoho_clean")

INVALID = "Download link is invalid"
EXPIRED = "Download link has expired; ask ticket_details for a new one"
# The shape of the simulator's access tokens (tools/zoho_sim/zoho_sim/auth.py).
ZOHO_TOKEN = re.compile(r"1000\.[0-9a-f]{32}\.[0-9a-f]{32}")


def sim_bytes(att_id, size):
    return zd.attachment_bytes(att_id, size)


def links_of(svc, n, token=None, refresh=None):
    body, _ = svc.ok(n, token=token, refresh=refresh, links=True)
    return {f["id"]: f for f in body["attachments"]}


def get(svc, url, method="GET"):
    status, headers, raw = svc.request_raw(method, url)
    return status, headers, raw


def error_of(raw):
    return json.loads(raw)["error"]


def with_param(url, key, value):
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query[key] = value
    return parts._replace(query=urllib.parse.urlencode(query)).geturl()


@pytest.fixture(scope="module")
def svc(zoho_services):
    return zoho_services.start(DESKBRIDGE_LOG_LEVEL="debug")


# ---------------------------------------------------------------------------------------------
# Links and bytes


def test_thread_file_downloads_with_the_simulators_bytes_and_headers(zoho_sim, svc):
    n = 7
    f = links_of(svc, n)[zd.file_id(n, 1)]
    url = f["downloadUrl"]
    assert re.fullmatch(r"/api/attachments/%s/%s\?c=staff&e=\d+&s=[A-Za-z0-9_-]{43}"
                        % (zd.zid(n), zd.file_id(n, 1)), url), url
    zoho_sim.reset()
    status, headers, raw = get(svc, url)
    assert status == 200, raw
    assert raw == sim_bytes(zd.file_id(n, 1), 2048)
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Content-Length"] == "2048"
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"foto-7.jpg\"; filename*=UTF-8''foto-7.jpg")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "private, no-store"
    assert calls_of(zoho_sim.counts(), "attachment_content") == 1


def test_ticket_file_with_an_awkward_name(zoho_sim, svc):
    n = 8
    name = 'Relatório "final"/v2 ação.pdf'
    added = zoho_sim._ok("POST", f"tickets/{zd.zid(n)}/attachments",
                         {"name": name, "size": 5000}, expect=201)
    f = links_of(svc, n, refresh=1)[added["id"]]
    assert f["threadId"] is None
    status, headers, raw = get(svc, f["downloadUrl"])
    assert status == 200, raw
    assert raw == sim_bytes(added["id"], 5000)
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"Relat__rio _final__v2 a____o.pdf\"; "
        "filename*=UTF-8''Relat%C3%B3rio%20%22final%22%2Fv2%20a%C3%A7%C3%A3o.pdf")


def test_answers_within_a_step_are_identical_and_links_name_the_customer(svc):
    n = 9
    for _ in range(3):  # a pair that straddles a minute boundary is asked again
        first = links_of(svc, n, token=svc.client)
        again = links_of(svc, n, token=svc.client)
        if first == again:
            break
    assert first == again  # rounded expiry: the answer stays byte-stable within a step
    url = first[zd.file_id(n, 1)]["downloadUrl"]
    assert "?c=c100&" in url
    expiry = int(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["e"])
    assert 900 - 60 <= expiry - time.time() <= 900 + 1
    status, _, raw = get(svc, url)
    assert status == 200 and raw == sim_bytes(zd.file_id(n, 1), 2048)


def test_staff_link_for_a_private_file_works(svc):
    n = zd.PRIVATE_SMALL
    private = links_of(svc, n)[zd.file_id(n, 3)]
    status, _, raw = get(svc, private["downloadUrl"])
    assert status == 200 and raw == sim_bytes(zd.file_id(n, 3), 4096)
    assert zd.file_id(n, 3) not in links_of(svc, n, token=svc.client)


# ---------------------------------------------------------------------------------------------
# Refusals


def test_forged_and_altered_links_are_refused(zoho_sim, svc):
    n = 10
    url = links_of(svc, n, token=svc.client)[zd.file_id(n, 1)]["downloadUrl"]
    sig = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["s"]
    flipped = sig[:-1] + ("A" if sig[-1] != "A" else "B")
    expiry = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["e"]
    forged = [
        with_param(url, "s", flipped),
        with_param(url, "s", ""),
        with_param(url, "e", str(int(expiry) + 3600)),  # a longer life is a different link
        with_param(url, "c", "staff"),                   # a client link made staff
        url.replace(zd.file_id(n, 1), zd.file_id(n, 2)),
        url.replace(zd.zid(n), zd.zid(n + 1)),
        url + "&x=1",
        url.split("?")[0],
        "/api/attachments/%s?%s" % (zd.zid(n), url.split("?")[1]),
    ]
    zoho_sim.reset()
    for bad in forged:
        status, _, raw = get(svc, bad)
        assert (status, error_of(raw)) == (403, INVALID), bad
    assert calls_of(zoho_sim.counts()) == 0


def test_link_of_one_customer_fails_for_another(zoho_sim, zoho_services, tmp_path):
    """Customer 100's link, rewritten for customer 101 (who owns the ticket now), is refused;
    the genuine link stops working once the ticket belongs to 101."""
    service = zoho_services.start()
    n = 11
    url = links_of(service, n, token=service.client)[zd.file_id(n, 1)]["downloadUrl"]
    assert get(service, url)[0] == 200

    moved = conftest.write_json(tmp_path / "move.json", {
        "clients": [{"id": 101, "apelido": "OUTRA LTDA", "cnpj": "98765432000100"}],
        "tickets": [zd._local_ticket(n, client_id=101)]})
    result = conftest.import_file(moved, service.db_url)
    assert result.returncode == 0, result.stderr

    status, _, raw = get(service, with_param(url, "c", "c101"))
    assert (status, error_of(raw)) == (403, INVALID)
    status, _, raw = get(service, url)
    assert (status, error_of(raw)) == (404, "Attachment not found")


def test_blocked_customer_links_stop_working(zoho_services):
    service = zoho_services.start()
    n = 12
    url = links_of(service, n, token=service.client)[zd.file_id(n, 1)]["downloadUrl"]
    result = conftest.run_cli("client", "block", "100", "--db", service.db_url)
    assert result.returncode == 0, result.stderr
    status, _, raw = get(service, url)
    assert (status, error_of(raw)) == (403, "Client blocked")


def test_expired_link_is_refused(zoho_sim, zoho_services):
    service = zoho_services.start("--attachment-link-ttl", "3")
    n = 13
    url = links_of(service, n)[zd.file_id(n, 1)]["downloadUrl"]
    expiry = int(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["e"])
    assert 1 <= expiry - time.time() <= 3 + 1
    assert get(service, url)[0] == 200
    time.sleep(max(0.0, expiry - time.time()) + 0.2)
    zoho_sim.reset()
    status, _, raw = get(service, url)
    assert (status, error_of(raw)) == (403, EXPIRED)
    assert calls_of(zoho_sim.counts()) == 0


def test_size_cap(zoho_sim, zoho_services):
    service = zoho_services.start("--attachment-max-bytes", "3000")
    n = zd.PRIVATE_SMALL
    files = links_of(service, n)
    assert get(service, files[zd.file_id(n, 1)]["downloadUrl"])[0] == 200  # 2048 bytes

    zoho_sim.reset()
    status, _, raw = get(service, files[zd.file_id(n, 3)]["downloadUrl"])  # 4096 bytes
    assert (status, error_of(raw)) == (
        413, "Attachment is 4096 bytes, over the download limit of 3000 bytes")
    assert calls_of(zoho_sim.counts(), "attachment_content") == 0

    # Zoho lists 100 bytes but sends 5000: the transfer is cut at the cap.
    liar = zoho_sim._ok("POST", f"tickets/{zd.zid(n)}/attachments",
                        {"name": "pequeno.bin", "size": 100, "contentSize": 5000}, expect=201)
    f = links_of(service, n, refresh=1)[liar["id"]]
    status, _, raw = get(service, f["downloadUrl"])
    assert (status, error_of(raw)) == (
        502, "Zoho Desk sent more than the download limit of 3000 bytes")


def test_links_are_absolute_on_the_public_url(zoho_services):
    service = zoho_services.start("--public-url", "https://oms.example.com.br/desk/")
    n = 18
    base = "https://oms.example.com.br/desk/api/attachments/"
    for token in (service.staff, service.client):
        for f in links_of(service, n, token=token).values():
            assert f["downloadUrl"].startswith(base), f["downloadUrl"]
    url = links_of(service, n, token=service.client)[zd.file_id(n, 1)]["downloadUrl"]
    # A proxy in front maps the public prefix to the service's root.
    status, _, raw = get(service, url.removeprefix("https://oms.example.com.br/desk"))
    assert status == 200 and raw == sim_bytes(zd.file_id(n, 1), 2048)


def test_zoho_404_is_a_404(zoho_sim, svc):
    n = 14
    url = links_of(svc, n)[zd.file_id(n, 1)]["downloadUrl"]
    zoho_sim.delete_ticket(zd.zid(n))  # the cached conversation still lists the file
    try:
        status, _, raw = get(svc, url)
        assert (status, error_of(raw)) == (404, "Attachment not found")
    finally:
        zoho_sim.reset(data=True)


def test_ticket_gone_from_zoho_is_a_404(zoho_sim, zoho_services):
    service = zoho_services.start(DESKBRIDGE_ZOHO_MAX_AGE="0")  # every download revalidates
    n = 22
    url = links_of(service, n)[zd.file_id(n, 1)]["downloadUrl"]
    zoho_sim.delete_ticket(zd.zid(n))
    try:
        status, _, raw = get(service, url)
        assert (status, error_of(raw)) == (404, "Attachment not found")
    finally:
        zoho_sim.reset(data=True)


def test_zoho_failure_is_a_502(zoho_sim, svc):
    n = 23
    url = links_of(svc, n)[zd.file_id(n, 1)]["downloadUrl"]
    zoho_sim.config(error_rate=1.0, fault_path="/content")
    status, _, raw = get(svc, url)
    assert (status, error_of(raw)) == (502, "Zoho Desk answered HTTP 500 INTERNAL_SERVER_ERROR")
    assert calls_of(zoho_sim.counts(), "attachment_content") == 4  # retried, then gave up


def test_spent_daily_credits_are_a_502_at_once(zoho_sim, svc):
    n = 24
    url = links_of(svc, n)[zd.file_id(n, 1)]["downloadUrl"]
    # Without Retry-After, as some report Zoho answering: still no retry, the credits are gone.
    zoho_sim.config(credits=0, credits_retry_after=False)
    start = time.monotonic()
    status, _, raw = get(svc, url)
    assert (status, error_of(raw)) == (502, "Zoho Desk answered HTTP 429 THRESHOLD_EXCEEDED")
    assert time.monotonic() - start < 1.0
    counts = zoho_sim.counts()
    assert calls_of(counts, "attachment_content") == 1
    assert counts["rejected"]["credits"] == 1
    zoho_sim.config(credits=100000)  # a new day
    status, _, raw = get(svc, url)
    assert status == 200 and raw == sim_bytes(zd.file_id(n, 1), 2048)


class Listener:
    """A TCP port that records every connection made to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


def test_foreign_hosts_are_never_asked(zoho_sim, svc):
    n = 15
    listener = Listener()
    try:
        path = "/api/v1/tickets/%s/attachments/1/content" % zd.zid(n)
        hrefs = [
            "http://127.0.0.1:%d%s" % (listener.port, path),       # another port
            "http://localhost:%d%s" % (zoho_sim.port, path),       # another host name
            "https://127.0.0.1:%d%s" % (zoho_sim.port, path),      # another scheme
            "http://127.0.0.1:%d@127.0.0.1:%d%s" % (zoho_sim.port, listener.port, path),
            "http://127.0.0.1:%d/oauth/v2/token" % zoho_sim.port,  # not the Desk API
        ]
        # The simulator passes unknown fixture fields through, so the listing can carry them.
        added = [zoho_sim._ok("POST", f"tickets/{zd.zid(n)}/attachments",
                              {"name": "x%d.pdf" % i, "size": 10, "href": href}, expect=201)
                 for i, href in enumerate(hrefs)]
        files = links_of(svc, n, refresh=1)
        zoho_sim.reset()
        for att, href in zip(added, hrefs):
            assert files[att["id"]]["href"] == href
            status, _, raw = get(svc, files[att["id"]]["downloadUrl"])
            assert (status, error_of(raw)) == (
                502, "Attachment link does not point to the configured Zoho Desk; refused"), href
        assert calls_of(zoho_sim.counts()) == 0
        assert listener.connections == 0
    finally:
        listener.close()
        zoho_sim.reset(data=True)


def test_other_methods_and_paths(svc):
    n = 16
    url = links_of(svc, n)[zd.file_id(n, 1)]["downloadUrl"]
    status, headers, _ = get(svc, url, method="POST")
    assert status == 405 and headers["Allow"] == "GET"
    status, _, raw = get(svc, "/api/attachments/")
    assert (status, error_of(raw)) == (403, INVALID)


def test_zoho_token_never_reaches_callers_urls_or_logs(zoho_sim, svc):
    """Runs last in this module: by now the service has downloaded and failed several times,
    logging at debug level."""
    n = 17
    body, _ = svc.ok(n, links=True)
    url = body["attachments"][0]["downloadUrl"]
    status, headers, raw = get(svc, url)
    assert status == 200
    exposed = [url, str(body), str(dict(headers))]
    log = svc.log_text()
    for text in exposed + [log]:
        assert not ZOHO_TOKEN.search(text)
        assert "Zoho-oauthtoken" not in text
        assert zd.REFRESH_TOKEN not in text and zd.CLIENT_SECRET not in text
    # Signatures stay out of the access log too: it records the path only.
    assert url.split("s=")[1] not in log
