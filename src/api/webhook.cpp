#include "api/webhook.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>

namespace deskbridge::api {
namespace {

namespace json = boost::json;

std::string id_text(const json::value* v) {
    if (v == nullptr) {
        return {};
    }
    if (v->is_string()) {
        return std::string(v->get_string());
    }
    if (v->is_int64()) {
        return std::to_string(v->get_int64());
    }
    if (v->is_uint64()) {
        return std::to_string(v->get_uint64());
    }
    return {};
}

// Thread and attachment events name their ticket in ticketId; ticket events are the ticket.
std::string ticket_of(const json::object& event) {
    const auto* type = event.if_contains("eventType");
    const auto* payload = event.if_contains("payload");
    if (type == nullptr || !type->is_string() || payload == nullptr || !payload->is_object()) {
        return {};
    }
    const std::string_view t = type->get_string();
    if (!t.starts_with("Ticket_")) {
        return {};
    }
    const auto& p = payload->get_object();
    std::string id = id_text(p.if_contains("ticketId"));
    if (id.empty() && (t == "Ticket_Add" || t == "Ticket_Update" || t == "Ticket_Delete")) {
        id = id_text(p.if_contains("id"));
    }
    const bool digits =
        !id.empty() && id.size() <= 32 &&
        std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
    return digits ? id : std::string();
}

}  // namespace

core::Result<std::vector<std::string>> tickets_in_webhook(std::string_view body) {
    json::parse_options options;
    options.max_depth = 64;  // payloads carry whole tickets; nesting is Zoho's, not a caller's
    boost::system::error_code ec;
    json::value v = json::parse(body, ec, {}, options);
    if (ec) {
        return core::Error::invalid("webhook body is not valid JSON");
    }

    std::vector<const json::object*> events;
    if (v.is_array()) {
        for (const auto& e : v.get_array()) {
            if (e.is_object()) {
                events.push_back(&e.get_object());
            }
        }
    } else if (v.is_object()) {
        events.push_back(&v.get_object());
    } else {
        return core::Error::invalid("webhook body must be an array of events");
    }

    std::vector<std::string> ids;
    for (const auto* e : events) {
        std::string id = ticket_of(*e);
        if (!id.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) {
            ids.push_back(std::move(id));
        }
    }
    return ids;
}

bool webhook_secret_matches(std::string_view given, std::string_view expected) {
    unsigned char a[crypto_generichash_BYTES];
    unsigned char b[crypto_generichash_BYTES];
    crypto_generichash(a, sizeof a, reinterpret_cast<const unsigned char*>(given.data()),
                       given.size(), nullptr, 0);
    crypto_generichash(b, sizeof b, reinterpret_cast<const unsigned char*>(expected.data()),
                       expected.size(), nullptr, 0);
    return !expected.empty() && sodium_memcmp(a, b, sizeof a) == 0;
}

}  // namespace deskbridge::api
