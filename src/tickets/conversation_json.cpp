#include "tickets/conversation_json.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/mime_types.hpp"
#include "tickets/html_text.hpp"

namespace deskbridge::tickets {
namespace {

namespace json = boost::json;

json::value or_null(const std::optional<std::string>& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

bool visible(const zoho::Thread& t, bool include_private) {
    return t.is_message() && (include_private || !t.is_private());
}

json::object attachment_json(const zoho::Attachment& a,
                             const std::optional<core::Instant>& created,
                             const core::TimeZone& zone) {
    return json::object{
        {"id", a.id},
        {"name", a.name},
        {"contentType", a.content_type ? *a.content_type : core::content_type_for(a.name)},
        {"size", a.size},
        {"sizeFormatted", format_size(a.size)},
        {"href", a.href},
        {"createdTime", created ? json::value(zone.format(*created)) : json::value(nullptr)},
        {"threadId", a.thread_id.empty() ? json::value(nullptr) : json::value(a.thread_id)}};
}

core::Instant thread_time(const zoho::Thread& t) {
    return core::from_epoch_millis(t.created_ms);
}

}  // namespace

std::string format_size(std::int64_t bytes) {
    static constexpr const char* kUnits[] = {"B", "KB", "MB", "GB", "TB"};
    if (bytes < 1024) {
        return std::to_string(std::max<std::int64_t>(bytes, 0)) + " B";
    }
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (unit < 4 && std::round(value * 10) / 10 >= 1024) {
        value /= 1024;
        ++unit;
    }
    const double rounded = std::round(value * 10) / 10;
    char buf[32];
    if (rounded == std::floor(rounded)) {
        std::snprintf(buf, sizeof buf, "%.0f %s", rounded, kUnits[unit]);
    } else {
        std::snprintf(buf, sizeof buf, "%.1f %s", rounded, kUnits[unit]);
    }
    return buf;
}

json::array threads_to_json(const zoho::Conversation& c,
                            const core::TimeZone& zone,
                            bool include_private,
                            bool with_text) {
    json::array out;
    out.reserve(c.threads.size());
    for (const auto& t : c.threads) {
        if (!visible(t, include_private)) {
            continue;
        }
        json::object thread{{"id", t.id},
                            {"data", zone.format(thread_time(t))},
                            {"canal", t.channel},
                            {"direcao", t.direction},
                            {"autor", t.author_name},
                            {"autor_email", t.author_email},
                            {"summary", t.summary},
                            {"conteudo", t.content},
                            {"hasAttach", t.has_attach},
                            {"attachmentCount", t.attachment_count},
                            {"visibility", t.visibility}};
        if (with_text) {
            thread["conteudo_texto"] = html_to_text(t.content);
        }
        out.push_back(std::move(thread));
    }
    return out;
}

json::array attachments_to_json(const zoho::Conversation& c,
                                const core::TimeZone& zone,
                                bool include_private) {
    struct Entry {
        core::Instant created;
        json::object json;
    };
    std::vector<Entry> entries;
    std::set<std::string> seen;
    for (const auto& t : c.threads) {
        const bool show = visible(t, include_private);
        for (const auto& a : t.attachments) {
            // A hidden thread's file stays hidden even when the ticket-level list repeats it.
            if (seen.insert(a.id).second && show) {
                entries.push_back({thread_time(t), attachment_json(a, thread_time(t), zone)});
            }
        }
    }
    for (const auto& a : c.attachments) {
        if (seen.insert(a.id).second && (include_private || a.is_public)) {
            const core::Instant when = a.created.value_or(core::Instant{});
            entries.push_back({when, attachment_json(a, a.created, zone)});
        }
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& x, const Entry& y) { return x.created < y.created; });

    json::array out;
    out.reserve(entries.size());
    for (auto& e : entries) {
        out.push_back(std::move(e.json));
    }
    return out;
}

const zoho::Attachment* find_visible_attachment(const zoho::Conversation& c,
                                                std::string_view id,
                                                bool include_private) {
    // The same precedence as attachments_to_json: a thread's copy decides, even when hidden.
    for (const auto& t : c.threads) {
        for (const auto& a : t.attachments) {
            if (a.id == id) {
                return visible(t, include_private) ? &a : nullptr;
            }
        }
    }
    for (const auto& a : c.attachments) {
        if (a.id == id) {
            return include_private || a.is_public ? &a : nullptr;
        }
    }
    return nullptr;
}

json::object zoho_ticket_to_json(const zoho::Ticket& t,
                                 std::string_view cf_order,
                                 std::string_view cf_invoice) {
    return json::object{{"id", t.id},
                        {"ticketNumber", t.ticket_number},
                        {"subject", or_null(t.subject)},
                        {"description", or_null(t.description)},
                        {"status", or_null(t.status)},
                        {"priority", or_null(t.priority)},
                        {"category", or_null(t.category)},
                        {"departmentName", or_null(t.department_name)},
                        {"createdTime", or_null(t.created_time)},
                        {"modifiedTime", or_null(t.modified_time)},
                        {"webUrl", or_null(t.web_url)},
                        {"cf", json::object{{cf_order, or_null(t.order_number)},
                                            {cf_invoice, or_null(t.invoice_number)}}}};
}

}  // namespace deskbridge::tickets
