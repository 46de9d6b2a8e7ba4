"""The Zoho Desk half of the e2e data: the simulator fixture, the local tickets linked to it,
and what ticket_details must show for the hand-written threads.

Expected values of hand-written threads and files are written out by hand (times converted to
São Paulo by hand, sizes formatted by hand), so that a conversion bug cannot hide by being
applied to both sides. Generated threads are checked against what the simulator itself serves.
"""

# ---------------------------------------------------------------------------------------------
# Identity of the simulated portal. The secret carries characters a form body must encode.

ORG_ID = "60012345678"
CLIENT_ID = "1000.E2ECLIENTID"
CLIENT_SECRET = "e2e+secret/with=&chars%"
REFRESH_TOKEN = "1000.e2e-refresh.token"
SUPPORT_EMAIL = "suporte@tpl.com.br"

STAFF, CLIENT = "zstaff", "zacme"
PASSWORDS = {STAFF: "zstaff-pässword-1", CLIENT: "zacme-password-1"}

JOAO = {"firstName": "João", "lastName": "da Silva", "email": "joao.silva@acme.com.br"}
ANA = {"firstName": "Ana", "lastName": "Souza", "email": "ana@tpl.com.br"}


def zid(n):
    """Zoho ticket id of fixture ticket n (18 digits: above 2^53 like real ids)."""
    return str(188000000000000000 + n)


def thread_id(n, j):
    return str(288000000000000000 + n * 100 + j)


def file_id(n, k):
    return str(388000000000000000 + n * 100 + k)


def chamado(n):
    """Local ticket id (the contract's chamado_id) linked to fixture ticket n."""
    return 500 + n


def number(n):
    return str(70000 + n)


# ---------------------------------------------------------------------------------------------
# Ticket 1: the big conversation. 11 hand-written threads plus 45 generated ones = 56 rows in
# the thread list, so the list takes two pages (deskbridge asks for 50 rows a page).
#
# The first threads straddle the end of Brazilian summer time (2018-02-18 02:00 UTC, when
# 00:00 -02 became 23:00 -03): thread 4 is later than thread 2 but shows an earlier clock time.

BIG = 1
BIG_ZID = zid(BIG)
LONG_TEXT = ("Segue a nota fiscal 67890 e as fotos do volume avariado. A transportadora "
             "entregou a caixa com a lateral rasgada e dois itens quebrados; o motorista não "
             "quis registrar a ocorrência no comprovante. Peço a devolução do valor integral "
             "do pedido ou o reenvio imediato das peças, já que a obra depende delas para "
             "a próxima segunda-feira. Fico no aguardo de um retorno ainda hoje, por favor.")
LONG_HTML = "<div>" + LONG_TEXT + "</div>"

