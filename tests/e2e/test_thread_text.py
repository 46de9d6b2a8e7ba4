"""`conteudo_texto`: the plain text of each thread's HTML, added when the body asks for it with
`"texto": 1` (README "Plain text of threads"); without it the answer is exactly the contract's.
"""

import pytest

import zoho_data as zd
from zoho_fixtures import calls_of

pytestmark = pytest.mark.usefixtures("zoho_clean")

THREAD_KEYS = {"id", "data", "canal", "direcao", "autor", "autor_email", "summary", "conteudo",
               "hasAttach", "attachmentCount", "visibility"}

TRICKY_HTML = (
    "<html><head><style>p { color: red }</style></head><body>"
    "<script>document.write('nunca')</script>"
    "<p>Olá&nbsp;Ana,   tudo   bem?</p>"
    "<p>Itens do pedido:<ul><li>Parafuso &amp; porca<li>Arruela &lt;M8&gt;</ul>"
    "<table><tr><td>Pedido</td><td>70020</td></tr>"
    "<tr><td>NF</td><td><table><tr><td>67890</td><td>série 1</td></tr></table></td></tr>"
    "</table>"
    "Att,<br>Suporte<b>TPL"
)
TRICKY_TEXT = ("Olá\u00a0Ana, tudo bem?\n\n"
               "Itens do pedido:\n\n"
               "- Parafuso & porca\n"
               "- Arruela <M8>\n"
               "Pedido\t70020\n"
               "NF\t\n"
               "67890\tsérie 1\n"
               "Att,\n"
               "SuporteTPL")


def test_default_answer_has_no_text_field(zoho_service):
    body, _ = zoho_service.ok(18)
    assert body["threads"]
    assert all(set(t) == THREAD_KEYS for t in body["threads"])
    zero, _ = zoho_service.ok(18, texto=0)
    assert zero["threads"] == body["threads"]


def test_text_of_each_thread(zoho_sim, zoho_service):
    n = 19
    plain, _ = zoho_service.ok(n)
    zoho_sim.reset()
    body, _ = zoho_service.ok(n, texto=1)
    assert calls_of(zoho_sim.counts()) == 0  # the cached conversation serves both forms
    assert [set(t) for t in body["threads"]] == [THREAD_KEYS | {"conteudo_texto"}] * 2
    assert [t["conteudo_texto"] for t in body["threads"]] == [
        "Chamado %d: mercadoria não entregue." % n, "Resposta ao chamado %d." % n]
    for with_text, without in zip(body["threads"], plain["threads"]):
        assert {k: v for k, v in with_text.items() if k != "conteudo_texto"} == without


def test_tricky_html(zoho_sim, zoho_service):
    n = 20
    added = zoho_sim.add_thread(zd.zid(n), direction="in", content=TRICKY_HTML)
    body, _ = zoho_service.ok(n, refresh=1, texto="1")
    thread = next(t for t in body["threads"] if t["id"] == added["id"])
    assert thread["conteudo"] == TRICKY_HTML
    assert thread["conteudo_texto"] == TRICKY_TEXT


def test_client_users_get_text_for_public_threads_only(zoho_service):
    n = zd.PRIVATE_SMALL
    staff, _ = zoho_service.ok(n, texto=True)
    client, _ = zoho_service.ok(n, token=zoho_service.client, texto=True)
    assert [t["id"] for t in staff["threads"]] == zd.small_expected_thread_ids(n, staff=True)
    assert [t["id"] for t in client["threads"]] == zd.small_expected_thread_ids(n, staff=False)
    assert staff["threads"][2]["conteudo_texto"] == "Nota interna do chamado 5."
    assert client["threads"] == staff["threads"][:2]


def test_bad_flag_is_a_400(zoho_service):
    status, body, _ = zoho_service.ask(21, texto="sim")
    assert status == 400
    assert body == {"success": False,
                    "error": 'texto must be 0 or 1 (or "0", "1", false, true)'}
