"""ticket_details' Zoho half for a big conversation: threads and attachments as the contract
shows them, who sees what, and exactly which Zoho calls a cold and a warm request make.

Ticket 1 of zoho_data.py has 56 rows in its thread list (two pages): 11 written by hand
(drafts, a failed send, private notes with files, truncated threads, several files, a
duplicate of a thread file in the ticket-level list) and 45 generated ones.
"""

import datetime

import pytest

import zoho_data as zd
from zoho_fixtures import assert_display_time_between, calls_of, nonzero_calls, utc_now

pytestmark = pytest.mark.usefixtures("zoho_clean")

THREAD_KEYS = {"id", "data", "canal", "direcao", "autor", "autor_email", "summary", "conteudo",
               "hasAttach", "attachmentCount", "visibility"}
FILE_KEYS = {"id", "name", "contentType", "size", "sizeFormatted", "href", "createdTime",
             "threadId"}

# Staff view, oldest first: the hand-written messages, then the generated non-drafts.
BIG_ORDER = ([zd.thread_id(1, j) for j in (1, 2, 4, 5, 7, 8, 9, 11)]
             + [zd.big_gen_thread(j) for j in range(1, 46) if j not in zd.BIG_GEN_DRAFTS])


def display_minus_3h(iso):
    """A Zoho UTC time in São Paulo, for dates (after 2018-02-18 02:00 UTC) at UTC-3."""
    moment = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return (moment - datetime.timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture(scope="module")
def big_zoho(zoho_sim):
    """What the simulator serves for ticket 1's generated threads: {id: (detail, full)}."""
    out = {}
    for j in range(1, zd.BIG_GEN_COUNT + 1):
        tid = zd.big_gen_thread(j)
        base = f"/api/v1/tickets/{zd.BIG_ZID}/threads/{tid}"
        out[tid] = (zoho_sim.desk(base), zoho_sim.desk(base + "/fullContent"))
    return out


@pytest.fixture(scope="module")
def big_first(zoho_sim, zoho_service, big_zoho):
    """The service's very first Zoho request: staff asks for ticket 1 (cold cache, no token).
    Returns (body, counts, before, after)."""
    zoho_sim.reset(config=True)
    before = utc_now()
    body, _ = zoho_service.ok(zd.BIG)
    after = utc_now()
    return body, zoho_sim.counts(), before, after


@pytest.fixture(scope="module")
def big_staff(big_first):
    return big_first[0]


@pytest.fixture(scope="module")
def big_client(zoho_service, big_first):
    body, _ = zoho_service.ok(zd.BIG, token=zoho_service.client)
    return body


def expected_generated(big_zoho, port):
    """ticket_details' view of the generated threads and their files, from Zoho's own data."""
    threads, files = {}, {}
    for tid, (_detail, full) in big_zoho.items():
        if full["status"] != "SUCCESS":
            continue
        data = display_minus_3h(full["createdTime"])
        threads[tid] = {
            "id": tid, "data": data, "canal": full["channel"], "direcao": full["direction"],
            "autor": full["author"]["name"], "autor_email": full["author"]["email"],
            "summary": full["summary"], "conteudo": full["content"],
            "hasAttach": full["hasAttach"], "attachmentCount": int(full["attachmentCount"]),
            "visibility": full["visibility"]}
        for f in full["attachments"]:
            files[f["id"]] = {
                "id": f["id"], "name": f["name"], "contentType": "application/pdf",
                "size": int(f["size"]), "sizeFormatted": "4 KB",
                "href": "http://127.0.0.1:%d/api/v1/tickets/%s/threads/%s/attachments/%s/content"
                        % (port, zd.BIG_ZID, tid, f["id"]),
                "createdTime": data, "threadId": tid}
    return threads, files


def by_id(items):
    out = {item["id"]: item for item in items}
    assert len(out) == len(items), "duplicate ids: %s" % [i["id"] for i in items]
    return out


# ---------------------------------------------------------------------------------------------
# Zoho calls


def test_cold_request_makes_exactly_the_needed_zoho_calls(big_first):
    _, counts, _, _ = big_first
    # 1 token grant (the service's first call), 2 pages of the thread list (50 + 6 rows), one
    # detail per message (drafts and the failed send are never fetched), one fullContent per
    # truncated message, 1 page of ticket attachments.
    assert nonzero_calls(counts) == {
        "token": 1, "threads_list": 2, "thread_detail": zd.BIG_MESSAGES,
        "thread_full_content": zd.BIG_TRUNCATED, "attachments_list": 1}
    assert (zd.BIG_MESSAGES, zd.BIG_TRUNCATED) == (49, 8)
    assert counts["status"] == {"200": 61}
    assert counts["max_in_flight"] <= 10  # --zoho-max-in-flight defaults to 10


def test_cold_request_sync_reports_every_zoho_call(big_first):
    body, counts, before, after = big_first
    sync = body["sync"]
    assert set(sync) == {"zoho", "calls", "source", "fetched_at"}
    assert (sync["zoho"], sync["source"]) == ("ok", "zoho")
    assert_display_time_between(sync["fetched_at"], before, after)
    # The token grant is one of the Zoho calls this request made.
    assert sync["calls"] == calls_of(counts) == 61


def test_warm_request_is_served_from_the_cache_without_calls(zoho_sim, zoho_service, big_staff):
    body, _ = zoho_service.ok(zd.BIG)
    assert calls_of(zoho_sim.counts()) == 0
    assert body["sync"] == {"zoho": "ok", "calls": 0, "source": "cache",
                            "fetched_at": big_staff["sync"]["fetched_at"]}
    assert body["threads"] == big_staff["threads"]
    assert body["attachments"] == big_staff["attachments"]
    assert body["ticket"] == big_staff["ticket"]
    # Any identifier finds the same cached conversation.
    by_zoho_id, _ = zoho_service.ok(zoho_id=zd.BIG_ZID)
    by_number, _ = zoho_service.ok(ticket_number=zd.number(zd.BIG))
    assert by_zoho_id["threads"] == by_number["threads"] == big_staff["threads"]
    assert calls_of(zoho_sim.counts()) == 0


def test_local_ticket_is_the_local_record(big_staff):
    assert big_staff["ticket"] == {
        "id": 501, "ticket_number": "70001", "zoho_id": "188000000000000001", "webUrl": None,
        "status": "Open", "created_at": "2018-02-17 22:30:00",
        "updated_at": "2018-02-18 05:00:00", "subject": "Pedido 70001 entregue com avaria",
        "description": "Descrição local 1", "department": "OPERAÇÕES", "category": "Support",
        "numero_pedido": "L1", "numero_nf": "LN1", "cliente": zd.ACME_CLIENTE,
        "usuario": zd.JOAO_USUARIO}
    assert "zoho" not in big_staff  # only with refresh=1


# ---------------------------------------------------------------------------------------------
# Threads


def test_threads_oldest_first(big_staff):
    assert [t["id"] for t in big_staff["threads"]] == BIG_ORDER
    assert len(BIG_ORDER) == 49


def test_thread_fields_and_types(big_staff):
    for t in big_staff["threads"]:
        assert set(t) == THREAD_KEYS, t["id"]
        assert type(t["hasAttach"]) is bool and type(t["attachmentCount"]) is int, t["id"]
        for key in THREAD_KEYS - {"hasAttach", "attachmentCount"}:
            assert type(t[key]) is str, (t["id"], key)


def test_hand_written_threads_exactly(big_staff):
    got = by_id(big_staff["threads"])
    for tid, expected in zd.big_expected_threads_handwritten().items():
        assert got[tid] == expected


def test_display_time_zone_follows_historic_rules(big_staff):
    got = by_id(big_staff["threads"])
    # 00:30:00.250 UTC in summer time (UTC-2); milliseconds are not shown.
    assert got[zd.thread_id(1, 1)]["data"] == "2018-02-17 22:30:00"
    # 01:45:10 UTC, still UTC-2; 02:20 UTC, summer time over (UTC-3): shown earlier, listed later.
    assert got[zd.thread_id(1, 2)]["data"] == "2018-02-17 23:45:10"
    assert got[zd.thread_id(1, 4)]["data"] == "2018-02-17 23:20:00"
    ids = [t["id"] for t in big_staff["threads"]]
    assert ids.index(zd.thread_id(1, 2)) < ids.index(zd.thread_id(1, 4))
    assert got[zd.big_gen_thread(1)]["data"] == "2018-02-18 05:10:00"
    assert got[zd.big_gen_thread(45)]["data"] == "2018-02-18 12:30:00"


def test_truncated_threads_show_the_full_content(big_staff, big_zoho):
    got = by_id(big_staff["threads"])
    assert got[zd.thread_id(1, 4)]["conteudo"] == zd.LONG_HTML
    assert len(zd.LONG_HTML) > 300
    assert got[zd.thread_id(1, 9)]["conteudo"] == (
        "<div>Senha do portal da transportadora: trocar amanhã.</div>")
    for j in zd.BIG_GEN_TRUNCATED:
        detail, full = big_zoho[zd.big_gen_thread(j)]
        assert detail["isContentTruncated"] is True
        assert len(detail["content"]) < len(full["content"])
        assert got[zd.big_gen_thread(j)]["conteudo"] == full["content"]


def test_generated_threads_as_zoho_serves_them(zoho_sim, big_staff, big_zoho):
    expected, _ = expected_generated(big_zoho, zoho_sim.port)
    assert len(expected) == 41
    got = by_id(big_staff["threads"])
    for tid, thread in expected.items():
        assert got[tid] == thread


def test_drafts_and_failed_sends_are_never_returned(big_staff, big_client):
    for body in (big_staff, big_client):
        ids = {t["id"] for t in body["threads"]}
        files = {f["id"] for f in body["attachments"]}
        assert not ids & zd.BIG_NEVER_THREADS
        assert not files & zd.BIG_NEVER_FILES


# ---------------------------------------------------------------------------------------------
# Attachments


def test_attachments_merged_and_deduplicated(zoho_sim, big_staff, big_zoho):
    _, generated = expected_generated(big_zoho, zoho_sim.port)
    expected = dict(zd.big_expected_files_handwritten(zoho_sim.port), **generated)
    assert len(expected) == 16
    got = by_id(big_staff["attachments"])  # fails on any duplicate id
    assert got == expected
    assert len(big_staff["attachments"]) == 16


def test_duplicate_of_a_thread_file_appears_once_as_the_thread_file(big_staff):
    photos = [f for f in big_staff["attachments"] if f["id"] == zd.file_id(1, 1)]
    assert len(photos) == 1
    assert photos[0]["threadId"] == zd.thread_id(1, 1)


def test_attachment_fields_sizes_and_types(big_staff):
    for f in big_staff["attachments"]:
        assert set(f) == FILE_KEYS, f["id"]
        assert type(f["size"]) is int, f["id"]
    formatted = {f["name"]: (f["size"], f["sizeFormatted"], f["contentType"])
                 for f in big_staff["attachments"]}
    assert formatted["acesso.txt"] == (0, "0 B", "text/plain")
    assert formatted["LEIAME"] == (1023, "1023 B", "application/octet-stream")
    assert formatted["comprovante.jpeg"] == (1126, "1.1 KB", "image/jpeg")
    assert formatted["foto-etiqueta.png"] == (1536, "1.5 KB", "image/png")
    assert formatted["reembolso.xlsx"] == (
        10137, "9.9 KB", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert formatted["laudo-interno.pdf"] == (102400, "100 KB", "application/pdf")
    assert formatted["Contrato Assinado.PDF"] == (184320, "180 KB", "application/pdf")
    assert formatted["foto-caixa.JPG"] == (245760, "240 KB", "image/jpeg")
    assert formatted["dados.semtipo"] == (1048575, "1 MB", "application/octet-stream")
    assert formatted["nf-70001.pdf"] == (1572864, "1.5 MB", "application/pdf")
    assert formatted["interno.zip"] == (3221225472, "3 GB", "application/zip")


# ---------------------------------------------------------------------------------------------
# Who sees what


def test_client_user_sees_no_private_thread_or_file(big_staff, big_client):
    assert big_client["sync"]["zoho"] == "ok"
    expected_threads = [t for t in big_staff["threads"] if t["id"] not in zd.BIG_PRIVATE_THREADS]
    expected_files = [f for f in big_staff["attachments"] if f["id"] not in zd.BIG_PRIVATE_FILES]
    assert big_client["threads"] == expected_threads
    assert len(expected_threads) == 49 - 5
    assert all(t["visibility"] == "public" for t in big_client["threads"])
    assert by_id(big_client["attachments"]) == by_id(expected_files)
    assert len(big_client["attachments"]) == 16 - 3
    assert big_client["ticket"] == big_staff["ticket"]


def test_staff_sees_private_threads_and_files(big_staff):
    ids = {t["id"] for t in big_staff["threads"]}
    files = {f["id"] for f in big_staff["attachments"]}
    assert zd.BIG_PRIVATE_THREADS <= ids
    assert zd.BIG_PRIVATE_FILES <= files


def test_private_threads_fetched_for_a_client_are_shown_to_staff(zoho_sim, zoho_service,
                                                                  big_first):
    n = zd.PRIVATE_SMALL
    client, _ = zoho_service.ok(n, token=zoho_service.client)
    assert nonzero_calls(zoho_sim.counts()) == {"threads_list": 1, "thread_detail": 3,
                                                "attachments_list": 1}
    assert client["sync"]["calls"] == 5
    assert [t["id"] for t in client["threads"]] == zd.small_expected_thread_ids(n, staff=False)
    assert [f["id"] for f in client["attachments"]] == [zd.file_id(n, 1)]

    zoho_sim.reset()
    staff, _ = zoho_service.ok(n)
    assert calls_of(zoho_sim.counts()) == 0
    assert staff["sync"]["source"] == "cache"
    assert [t["id"] for t in staff["threads"]] == zd.small_expected_thread_ids(n, staff=True)
    assert staff["threads"][2]["visibility"] == "private"
    assert staff["threads"][2]["conteudo"] == "<div>Nota interna do chamado 5.</div>"
    assert {f["id"] for f in staff["attachments"]} == {zd.file_id(n, 1), zd.file_id(n, 3)}


# ---------------------------------------------------------------------------------------------
# Paging edges


def test_exactly_one_full_page_then_an_empty_one(zoho_sim, zoho_service, big_first):
    body, _ = zoho_service.ok(zd.PAGED)
    counts = zoho_sim.counts()
    # Threads: 50 rows fill the first page, the second answers 204. Ticket files: 50 + 1.
    assert nonzero_calls(counts) == {"threads_list": 2, "thread_detail": 50,
                                     "attachments_list": 2}
    assert counts["by_kind"]["threads_list"] == {"200": 1, "204": 1}
    assert body["sync"]["calls"] == 54
    assert [t["id"] for t in body["threads"]] == [zd.paged_gen_thread(j) for j in range(1, 51)]
    files = by_id(body["attachments"])
    ticket_files = {zd.file_id(zd.PAGED, k) for k in range(1, 52)}
    assert ticket_files <= set(files)
    assert len(files) == 51 + 10  # plus one PDF on every 5th generated thread
    assert files[zd.file_id(zd.PAGED, 51)] == {
        "id": zd.file_id(zd.PAGED, 51), "name": "doc-51.pdf", "contentType": "application/pdf",
        "size": 104448, "sizeFormatted": "102 KB",
        "href": "http://127.0.0.1:%d/api/v1/tickets/%s/attachments/%s/content"
                % (zoho_sim.port, zd.PAGED_ZID, zd.file_id(zd.PAGED, 51)),
        "createdTime": "2026-03-01 07:51:00", "threadId": None}