BIG_THREADS = [
    {"id": thread_id(1, 1), "createdTime": "2018-02-18T00:30:00.250Z", "direction": "in",
     "isDescriptionThread": True,
     "content": "<div>Bom dia, o pedido 70001 chegou com a caixa amassada.</div>",
     "attachments": [{"id": file_id(1, 1), "name": "foto-caixa.JPG", "size": 245760},
                     {"id": file_id(1, 2), "name": "foto-etiqueta.png", "size": 1536}]},
    {"id": thread_id(1, 2), "createdTime": "2018-02-18T01:45:10Z", "direction": "out",
     "content": "<p>Olá João, lamentamos o ocorrido. Pode enviar a nota fiscal?</p>"},
    {"id": thread_id(1, 3), "createdTime": "2018-02-18T02:15:00Z", "direction": "out",
     "status": "DRAFT", "content": "<p>Rascunho não enviado</p>"},
    {"id": thread_id(1, 4), "createdTime": "2018-02-18T02:20:00Z", "direction": "in",
     "summary": "Segue a nota fiscal 67890 e as fotos do volume avariado",
     "content": LONG_HTML, "truncated": True, "truncateAt": 40,
     "attachments": [{"id": file_id(1, 4), "name": "nf-70001.pdf", "size": 1572864}]},
    {"id": thread_id(1, 5), "createdTime": "2018-02-18T03:00:00Z", "direction": "out",
     "visibility": "private",
     "content": "<div>Nota interna: acionar a transportadora.</div>",
     "attachments": [{"id": file_id(1, 5), "name": "laudo-interno.pdf", "size": 102400}]},
    {"id": thread_id(1, 6), "createdTime": "2018-02-18T03:30:00Z", "direction": "out",
     "status": "FAILED", "content": "<p>Falha no envio</p>"},
    {"id": thread_id(1, 7), "createdTime": "2018-02-18T04:00:00Z", "direction": "out",
     "content": "<div>Planilha de reembolso em anexo.</div>",
     "attachments": [{"id": file_id(1, 7), "name": "reembolso.xlsx", "size": 10137},
                     {"id": file_id(1, 8), "name": "LEIAME", "size": 1023},
                     {"id": file_id(1, 9), "name": "dados.semtipo", "size": 1048575}]},
    {"id": thread_id(1, 8), "createdTime": "2018-02-18T05:00:00Z", "direction": "in",
     "channel": "WEB",
     "content": "<div>Obrigado! 👍 Ação rápida — nota “67890” ok.</div>"},
    {"id": thread_id(1, 9), "createdTime": "2018-02-18T06:00:00Z", "direction": "out",
     "visibility": "private", "truncated": True, "truncateAt": 12,
     "content": "<div>Senha do portal da transportadora: trocar amanhã.</div>",
     "attachments": [{"id": file_id(1, 10), "name": "acesso.txt", "size": 0}]},
    {"id": thread_id(1, 10), "createdTime": "2018-02-18T07:00:00Z", "direction": "out",
     "status": "DRAFT", "content": "<div>Segundo rascunho</div>",
     "attachments": [{"id": file_id(1, 11), "name": "rascunho.pdf", "size": 5000}]},
    {"id": thread_id(1, 11), "createdTime": "2018-02-18T08:00:00Z", "direction": "out",
     "summary": "Resumo definido pelo Zoho",
     "content": "<div>Reembolso aprovado. Encerrando o chamado.</div>"},
]

# Generated threads: ids 26000000000010000 + j, 10 minutes apart from 08:10 UTC, odd j inbound.
BIG_GENERATE = {"threads": 45, "draft_every": 10, "truncated_every": 7, "private_every": 12,
                "attachment_every": 5, "attachment_size": 4096, "content_bytes": 300}
BIG_GEN_COUNT = 45


def big_gen_thread(j):
    return str(26000000000010000 + j)


def big_gen_file(j):
    return str(36000000000010000 + j)


BIG_GEN_DRAFTS = {j for j in range(1, 46) if j % 10 == 0}
BIG_GEN_PRIVATE = {j for j in range(1, 46) if j % 12 == 0} - BIG_GEN_DRAFTS
BIG_GEN_TRUNCATED = {j for j in range(1, 46) if j % 7 == 0} - BIG_GEN_DRAFTS

BIG_TICKET_FILES = [
    # The same file as thread 1's photo: must appear once, as the thread's file.
    {"id": file_id(1, 1), "name": "foto-caixa.JPG", "size": 245760},
    {"id": file_id(1, 91), "name": "Contrato Assinado.PDF", "size": 184320,
     "createdTime": "2018-02-18T10:00:00Z"},
    # The same file as the private note's: must stay hidden from client users.
    {"id": file_id(1, 5), "name": "laudo-interno.pdf", "size": 102400},
    {"id": file_id(1, 92), "name": "interno.zip", "size": 3221225472, "isPublic": False,
     "createdTime": "2018-02-18T11:00:00Z"},
    {"id": file_id(1, 93), "name": "comprovante.jpeg", "size": 1126,
     "createdTime": "2018-02-18T12:00:00Z"},
]

# What the list shows (56 rows) and what deskbridge must fetch in detail.
BIG_ROWS = len(BIG_THREADS) + BIG_GEN_COUNT
BIG_MESSAGES = (sum(1 for t in BIG_THREADS if t.get("status", "SUCCESS") == "SUCCESS")
                + BIG_GEN_COUNT - len(BIG_GEN_DRAFTS))
BIG_TRUNCATED = (sum(1 for t in BIG_THREADS if t.get("truncated")
                     and t.get("status", "SUCCESS") == "SUCCESS") + len(BIG_GEN_TRUNCATED))
