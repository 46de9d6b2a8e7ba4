"""Attachment downloads are streamed from Zoho Desk to the caller (README "Attachment
downloads"): the answer starts with Zoho's first bytes, memory stays bounded whatever the file's
size or the caller's speed, a body that fails part-way is never passed off as complete, and a
download's slot comes back when it ends or its caller leaves.

The simulator serves files of any size without holding them, paced, chunked or cut short on
demand (docs/zoho-simulator.md, "Downloads").
"""

import hashlib
import http.client
import json
import socket
import struct
import threading
import time

import pytest

import zoho_data as zd

pytestmark = pytest.mark.usefixtures("zoho_clean")

MiB = 1024 * 1024
BUSY = "Too many downloads at once, retry shortly"


def add_file(zoho_sim, n, size, name="grande.bin"):
    """A ticket-level file of `size` bytes on fixture ticket n; returns its id."""
    added = zoho_sim._ok("POST", f"tickets/{zd.zid(n)}/attachments",
                         {"name": name, "size": size}, expect=201)
    return added["id"]


def link_of(svc, n, att_id):
    body, _ = svc.ok(n, refresh=1, links=True)
    return next(f["downloadUrl"] for f in body["attachments"] if f["id"] == att_id)


def memory_kib(svc, field):
    """VmRSS (now) or VmHWM (peak) of the service process, in KiB."""
    with open(f"/proc/{svc.process.pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} for the service")


def open_download(svc, url, rcvbuf=None):
    """The response of a download, its body not yet read."""
    conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=30)
    conn.connect()
    if rcvbuf is not None:
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    conn.request("GET", url)
    return conn, conn.getresponse()


def read_digest(res, piece=256 * 1024):
    """Reads the body to its end: (sha256 hex, bytes read)."""
    digest = hashlib.sha256()
    total = 0
    while True:
        chunk = res.read(piece)
        if not chunk:
            return digest.hexdigest(), total
        digest.update(chunk)
        total += len(chunk)


def read_body(res):
    """Reads the body to its end: (bytes, whether it was complete). http.client's read(n)
    returns short at an early end of a body of announced length instead of raising."""
    got = bytearray()
    try:
        while chunk := res.read(64 * 1024):
            got += chunk
    except http.client.IncompleteRead as short:  # a chunked body without its last chunk
        got += short.partial
        return bytes(got), False
    length = res.getheader("Content-Length")
    return bytes(got), length is None or int(length) == len(got)


def read_cut_download(svc, url):
    """Reads a download that starts well and may end short: (request id, bytes, complete)."""
    conn, res = open_download(svc, url)
    try:
        assert res.status == 200
        return (res.getheader("X-Request-Id"), *read_body(res))
    finally:
        conn.close()


def aborted_event(svc, request_id):
    """The request's `response_aborted` log line, waited for (it follows the cut)."""
    def find():
        return next((e for e in log_events(svc, "response_aborted")
                     if e.get("request_id") == request_id), None)

    assert wait_until(lambda: find() is not None), f"no response_aborted for {request_id}"
    return find()


def log_events(svc, event):
    lines = [json.loads(line) for line in svc.log_text().splitlines() if line.strip()]
    return [line for line in lines if line.get("event") == event]


def streamed(svc):
    """deskbridge_streamed_responses_total by result, and deskbridge_streamed_bytes_total."""
    status, _, raw = svc.request_raw("GET", "/metrics")
    assert status == 200
    out = {}
    for line in raw.decode().splitlines():
        if line.startswith("deskbridge_streamed_responses_total{"):
            out[line.split('"')[1]] = float(line.rsplit(" ", 1)[1])
        elif line.startswith("deskbridge_streamed_bytes_total "):
            out["bytes"] = float(line.rsplit(" ", 1)[1])
    return out


