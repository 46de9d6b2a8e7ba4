"""docs/openapi.yaml against the real service: every answer below, success or error, must be one
the document allows (status, headers, body schema), every fixed error message the document
lists must be one the service really sends, and every status/message pair that the other e2e
suites assert must be documented. Also: the service serves the document and its page."""

import ast
import json
import sqlite3
import urllib.parse
from pathlib import Path

import jsonschema
import pytest

import openapi_doc as doc
import zoho_data as zd
from conftest import import_file, write_json
from e2e_helpers import AUTH, DETAILS, exchange, parse_json_response
from e2e_seed import EXPECTED_TICKETS, PASSWORDS

HOOK_SECRET = "e2e-openapi-Secret_0123456789"


def checked(svc, method, path, body=None, headers=None, accepted_body_is_valid=True):
    """One request whose answer must match the document, and whose body, when the service
    accepted it, must be one the document allows; returns (status, headers, body)."""
    status, res_headers, raw = svc.request_raw(method, path, body, headers)
    parsed = json.loads(raw) if raw and method != "HEAD" else None
    doc.check_response(method, path, status, res_headers, parsed)
    if accepted_body_is_valid and 200 <= status < 300 and isinstance(body, (dict, list)):
        doc.check_request(method, path, body)
    return status, res_headers, parsed


# ---------------------------------------------------------------------------------------------
# The document itself


