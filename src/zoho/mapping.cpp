#include "zoho/mapping.hpp"

#include <boost/json.hpp>
#include <charconv>

namespace deskbridge::zoho {
namespace {

namespace json = boost::json;

const json::value* field(const json::value& v, std::string_view name) {
    const auto* o = v.if_object();
    if (o == nullptr) {
        return nullptr;
    }
    const auto* f = o->if_contains(name);
    return f == nullptr || f->is_null() ? nullptr : f;
}

std::optional<std::string> text(const json::value& v, std::string_view name) {
    const auto* f = field(v, name);
    if (f == nullptr) {
        return std::nullopt;
    }
    if (const auto* s = f->if_string()) {
        return std::string(*s);
    }
    if (f->is_int64()) {
        return std::to_string(f->get_int64());
    }
    if (f->is_uint64()) {
        return std::to_string(f->get_uint64());
    }
    return std::nullopt;
}

std::optional<std::int64_t> integer(const json::value& v, std::string_view name) {
    const auto* f = field(v, name);
    if (f == nullptr) {
        return std::nullopt;
    }
    if (f->is_int64()) {
        return f->get_int64();
    }
    if (f->is_uint64() && f->get_uint64() <= INT64_MAX) {
        return static_cast<std::int64_t>(f->get_uint64());
    }
    // A double outside int64's range (1e300, inf) has no integer value: converting it is
    // undefined behaviour, found by fuzz/fuzz_zoho_mapping.
    if (f->is_double()) {
        const double d = f->get_double();
        if (d >= -0x1p63 && d < 0x1p63) {
            return static_cast<std::int64_t>(d);
        }
        return std::nullopt;
    }
    if (const auto* s = f->if_string()) {
        std::int64_t n = 0;
        const auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), n);
        if (ec == std::errc() && end == s->data() + s->size()) {
            return n;
        }
    }
    return std::nullopt;
}

bool boolean(const json::value& v, std::string_view name) {
    const auto* f = field(v, name);
    if (f == nullptr) {
        return false;
    }
    if (const auto* b = f->if_bool()) {
        return *b;
    }
    if (const auto* s = f->if_string()) {
        return *s == "true";
    }
    return false;
}

core::Error malformed(std::string what) {
    return core::Error::internal("Zoho Desk sent a malformed response", std::move(what));
}

std::optional<std::int64_t> iso_to_ms(std::string_view s) {
    // yyyy-MM-ddTHH:mm:ss[.SSS]Z
    if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':' || s.back() != 'Z') {
        return std::nullopt;
    }
    const auto num = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
        int n = 0;
        const auto [end, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, n);
        return ec == std::errc() && end == s.data() + pos + len ? std::optional(n) : std::nullopt;
    };
    const auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
               sec = num(17, 2);
    if (!y || !mo || !d || !h || !mi || !sec || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 ||
        *h > 23 || *mi > 59 || *sec > 60) {
        return std::nullopt;
    }
    int ms = 0;
    if (s[19] == '.') {
        const std::string_view frac = s.substr(20, s.size() - 21);
        if (frac.empty() || frac.size() > 9) {
            return std::nullopt;
        }
        std::string digits(frac.substr(0, 3));
        digits.resize(3, '0');
        const auto v = num(20, std::min<std::size_t>(frac.size(), 3));
        if (!v) {
            return std::nullopt;
        }
        ms = std::stoi(digits);
    } else if (s.size() != 20) {
        return std::nullopt;
    }
    // Days from civil (Howard Hinnant's public-domain algorithm, restated).
    const int yy = *y - (*mo <= 2 ? 1 : 0);
    const int era = (yy >= 0 ? yy : yy - 399) / 400;
    const int yoe = yy - era * 400;
    const int doy = (153 * (*mo + (*mo > 2 ? -3 : 9)) + 2) / 5 + *d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
    return ((days * 24 + *h) * 60 + *mi) * 60000LL + *sec * 1000LL + ms;
}

}  // namespace

std::optional<std::int64_t> parse_time_ms(const json::value& v) {
    if (const auto* s = v.if_string()) {
        return iso_to_ms(*s);
    }
    if (v.is_int64()) {
        return v.get_int64();
    }
    if (v.is_uint64() && v.get_uint64() <= INT64_MAX) {
        return static_cast<std::int64_t>(v.get_uint64());
    }
    return std::nullopt;
}

core::Result<std::vector<json::value>> list_items(const json::value* body) {
    if (body == nullptr) {
        return std::vector<json::value>{};
    }
    const auto* data = field(*body, "data");
    if (data == nullptr) {
        return body->is_object()
                   ? core::Result<std::vector<json::value>>(std::vector<json::value>{})
                   : core::Result<std::vector<json::value>>(malformed("list is not an object"));
    }
    if (!data->is_array()) {
        return malformed("list data is not an array");
    }
    return std::vector<json::value>(data->get_array().begin(), data->get_array().end());
}