def wait_until(predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture(scope="module")
def svc(zoho_services):
    return zoho_services.start("--attachment-max-bytes", str(512 * MiB))


@pytest.fixture
def fresh_data(zoho_sim):
    yield
    zoho_sim.reset(data=True)


# ---------------------------------------------------------------------------------------------
# Bytes, headers and memory


def test_a_large_file_streams_in_bounded_memory(zoho_sim, svc, fresh_data):
    n, size = 7, 128 * MiB
    att = add_file(zoho_sim, n, size)
    url = link_of(svc, n, att)
    peak_before = memory_kib(svc, "VmHWM")

    conn, res = open_download(svc, url)
    try:
        assert res.status == 200
        assert res.getheader("Content-Length") == str(size)
        assert res.getheader("Transfer-Encoding") is None
        digest, total = read_digest(res)
    finally:
        conn.close()

    assert total == size
    assert digest == zd.attachment_sha256(att, size)
    grown = memory_kib(svc, "VmHWM") - peak_before
    # Buffered, the file alone would be 131,072 KiB; streamed, a download holds a few pieces.
    assert grown < 24 * 1024, f"peak memory grew by {grown} KiB for a {size}-byte file"


def test_a_slow_reader_holds_zoho_back(zoho_sim, svc, fresh_data):
    """While the caller reads nothing, the transfer from Zoho pauses: the simulator is still
    sending after a pause long enough for it to send the whole file, and the service's memory
    does not grow with what it has not sent."""
    n, size = 8, 64 * MiB
    att = add_file(zoho_sim, n, size)
    url = link_of(svc, n, att)
    zoho_sim.reset()
    rss_before = memory_kib(svc, "VmRSS")

    conn, res = open_download(svc, url, rcvbuf=64 * 1024)
    try:
        assert res.status == 200
        first = res.read(MiB)
        time.sleep(1.5)  # the simulator alone sends 64 MiB in well under a second
        counts = zoho_sim.counts()
        assert counts["in_flight"] == 1, counts  # still sending: held back
        grown = memory_kib(svc, "VmRSS") - rss_before
        assert grown < 16 * 1024, f"memory grew by {grown} KiB while the caller paused"

        digest = hashlib.sha256(first)
        rest = len(first)
        while chunk := res.read(256 * 1024):
            digest.update(chunk)
            rest += len(chunk)
    finally:
        conn.close()
    assert rest == size
    assert digest.hexdigest() == zd.attachment_sha256(att, size)
    assert wait_until(lambda: zoho_sim.counts()["in_flight"] == 0)


def test_the_first_bytes_come_before_zoho_sends_the_last(zoho_sim, svc, fresh_data):
    n, size = 9, 768 * 1024
    att = add_file(zoho_sim, n, size)
    url = link_of(svc, n, att)
    zoho_sim.config(download_rate=512 * 1024)  # 1.5 s for the whole file

    started = time.monotonic()
    conn, res = open_download(svc, url)
    try:
        assert res.status == 200
        first = res.read(1)
        first_at = time.monotonic() - started
        digest, total = read_digest(res)
        last_at = time.monotonic() - started
    finally:
        conn.close()
    assert first == zd.attachment_bytes(att, 1)
    assert total == size - 1
    assert first_at < 0.8, f"first byte after {first_at:.2f} s"
    assert last_at > 1.2, f"last byte after {last_at:.2f} s: the pacing did not apply"


def test_a_file_of_unannounced_size_is_sent_chunked(zoho_sim, svc, fresh_data):
    n, size = 10, 3 * MiB + 17
    att = add_file(zoho_sim, n, size)
    url = link_of(svc, n, att)
    zoho_sim.config(download_chunked=True)
    before = streamed(svc)

    conn, res = open_download(svc, url)
    try:
        assert res.status == 200
        assert res.getheader("Content-Length") is None
        assert res.getheader("Transfer-Encoding") == "chunked"
        assert res.getheader("Content-Disposition").startswith("attachment; ")
        digest, total = read_digest(res)
    finally:
        conn.close()
    assert (digest, total) == (zd.attachment_sha256(att, size), size)
    after = streamed(svc)
    assert after["complete"] == before["complete"] + 1
    assert after["bytes"] == before["bytes"] + size


def test_an_empty_file_is_an_empty_answer(zoho_sim, svc, fresh_data):
    n = 11
    att = add_file(zoho_sim, n, 0, name="vazio.txt")
    status, headers, raw = svc.request_raw("GET", link_of(svc, n, att))
    assert (status, headers["Content-Length"], raw) == (200, "0", b"")


# ---------------------------------------------------------------------------------------------
# Failures part-way


@pytest.mark.parametrize("chunked", [False, True], ids=["announced", "chunked"])
def test_a_body_cut_by_zoho_is_never_complete_for_the_caller(zoho_sim, svc, fresh_data,
                                                             chunked):
    n, size, cut = 12, 2 * MiB, 300000
    att = add_file(zoho_sim, n, size)
    url = link_of(svc, n, att)
    zoho_sim.config(download_cut_after=cut, download_chunked=chunked)
    before = streamed(svc)

    request_id, received, complete = read_cut_download(svc, url)
    assert not complete
    assert len(received) <= cut  # what the pipe held when the cut came is dropped
    assert received == zd.attachment_bytes(att, len(received))

    aborted_event(svc, request_id)
    assert streamed(svc)["failed"] == before["failed"] + 1
    assert svc.request("GET", "/healthz")[0] == 200
    zoho_sim.config(download_cut_after=0, download_chunked=False)
    status, _, raw = svc.request_raw("GET", url)
    assert status == 200 and hashlib.sha256(raw).hexdigest() == zd.attachment_sha256(att, size)


def test_unannounced_bytes_past_the_cap_cut_the_answer(zoho_sim, zoho_services, fresh_data):
    service = zoho_services.start("--attachment-max-bytes", "100000")
    n = 13
    # The listing says 90,000 bytes (under the cap); Zoho sends 250,000 without a length.
    liar = zoho_sim._ok("POST", f"tickets/{zd.zid(n)}/attachments",
                        {"name": "mentira.bin", "size": 90000, "contentSize": 250000},
                        expect=201)["id"]
    url = link_of(service, n, liar)
    zoho_sim.config(download_chunked=True)

    request_id, received, complete = read_cut_download(service, url)
    assert not complete and len(received) <= 100000
    aborted = aborted_event(service, request_id)
    assert "100000" in aborted["error"]
    assert aborted["bytes_sent"] <= 100000


# ---------------------------------------------------------------------------------------------
# Downloads at once


def test_downloads_at_once_are_capped_and_a_leaving_caller_frees_its_slot(zoho_sim,
                                                                          zoho_services,
                                                                          fresh_data):
    service = zoho_services.start("--attachment-max-downloads", "1")
    n = 14
    att = add_file(zoho_sim, n, 4 * MiB)
    url = link_of(service, n, att)
    zoho_sim.config(download_rate=256 * 1024)  # 16 s for the whole file

    conn, res = open_download(service, url)
    assert res.status == 200
    assert res.read(1000) == zd.attachment_bytes(att, 1000)

    status, headers, raw = service.request_raw("GET", url)
    assert (status, json.loads(raw)["error"]) == (503, BUSY)
    assert headers["Retry-After"] == "1"

    # The caller leaves part-way: its download ends, and with it the transfer from Zoho.
    before = streamed(service)
    conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
    conn.close()
    assert wait_until(lambda: zoho_sim.counts()["in_flight"] == 0), zoho_sim.counts()
    assert wait_until(lambda: streamed(service)["caller_left"] == before["caller_left"] + 1)

    zoho_sim.config(download_rate=0)
    assert wait_until(lambda: service.request_raw("GET", url)[0] == 200, seconds=5)
    status, _, raw = service.request_raw("GET", url)
    assert status == 200 and len(raw) == 4 * MiB


def test_a_download_past_its_timeout_is_cut_and_frees_zoho(zoho_sim, zoho_services, fresh_data):
    service = zoho_services.start("--attachment-timeout", "2")
    n = 16
    att = add_file(zoho_sim, n, 4 * MiB)
    url = link_of(service, n, att)
    zoho_sim.config(download_rate=256 * 1024)  # 16 s for the whole file

    started = time.monotonic()
    request_id, received, complete = read_cut_download(service, url)
    took = time.monotonic() - started

    # Cut at the timeout (2 s, about 512 KiB in), not at the file's 16 s: a short body that
    # the caller can tell from a whole one, never presented as complete.
    assert not complete and 0 < len(received) < 4 * MiB
    assert 1.5 < took < 6, took
    assert received == zd.attachment_bytes(att, len(received))
    assert wait_until(lambda: zoho_sim.counts()["in_flight"] == 0), zoho_sim.counts()
    aborted_event(service, request_id)
    assert wait_until(lambda: streamed(service).get("failed") == 1)


def test_attachment_timeout_out_of_range_is_refused_at_start(cli, tmp_path):
    for bad in ("0", "3601", "soon"):
        result = cli("serve", "--db", f"sqlite:{tmp_path / 'x.db'}", "--attachment-timeout", bad)
        assert result.returncode != 0 and "--attachment-timeout" in result.stderr, bad


@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
def test_a_caller_who_has_the_whole_file_may_start_the_next_at_once(zoho_sim, zoho_services,
                                                                   fresh_data, chunked):
    """With one download allowed, downloads one after another never meet a 503: the slot is
    free before the caller can see the body's end, not some moment after it."""
    service = zoho_services.start("--attachment-max-downloads", "1")
    n = 15
    att = add_file(zoho_sim, n, 300 * 1024)
    url = link_of(service, n, att)
    zoho_sim.config(download_chunked=chunked)

    answers = [service.request_raw("GET", url) for _ in range(40)]
    assert [status for status, _, _ in answers] == [200] * 40
    assert all(len(raw) == 300 * 1024 for _, _, raw in answers)


def test_a_download_is_not_queued_behind_every_ticket_read(zoho_sim, zoho_services, fresh_data):
    """Waiting Zoho calls start earliest deadline first. A download's deadline is long (the
    whole transfer), so it is queued as a ticket read made at the same moment would be;
    otherwise, while ticket reads keep the Zoho calls busy, it would wait for nearly its whole
    deadline."""
    service = zoho_services.start("--zoho-max-in-flight", "2")
    n = 15
    att = add_file(zoho_sim, n, 256 * 1024)
    url = link_of(service, n, att)
    zoho_sim.config(latency_ms=200)

    stop = threading.Event()

    def reader(k):
        while not stop.is_set():
            service.ask(7 + k % 4, refresh=1)

    readers = [threading.Thread(target=reader, args=(k,), daemon=True) for k in range(6)]
    for r in readers:
        r.start()
    try:
        time.sleep(1.0)  # the queue is full by now
        started = time.monotonic()
        conn, res = open_download(service, url)
        try:
            waited = time.monotonic() - started
            assert res.status == 200
            body, complete = read_body(res)
        finally:
            conn.close()
    finally:
        stop.set()
        for r in readers:
            r.join(30)
    assert complete and body == zd.attachment_bytes(att, 256 * 1024)
    assert waited < 8, f"the download waited {waited:.1f} s for a Zoho call"
