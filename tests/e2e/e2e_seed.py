"""The seed every suite server starts from, and what ticket_details must answer for it.

EXPECTED_TICKETS is written out by hand rather than derived from SEED, so that a conversion bug
(time zone, number-to-string, accents) cannot hide by being applied to both sides.
"""

import unicodedata

ACME, GLOBEX, INITECH, ACAI = 100, 200, 300, 400

# Decomposed (NFD) text: the service must hand back the very code points it stored.
NFD_SUBJECT = unicodedata.normalize("NFD", "Pão de açúcar") + " 🍞 «entrega» ½"
assert len(NFD_SUBJECT) != len(unicodedata.normalize("NFC", NFD_SUBJECT))

PASSWORDS = {
    "ops": "ops-pässwörd-Ω-1",
    "acme": "acme-password-1",
    "acme2": "acme2-password-1",
    "retired": "retired-password-1",
    "globex": "globex-password-1",
    "rotating": "rotating-password-1",
    "initech": "initech-password-1",
}

# Which client each login belongs to (None: staff).
USER_CLIENT = {
    "ops": None,
    "acme": ACME,
    "acme2": ACME,
    "retired": ACME,
    "globex": GLOBEX,
    "rotating": GLOBEX,
    "initech": INITECH,
}

SEED = {
    "clients": [
        {"id": ACME, "apelido": "TRANSPORTES ACME LTDA", "cnpj": "12345678000100",
         "blocked": False},
        # A CNPJ written as a JSON number must still come back as a string.
        {"id": GLOBEX, "apelido": "GLOBEX LOGÍSTICA S.A.", "cnpj": 98765432000155},
        {"id": INITECH, "apelido": "INITECH DISTRIBUIÇÃO", "cnpj": "11222333000181",
         "blocked": True},
        {"id": ACAI, "apelido": "AÇAÍ & CIA — PÃO DE AÇÚCAR", "cnpj": None},
    ],
    "requesters": [
        {"id": 7, "nome": "João da Silva", "email": "joao.silva@acme.com.br", "client_id": ACME},
        {"id": 8, "nome": "Maria Conceição", "email": "maria@globex.com.br",
         "client_id": GLOBEX},
        {"id": 9, "nome": "Peter Gibbons", "email": "peter@initech.com.br",
         "client_id": INITECH},
        {"id": 10, "nome": None, "email": "sac@acai.com.br", "client_id": ACAI},
    ],
    "tickets": [
        {"id": 99, "ticket_number": "12345", "zoho_id": "123456789012345678",
         "web_url": "https://desk.zoho.com/support/tpl/ShowHomePage.do#Cases/dv/"
                    "123456789012345678",
         "status": "Open", "created_at": "2026-05-10T17:30:00Z",
         "updated_at": "2026-05-12T12:15:00Z",
         "subject": "Pedido 12345 entregue com avaria",
         "description": "A caixa chegou amassada e a nota fiscal não confere.",
         "department": "TECNOLOGIA", "category": "Support", "numero_pedido": "12345",
         "numero_nf": "67890", "client_id": ACME, "requester_id": 7},
        # No zoho_id; numbers where strings are expected; naive São Paulo timestamps.
        {"id": 100, "ticket_number": 12346, "zoho_id": None, "web_url": None,
         "status": "Closed", "created_at": "2024-02-11 09:05:00",
         "updated_at": "2024-02-12 16:40:00",
         "subject": "Atualização de endereço de coleta",
         "description": "Favor atualizar o endereço de coleta para a Av. Paulista, 1000.",
         "department": "OPERAÇÕES", "category": "Cadastro", "numero_pedido": 22331,
         "numero_nf": None, "client_id": ACME, "requester_id": 7},
        # 2018-01-15 fell in Brazilian summer time (UTC-2); the naive updated_at sits in the
        # hour that repeated when it ended on 2018-02-18.
        {"id": 101, "ticket_number": "20001", "zoho_id": "123456789012345999",
         "status": "On Hold", "created_at": "2018-01-15T13:00:00Z",
         "updated_at": "2018-02-17 23:30:00",
         "subject": "Cobrança duplicada",
         "description": "Recebemos duas faturas para o mesmo pedido.",
         "department": "FINANCEIRO", "category": "Billing", "numero_pedido": "55120",
         "numero_nf": "88001", "client_id": GLOBEX, "requester_id": 8},
        {"id": 102, "ticket_number": "30001", "status": "Open",
         "created_at": "2026-11-20T10:00:00-03:00", "updated_at": "2026-11-20T10:00:00-03:00",
         "subject": "Rastreamento indisponível", "department": "TECNOLOGIA",
         "category": "Support", "client_id": INITECH, "requester_id": 9},
        # Almost everything unknown.
        {"id": 103, "ticket_number": "40001", "subject": NFD_SUBJECT, "client_id": ACAI,
         "requester_id": 10},
        # No requester; fractional seconds and a +0000 offset.
        {"id": 104, "ticket_number": "20002", "status": "Open",
         "created_at": "2026-03-01T12:00:00.250+00:00", "updated_at": "2025-10-20T03:00:00+0000",
         "subject": "Nota fiscal sem número de pedido", "department": "FINANCEIRO",
         "category": "Billing", "numero_nf": 88002, "client_id": GLOBEX},
        # A naive timestamp inside the old summer time, to pair with ticket 101.
        {"id": 105, "ticket_number": "12347", "zoho_id": "900000000000000001",
         "web_url": "https://desk.zoho.com/support/tpl/ShowHomePage.do#Cases/dv/"
                    "900000000000000001",
         "status": "Open", "created_at": "2018-01-15 11:00:00",
         "updated_at": "2018-01-15 11:00:00", "subject": "Coleta não realizada",
         "description": "O motorista não compareceu no horário combinado.",
         "department": "OPERAÇÕES", "category": "Support", "numero_pedido": "12347",
         "numero_nf": "67891", "client_id": ACME, "requester_id": 7},
        # Belongs to no client: only staff may see it.
        {"id": 106, "ticket_number": "60001", "status": "New", "subject": "Chamado sem cliente"},
    ],
    "api_users": [
        {"login": login, "password": PASSWORDS[login], "client_id": client}
        if client is not None else {"login": login, "password": PASSWORDS[login], "staff": True}
        for login, client in USER_CLIENT.items()
    ],
}

