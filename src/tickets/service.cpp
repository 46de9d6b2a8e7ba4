#include "tickets/service.hpp"

#include <boost/json/serialize.hpp>

#include "core/etag.hpp"
#include "tickets/conversation_json.hpp"
#include "tickets/ticket_json.hpp"

namespace deskbridge::tickets {
namespace {

namespace json = boost::json;

// The `sync` object of an answer, serialized, with the parts of it the ETag covers.
struct SyncPart {
    std::string_view json;
    std::string_view state;  // sync.zoho
    std::string_view error;  // sync.error, empty when none
    int calls = 0;
};

// The body is assembled from parts serialized once: the ticket object comes ready-made with
// the KnownTicket, the conversation arrays from the ConversationView shared by every request
// for the ticket.
DetailsBody response_body(const KnownTicket& ticket,
                          std::string_view threads,
                          std::string_view attachments,
                          const SyncPart& sync,
                          const std::optional<json::object>& zoho) {
    DetailsBody out;
    out.ticket_id = ticket.view.ticket.id;
    out.zoho_calls = sync.calls;
    std::string& body = out.json;
    body.reserve(64 + ticket.json.size() + threads.size() + attachments.size() + sync.json.size());
    body += R"({"success":true,"ticket":)";
    body += ticket.json;
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
    qualifier.append(sync.state).append(1, '\n').append(sync.error).append(1, '\n');
    out.etag = core::strong_etag(body, qualifier);

    body += R"(,"sync":)";
    body += sync.json;
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

// The memo key: every identifier and the scope, each tagged, so distinct queries never meet.
std::string memo_key(const store::TicketQuery& q) {
    std::string key;
    if (q.id) {
        key += "i" + std::to_string(*q.id);
    }
    for (const auto& [tag, text] : {std::pair{'n', &q.ticket_number}, std::pair{'z', &q.zoho_id}}) {
        if (*text) {
            key += tag;
            key += std::to_string(text->value().size());  // length first: no separator clash
            key += ':';
            key += **text;
        }
    }
    if (q.client_scope) {
        key += "s" + std::to_string(*q.client_scope);
    }
    return key;
}

}  // namespace

std::shared_ptr<const KnownTicket> TicketService::know(store::TicketView view) const {
    auto known = std::make_shared<KnownTicket>();
    append_ticket_json(known->json, view, zone_);
    known->view = std::move(view);
    return known;
}

bool TicketService::scope(const auth::Principal& who, DetailsRequest& request) {
    // A client user's search never leaves its client, so another client's ticket is simply
    // not found: its existence does not leak.
    request.query.client_scope = who.staff ? std::nullopt : who.client_id;
    return who.staff || who.client_id;
}

void TicketService::details(const auth::Principal& who,
                            DetailsRequest request,
                            std::function<void(DetailsOutcome)> done) const {
    if (!scope(who, request)) {
        return done(NotFound{});
    }

    // Taken before the read, so that a change racing with it shows as a new generation.
    const auto generation = store_.change_generation();
    auto found = store_.find_ticket(request.query);
    if (!found) {
        return done(std::move(found).error());
    }
    if (!*found) {
        return done(NotFound{});
    }
    auto known = know(std::move(**found));
    if (generation) {
        memo_.remember(*generation, memo_key(request.query), known);
    }
    answer(who, request, std::move(known), std::move(done));
}

std::optional<DetailsOutcome> TicketService::details_from_memory(const auth::Principal& who,
                                                                 DetailsRequest request) const {
    if (request.refresh) {
        return std::nullopt;  // always asks Zoho and writes back
    }
    if (!scope(who, request)) {
        return NotFound{};
    }
    const auto generation = store_.change_generation();
    if (!generation) {
        return std::nullopt;
    }
    const std::string ticket_key = memo_key(request.query);
    auto known = memo_.find(*generation, ticket_key);
    if (!known) {
        return std::nullopt;
    }

    const auto& zoho_id = (*known)->view.ticket.zoho_id;
    std::optional<ConversationResult> conversation;
    if (zoho_id && !zoho_id->empty() && conversations_ != nullptr) {
        conversation = conversations_->from_memory_if_fresh(*zoho_id);
        if (!conversation) {
            return std::nullopt;
        }
    }

    // The finished answer is remembered too: within a link step it is byte-identical for every
    // reader of the same kind (and customer), so it is built and tagged once.
    std::string key = ticket_key;
    key += who.staff ? "|staff" : "|client";
    key += request.text ? "|text" : "";
    if (conversation) {
        key += "|v" + std::to_string(reinterpret_cast<std::uintptr_t>(conversation->view.get()));
        if (conversation->fetched_at) {
            key += "@" + std::to_string(conversation->fetched_at->time_since_epoch().count());
        }
        if (links_ != nullptr) {
            const auto now =
                std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
            key += "|e" + std::to_string(links_->expiry(now).time_since_epoch().count());
        }
    }
    if (auto done = answers_.find(*generation, key)) {
        return DetailsOutcome{**done};
    }

    std::optional<DetailsOutcome> outcome;
    const auto keep = [&outcome](DetailsOutcome o) { outcome = std::move(o); };
    if (conversation) {
        finish_with_zoho(who, request, std::move(*known), std::move(*conversation), keep);
    } else {
        answer(who, request, std::move(*known), keep);
    }
    if (outcome) {
        if (const auto* body = std::get_if<DetailsBody>(&*outcome)) {
            answers_.remember(*generation, key, std::make_shared<const DetailsBody>(*body));
        }
    }
    return outcome;
}

void TicketService::answer(const auth::Principal& who,
                           const DetailsRequest& request,
                           std::shared_ptr<const KnownTicket> known,
                           std::function<void(DetailsOutcome)> done) const {
    const auto& zoho_id = known->view.ticket.zoho_id;
    if (!zoho_id || zoho_id->empty()) {
        return done(response_body(
            *known, "[]", "[]", SyncPart{R"({"zoho":"not_linked"})", "not_linked"}, std::nullopt));
    }
    if (conversations_ == nullptr) {
        return done(response_body(*known, "[]", "[]",
                                  SyncPart{R"({"zoho":"not_configured"})", "not_configured"},
                                  std::nullopt));
    }

    const std::string id = *zoho_id;
    conversations_->get(
        id, request.refresh,
        [this, who, request, known = std::move(known), done](ConversationResult result) mutable {
            finish_with_zoho(who, request, std::move(known), std::move(result), done);
        });
}

void TicketService::finish_with_zoho(const auth::Principal& who,
                                     const DetailsRequest& request,
                                     std::shared_ptr<const KnownTicket> known,
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
    const std::string sync_json = json::serialize(sync);
    const SyncPart sync_part{sync_json, result.state, result.error, result.calls};
    if (!result.view) {
        return done(response_body(*known, "[]", "[]", sync_part, std::nullopt));
    }

    const zoho::Conversation& c = result.view->conversation;
    std::optional<json::object> zoho_json;
    if (request.refresh && c.ticket) {
        zoho_json = zoho_ticket_to_json(*c.ticket, cf_order_, cf_invoice_);
        const std::int64_t id = known->view.ticket.id;
        if (auto st = store_.apply_ticket_update(id, update_from(*c.ticket)); !st) {
            return done(std::move(st).error());
        }
        // Re-read so that `ticket` shows exactly what is now stored.
        auto fresh = store_.find_ticket(store::TicketQuery{id, {}, {}, {}});
        if (!fresh) {
            return done(std::move(fresh).error());
        }
        if (*fresh) {
            known = know(std::move(**fresh));
        }
    }

    const int reader = who.staff ? 1 : 0;
    const auto& files = result.view->attachments[reader];
    const std::string attachments =
        links_ == nullptr
            ? AttachmentLinks::render_plain(files)
            : links_->render(
                  files, *known->view.ticket.zoho_id, who.staff ? std::nullopt : who.client_id,
                  std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    const std::string& threads =
        request.text ? result.view->threads_with_text(reader) : result.view->threads_json[reader];
    done(response_body(*known, threads, attachments, sync_part, zoho_json));
}

}  // namespace deskbridge::tickets
