#include "tickets/service.hpp"

#include <boost/json/serialize.hpp>

#include "tickets/conversation_json.hpp"
#include "tickets/ticket_json.hpp"

namespace deskbridge::tickets {
namespace {

namespace json = boost::json;

// The body is assembled from parts serialized once: the conversation arrays come ready-made
// from the ConversationView shared by every request for the ticket.
std::string response_body(const store::TicketView& view,
                          const core::TimeZone& zone,
                          std::string_view threads,
                          std::string_view attachments,
                          const json::object& sync,
                          const std::optional<json::object>& zoho) {
    std::string body;
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
    body += R"(,"sync":)";
    body += json::serialize(sync);
    body += '}';
    return body;
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

    const std::string zoho_id = *view.ticket.zoho_id;
    conversations_->get(
        zoho_id, request.refresh,
        [this, who, request, view = std::move(view), done](ConversationResult result) mutable {
            finish_with_zoho(who, request, std::move(view), std::move(result), done);
        });
}

void TicketService::finish_with_zoho(const auth::Principal& who,
                                     const DetailsRequest& request,
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
    if (request.refresh && c.ticket) {
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
    const auto& files = result.view->attachments[reader];
    const std::string attachments =
        links_ == nullptr
            ? AttachmentLinks::render_plain(files)
            : links_->render(
                  files, *view.ticket.zoho_id, who.staff ? std::nullopt : who.client_id,
                  std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    const std::string& threads =
        request.text ? result.view->threads_with_text(reader) : result.view->threads_json[reader];
    done(response_body(view, zone_, threads, attachments, sync, zoho_json));
}

}  // namespace deskbridge::tickets
