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
    const auto text = [&out](std::string_view key, const std::optional<std::string>& value) {
        out += key;
        append_optional(out, value);
    };
    const auto time = [&](std::string_view key, const std::optional<core::Instant>& value) {
        out += key;
        append_time(out, value, zone);
    };

    const store::Ticket& t = view.ticket;
    out += R"({"id":)" + std::to_string(t.id);
    text(R"(,"ticket_number":)", t.ticket_number);
    text(R"(,"zoho_id":)", t.zoho_id);
    text(R"(,"webUrl":)", t.web_url);
    text(R"(,"status":)", t.status);
    time(R"(,"created_at":)", t.created_at);
    time(R"(,"updated_at":)", t.updated_at);
    text(R"(,"subject":)", t.subject);
    text(R"(,"description":)", t.description);
    text(R"(,"department":)", t.department);
    text(R"(,"category":)", t.category);
    text(R"(,"numero_pedido":)", t.numero_pedido);
    text(R"(,"numero_nf":)", t.numero_nf);

    out += R"(,"cliente":)";
    if (view.client) {
        out += R"({"id":)" + std::to_string(view.client->id) + R"(,"apelido":)";
        append_string(out, view.client->apelido);
        text(R"(,"cnpj":)", view.client->cnpj);
        out += '}';
    } else {
        out += "null";
    }
    out += R"(,"usuario":)";
    if (view.requester) {
        text(R"({"nome":)", view.requester->nome);
        text(R"(,"email":)", view.requester->email);
        out += '}';
    } else {
        out += "null";
    }
    out += '}';
}

}  // namespace deskbridge::tickets
