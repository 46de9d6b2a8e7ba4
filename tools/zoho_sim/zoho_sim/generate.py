"""Synthetic tickets/threads for benchmarks. Ids follow fixed arithmetic so a benchmark
can address ticket i without reading anything back:
  generated ticket i (1-based): id 17000000000000000+i, ticketNumber 1000000+i,
  its thread j (1-based):       id 27000000000000000+i*10000+j,
  attachment of thread j:       id 37000000000000000+i*10000+j."""

import datetime as dt

from .util import FixtureError, iso_ms, parse_time

WORDS = ("pedido nota fiscal entrega transportadora prazo coleta avaria cliente "
         "atendimento reembolso rastreamento endereço volume caixa produto fatura").split()

DEFAULTS = {"threads": 10, "content_bytes": 600, "attachment_every": 5,
            "attachment_size": 4096, "truncated_every": 0, "draft_every": 0,
            "private_every": 0}


def options(raw):
    opts = dict(DEFAULTS)
    opts.update({k: v for k, v in (raw or {}).items() if v is not None})
    unknown = set(opts) - set(DEFAULTS) - {"tickets"}
    if unknown:
        raise FixtureError("unknown generate option(s): %s" % ", ".join(sorted(unknown)))
    return opts


def _text(size, salt):
    words, total, k = [], 0, salt
    while total < size:
        word = WORDS[(k * 7 + salt) % len(WORDS)]
        words.append(word)
        total += len(word) + 1
        k += 1
    return " ".join(words)[:max(size, 0)]


def _every(n, j):
    return bool(n) and j % n == 0


def thread_raw(opts, j, thread_id, att_id, created):
    raw = {"id": str(thread_id), "direction": "in" if j % 2 else "out",
           "createdTime": created,
           "content": "<div>%s</div>" % _text(opts["content_bytes"] - 11, j),
           "isDescriptionThread": j == 1}
    if _every(opts["draft_every"], j):
        raw["status"] = "DRAFT"
    if _every(opts["private_every"], j):
        raw["visibility"] = "private"
    if _every(opts["truncated_every"], j):
        raw["truncated"] = True
    if _every(opts["attachment_every"], j):
        raw["attachments"] = [{"id": str(att_id), "name": "anexo-%d.pdf" % j,
                               "size": opts["attachment_size"]}]
    return raw


def generate_threads(ticket, raw_opts, id_base):
    """Append threads to an existing ticket (fixture `"generate"` on a ticket)."""
    opts = options(raw_opts)
    if ticket.threads:
        start = ticket.threads[-1].created + dt.timedelta(minutes=10)
    else:
        start = parse_time(ticket.fields["createdTime"])
    for j in range(1, int(opts["threads"]) + 1):
        created = start + dt.timedelta(minutes=10 * (j - 1))
        raw = thread_raw(opts, j, id_base + j, id_base + 10 ** 16 + j, created)
        ticket.add_thread(raw, id_base + j, created)


def generate_tickets(store, raw_opts):
    opts = options(raw_opts)
    for i in range(1, int(opts["tickets"]) + 1):
        created = store.epoch + dt.timedelta(minutes=i)
        ticket = store.add_ticket({
            "id": str(17000000000000000 + i), "ticketNumber": str(1000000 + i),
            "subject": "Pedido %d: %s" % (i, _text(40, i)), "department": "GERAL",
            "description": "<div>%s</div>" % _text(120, i), "createdTime": created,
            "contact": {"name": "Cliente %d" % i, "email": "cliente%d@example.com" % i},
        }, position=len(store.tickets) + 1)
        base = 27000000000000000 + i * 10000
        for j in range(1, int(opts["threads"]) + 1):
            when = created + dt.timedelta(minutes=10 * (j - 1))
            ticket.add_thread(thread_raw(opts, j, base + j, base + 10 ** 16 + j, when),
                              base + j, when)
        if ticket.threads:
            ticket.fields["modifiedTime"] = iso_ms(max(t.created for t in ticket.threads))