assert (BIG_ROWS, BIG_MESSAGES, BIG_TRUNCATED) == (56, 49, 8)


def _sim_href(port, *parts):
    return "http://127.0.0.1:%d/api/v1/tickets/%s" % (port, "/".join(parts))


def big_expected_threads_handwritten():
    """Hand-written threads as ticket_details shows them, by id (staff view)."""
    def t(j, data, canal, direcao, autor, summary, conteudo, files, visibility="public"):
        return {"id": thread_id(1, j), "data": data, "canal": canal, "direcao": direcao,
                "autor": "João da Silva" if autor == "joao" else "Ana Souza",
                "autor_email": JOAO["email"] if autor == "joao" else ANA["email"],
                "summary": summary, "conteudo": conteudo, "hasAttach": files > 0,
                "attachmentCount": files, "visibility": visibility}
    return {
        thread_id(1, 1): t(1, "2018-02-17 22:30:00", "EMAIL", "in", "joao",
                           "Bom dia, o pedido 70001 chegou com a caixa amassada.",
                           "<div>Bom dia, o pedido 70001 chegou com a caixa amassada.</div>", 2),
        thread_id(1, 2): t(2, "2018-02-17 23:45:10", "EMAIL", "out", "ana",
                           "Olá João, lamentamos o ocorrido. Pode enviar a nota fiscal?",
                           "<p>Olá João, lamentamos o ocorrido. Pode enviar a nota fiscal?</p>",
                           0),
        # Later than thread 2, earlier on the wall clock: summer time had just ended.
        thread_id(1, 4): t(4, "2018-02-17 23:20:00", "EMAIL", "in", "joao",
                           "Segue a nota fiscal 67890 e as fotos do volume avariado",
                           LONG_HTML, 1),
        thread_id(1, 5): t(5, "2018-02-18 00:00:00", "EMAIL", "out", "ana",
                           "Nota interna: acionar a transportadora.",
                           "<div>Nota interna: acionar a transportadora.</div>", 1, "private"),
        thread_id(1, 7): t(7, "2018-02-18 01:00:00", "EMAIL", "out", "ana",
                           "Planilha de reembolso em anexo.",
                           "<div>Planilha de reembolso em anexo.</div>", 3),
        thread_id(1, 8): t(8, "2018-02-18 02:00:00", "WEB", "in", "joao",
                           "Obrigado! 👍 Ação rápida — nota “67890” ok.",
                           "<div>Obrigado! 👍 Ação rápida — nota “67890” ok.</div>", 0),
        thread_id(1, 9): t(9, "2018-02-18 03:00:00", "EMAIL", "out", "ana",
                           "Senha do portal da transportadora: trocar amanhã.",
                           "<div>Senha do portal da transportadora: trocar amanhã.</div>", 1,
                           "private"),
        thread_id(1, 11): t(11, "2018-02-18 05:00:00", "EMAIL", "out", "ana",
                            "Resumo definido pelo Zoho",
                            "<div>Reembolso aprovado. Encerrando o chamado.</div>", 0),
    }