def test_document_is_openapi_3_1_with_valid_schemas():
    assert doc.DOCUMENT["openapi"].startswith("3.1.")
    for schema in doc.DOCUMENT["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_every_route_of_the_service_is_documented():
    routed = {AUTH: {"GET", "POST"}, DETAILS: {"GET"}, "/healthz": {"GET", "HEAD"},
              "/api/zoho/webhook/{secret}": {"GET", "HEAD", "POST"},
              "/docs": {"GET"}, "/docs/openapi.yaml": {"GET"}}
    documented = {}
    for method, template, _ in doc.all_operations():
        documented.setdefault(template, set()).add(method)
    for path, methods in routed.items():
        assert methods <= documented.get(path, set()), path


def test_every_operation_documents_its_errors_and_request_id():
    for method, template, operation in doc.all_operations():
        assert operation.get("operationId") and operation.get("summary"), template
        for status, response in operation["responses"].items():
            headers = doc.resolve(response).get("headers", {})
            assert "X-Request-Id" in headers, f"{method} {template} {status}"


# ---------------------------------------------------------------------------------------------
# Successful answers of the local half (no Zoho Desk configured)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_login_answer(service, method):
    status, _, body = checked(service, method, AUTH,
                              {"login": "acme", "password": PASSWORDS["acme"]})
    assert status == 200 and body["success"] is True


@pytest.mark.parametrize("login", ["ops", "acme", "globex"])
def test_every_visible_seed_ticket(service, login):
    token = service.login(login)
    shown = 0
    for chamado in EXPECTED_TICKETS:
        status, _, body = checked(service, "GET", DETAILS, {"auth": token, "chamado_id": chamado})
        if status == 200:
            shown += 1
            assert body["sync"]["zoho"] in ("not_linked", "not_configured")
    assert shown > 0


@pytest.mark.parametrize("refresh", [0, 1, "0", "1", False, True, None])
def test_refresh_values_without_zoho(service, refresh):
    status, _, body = checked(service, "GET", DETAILS,
                              {"auth": service.login("ops"), "ticket_number": "12345",
                               "refresh": refresh})
    assert status == 200 and "zoho" not in body


def test_health(service):
    assert checked(service, "GET", "/healthz")[0] == 200
    assert checked(service, "HEAD", "/healthz")[0] == 200


def test_docs_are_served(service):
    status, headers, raw = service.request_raw("GET", "/docs/openapi.yaml")
    assert status == 200 and raw == doc.DOCUMENT_PATH.read_bytes()
    assert headers.get("Content-Type") == "application/yaml; charset=utf-8"
    status, headers, raw = service.request_raw("GET", "/docs")
    assert status == 200 and headers.get("Content-Type") == "text/html; charset=utf-8"
    assert raw == (doc.REPO / "docs" / "api-reference.html").read_bytes()
    assert "default-src 'none'" in headers.get("Content-Security-Policy", "")
    assert service.request_raw("GET", "/docs/")[0] == 200
    assert service.request_raw("HEAD", "/docs")[0] == 200


@pytest.mark.parametrize("path", ["/readyz", "/metrics"])
def test_operations_endpoints(service, path):
    status, headers, raw = service.request_raw("GET", path)
    if status == 404 and json.loads(raw) == {"success": False, "error": "Not found"}:
        pytest.skip(f"{path} is not served by this build")
    media = headers.get("Content-Type", "").split(";")[0]
    body = json.loads(raw) if media == doc.JSON else raw.decode()
    doc.check_response("GET", path, status, headers, body, content_type=media)


def test_etag_and_not_modified(service):
    token = service.login("acme")
    status, headers, _ = checked(service, "GET", DETAILS, {"auth": token, "chamado_id": 99})
    etag = headers.get("ETag")
    if status == 200 and etag is None:
        pytest.skip("this build sends no ETag")
    status, headers, body = checked(service, "GET", DETAILS, {"auth": token, "chamado_id": 99},
                                    headers={"If-None-Match": etag})
    assert (status, body) == (304, None)


# ---------------------------------------------------------------------------------------------
# Every error the service sends, and every fixed message the document lists


@pytest.fixture(scope="module")
def tokens(service):
    """acme's token; a disabled user's; a blocked client's user's."""
    acme = service.login("acme")
    retired = service.login("retired", fresh=True)
    assert service.cli("user", "disable", "retired").returncode == 0
    assert service.cli("client", "unblock", "300").returncode == 0
    blocked = service.login("initech", fresh=True)
    assert service.cli("client", "block", "300").returncode == 0
    return {"acme": acme, "retired": retired, "blocked": blocked}


def error_requests(tokens):
    """(method, path, body) of requests that each fail in their own way."""
    acme = tokens["acme"]
    deep = "[" * 40 + "]" * 40
    long_text = "x" * 5000
    requests = [
        ("PUT", DETAILS, {"auth": acme, "chamado_id": 99}),
        ("GET", DETAILS + "?ticket_number=1", {"auth": acme}),
        ("GET", DETAILS, "[not json"),
        ("GET", DETAILS, '{"auth": ' + deep + "}"),
        ("GET", DETAILS, {"auth": acme, "note": long_text}),
        ("GET", DETAILS, {"chamado_id": 99}),
        ("GET", DETAILS, {"auth": "not a token", "chamado_id": 99}),
        ("GET", DETAILS, {"auth": tokens["retired"], "chamado_id": 99}),
        ("GET", DETAILS, {"auth": tokens["blocked"], "chamado_id": 102}),
        ("GET", DETAILS, {"auth": acme}),
        ("GET", DETAILS, {"auth": acme, "ticket_number": True}),
        ("GET", DETAILS, {"auth": acme, "zoho_id": {"id": "1"}}),
        ("GET", DETAILS, {"auth": acme, "chamado_id": -1}),
        ("GET", DETAILS, {"auth": acme, "chamado_id": "abc"}),
        ("GET", DETAILS, {"auth": acme, "chamado_id": 99, "refresh": 2}),
        ("GET", DETAILS, {"auth": acme, "chamado_id": 99, "texto": 2}),
        ("GET", DETAILS, {"auth": acme, "chamado_id": 999999}),
        ("DELETE", AUTH, {"login": "acme", "password": "x"}),
        ("POST", AUTH + "?login=acme", {"login": "acme", "password": "x"}),
        ("POST", AUTH, "[]"),
        ("POST", AUTH, '{"login": ' + deep + "}"),
        ("POST", AUTH, {"login": long_text, "password": "x"}),
        ("POST", AUTH, {"password": "x"}),
        ("POST", AUTH, {"login": "acme"}),
        ("POST", AUTH, {"login": 5, "password": "x"}),
        ("POST", AUTH, {"login": "acme", "password": 5}),
        ("POST", AUTH, {"login": "acme", "password": "wrong"}),
        ("GET", AUTH, {"login": "initech", "password": PASSWORDS["initech"]}),
        ("POST", "/healthz", {}),
        ("PUT", "/docs", None),
        ("DELETE", "/docs/openapi.yaml", None),
        ("GET", "/no/such/path", None),
    ]
    return requests


# `texto` (threads' conteudo_texto) comes from a branch merged separately: a build without it
# ignores the field, and then its documented message is excused in the converse check below.
BAD_TEXTO = 'texto must be 0 or 1 (or "0", "1", false, true)'


def test_every_error_matches_the_document(service, tokens):
    seen = set()
    for method, path, body in error_requests(tokens):
        # A build without `texto` accepts its bad value: the one accepted body here.
        status, _, answer = checked(service, method, path, body, accepted_body_is_valid=False)
        template = doc.template_of(path.split("?")[0])
        if status == 200 and isinstance(body, dict) and "texto" in body:
            seen.add((method, template, 400, BAD_TEXTO))
            continue
        assert status >= 400 and answer["success"] is False, (method, path, status, answer)
        seen.add((method, template, status, answer["error"]))

    # The converse: each fixed message the document lists for these paths and statuses is one
    # that a request above really produced (the document lists no message the service never
    # sends). "Malformed HTTP request" comes before routing and is checked below.
    for template, status in {(t, s) for _, t, s, _ in seen if t is not None}:
        produced = {msg for _, t, s, msg in seen if (t, s) == (template, status)}
        listed = doc.documented_messages(template, status) - {"Malformed HTTP request"}
        assert listed <= produced, (template, status, listed - produced)


def test_errors_raised_before_routing(service):
    head = f"GET {DETAILS} HTTP/1.1\r\nHost: e2e\r\n"
    cases = {
        400: b"GARBAGE\r\n\r\n",
        413: (head + f"Content-Length: {64 * 1024 + 1}\r\n\r\n").encode(),
        431: (head + "X-Big: " + "a" * 20000 + "\r\n\r\n").encode(),
    }
    for expected, data in cases.items():
        status, headers, body = parse_json_response(exchange(service.port, data))
        assert status == expected
        headers = {k.title(): v for k, v in headers.items()}
        doc.check_response("GET", DETAILS, status, headers, body)
        doc.check_response("POST", AUTH, status, headers, body)


def test_internal_error(engine, tmp_path, start_service, db_url):
    if engine != "sqlite":
        pytest.skip("breaking the schema underneath a server is only scripted for SQLite")
    users = {"clients": [{"id": 1, "apelido": "C"}],
             "api_users": [{"login": "boss", "password": "boss-password", "staff": True}]}
    assert import_file(write_json(tmp_path / "users.json", users), db_url).returncode == 0
    svc = start_service(db_url)
    token = svc.login("boss", "boss-password")
    with sqlite3.connect(db_url[len("sqlite:"):]) as db:
        db.execute("ALTER TABLE requesters RENAME TO requesters_gone")
    assert checked(svc, "GET", DETAILS, {"auth": token, "chamado_id": 1})[0] == 500


# ---------------------------------------------------------------------------------------------
# What the other suites assert


def _module_strings(tree):
    names = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            names[node.targets[0].id] = node.value.value
    return names


def asserted_errors():
    """(file, status, message) of every error the e2e suites assert with a literal status and a
    literal (or module-constant) message: assert_error(reply, 401, "invalid auth") and
    (413, {"success": False, "error": TOO_LARGE})."""
    found = []
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _module_strings(tree)

        def text(node):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                return node.value
            if isinstance(node, ast.Name):
                return names.get(node.id)
            return None

        for node in ast.walk(tree):
            pair = None
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "assert_error"
                    and len(node.args) == 3):
                pair = node.args[1], node.args[2]
            elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(
                    node.elts[1], ast.Dict):
                keys = [text(k) for k in node.elts[1].keys]
                if keys == ["success", "error"]:
                    pair = node.elts[0], node.elts[1].values[1]
            if pair and isinstance(pair[0], ast.Constant) and isinstance(pair[0].value, int):
                message = text(pair[1])
                if message is not None:
                    found.append((path.name, pair[0].value, message))
    return found


