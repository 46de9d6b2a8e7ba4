"""In-memory records the endpoints serve. Zoho-named fields live in `fields`; everything
the simulator computes (counts, URLs, truncation) is derived at render time so control-API
mutations can never leave stale numbers behind."""

import datetime as dt
import hashlib
import mimetypes

from .generate import generate_threads, generate_tickets
from .util import DEFAULT_EPOCH, FixtureError, iso_ms, norm_time, now_utc, parse_time

TIME_FIELDS = ("createdTime", "modifiedTime", "closedTime", "dueDate", "responseDueDate",
               "customerResponseTime", "onholdTime", "lockedTime")


def stable_id(prefix, key):
    """17-18 digit id derived from a string, above 2^53 like real Zoho ids."""
    digest = int(hashlib.sha256(str(key).encode()).hexdigest()[:15], 16)
    return str(prefix * 10 ** 15 + digest % 10 ** 15)


def split_name(name):
    parts = (name or "").split(None, 1)
    return (parts[0] if parts else None), (parts[1] if len(parts) > 1 else None)


def person(raw, id_prefix):
    """Normalize {name|firstName/lastName, email, ...} into Zoho's person shape."""
    raw = dict(raw or {})
    first, last = split_name(raw.get("name"))
    first = raw.pop("firstName", first)
    last = raw.pop("lastName", last)
    name = raw.pop("name", None) or " ".join(p for p in (first, last) if p) or None
    email = raw.pop("email", None)
    out = {"id": str(raw.pop("id", stable_id(id_prefix, email or name))),
           "name": name, "firstName": first, "lastName": last, "email": email,
           "photoURL": raw.pop("photoURL", None)}
    out.update(raw)
    return out


class Attachment:
    def __init__(self, raw, default_id, default_created, default_creator):
        raw = dict(raw)
        self.id = str(raw.pop("id", default_id))
        self.name = raw.pop("name", "attachment-%s.bin" % self.id)
        try:
            self.size = int(raw.pop("size", 1024))
        except (TypeError, ValueError):
            raise FixtureError("attachment %s: size must be an integer" % self.id) from None
        try:
            # Bytes served by /content; differs from `size` only to mimic a wrong listing.
            self.content_size = int(raw.pop("contentSize", self.size))
        except (TypeError, ValueError):
            raise FixtureError("attachment %s: contentSize must be an integer" % self.id) from None
        guessed = mimetypes.guess_type(self.name)[0]
        self.content_type = raw.pop("contentType", guessed or "application/octet-stream")
        self.created = parse_time(raw.pop("createdTime", default_created))
        creator = raw.pop("creator", None)
        self.creator = person(creator, 52) if creator else default_creator
        self.is_public = bool(raw.pop("isPublic", True))
        self.extra = raw  # other Zoho fields from the fixture, passed through verbatim


class Thread:
    def __init__(self, raw, ticket, default_id, default_created):
        raw = dict(raw)
        self.content = raw.pop("content", "")
        self.truncated = bool(raw.pop("truncated", False))
        self.truncate_at = raw.pop("truncateAt", None)
        atts = raw.pop("attachments", [])
        self.id = str(raw.pop("id", default_id))
        self.created = parse_time(raw.pop("createdTime", default_created))
        direction = raw.pop("direction", "in")
        channel = raw.pop("channel", "EMAIL")
        author = person(raw.pop("author", None) or ticket.default_author(direction), 53)
        author.setdefault("type", "END_USER" if direction == "in" else "AGENT")
        if direction == "in":
            sender, recipient = author.get("email"), ticket.support_email
        else:
            sender, recipient = ticket.support_email, ticket.fields.get("email")
        fields = {
            "id": self.id, "channel": channel, "direction": direction,
            "status": raw.pop("status", "SUCCESS"), "visibility": raw.pop("visibility", "public"),
            "summary": None, "createdTime": None, "author": author,
            "isDescriptionThread": bool(raw.pop("isDescriptionThread", False)),
            "contentType": raw.pop("contentType", "text/html"),
            "fromEmailAddress": raw.pop("fromEmailAddress", sender),
            "respondedIn": raw.pop("respondedIn", None),
            "responderId": raw.pop("responderId", author["id"] if direction == "out" else None),
            "source": raw.pop("source", {"type": "SYSTEM", "appName": None, "extId": None,
                                         "permalink": None, "appPhotoURL": None}),
        }
        fields["canReply"] = raw.pop("canReply", fields["status"] != "DRAFT")
        if channel == "EMAIL":
            # to/cc/bcc only exist on e-mail threads (doc section 4.5).
            fields.update({"to": raw.pop("to", recipient), "cc": raw.pop("cc", None),
                           "bcc": raw.pop("bcc", None), "replyTo": raw.pop("replyTo", None),
                           "isForward": bool(raw.pop("isForward", False))})
        self.summary = raw.pop("summary", None)  # None = derive from content
        self.summary_row = None  # render cache, see render.thread_summary
        fields.update(raw)
        self.fields = fields
        self.attachments = [Attachment(a, stable_id(57, "%s:%d" % (self.id, k)),
                                       self.created, author)
                            for k, a in enumerate(atts)]


