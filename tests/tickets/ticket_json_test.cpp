#include "tickets/ticket_json.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace deskbridge::tickets {
namespace {

namespace json = boost::json;

json::object ticket_json(const store::TicketView& v, const core::TimeZone& z) {
    std::string text;
    append_ticket_json(text, v, z);
    return json::parse(text).as_object();  // also proves the text is valid JSON
}

const core::TimeZone& zone() {
    static const auto z = core::TimeZone::locate("America/Sao_Paulo").value();
    return z;
}

TEST(TicketJson, HasEveryContractFieldEvenWhenUnknown) {
    store::TicketView v;
    v.ticket.id = 7;
    const json::object o = ticket_json(v, zone());
    for (const char* key : {"id", "ticket_number", "zoho_id", "webUrl", "status", "created_at",
                            "updated_at", "subject", "description", "department", "category",
                            "numero_pedido", "numero_nf", "cliente", "usuario"}) {
        ASSERT_TRUE(o.contains(key)) << key;
    }
    EXPECT_EQ(o.size(), 15u);
    EXPECT_EQ(o.at("id").as_int64(), 7);
    EXPECT_TRUE(o.at("ticket_number").is_null());
    EXPECT_TRUE(o.at("created_at").is_null());
    EXPECT_TRUE(o.at("cliente").is_null());
}

TEST(TicketJson, EscapesWhatJsonRequires) {
    store::TicketView v;
    v.ticket.subject = "aspas \" barra \\ nova\nlinha \x01 ção";
    EXPECT_EQ(ticket_json(v, zone()).at("subject").as_string(), *v.ticket.subject);
}

TEST(TicketJson, UsesContractTypesAndTheDisplayZone) {
    store::TicketView v;
    v.ticket.id = 99;
    v.ticket.ticket_number = "12345";
    v.ticket.created_at = zone().parse("2026-05-10T17:30:00Z").value();
    v.client = store::Client{100, "AÇÃO LTDA", "12345678000100", false};
    v.requester = store::Requester{7, "João", std::nullopt, 100};

    const json::object o = ticket_json(v, zone());
    EXPECT_EQ(o.at("created_at").as_string(), "2026-05-10 14:30:00");
    EXPECT_EQ(o.at("cliente").at("id").as_int64(), 100);
    EXPECT_EQ(o.at("cliente").at("apelido").as_string(), "AÇÃO LTDA");
    EXPECT_EQ(o.at("usuario").at("nome").as_string(), "João");
    EXPECT_TRUE(o.at("usuario").at("email").is_null());
    EXPECT_EQ(json::serialize(o.at("cliente")),
              R"({"id":100,"apelido":"AÇÃO LTDA","cnpj":"12345678000100"})");
}

}  // namespace
}  // namespace deskbridge::tickets
