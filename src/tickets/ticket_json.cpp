#include "tickets/ticket_json.hpp"

namespace deskbridge::tickets {
namespace {

namespace json = boost::json;

json::value or_null(const std::optional<std::string>& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

json::value time_or_null(const std::optional<core::Instant>& t, const core::TimeZone& zone) {
    return t ? json::value(zone.format(*t)) : json::value(nullptr);
}

}  // namespace

json::object ticket_to_json(const store::TicketView& view, const core::TimeZone& zone) {
    const store::Ticket& t = view.ticket;
    json::object o;
    o.reserve(17);
    o["id"] = t.id;
    o["ticket_number"] = or_null(t.ticket_number);
    o["zoho_id"] = or_null(t.zoho_id);
    o["webUrl"] = or_null(t.web_url);
    o["status"] = or_null(t.status);
    o["created_at"] = time_or_null(t.created_at, zone);
    o["updated_at"] = time_or_null(t.updated_at, zone);
    o["subject"] = or_null(t.subject);
    o["description"] = or_null(t.description);
    o["department"] = or_null(t.department);
    o["category"] = or_null(t.category);
    o["numero_pedido"] = or_null(t.numero_pedido);
    o["numero_nf"] = or_null(t.numero_nf);

    if (view.client) {
        o["cliente"] = json::object{{"id", view.client->id},
                                    {"apelido", view.client->apelido},
                                    {"cnpj", or_null(view.client->cnpj)}};
    } else {
        o["cliente"] = nullptr;
    }
    if (view.requester) {
        o["usuario"] = json::object{{"nome", or_null(view.requester->nome)},
                                    {"email", or_null(view.requester->email)}};
    } else {
        o["usuario"] = nullptr;
    }
    return o;
}

}  // namespace deskbridge::tickets
