#include "tickets/service.hpp"

#include <boost/json/serialize.hpp>

#include "core/etag.hpp"
#include "tickets/conversation_json.hpp"
#include "tickets/ticket_json.hpp"

namespace deskbridge::tickets {
namespace {

namespace json = boost::json;

// The body is assembled from parts serialized once: the conversation arrays come ready-made
// from the ConversationView shared by every request for the ticket.
DetailsBody response_body(const store::TicketView& view,
                          const core::TimeZone& zone,
                          std::string_view threads,
                          std::string_view attachments,
                          const json::object& sync,
                          const std::optional<json::object>& zoho) {
    DetailsBody out;
    out.ticket_id = view.ticket.id;
    if (const auto* calls = sync.if_contains("calls")) {
        out.zoho_calls = static_cast<int>(calls->to_number<std::int64_t>());
    }
    std::string& body = out.json;
    body.reserve(1024 + threads.size() + attachments.size());
    body += R"({"success":true,"ticket":)";
    append_ticket_json(body, view, zone);
    if (zoho) {
        body += R"(,"zoho":)";
        body += json::serialize(*zoho);
    }
    body += R"(,"threads":)";
    body += threads;
    body += R"(,"attachments":)";
    body += attachments;

    // The tag: everything so far, qualified by the sync state and error (see DetailsBody).
    std::string qualifier;
    for (const auto* key : {"zoho", "error"}) {
        if (const auto* v = sync.if_contains(key); v != nullptr && v->is_string()) {
            qualifier += v->get_string();
        }
        qualifier += '\n';
    }
    out.etag = core::strong_etag(body, qualifier);

    body += R"(,"sync":)";
    body += json::serialize(sync);
    body += '}';
    return out;
}

store::TicketUpdate update_from(const zoho::Ticket& t) {
    store::TicketUpdate u;
    u.status = t.status;
    u.subject = t.subject;
    u.description = t.description;
    u.department = t.department_name;
    u.category = t.category;
    u.numero_pedido = t.order_number;
    u.numero_nf = t.invoice_number;
    u.updated_at = t.modified_at;
    u.web_url = t.web_url;
    return u;
}

}  // namespace

void TicketService::details(const auth::Principal& who,
                            DetailsRequest request,
                            std::function<void(DetailsOutcome)> done) const {
    // A client user's search never leaves its client, so another client's ticket is simply
    // not found: its existence does not leak.
    request.query.client_scope = who.staff ? std::nullopt : who.client_id;
    if (!who.staff && !who.client_id) {
        return done(NotFound{});
    }

    auto found = store_.find_ticket(request.query);
    if (!found) {
        return done(std::move(found).error());
    }
    if (!*found) {
        return done(NotFound{});
    }
    store::TicketView view = std::move(**found);

    if (!view.ticket.zoho_id || view.ticket.zoho_id->empty()) {
        return done(response_body(view, zone_, "[]", "[]", {{"zoho", "not_linked"}}, std::nullopt));
    }
    if (conversations_ == nullptr) {
        return done(
            response_body(view, zone_, "[]", "[]", {{"zoho", "not_configured"}}, std::nullopt));
    }

    const bool refresh = request.refresh;
    const std::string zoho_id = *view.ticket.zoho_id;
    conversations_->get(
        zoho_id, refresh,
        [this, who, refresh, view = std::move(view), done](ConversationResult result) mutable {
            finish_with_zoho(who, refresh, std::move(view), std::move(result), done);
        });
}

void TicketService::finish_with_zoho(const auth::Principal& who,
                                     bool refresh,
                                     store::TicketView view,
                                     ConversationResult result,
                                     const std::function<void(DetailsOutcome)>& done) const {
    json::object sync{{"zoho", result.state}, {"calls", result.calls}};
    if (!result.source.empty()) {
        sync["source"] = result.source;
    }
    if (result.fetched_at) {
        sync["fetched_at"] = zone_.format(*result.fetched_at);
    }
    if (!result.error.empty()) {
        sync["error"] = result.error;
    }
    if (!result.view) {
        return done(response_body(view, zone_, "[]", "[]", sync, std::nullopt));
    }

    const zoho::Conversation& c = result.view->conversation;
    std::optional<json::object> zoho_json;
    if (refresh && c.ticket) {
        zoho_json = zoho_ticket_to_json(*c.ticket, cf_order_, cf_invoice_);
        if (auto st = store_.apply_ticket_update(view.ticket.id, update_from(*c.ticket)); !st) {
            return done(std::move(st).error());
        }
        // Re-read so that `ticket` shows exactly what is now stored.
        auto fresh = store_.find_ticket(store::TicketQuery{view.ticket.id, {}, {}, {}});
        if (!fresh) {
            return done(std::move(fresh).error());
        }
        if (*fresh) {
            view = std::move(**fresh);
        }
    }

    const int reader = who.staff ? 1 : 0;
    done(response_body(view, zone_, result.view->threads_json[reader],
                       result.view->attachments_json[reader], sync, zoho_json));
}

}  // namespace deskbridge::tickets
