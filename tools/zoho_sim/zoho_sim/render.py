"""Model -> Zoho JSON shapes. Ids, counts and sizes are strings, times ISO with ms + Z,
because that is what real portals send (doc section 5)."""

from .util import html_to_text, iso_ms, summarize

TICKET_INCLUDES = ("contacts", "products", "departments", "team", "assignee", "contract",
                   "isRead", "skills")


def api_path(ticket, *parts):
    return "/api/v1/tickets/%s/%s" % (ticket.id, "/".join(parts))


def ticket_body(ticket, includes=()):
    out = dict(ticket.fields)
    out["threadCount"] = str(len(ticket.threads))
    out["attachmentCount"] = str(len(ticket.attachments) +
                                 sum(len(t.attachments) for t in ticket.threads))
    for name in includes:
        if name == "contacts":
            out["contact"] = ticket.contact
        elif name == "departments":
            out["department"] = ticket.department
        elif name == "assignee":
            out["assignee"] = ticket.assignee and {
                k: ticket.assignee.get(k) for k in
                ("id", "firstName", "lastName", "email", "photoURL")}
        elif name == "team":
            out["team"] = None
        elif name == "products":
            out["product"] = None
        elif name == "contract":
            out["contractId"] = None
        elif name == "isRead":
            out["isRead"] = False
        elif name == "skills":
            out["skillsInfo"] = []
    return out


SEARCH_ROW_FIELDS = ("id", "ticketNumber", "subject", "status", "statusType", "priority",
                     "category", "channel", "email", "phone", "departmentId", "contactId",
                     "accountId", "assigneeId", "createdTime", "modifiedTime", "closedTime",
                     "dueDate", "customerResponseTime", "webUrl", "cf", "isSpam")


def search_row(ticket):
    """List-view rows: no description (doc 4.2 says it is not guaranteed there)."""
    out = {k: ticket.fields.get(k) for k in SEARCH_ROW_FIELDS}
    out["threadCount"] = str(len(ticket.threads))
    return out


def thread_summary(thread):
    # Threads never change after creation, and deriving `summary` from HTML dominated the
    # CPU profile under load, so the row is built once and copied per response.
    if thread.summary_row is None:
        out = dict(thread.fields)
        out["summary"] = thread.summary if thread.summary is not None else \
            summarize(thread.content)
        out["createdTime"] = iso_ms(thread.created)
        out["hasAttach"] = bool(thread.attachments)
        out["attachmentCount"] = str(len(thread.attachments))
        thread.summary_row = out
    return dict(thread.summary_row)


def _preview(att, href):
    return href if att.content_type.startswith("image/") else None


def thread_attachment(base, ticket, thread, att):
    href = base + api_path(ticket, "threads", thread.id, "attachments", att.id, "content")
    out = {"id": att.id, "name": att.name, "size": str(att.size), "href": href,
           "previewurl": _preview(att, href)}
    out.update(att.extra)
    return out


def truncated_content(thread):
    cut = thread.truncate_at
    if cut is None:
        cut = max(1, len(thread.content) // 2)
    return thread.content[:int(cut)]


def thread_detail(base, ticket, thread, full=False, plain=False):
    """Detail = summary + content. A thread marked truncated keeps only a prefix here and
    points at .../fullContent, the endpoint the OAS names for the rest (doc 4.4)."""
    out = thread_summary(thread)
    cut = thread.truncated and not full
    out["content"] = truncated_content(thread) if cut else thread.content
    out["isContentTruncated"] = cut
    if cut:
        out["fullContentURL"] = base + api_path(ticket, "threads", thread.id, "fullContent")
    if plain:
        out["plainText"] = html_to_text(out["content"])
    out["attachments"] = [thread_attachment(base, ticket, thread, a) for a in thread.attachments]
    return out


def ticket_attachment(base, ticket, att, include_creator=False, thread=None):
    if thread is not None:
        href = base + api_path(ticket, "threads", thread.id, "attachments", att.id, "content")
    else:
        href = base + api_path(ticket, "attachments", att.id, "content")
    creator = att.creator or {}
    out = {"id": att.id, "name": att.name, "size": str(att.size), "href": href,
           "previewurl": _preview(att, href), "createdTime": iso_ms(att.created),
           "creatorId": creator.get("id"), "isPublic": att.is_public}
    out.update(att.extra)
    if include_creator:
        out["creator"] = creator and {k: creator.get(k) for k in
                                      ("id", "firstName", "lastName", "email", "photoURL")}
    return out


def original_content(ticket, thread):
    """Raw MIME view (doc 4.4 originalContent); header layout is the simulator's own."""
    import email.utils
    author = thread.fields["author"]
    sender = thread.fields.get("fromEmailAddress") or author.get("email") or ""
    to = thread.fields.get("to") or ""
    date = email.utils.format_datetime(thread.created)
    message_id = "<%s.%s@sim.zohodesk>" % (thread.id, ticket.id)
    subject = ticket.fields.get("subject") or ""
    mime = ("Return-Path: <%s>\r\nDate: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: %s\r\n"
            "Message-ID: %s\r\nMIME-Version: 1.0\r\n"
            "Content-Type: %s; charset=UTF-8\r\n\r\n%s\r\n") % (
                sender, date, sender, to, subject, message_id,
                thread.fields.get("contentType", "text/html"), thread.content)
    return {"date": date, "returnPath": sender, "subject": subject, "messageId": message_id,
            "from": sender, "to": to, "content": mime}