def big_expected_files_handwritten(port):
    """Hand-written files as ticket_details shows them, by id (staff view)."""
    def thread_file(j, k, name, ctype, size, formatted, created):
        return {"id": file_id(1, k), "name": name, "contentType": ctype, "size": size,
                "sizeFormatted": formatted,
                "href": _sim_href(port, BIG_ZID, "threads", thread_id(1, j), "attachments",
                                  file_id(1, k), "content"),
                "createdTime": created, "threadId": thread_id(1, j)}

    def ticket_file(k, name, ctype, size, formatted, created):
        return {"id": file_id(1, k), "name": name, "contentType": ctype, "size": size,
                "sizeFormatted": formatted,
                "href": _sim_href(port, BIG_ZID, "attachments", file_id(1, k), "content"),
                "createdTime": created, "threadId": None}

    files = [
        thread_file(1, 1, "foto-caixa.JPG", "image/jpeg", 245760, "240 KB",
                    "2018-02-17 22:30:00"),
        thread_file(1, 2, "foto-etiqueta.png", "image/png", 1536, "1.5 KB",
                    "2018-02-17 22:30:00"),
        thread_file(4, 4, "nf-70001.pdf", "application/pdf", 1572864, "1.5 MB",
                    "2018-02-17 23:20:00"),
        thread_file(5, 5, "laudo-interno.pdf", "application/pdf", 102400, "100 KB",
                    "2018-02-18 00:00:00"),
        thread_file(7, 7, "reembolso.xlsx",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    10137, "9.9 KB", "2018-02-18 01:00:00"),
        thread_file(7, 8, "LEIAME", "application/octet-stream", 1023, "1023 B",
                    "2018-02-18 01:00:00"),
        thread_file(7, 9, "dados.semtipo", "application/octet-stream", 1048575, "1 MB",
                    "2018-02-18 01:00:00"),
        thread_file(9, 10, "acesso.txt", "text/plain", 0, "0 B", "2018-02-18 03:00:00"),
        ticket_file(91, "Contrato Assinado.PDF", "application/pdf", 184320, "180 KB",
                    "2018-02-18 07:00:00"),
        ticket_file(92, "interno.zip", "application/zip", 3221225472, "3 GB",
                    "2018-02-18 08:00:00"),
        ticket_file(93, "comprovante.jpeg", "image/jpeg", 1126, "1.1 KB",
                    "2018-02-18 09:00:00"),
    ]
    return {f["id"]: f for f in files}


# Hidden from client users: the private notes, their files, and the non-public ticket file.
BIG_PRIVATE_THREADS = {thread_id(1, 5), thread_id(1, 9)} | {big_gen_thread(j)
                                                             for j in BIG_GEN_PRIVATE}
BIG_PRIVATE_FILES = {file_id(1, 5), file_id(1, 10), file_id(1, 92)}
BIG_NEVER_THREADS = {thread_id(1, 3), thread_id(1, 6), thread_id(1, 10)} | {
    big_gen_thread(j) for j in BIG_GEN_DRAFTS}
BIG_NEVER_FILES = {file_id(1, 11)} | {big_gen_file(j) for j in BIG_GEN_DRAFTS if j % 5 == 0}

# ---------------------------------------------------------------------------------------------
# Ticket 2: exactly 50 threads (the second list page is an empty 204) and 51 ticket files (the
# second attachment page holds one row).

PAGED = 2
PAGED_ZID = zid(PAGED)
PAGED_THREADS = 50
PAGED_TICKET_FILES = 51


def paged_gen_thread(j):
    return str(26000000000020000 + j)


# ---------------------------------------------------------------------------------------------
# Ticket 3: refreshed from Zoho; ticket 4: deleted in Zoho by a test.

REFRESH = 3
DELETED = 4

# Tickets 5..29: small conversations, one per test that needs a ticket nobody has fetched yet.
# Thread 1 (inbound, one photo), thread 2 (agent reply); ticket 5 also has a private note and
# ticket 6 has thread 1 only.
SMALL = range(5, 30)
PRIVATE_SMALL = 5
SINGLE_THREAD = 6


def small_ticket(n):
    threads = [
        {"id": thread_id(n, 1), "direction": "in",
         "createdTime": "2026-03-%02dT12:00:00Z" % (n - 3),
         "content": "<div>Chamado %d: mercadoria não entregue.</div>" % n,
         "attachments": [{"id": file_id(n, 1), "name": "foto-%d.jpg" % n, "size": 2048}]},
        {"id": thread_id(n, 2), "direction": "out",
         "createdTime": "2026-03-%02dT13:30:00Z" % (n - 3),
         "content": "<div>Resposta ao chamado %d.</div>" % n},
    ]
    if n == SINGLE_THREAD:
        threads = threads[:1]
    if n == PRIVATE_SMALL:
        threads.append({"id": thread_id(n, 3), "direction": "out", "visibility": "private",
                        "createdTime": "2026-03-%02dT14:00:00Z" % (n - 3),
                        "content": "<div>Nota interna do chamado %d.</div>" % n,
                        "attachments": [{"id": file_id(n, 3), "name": "interna.pdf",
                                         "size": 4096}]})
    return {"id": zid(n), "ticketNumber": number(n), "subject": "Chamado pequeno %d" % n,
            "description": "<div>Descrição %d</div>" % n, "status": "Open",
            "department": "TECNOLOGIA", "category": "Support", "contact": JOAO,
            "assignee": ANA, "createdTime": "2026-03-%02dT11:00:00Z" % (n - 3),
            "cf": {"cf_numero_do_pedido": "P%d" % n, "cf_numero_da_nota_fiscal": "N%d" % n},
            "threads": threads}