class Ticket:
    def __init__(self, raw, store, position):
        raw = dict(raw)
        self.store = store
        threads = raw.pop("threads", [])
        atts = raw.pop("attachments", [])
        generate = raw.pop("generate", None)
        dept = raw.pop("department", None)
        contact = raw.pop("contact", None)
        assignee = raw.pop("assignee", None)
        raw.pop("threadCount", None)  # always computed
        raw.pop("attachmentCount", None)
        self.id = str(raw.pop("id", 15000000000000000 + position))
        if not self.id.isdigit():
            raise FixtureError("ticket id %r must be digits" % self.id)
        self.department = store.department(dept) if dept is not None else None
        self.contact = self._contact(contact) if contact else None
        self.assignee = person(assignee, 55) if assignee else None
        created = raw.pop("createdTime", store.epoch + dt.timedelta(hours=position))
        status = raw.pop("status", "Open")
        self.fields = {
            "id": self.id, "ticketNumber": str(raw.pop("ticketNumber", 1000 + position)),
            "subject": raw.pop("subject", "Ticket %d" % position),
            "description": raw.pop("description", None), "status": status,
            "statusType": raw.pop("statusType",
                                  status if status in ("Open", "On Hold", "Closed") else "Open"),
            "priority": raw.pop("priority", "Medium"), "category": None, "subCategory": None,
            "classification": None, "channel": "Email", "language": None,
            "email": self.contact["email"] if self.contact else None,
            "phone": self.contact.get("phone") if self.contact else None,
            "departmentId": self.department["id"] if self.department else None,
            "contactId": self.contact["id"] if self.contact else None,
            "accountId": (self.contact.get("account") or {}).get("id") if self.contact else None,
            "assigneeId": self.assignee["id"] if self.assignee else None,
            "teamId": None, "productId": None, "layoutId": None,
            "createdTime": norm_time(created), "modifiedTime": None, "closedTime": None,
            "dueDate": None, "responseDueDate": None, "customerResponseTime": norm_time(created),
            "onholdTime": None, "commentCount": "0", "taskCount": "0",
            "webUrl": "https://desk.zoho.com/support/%s/ShowHomePage.do#Cases/dv/%s"
                      % (store.org.get("portalName", "portal"), self.id),
            "cf": {}, "customFields": {}, "isSpam": False, "isArchived": False,
            "isDeleted": False, "isTrashed": False, "isOverDue": False,
            "isResponseOverdue": False, "isEscalated": False, "sentiment": None,
            "createdBy": None, "modifiedBy": None, "resolution": None,
            "sharedDepartments": [], "secondaryContacts": [],
        }
        self.update(raw, bump=False)
        self.threads = []
        self.threads_by_id = {}
        self.attachments = []
        for j, th in enumerate(threads, 1):
            self.add_thread(th, 25000000000000000 + position * 1000 + j,
                            parse_time(self.fields["createdTime"]) + dt.timedelta(hours=j - 1))
        for k, att in enumerate(atts, 1):
            self.add_attachment(att, 35000000000000000 + position * 1000 + k)
        if generate:
            generate_threads(self, generate, 26000000000000000 + position * 10000)
        if self.fields["modifiedTime"] is None:
            times = [parse_time(self.fields["createdTime"])] + [t.created for t in self.threads]
            self.fields["modifiedTime"] = iso_ms(max(times))

    @property
    def support_email(self):
        return self.store.support_email

    def _contact(self, raw):
        raw = dict(raw)
        account = raw.pop("account", None)
        out = person(raw, 54)
        out.pop("name", None)  # Zoho's contact object has first/last name only
        out.pop("photoURL", None)
        out.setdefault("phone", None)
        out.setdefault("mobile", None)
        out.setdefault("type", None)
        out.setdefault("isSpam", False)
        if account:
            account = dict(account)
            account.setdefault("id", stable_id(56, account.get("accountName")))
            account.setdefault("website", None)
        out["account"] = account
        return out

    def default_author(self, direction):
        if direction == "in" and self.contact:
            return {"id": self.contact["id"], "firstName": self.contact.get("firstName"),
                    "lastName": self.contact.get("lastName"), "email": self.contact["email"]}
        if direction == "out" and self.assignee:
            return dict(self.assignee)
        if direction == "out":
            return {"name": self.store.org.get("companyName", "Support"),
                    "email": self.store.support_email}
        return {"name": "Customer", "email": "customer@example.com"}

    def update(self, raw, bump=True):
        """Apply Zoho-named fields (PATCH and fixture load share this)."""
        raw = dict(raw)
        for key in ("department", "contact", "assignee"):
            if key in raw:
                value = raw.pop(key)
                if key == "department":
                    self.department = self.store.department(value) if value else None
                    self.fields["departmentId"] = self.department and self.department["id"]
                elif key == "contact":
                    self.contact = self._contact(value) if value else None
                    contact = self.contact or {}
                    self.fields.update({
                        "contactId": contact.get("id"), "email": contact.get("email"),
                        "phone": contact.get("phone"),
                        "accountId": (contact.get("account") or {}).get("id")})
                else:
                    self.assignee = person(value, 55) if value else None
                    self.fields["assigneeId"] = self.assignee and self.assignee["id"]
        for key in ("id", "threads", "attachments", "threadCount", "attachmentCount"):
            if key in raw:
                raise FixtureError("field '%s' cannot be changed this way" % key)
        if "status" in raw and "statusType" not in raw:
            status = raw["status"]
            raw["statusType"] = status if status in ("Open", "On Hold", "Closed") else "Open"
        for key, value in raw.items():
            self.fields[key] = norm_time(value) if key in TIME_FIELDS else value
        if bump and "modifiedTime" not in raw:
            self.touch()

    def touch(self, moment=None):
        self.fields["modifiedTime"] = iso_ms(moment or now_utc())

    def add_thread(self, raw, default_id, default_created):
        thread = Thread(raw, self, default_id, default_created)
        if not thread.id.isdigit() or not all(a.id.isdigit() for a in thread.attachments):
            raise FixtureError("thread/attachment ids must be digits (thread %s)" % thread.id)
        if self.store.thread_ids.get(thread.id, self.id) != self.id or \
                thread.id in self.threads_by_id:
            raise FixtureError("duplicate thread id %s" % thread.id)
        self.store.thread_ids[thread.id] = self.id
        self.threads.append(thread)
        self.threads_by_id[thread.id] = thread
        return thread

    def add_attachment(self, raw, default_id):
        att = Attachment(raw, default_id, self.fields["createdTime"],
                         self.contact and person({k: self.contact.get(k) for k in
                                                  ("id", "firstName", "lastName", "email")}, 54))
        if not att.id.isdigit():
            raise FixtureError("attachment id %r must be digits" % att.id)
        self.attachments.append(att)
        return att

    def thread(self, thread_id):
        return self.threads_by_id.get(thread_id)


