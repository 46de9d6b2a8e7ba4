#include "tickets/service.hpp"

#include <boost/json/serialize.hpp>

#include "tickets/ticket_json.hpp"

namespace deskbridge::tickets {

namespace json = boost::json;

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

    const store::TicketView& view = **found;
    json::object body;
    body.reserve(5);
    body["success"] = true;
    body["ticket"] = ticket_to_json(view, zone_);
    body["threads"] = json::array();
    body["attachments"] = json::array();
    body["sync"] = json::object{{"zoho", view.ticket.zoho_id ? "not_configured" : "not_linked"}};
    done(json::serialize(body));
}

}  // namespace deskbridge::tickets