def small_expected_thread_ids(n, staff=True):
    ids = [thread_id(n, 1)] if n == SINGLE_THREAD else [thread_id(n, 1), thread_id(n, 2)]
    if n == PRIVATE_SMALL and staff:
        ids.append(thread_id(n, 3))
    return ids


# A local ticket linked to nothing in Zoho, and a Zoho id no local ticket or cache knows.
UNLINKED_CHAMADO = 599
UNKNOWN_ZID = "188000000000000998"

REFRESH_ZOHO = {
    "id": zid(REFRESH), "ticketNumber": number(REFRESH), "subject": "Entrega atrasada",
    "description": "<div>O pedido 70003 não chegou.</div>", "status": "Open",
    "priority": "High", "category": "Support", "department": "TECNOLOGIA",
    "contact": JOAO, "assignee": ANA, "createdTime": "2026-03-02T13:00:00Z",
    "modifiedTime": "2026-03-03T10:20:30Z",
    "cf": {"cf_numero_do_pedido": "70003", "cf_numero_da_nota_fiscal": "67003",
           "cf_outro_campo": "ignorado"},
    "threads": [
        {"id": thread_id(REFRESH, 1), "direction": "in", "createdTime": "2026-03-02T13:00:00Z",
         "content": "<div>O pedido 70003 não chegou.</div>"},
        {"id": thread_id(REFRESH, 2), "direction": "out", "createdTime": "2026-03-02T14:00:00Z",
         "content": "<div>Vamos verificar com a transportadora.</div>"},
    ],
}


def sim_fixture():
    big = {
        "id": BIG_ZID, "ticketNumber": number(BIG), "subject": "Pedido 70001 entregue com avaria",
        "description": "<div>A caixa chegou amassada.</div>", "status": "Open",
        "category": "Support", "department": "TECNOLOGIA", "contact": JOAO, "assignee": ANA,
        "createdTime": "2018-02-18T00:30:00Z",
        "cf": {"cf_numero_do_pedido": "70001", "cf_numero_da_nota_fiscal": "67890"},
        "threads": BIG_THREADS, "attachments": BIG_TICKET_FILES, "generate": BIG_GENERATE,
    }
    paged = {
        "id": PAGED_ZID, "ticketNumber": number(PAGED), "subject": "Muitas mensagens",
        "status": "Open", "department": "TECNOLOGIA", "contact": JOAO, "assignee": ANA,
        "createdTime": "2026-03-01T09:00:00Z",
        "attachments": [{"id": file_id(PAGED, k), "name": "doc-%02d.pdf" % k, "size": 2048 * k,
                         "createdTime": "2026-03-01T10:%02d:00Z" % k}
                        for k in range(1, PAGED_TICKET_FILES + 1)],
        "generate": {"threads": PAGED_THREADS},
    }
    deleted = small_ticket(DELETED)
    return {
        "org": {"id": ORG_ID, "companyName": "TPL Logística", "portalName": "tpl"},
        "oauth": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                  "refresh_token": REFRESH_TOKEN},
        "supportEmail": SUPPORT_EMAIL,
        "departments": [{"id": "501234000000006907", "name": "TECNOLOGIA"},
                        {"id": "501234000000006908", "name": "FINANCEIRO"}],
        "epoch": "2026-03-01T12:00:00Z",
        "tickets": [big, paged, REFRESH_ZOHO, deleted] + [small_ticket(n) for n in SMALL],
    }


# ---------------------------------------------------------------------------------------------
# The local side: every fixture ticket n is local ticket 500 + n, owned by ACME.

ACME_CLIENTE = {"id": 100, "apelido": "TRANSPORTES ACME LTDA", "cnpj": "12345678000100"}
JOAO_USUARIO = {"nome": "João da Silva", "email": "joao.silva@acme.com.br"}