class Store:
    """All fixture data. Rebuilt from the raw fixture on POST /_sim/reset {"data": true}."""

    def __init__(self, fixture, generate_override=None):
        fixture = dict(fixture)
        self.org = dict(fixture.get("org") or {})
        self.org.setdefault("id", "60000000001")
        self.org["id"] = str(self.org["id"])
        self.org.setdefault("companyName", "Simulated Company")
        self.org.setdefault("portalName", "simportal")
        # Further organisations the token reaches (GET /organizations lists them; orgId may
        # name them), with no tickets of their own.
        self.other_orgs = []
        for raw in fixture.get("organizations") or []:
            if not isinstance(raw, dict) or "id" not in raw:
                raise FixtureError("organizations: each entry needs an id")
            self.other_orgs.append(dict(raw, id=str(raw["id"])))
        self.support_email = fixture.get(
            "supportEmail", "support@%s.zohodesk.com" % self.org["portalName"])
        self.oauth = {"client_id": "sim-client-id", "client_secret": "sim-client-secret",
                      "refresh_token": "sim-refresh-token"}
        self.oauth.update(fixture.get("oauth") or {})
        self.epoch = parse_time(fixture["epoch"]) if "epoch" in fixture else DEFAULT_EPOCH
        self.departments = {}
        for dept in fixture.get("departments") or []:
            self.department(dept)
        self.thread_ids = {}
        self.tickets = {}
        self.next_id = 47000000000000000
        for pos, raw in enumerate(fixture.get("tickets") or [], 1):
            self.add_ticket(raw, pos)
        generate = dict(fixture.get("generate") or {})
        generate.update(generate_override or {})
        if generate.get("tickets"):
            generate_tickets(self, generate)

    def organizations(self):
        """Every organisation the token reaches; the one with the tickets comes first."""
        return [self.org] + self.other_orgs

    def reaches(self, org_id):
        return any(org["id"] == org_id for org in self.organizations())

    def allocate_id(self):
        self.next_id += 1
        return self.next_id

    def department(self, value):
        if isinstance(value, dict):
            name = value.get("name")
            dept_id = str(value.get("id") or stable_id(51, name))
        else:
            name = str(value)
            known = [d for d in self.departments.values() if d["name"] == name]
            if known:
                return known[0]
            dept_id = stable_id(51, name)
        self.departments[dept_id] = {"id": dept_id, "name": name}
        return self.departments[dept_id]

    def add_ticket(self, raw, position=None):
        ticket = Ticket(raw, self, position or len(self.tickets) + 1)
        if ticket.id in self.tickets:
            raise FixtureError("duplicate ticket id %s" % ticket.id)
        self.tickets[ticket.id] = ticket
        return ticket

    def delete_ticket(self, ticket_id):
        ticket = self.tickets.pop(ticket_id, None)
        for thread in ticket.threads if ticket else []:
            self.thread_ids.pop(thread.id, None)
        return ticket