def test_every_error_the_suites_assert_is_documented():
    found = asserted_errors()
    assert len(found) >= 20, "the scan found too few assertions to mean anything"
    missing = []
    for name, status, message in found:
        if not any(doc.is_error_documented(method, template, status, message)
                   for method, template, _ in doc.all_operations()):
            missing.append((name, status, message))
    assert not missing, f"asserted by the suites but not in docs/openapi.yaml: {missing}"


# ---------------------------------------------------------------------------------------------
# The Zoho Desk half, through the simulator


@pytest.fixture(scope="module")
def zsvc(zoho_services):
    return zoho_services.start("--zoho-max-age", "0", "--zoho-deadline", "3",
                               "--zoho-webhook-secret", HOOK_SECRET)


@pytest.mark.parametrize("who, texto", [("staff", 1), ("client", 0)])
def test_big_conversation(zsvc, who, texto):
    token = zsvc.staff if who == "staff" else zsvc.client
    status, _, body = checked(zsvc, "GET", DETAILS,
                              {"auth": token, "chamado_id": zd.chamado(zd.BIG), "texto": texto})
    assert status == 200 and body["sync"]["zoho"] == "ok"
    # conteudo_texto never without texto=1; with it, on every thread (or, in a build without
    # the feature, on none).
    with_text = {"conteudo_texto" in t for t in body["threads"]}
    assert len(with_text) == 1 and (texto or with_text == {False}), with_text
    assert len(body["threads"]) > 40
    assert any(a["threadId"] is None for a in body["attachments"])
    assert ("private" in {t["visibility"] for t in body["threads"]}) == (who == "staff")


