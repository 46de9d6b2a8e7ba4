#include "api/webhook.hpp"

#include <gtest/gtest.h>

namespace deskbridge::api {
namespace {

std::vector<std::string> ids(std::string_view body) {
    return tickets_in_webhook(body).value();
}

TEST(Webhook, CollectsTicketIdsFromEveryTicketEventOnce) {
    const auto got = ids(R"([
        {"eventType": "Ticket_Thread_Add", "orgId": "1", "eventTime": "1778434200000",
         "payload": {"id": "555", "ticketId": "123456789012345678"}},
        {"eventType": "Ticket_Update", "payload": {"id": "123456789012345999"}},
        {"eventType": "Ticket_Attachment_Add", "payload": {"ticketId": 123456789012345678}},
        {"eventType": "Contact_Update", "payload": {"id": "777"}},
        {"eventType": "Ticket_Comment_Add", "payload": {"id": "888"}}])");
    EXPECT_EQ(got, (std::vector<std::string>{"123456789012345678", "123456789012345999"}));
}

TEST(Webhook, AcceptsASingleEventObject) {
    EXPECT_EQ(ids(R"({"eventType": "Ticket_Update", "payload": {"id": "9"}})"),
              std::vector<std::string>{"9"});
}

TEST(Webhook, IgnoresMalformedEventsAndRejectsNonJson) {
    EXPECT_TRUE(ids(R"([1, "x", {"eventType": 5}, {"eventType": "Ticket_Update",
                       "payload": {"id": "1 OR 1=1"}}])")
                    .empty());
    EXPECT_FALSE(tickets_in_webhook("not json").ok());
    EXPECT_FALSE(tickets_in_webhook("42").ok());
}

TEST(Webhook, ComparesTheSecretWholly) {
    EXPECT_TRUE(webhook_secret_matches("s3cret", "s3cret"));
    EXPECT_FALSE(webhook_secret_matches("s3cre", "s3cret"));
    EXPECT_FALSE(webhook_secret_matches("s3cretX", "s3cret"));
    EXPECT_FALSE(webhook_secret_matches("", ""));
}

}  // namespace
}  // namespace deskbridge::api
