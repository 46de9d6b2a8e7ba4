"""Zoho Desk /api/v1 endpoints. Auth, org, credits, latency and faults are applied by the
middleware in faults.py before these run; handlers only validate input and shape output."""

from aiohttp import web

from . import render
from .download import AttachmentStream
from .util import ApiError, json_response, not_found, parse_time, unprocessable


def base_url(request):
    return "%s://%s" % (request.scheme, request.host)


def check_query(request, allowed):
    # orgId is declared as a query parameter in the OAS; tolerated, but only the header counts.
    for key in request.query.keys():
        if key not in allowed and key != "orgId":
            raise ApiError(unprocessable("Extra query parameter '%s' is present in the input."
                                         % key))


def _int_param(request, name):
    value = request.query.get(name)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(unprocessable("The value passed for the '%s' query parameter is invalid."
                                     % name)) from None


def paging(request, base, limit_max, default_limit=10, from_max=None):
    """Return (offset, limit). `from` is `base` for the first row."""
    start = base if "from" not in request.query else _int_param(request, "from")
    if start < base:
        raise ApiError(unprocessable("The value passed for the 'from' query parameter is "
                                     "invalid."))
    if from_max is not None and start > from_max:
        raise ApiError(unprocessable("The value passed for field 'from' exceeds the range of "
                                     "'%d-%d'." % (base, from_max)))
    limit = default_limit if "limit" not in request.query else _int_param(request, "limit")
    if not 1 <= limit <= limit_max:
        raise ApiError(unprocessable("The value passed for field 'limit' exceeds the range of "
                                     "'1-%d'." % limit_max))
    return start - base, limit


def list_or_204(rows, extra=None):
    if not rows:
        return web.Response(status=204)
    body = {"data": rows}
    body.update(extra or {})
    return json_response(body)


def includes(request, allowed):
    raw = request.query.get("include")
    if raw is None:
        return []
    values = [v.strip() for v in raw.split(",")]
    if not all(v in allowed for v in values):
        raise ApiError(unprocessable("The value passed for the 'include' query parameter is "
                                     "invalid."))
    return values


def serves_data(request):
    """Only the fixture's own organisation has tickets; the others the token reaches are empty."""
    store = request.app["state"].store
    return request.headers.get("orgId", "").strip() == store.org["id"]


def find_ticket(request):
    ticket_id = request.match_info["ticket_id"]
    if not ticket_id.isdigit():
        raise ApiError(unprocessable("The value passed for the 'ticketId' is invalid."))
    ticket = request.app["state"].store.tickets.get(ticket_id)
    if ticket is None or not serves_data(request):
        raise ApiError(not_found())
    return ticket


def find_thread(request):
    ticket = find_ticket(request)
    thread = ticket.thread(request.match_info["thread_id"])
    if thread is None:
        raise ApiError(not_found())
    return ticket, thread


def sort_param(request, allowed, default):
    value = request.query.get("sortBy", default)
    if value.lstrip("-") not in allowed:
        raise ApiError(unprocessable("The value passed for the 'sortBy' query parameter is "
                                     "invalid."))
    return value.lstrip("-"), value.startswith("-")


def organization_row(org, first):
    """An organisation as GET /organizations lists it (OAS Organization.json, a subset)."""
    row = {"id": org["id"], "companyName": org.get("companyName"),
           "portalName": org.get("portalName"),
           "portalURL": "https://desk.zoho.com/support/%s" % org.get("portalName"),
           "edition": "ENTERPRISE", "isDefault": first, "isAdminInOrg": True}
    row.update(org)
    return row


async def organizations(request):
    check_query(request, ())
    orgs = request.app["state"].store.organizations()
    return json_response({"data": [organization_row(org, i == 0) for i, org in enumerate(orgs)]})


async def get_ticket(request):
    check_query(request, ("include",))
    wanted = includes(request, render.TICKET_INCLUDES)
    return json_response(render.ticket_body(find_ticket(request), wanted))


SEARCH_EXACT = ("ticketNumber", "id", "email", "phone", "departmentId", "contactId",
                "accountId", "assigneeId", "status", "priority", "channel", "category")
SEARCH_RANGES = {"createdTimeRange": "createdTime", "modifiedTimeRange": "modifiedTime",
                 "dueDateRange": "dueDate", "customerResponseTimeRange": "customerResponseTime"}