def _local_ticket(n, **fields):
    base = {"id": chamado(n), "ticket_number": number(n), "zoho_id": zid(n),
            "status": "Open", "created_at": "2026-03-02T11:00:00Z",
            "updated_at": "2026-03-02T11:00:00Z", "subject": "Chamado %d (OMS)" % n,
            "description": "Descrição local %d" % n, "department": "OPERAÇÕES",
            "category": "Support", "numero_pedido": "L%d" % n, "numero_nf": "LN%d" % n,
            "client_id": 100, "requester_id": 7}
    base.update(fields)
    return base


REFRESH_LOCAL = _local_ticket(
    REFRESH, status="Novo", subject="Entrega atrasada (OMS)", description="Texto do OMS",
    department="OPERAÇÕES", category="Cadastro", numero_pedido="70003-OMS", numero_nf=None,
    web_url=None, created_at="2026-03-02T13:00:00Z", updated_at="2026-03-02T13:00:00Z")

# What ticket_details shows for REFRESH_LOCAL before any refresh.
REFRESH_LOCAL_VIEW = {
    "id": chamado(REFRESH), "ticket_number": number(REFRESH), "zoho_id": zid(REFRESH),
    "webUrl": None, "status": "Novo", "created_at": "2026-03-02 10:00:00",
    "updated_at": "2026-03-02 10:00:00", "subject": "Entrega atrasada (OMS)",
    "description": "Texto do OMS", "department": "OPERAÇÕES", "category": "Cadastro",
    "numero_pedido": "70003-OMS", "numero_nf": None, "cliente": ACME_CLIENTE,
    "usuario": JOAO_USUARIO,
}

LOCAL_SEED = {
    "clients": [{"id": 100, "apelido": "TRANSPORTES ACME LTDA", "cnpj": "12345678000100"}],
    "requesters": [{"id": 7, "nome": "João da Silva", "email": "joao.silva@acme.com.br",
                    "client_id": 100}],
    "tickets": [_local_ticket(BIG, subject="Pedido 70001 entregue com avaria",
                              created_at="2018-02-18T00:30:00Z",
                              updated_at="2018-02-18T08:00:00Z"),
                _local_ticket(PAGED), REFRESH_LOCAL, _local_ticket(DELETED)]
               + [_local_ticket(n) for n in SMALL]
               + [{"id": UNLINKED_CHAMADO, "ticket_number": "70599", "zoho_id": None,
                   "status": "Open", "subject": "Sem vínculo com o Zoho", "client_id": 100,
                   "requester_id": 7}],
    "api_users": [{"login": STAFF, "password": PASSWORDS[STAFF], "staff": True},
                  {"login": CLIENT, "password": PASSWORDS[CLIENT], "client_id": 100}],
}


def local_view(n):
    """What ticket_details shows as `ticket` for an untouched small/paged/deleted ticket n."""
    return {
        "id": chamado(n), "ticket_number": number(n), "zoho_id": zid(n), "webUrl": None,
        "status": "Open", "created_at": "2026-03-02 08:00:00",
        "updated_at": "2026-03-02 08:00:00", "subject": "Chamado %d (OMS)" % n,
        "description": "Descrição local %d" % n, "department": "OPERAÇÕES",
        "category": "Support", "numero_pedido": "L%d" % n, "numero_nf": "LN%d" % n,
        "cliente": ACME_CLIENTE, "usuario": JOAO_USUARIO,
    }


# ---------------------------------------------------------------------------------------------
# Attachment bytes as the simulator serves them (docs/zoho-simulator.md "Downloads").


def attachment_block(att_id):
    import hashlib
    return b"".join(hashlib.sha256(("%s:%d" % (att_id, k)).encode()).digest()
                    for k in range(128))


def attachment_bytes(att_id, size):
    return (attachment_block(att_id) * (size // 4096 + 1))[:size]


def attachment_sha256(att_id, size):
    """The digest of a file of any size, without holding it: the block repeats every 4 KiB."""
    import hashlib
    block = attachment_block(att_id)
    digest = hashlib.sha256()
    run = block * 256  # 1 MiB
    whole, rest = divmod(size, len(run))
    for _ in range(whole):
        digest.update(run)
    digest.update(run[:rest])
    return digest.hexdigest()
