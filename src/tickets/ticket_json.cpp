#include "tickets/ticket_json.hpp"

#include "core/json_text.hpp"

namespace deskbridge::tickets {
namespace {

using core::json_text::append_optional;
using core::json_text::append_string;

void append_time(std::string& out,
                 const std::optional<core::Instant>& t,
                 const core::TimeZone& zone) {
    if (t) {
        append_string(out, zone.format(*t));
    } else {
        out += "null";
    }
}

}  // namespace

void append_ticket_json(std::string& out,
                        const store::TicketView& view,
                        const core::TimeZone& zone) {
    const store::Ticket& t = view.ticket;
    out += R"({"id":)";
    out += std::to_string(t.id);
    out += R"(,"ticket_number":)";
    append_optional(out, t.ticket_number);
    out += R"(,"zoho_id":)";
    append_optional(out, t.zoho_id);
    out += R"(,"webUrl":)";
    append_optional(out, t.web_url);
    out += R"(,"status":)";
    append_optional(out, t.status);
    out += R"(,"created_at":)";
    append_time(out, t.created_at, zone);
    out += R"(,"updated_at":)";
    append_time(out, t.updated_at, zone);
    out += R"(,"subject":)";
    append_optional(out, t.subject);
    out += R"(,"description":)";
    append_optional(out, t.description);
    out += R"(,"department":)";
    append_optional(out, t.department);
    out += R"(,"category":)";
    append_optional(out, t.category);
    out += R"(,"numero_pedido":)";
    append_optional(out, t.numero_pedido);
    out += R"(,"numero_nf":)";
    append_optional(out, t.numero_nf);

    out += R"(,"cliente":)";
    if (view.client) {
        out += R"({"id":)";
        out += std::to_string(view.client->id);
        out += R"(,"apelido":)";
        append_string(out, view.client->apelido);
        out += R"(,"cnpj":)";
        append_optional(out, view.client->cnpj);
        out += '}';
    } else {
        out += "null";
    }
    out += R"(,"usuario":)";
    if (view.requester) {
        out += R"({"nome":)";
        append_optional(out, view.requester->nome);
        out += R"(,"email":)";
        append_optional(out, view.requester->email);
        out += '}';
    } else {
        out += "null";
    }
    out += '}';
}

}  // namespace deskbridge::tickets