SEARCH_OTHER = ("subject", "_all", "contactName", "from", "limit", "sortBy")


def _search_filters(request):
    """Build predicates from query parameters; each is ticket -> bool."""
    preds = []
    for key, raw in request.query.items():
        if key in SEARCH_EXACT:
            wanted = {v.strip().lower() for v in raw.split(",")}
            preds.append(lambda t, k=key, w=wanted: str(t.fields.get(k) or "").lower() in w)
        elif key in SEARCH_RANGES:
            try:
                low, high = (parse_time(v) for v in raw.split(","))
            except ValueError:
                raise ApiError(unprocessable("The value passed for the '%s' query parameter "
                                             "is invalid." % key)) from None
            field = SEARCH_RANGES[key]
            preds.append(lambda t, f=field, lo=low, hi=high:
                         t.fields.get(f) is not None and lo <= parse_time(t.fields[f]) <= hi)
        elif key in ("subject", "_all"):
            needle = raw.lower()
            preds.append(lambda t, k=key, n=needle: n in (
                (t.fields.get("subject") or "") +
                ("" if k == "subject" else " " + (t.fields.get("description") or ""))).lower())
        elif key == "contactName":
            preds.append(lambda t, n=raw.lower(): t.contact is not None and n in " ".join(
                filter(None, (t.contact.get("firstName"), t.contact.get("lastName")))).lower())
        elif key.startswith("customField") and key[len("customField"):].isdigit():
            api_name, _, value = raw.partition(":")
            preds.append(lambda t, a=api_name, v=value: str(t.fields["cf"].get(a)) == v)
    return preds


async def search(request):
    custom = [k for k in request.query
              if k.startswith("customField") and k[len("customField"):].isdigit()]
    check_query(request, SEARCH_EXACT + tuple(SEARCH_RANGES) + SEARCH_OTHER + tuple(custom))
    offset, limit = paging(request, 0, 100, from_max=999)  # search is 0-based per the OAS
    field, desc = sort_param(request, ("relevance", "modifiedTime", "createdTime",
                                       "customerResponseTime"), "relevance")
    preds = _search_filters(request)
    hits = [t for t in request.app["state"].store.tickets.values()
            if serves_data(request) and all(p(t) for p in preds)]
    if field != "relevance":
        hits.sort(key=lambda t: (t.fields.get(field) or "", t.id), reverse=desc)
    page = [render.search_row(t) for t in hits[offset:offset + limit]]
    return list_or_204(page, {"count": str(len(hits))})


async def list_threads(request):
    check_query(request, ("from", "limit", "sortBy"))
    knobs = request.app["state"].knobs
    ticket = find_ticket(request)
    offset, limit = paging(request, knobs["paging_base"], knobs["thread_limit_max"])
    # Zoho's default order is newest first (doc 4.3).
    _field, desc = sort_param(request, ("sendDateTime",), "-sendDateTime")
    threads = sorted(ticket.threads, key=lambda t: (t.created, int(t.id)), reverse=desc)
    return list_or_204([render.thread_summary(t) for t in threads[offset:offset + limit]])


async def get_thread(request):
    check_query(request, ("include",))
    plain = "plainText" in includes(request, ("plainText",))
    ticket, thread = find_thread(request)
    return json_response(render.thread_detail(base_url(request), ticket, thread, plain=plain))


async def get_thread_full_content(request):
    check_query(request, ("include",))
    plain = "plainText" in includes(request, ("plainText",))
    ticket, thread = find_thread(request)
    return json_response(render.thread_detail(base_url(request), ticket, thread,
                                              full=True, plain=plain))


async def get_thread_original_content(request):
    check_query(request, ())
    ticket, thread = find_thread(request)
    return json_response(render.original_content(ticket, thread))


def _ticket_attachments(state, ticket):
    """(attachment, thread-or-None) pairs visible on the ticket-level list."""
    pairs = [(a, None) for a in ticket.attachments]
    if state.knobs["ticket_attachments_include_threads"]:
        pairs += [(a, t) for t in ticket.threads for a in t.attachments]
    return pairs


