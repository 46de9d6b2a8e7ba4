#include "zoho/mapping.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace deskbridge::zoho {
namespace {

namespace json = boost::json;

TEST(ZohoTime, ReadsIsoAndEpochMillis) {
    EXPECT_EQ(parse_time_ms(json::value("2026-05-10T17:30:00.000Z")), 1778434200000);
    EXPECT_EQ(parse_time_ms(json::value("2026-05-10T17:30:00.123Z")), 1778434200123);
    EXPECT_EQ(parse_time_ms(json::value("2026-05-10T17:30:00Z")), 1778434200000);
    EXPECT_EQ(parse_time_ms(json::value(1383564067000)), 1383564067000);
    EXPECT_FALSE(parse_time_ms(json::value("10/05/2026")).has_value());
    EXPECT_FALSE(parse_time_ms(json::value("2026-05-10T17:30:00+03:00")).has_value());
}

TEST(ZohoThread, ReadsStringlyTypedFieldsLeniently) {
    const auto t = parse_thread(json::parse(R"({
        "id": "1892000000042034", "channel": "EMAIL", "direction": "in",
        "author": {"name": "Ana Souza", "email": "ana@x.com", "type": "END_USER"},
        "summary": "Oi", "content": "<p>Olá</p>", "hasAttach": "true", "attachmentCount": "2",
        "visibility": "public", "status": "SUCCESS", "createdTime": "2026-05-10T17:30:00.000Z",
        "isContentTruncated": false,
        "attachments": [{"id": 18921000000379001, "name": "nf.pdf", "size": "1079",
                         "href": "https://desk.zoho.com/api/v1/x"}]})"))
                       .value();
    EXPECT_EQ(t.id, "1892000000042034");
    EXPECT_EQ(t.author_name, "Ana Souza");
    EXPECT_TRUE(t.has_attach);
    EXPECT_EQ(t.attachment_count, 2);
    EXPECT_EQ(t.created_ms, 1778434200000);
    ASSERT_EQ(t.attachments.size(), 1u);
    EXPECT_EQ(t.attachments[0].id, "18921000000379001") << "ids beyond 2^53 stay exact";
    EXPECT_EQ(t.attachments[0].size, 1079);
    EXPECT_EQ(t.attachments[0].thread_id, t.id);
}

// Found by fuzz/fuzz_zoho_mapping: converting 1e300 to int64 is undefined behaviour (the
// sanitizer stage of scripts/test.sh runs this test under UBSan).
TEST(ZohoAttachment, NumbersBeyondInt64AreIgnored) {
    const auto a = [](const char* size) {
        return parse_attachment(json::parse(std::string(R"({"id": "1", "size": )") + size + "}"))
            .value()
            .size;
    };
    EXPECT_EQ(a("1e300"), 0);
    EXPECT_EQ(a("-1e300"), 0);
    EXPECT_EQ(a("9.3e18"), 0);
    EXPECT_EQ(a("1536.0"), 1536);
}

TEST(ZohoThread, FallsBackToFirstAndLastNameAndSenderAddress) {
    const auto t = parse_thread(json::parse(R"({"id": "1", "author": {"firstName": "Rui",
        "lastName": "Lima"}, "fromEmailAddress": "rui@x.com", "status": "DRAFT",
        "visibility": "private"})"))
                       .value();
    EXPECT_EQ(t.author_name, "Rui Lima");
    EXPECT_EQ(t.author_email, "rui@x.com");
    EXPECT_FALSE(t.is_message());
    EXPECT_TRUE(t.is_private());
}

TEST(ZohoThread, RejectsRowsWithoutAnId) {
    EXPECT_FALSE(parse_thread(json::parse(R"({"summary": "no id"})")).ok());
    EXPECT_FALSE(parse_thread(json::parse(R"([1,2])")).ok());
    EXPECT_FALSE(parse_thread(json::parse(R"({"id": "1", "attachments": {}})")).ok());
}

TEST(ZohoList, AcceptsDataArraysAndNoContent) {
    EXPECT_EQ(list_items(nullptr).value().size(), 0u);
    const auto body = json::parse(R"({"data": [{"id": "1"}, {"id": "2"}]})");
    EXPECT_EQ(list_items(&body).value().size(), 2u);
    const auto bad = json::parse(R"({"data": {"id": "1"}})");
    EXPECT_FALSE(list_items(&bad).ok());
}

TEST(ZohoTicket, ReadsDepartmentAndConfiguredCustomFields) {
    const auto t = parse_ticket(json::parse(R"({"id": "123456789012345678", "ticketNumber": "12345",
        "status": "Open", "department": {"id": "9", "name": "TECNOLOGIA"},
        "createdTime": "2026-05-10T17:30:00.000Z", "modifiedTime": 1778588100000,
        "cf": {"cf_pedido": "555", "cf_nf": 777}})"),
                                "cf_pedido", "cf_nf")
                       .value();
    EXPECT_EQ(t.department_name, "TECNOLOGIA");
    EXPECT_EQ(t.order_number, "555");
    EXPECT_EQ(t.invoice_number, "777");
    EXPECT_EQ(t.created_time, "2026-05-10T17:30:00.000Z");
    EXPECT_EQ(t.modified_time, "2026-05-12T12:15:00.000Z") << "epoch millis shown as ISO";
    EXPECT_EQ(core::format_utc_iso(*t.modified_at), "2026-05-12T12:15:00Z");
}

}  // namespace
}  // namespace deskbridge::zoho
