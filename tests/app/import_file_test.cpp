#include "app/import_file.hpp"

#include <gtest/gtest.h>

#include "auth/password.hpp"

namespace deskbridge::app {
namespace {

const core::TimeZone& zone() {
    static const auto z = core::TimeZone::locate("America/Sao_Paulo").value();
    return z;
}

std::string error_of(std::string_view json) {
    const auto r = parse_import(json, zone());
    return r.ok() ? std::string("ok") : r.error().message;
}

TEST(ImportFile, ReadsEverySectionAndHashesPasswords) {
    const auto d = parse_import(R"({
        "clients": [{"id": 100, "apelido": "ACME", "cnpj": "1", "blocked": true}],
        "requesters": [{"id": 7, "nome": "Zé", "email": null, "client_id": 100}],
        "tickets": [{"id": 99, "ticket_number": 12345, "zoho_id": "123456789012345678",
                     "created_at": "2026-05-10T17:30:00Z", "updated_at": "2026-05-12 09:15:00",
                     "numero_nf": 67890, "client_id": 100, "requester_id": 7}],
        "api_users": [{"login": "acme", "password": "pw", "client_id": 100},
                      {"login": "ops",
                       "password_hash": "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
                       "staff": true}]})",
                                zone())
                       .value();
    ASSERT_EQ(d.clients.size(), 1u);
    EXPECT_TRUE(d.clients[0].blocked);
    EXPECT_FALSE(d.requesters[0].email.has_value());
    EXPECT_EQ(d.tickets[0].ticket_number, "12345");
    EXPECT_EQ(d.tickets[0].numero_nf, "67890");
    EXPECT_EQ(zone().format(*d.tickets[0].created_at), "2026-05-10 14:30:00");
    EXPECT_EQ(zone().format(*d.tickets[0].updated_at), "2026-05-12 09:15:00");
    EXPECT_TRUE(auth::verify_password("pw", d.api_users[0].password_hash));
    EXPECT_TRUE(d.api_users[1].staff);
}

TEST(ImportFile, NamesTheRecordAndTheField) {
    EXPECT_EQ(error_of(R"({"tickets": [{"id": 1}, {"id": 2, "created_at": "yesterday"}]})"),
              "tickets[1].created_at: invalid timestamp 'yesterday'");
    EXPECT_EQ(error_of(R"({"clients": [{"id": "x", "apelido": "A"}]})"),
              "clients[0].id: must be an integer");
    EXPECT_EQ(error_of(R"({"clients": [{"id": 1}]})"), "clients[0].apelido: is required");
    EXPECT_EQ(error_of(R"({"requesters": [{"id": 1, "emial": "typo"}]})"),
              "requesters[0].emial: unknown field");
    EXPECT_EQ(error_of(R"({"api_users": [{"login": "a", "password": "p"}]})"),
              "api_users[0].staff: a user is either staff (\"staff\": true) or has a client_id");
    EXPECT_EQ(error_of(R"({"api_users": [{"login": "a", "client_id": 1}]})"),
              "api_users[0].password: give exactly one of password and password_hash");
    EXPECT_EQ(
        error_of(R"({"api_users": [{"login": "a", "client_id": 1, "password_hash": "md5"}]})"),
        "api_users[0].password_hash: must be an Argon2id hash ($argon2id$...)");
    EXPECT_EQ(error_of(R"({"ticket": []})"), "ticket: unknown section");
    EXPECT_EQ(error_of(R"({"tickets": {}})"), "tickets: must be an array");
    EXPECT_EQ(error_of("[1]"), "the import file must be a JSON object");
}

}  // namespace
}  // namespace deskbridge::app