def test_refresh_answers_the_zoho_object(zsvc):
    status, _, body = checked(zsvc, "GET", DETAILS,
                              {"auth": zsvc.staff, "chamado_id": zd.chamado(zd.REFRESH),
                               "refresh": 1})
    assert status == 200 and body["zoho"]["id"] == zd.zid(zd.REFRESH)


def test_downloads(zsvc):
    status, _, body = checked(zsvc, "GET", DETAILS,
                              {"auth": zsvc.client, "chamado_id": zd.chamado(zd.BIG)})
    urls = [a["downloadUrl"] for a in body["attachments"] if "downloadUrl" in a]
    if not urls:
        pytest.skip("this build gives attachments no downloadUrl")
    assert len(urls) == len(body["attachments"])
    target = urllib.parse.urlsplit(urls[0])
    path = target.path + ("?" + target.query if target.query else "")
    status, headers, raw = zsvc.request_raw("GET", path)
    assert status == 200
    doc.check_response("GET", target.path, status, headers, None)
    for name in ("Content-Type", "Content-Length", "Content-Disposition"):
        assert headers.get(name), name


def test_zoho_failure_states(zoho_sim, zsvc):
    n, other = 20, 21
    assert checked(zsvc, "GET", DETAILS, {"auth": zsvc.staff, "chamado_id": zd.chamado(n)})[0] \
        == 200
    zoho_sim.config(error_rate=1.0)
    try:
        _, _, stale = checked(zsvc, "GET", DETAILS,
                              {"auth": zsvc.staff, "chamado_id": zd.chamado(n)})
        _, _, failed = checked(zsvc, "GET", DETAILS,
                               {"auth": zsvc.staff, "chamado_id": zd.chamado(other)})
    finally:
        zoho_sim.config(error_rate=0.0)
    assert (stale["sync"]["zoho"], failed["sync"]["zoho"]) == ("stale", "error")

    zoho_sim.delete_ticket(zd.zid(zd.DELETED))
    _, _, missing = checked(zsvc, "GET", DETAILS,
                            {"auth": zsvc.staff, "chamado_id": zd.chamado(zd.DELETED)})
    assert missing["sync"]["zoho"] == "missing"


def test_unlinked_and_not_configured(zoho_services, zsvc):
    _, _, body = checked(zsvc, "GET", DETAILS,
                         {"auth": zsvc.staff, "chamado_id": zd.UNLINKED_CHAMADO})
    assert body["sync"] == {"zoho": "not_linked"}
    bare = zoho_services.start(DESKBRIDGE_ZOHO_REFRESH_TOKEN=None)
    _, _, body = checked(bare, "GET", DETAILS, {"auth": bare.staff, "chamado_id": zd.chamado(5)})
    assert body["sync"] == {"zoho": "not_configured"}


def test_webhook(zsvc):
    hook = f"/api/zoho/webhook/{HOOK_SECRET}"
    event = {"eventType": "Ticket_Thread_Add",
             "payload": {"id": zd.thread_id(22, 9), "ticketId": zd.zid(22)}}
    assert checked(zsvc, "GET", hook)[0] == 200
    assert checked(zsvc, "HEAD", hook)[0] == 200
    assert checked(zsvc, "POST", hook, [event])[2]["tickets"] == 1
    assert checked(zsvc, "POST", hook, event)[0] == 200
    assert checked(zsvc, "POST", hook, "not json")[0] == 400
    assert checked(zsvc, "POST", hook, "42")[0] == 400
    assert checked(zsvc, "PUT", hook, [event])[0] == 405
    assert checked(zsvc, "POST", "/api/zoho/webhook/wrong-secret", [event])[0] == 404
    assert checked(zsvc, "GET", "/api/zoho/webhook/wrong-secret")[0] == 404