async def list_attachments(request):
    check_query(request, ("from", "limit", "sortBy", "isPublic", "include"))
    state = request.app["state"]
    ticket = find_ticket(request)
    offset, limit = paging(request, state.knobs["paging_base"], 100)
    _field, desc = sort_param(request, ("createdTime",), "createdTime")
    with_creator = "creator" in includes(request, ("creator",))
    pairs = _ticket_attachments(state, ticket)
    if "isPublic" in request.query:
        flag = request.query["isPublic"].lower()
        if flag not in ("true", "false"):
            raise ApiError(unprocessable("The value passed for the 'isPublic' query parameter "
                                         "is invalid."))
        pairs = [p for p in pairs if p[0].is_public == (flag == "true")]
    pairs.sort(key=lambda p: (p[0].created, int(p[0].id)), reverse=desc)
    base = base_url(request)
    return list_or_204([render.ticket_attachment(base, ticket, a, with_creator, thread=t)
                        for a, t in pairs[offset:offset + limit]])


async def thread_attachment_content(request):
    check_query(request, ())
    _ticket, thread = find_thread(request)
    att = next((a for a in thread.attachments if a.id == request.match_info["att_id"]), None)
    if att is None:
        raise ApiError(not_found())
    return AttachmentStream(att, request.app["state"].knobs)


async def ticket_attachment_content(request):
    check_query(request, ())
    state = request.app["state"]
    ticket = find_ticket(request)
    att = next((a for a, _t in _ticket_attachments(state, ticket)
                if a.id == request.match_info["att_id"]), None)
    if att is None:
        raise ApiError(not_found())
    return AttachmentStream(att, request.app["state"].knobs)


# route name == endpoint kind (counts) except where KIND_OF maps it.
ROUTES = [
    ("GET", "/api/v1/organizations", organizations, "organizations"),
    ("GET", "/api/v1/tickets/search", search, "search"),
    ("GET", "/api/v1/tickets/{ticket_id}", get_ticket, "ticket"),
    ("GET", "/api/v1/tickets/{ticket_id}/threads", list_threads, "threads_list"),
    ("GET", "/api/v1/tickets/{ticket_id}/threads/{thread_id}", get_thread, "thread_detail"),
    ("GET", "/api/v1/tickets/{ticket_id}/threads/{thread_id}/fullContent",
     get_thread_full_content, "thread_full_content"),
    ("GET", "/api/v1/tickets/{ticket_id}/threads/{thread_id}/originalContent",
     get_thread_original_content, "thread_original_content"),
    ("GET", "/api/v1/tickets/{ticket_id}/threads/{thread_id}/attachments/{att_id}/content",
     thread_attachment_content, "attachment_content"),
    ("GET", "/api/v1/tickets/{ticket_id}/attachments", list_attachments, "attachments_list"),
    ("GET", "/api/v1/tickets/{ticket_id}/attachments/{att_id}/content",
     ticket_attachment_content, "ticket_attachment_content"),
]
KIND_OF = {"ticket_attachment_content": "attachment_content"}
# Credit weights (doc 7): get by id = 1, list/search = 3.
LIST_KINDS = {"organizations", "search", "threads_list", "attachments_list"}


def weight(kind):
    return 3 if kind in LIST_KINDS else 1


# Scopes per endpoint (OAS `security`). Each inner tuple is a requirement met by any one of its
# scopes (the OAS lists alternatives together; "any one" is the simulator's reading).
SCOPES = {"organizations": [("Desk.basic.READ", "Desk.organization.READ", "Desk.settings.READ")],
          "search": [("Desk.tickets.READ",), ("Desk.search.READ",)]}
DEFAULT_SCOPES = [("Desk.tickets.READ",)]


def _covers(granted, scope):
    """`Desk.tickets.ALL` covers `Desk.tickets.READ`; names compare case-insensitively."""
    scope = scope.lower()
    return scope in granted or scope.rsplit(".", 1)[0] + ".all" in granted


def missing_scope(kind, scopes_text):
    """The first scope requirement of `kind` that the granted scopes do not meet, or None."""
    granted = {s.strip().lower() for s in scopes_text.split(",") if s.strip()}
    for alternatives in SCOPES.get(kind, DEFAULT_SCOPES):
        if not any(_covers(granted, s) for s in alternatives):
            return alternatives[0]
    return None


def add_routes(app):
    for method, path, handler, name in ROUTES:
        app.router.add_route(method, path, handler, name=name)