core::Result<Attachment> parse_attachment(const json::value& v) {
    Attachment a;
    auto id = text(v, "id");
    if (!id || id->empty()) {
        return malformed("attachment without id");
    }
    a.id = std::move(*id);
    a.name = text(v, "name").value_or("");
    a.size = std::max<std::int64_t>(0, integer(v, "size").value_or(0));
    a.href = text(v, "href").value_or("");
    a.content_type = text(v, "contentType");
    if (const auto* t = field(v, "createdTime")) {
        if (auto ms = parse_time_ms(*t)) {
            a.created = core::from_epoch_millis(*ms);
        }
    }
    if (const auto* p = field(v, "isPublic")) {
        a.is_public =
            p->is_bool() ? p->get_bool() : !(p->is_string() && p->get_string() == "false");
    }
    return a;
}

core::Result<Thread> parse_thread(const json::value& v) {
    Thread t;
    auto id = text(v, "id");
    if (!id || id->empty()) {
        return malformed("thread without id");
    }
    t.id = std::move(*id);
    if (const auto* ct = field(v, "createdTime")) {
        t.created_ms = parse_time_ms(*ct).value_or(0);
    }
    t.channel = text(v, "channel").value_or("");
    t.direction = text(v, "direction").value_or("");
    if (const auto* author = field(v, "author")) {
        t.author_name = text(*author, "name").value_or("");
        if (t.author_name.empty()) {
            const auto first = text(*author, "firstName").value_or("");
            const auto last = text(*author, "lastName").value_or("");
            t.author_name = first.empty() || last.empty() ? first + last : first + " " + last;
        }
        t.author_email = text(*author, "email").value_or("");
    }
    if (t.author_email.empty()) {
        t.author_email = text(v, "fromEmailAddress").value_or("");
    }
    t.summary = text(v, "summary").value_or("");
    t.content = text(v, "content").value_or("");
    t.visibility = text(v, "visibility").value_or("public");
    t.status = text(v, "status").value_or("SUCCESS");
    t.has_attach = boolean(v, "hasAttach");
    t.attachment_count = std::max<std::int64_t>(0, integer(v, "attachmentCount").value_or(0));
    t.content_truncated = boolean(v, "isContentTruncated");

    if (const auto* list = field(v, "attachments")) {
        if (!list->is_array()) {
            return malformed("thread attachments is not an array");
        }
        for (const auto& item : list->get_array()) {
            auto a = parse_attachment(item);
            if (!a) {
                return std::move(a).error();
            }
            a->thread_id = t.id;
            t.attachments.push_back(std::move(*a));
        }
    }
    return t;
}

core::Result<Ticket> parse_ticket(const json::value& v,
                                  std::string_view cf_order,
                                  std::string_view cf_invoice) {
    Ticket t;
    auto id = text(v, "id");
    if (!id || id->empty()) {
        return malformed("ticket without id");
    }
    t.id = std::move(*id);
    t.ticket_number = text(v, "ticketNumber").value_or("");
    t.subject = text(v, "subject");
    t.description = text(v, "description");
    t.status = text(v, "status");
    t.priority = text(v, "priority");
    t.category = text(v, "category");
    t.web_url = text(v, "webUrl");
    if (const auto* dept = field(v, "department")) {
        t.department_name = text(*dept, "name");
    }
    if (!t.department_name) {
        t.department_name = text(v, "departmentName");
    }

    const auto raw_time = [&](std::string_view name) -> std::optional<std::string> {
        const auto* f = field(v, name);
        if (f == nullptr) {
            return std::nullopt;
        }
        if (f->is_string()) {
            return std::string(f->get_string());
        }
        // Epoch milliseconds: shown in Zoho's usual ISO form.
        if (auto ms = parse_time_ms(*f)) {
            return core::format_utc_iso(core::from_epoch_millis(*ms)).insert(19, ".000");
        }
        return std::nullopt;
    };
    t.created_time = raw_time("createdTime");
    t.modified_time = raw_time("modifiedTime");
    if (const auto* m = field(v, "modifiedTime")) {
        if (auto ms = parse_time_ms(*m)) {
            t.modified_at = core::from_epoch_millis(*ms);
        }
    }
    if (const auto* cf = field(v, "cf")) {
        t.order_number = text(*cf, cf_order);
        t.invoice_number = text(*cf, cf_invoice);
    }
    return t;
}

}  // namespace deskbridge::zoho