_ACME_CLIENTE = {"id": 100, "apelido": "TRANSPORTES ACME LTDA", "cnpj": "12345678000100"}
_GLOBEX_CLIENTE = {"id": 200, "apelido": "GLOBEX LOGÍSTICA S.A.", "cnpj": "98765432000155"}
_JOAO = {"nome": "João da Silva", "email": "joao.silva@acme.com.br"}

EXPECTED_TICKETS = {
    99: {
        "id": 99, "ticket_number": "12345", "zoho_id": "123456789012345678",
        "webUrl": "https://desk.zoho.com/support/tpl/ShowHomePage.do#Cases/dv/"
                  "123456789012345678",
        "status": "Open", "created_at": "2026-05-10 14:30:00",
        "updated_at": "2026-05-12 09:15:00", "subject": "Pedido 12345 entregue com avaria",
        "description": "A caixa chegou amassada e a nota fiscal não confere.",
        "department": "TECNOLOGIA", "category": "Support", "numero_pedido": "12345",
        "numero_nf": "67890", "cliente": _ACME_CLIENTE, "usuario": _JOAO,
    },
    100: {
        "id": 100, "ticket_number": "12346", "zoho_id": None, "webUrl": None,
        "status": "Closed", "created_at": "2024-02-11 09:05:00",
        "updated_at": "2024-02-12 16:40:00", "subject": "Atualização de endereço de coleta",
        "description": "Favor atualizar o endereço de coleta para a Av. Paulista, 1000.",
        "department": "OPERAÇÕES", "category": "Cadastro", "numero_pedido": "22331",
        "numero_nf": None, "cliente": _ACME_CLIENTE, "usuario": _JOAO,
    },
    101: {
        "id": 101, "ticket_number": "20001", "zoho_id": "123456789012345999", "webUrl": None,
        "status": "On Hold", "created_at": "2018-01-15 11:00:00",
        "updated_at": "2018-02-17 23:30:00", "subject": "Cobrança duplicada",
        "description": "Recebemos duas faturas para o mesmo pedido.",
        "department": "FINANCEIRO", "category": "Billing", "numero_pedido": "55120",
        "numero_nf": "88001", "cliente": _GLOBEX_CLIENTE,
        "usuario": {"nome": "Maria Conceição", "email": "maria@globex.com.br"},
    },
    102: {
        "id": 102, "ticket_number": "30001", "zoho_id": None, "webUrl": None,
        "status": "Open", "created_at": "2026-11-20 10:00:00",
        "updated_at": "2026-11-20 10:00:00", "subject": "Rastreamento indisponível",
        "description": None, "department": "TECNOLOGIA", "category": "Support",
        "numero_pedido": None, "numero_nf": None,
        "cliente": {"id": 300, "apelido": "INITECH DISTRIBUIÇÃO", "cnpj": "11222333000181"},
        "usuario": {"nome": "Peter Gibbons", "email": "peter@initech.com.br"},
    },
    103: {
        "id": 103, "ticket_number": "40001", "zoho_id": None, "webUrl": None,
        "status": None, "created_at": None, "updated_at": None, "subject": NFD_SUBJECT,
        "description": None, "department": None, "category": None, "numero_pedido": None,
        "numero_nf": None,
        "cliente": {"id": 400, "apelido": "AÇAÍ & CIA — PÃO DE AÇÚCAR", "cnpj": None},
        "usuario": {"nome": None, "email": "sac@acai.com.br"},
    },
    104: {
        "id": 104, "ticket_number": "20002", "zoho_id": None, "webUrl": None,
        "status": "Open", "created_at": "2026-03-01 09:00:00",
        "updated_at": "2025-10-20 00:00:00", "subject": "Nota fiscal sem número de pedido",
        "description": None, "department": "FINANCEIRO", "category": "Billing",
        "numero_pedido": None, "numero_nf": "88002", "cliente": _GLOBEX_CLIENTE,
        # No requester at all: the whole object is unknown.
        "usuario": None,
    },
    105: {
        "id": 105, "ticket_number": "12347", "zoho_id": "900000000000000001",
        "webUrl": "https://desk.zoho.com/support/tpl/ShowHomePage.do#Cases/dv/"
                  "900000000000000001",
        "status": "Open", "created_at": "2018-01-15 11:00:00",
        "updated_at": "2018-01-15 11:00:00", "subject": "Coleta não realizada",
        "description": "O motorista não compareceu no horário combinado.",
        "department": "OPERAÇÕES", "category": "Support", "numero_pedido": "12347",
        "numero_nf": "67891", "cliente": _ACME_CLIENTE, "usuario": _JOAO,
    },
    106: {
        "id": 106, "ticket_number": "60001", "zoho_id": None, "webUrl": None, "status": "New",
        "created_at": None, "updated_at": None, "subject": "Chamado sem cliente",
        "description": None, "department": None, "category": None, "numero_pedido": None,
        "numero_nf": None, "cliente": None, "usuario": None,
    },
}

TICKET_CLIENT = {t["id"]: t.get("client_id") for t in SEED["tickets"]}


def tickets_of(client_id):
    return sorted(i for i, c in TICKET_CLIENT.items() if c == client_id)


def tickets_not_of(client_id):
    return sorted(i for i, c in TICKET_CLIENT.items() if c != client_id)
