#include "auth/link_signer.hpp"

#include <gtest/gtest.h>

namespace deskbridge::auth {
namespace {

using std::chrono::seconds;

const core::Instant kNow{seconds{1'800'000'000}};

LinkSigner signer(std::string secret = std::string(32, 'k')) {
    return LinkSigner::create(secret).value();
}

LinkClaims claims() {
    return LinkClaims{"188000000000000007", "388000000000000701", 100, kNow + seconds{900}};
}

TEST(LinkSigner, RefusesShortSecrets) {
    EXPECT_FALSE(LinkSigner::create(std::string(31, 'k')));
}

TEST(LinkSigner, SignedLinkChecksUntilItsExpiry) {
    const auto s = signer();
    const std::string sig = s.sign(claims());
    EXPECT_EQ(sig.size(), 43u);
    EXPECT_EQ(sig.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789-_"),
              std::string::npos);
    EXPECT_EQ(s.check(claims(), sig, kNow), LinkCheck::kOk);
    EXPECT_EQ(s.check(claims(), sig, kNow + seconds{899}), LinkCheck::kOk);
    EXPECT_EQ(s.check(claims(), sig, kNow + seconds{900}), LinkCheck::kExpired);
}

TEST(LinkSigner, EveryValueIsCovered) {
    const auto s = signer();
    const std::string sig = s.sign(claims());
    auto c = claims();
    c.ticket_zoho_id += "1";
    EXPECT_EQ(s.check(c, sig, kNow), LinkCheck::kForged);
    c = claims();
    c.attachment_id = "388000000000000702";
    EXPECT_EQ(s.check(c, sig, kNow), LinkCheck::kForged);
    c = claims();
    c.client_id = 101;
    EXPECT_EQ(s.check(c, sig, kNow), LinkCheck::kForged);
    c = claims();
    c.client_id.reset();  // a client's link is not a staff link
    EXPECT_EQ(s.check(c, sig, kNow), LinkCheck::kForged);
    c = claims();
    c.expires_at += seconds{1};
    EXPECT_EQ(s.check(c, sig, kNow), LinkCheck::kForged);
    EXPECT_EQ(s.check(claims(), sig.substr(1), kNow), LinkCheck::kForged);
    EXPECT_EQ(s.check(claims(), "", kNow), LinkCheck::kForged);
}

TEST(LinkSigner, FieldBoundariesCannotBeShifted) {
    const auto s = signer();
    const LinkClaims a{"12", "345", std::nullopt, kNow + seconds{60}};
    const LinkClaims b{"123", "45", std::nullopt, kNow + seconds{60}};
    EXPECT_NE(s.sign(a), s.sign(b));
}

TEST(LinkSigner, AnotherSecretSignsDifferently) {
    const std::string sig = signer().sign(claims());
    EXPECT_EQ(signer(std::string(32, 'x')).check(claims(), sig, kNow), LinkCheck::kForged);
}

TEST(LinkSigner, CustomerText) {
    EXPECT_EQ(LinkSigner::customer_text(100), "c100");
    EXPECT_EQ(LinkSigner::customer_text(std::nullopt), "staff");
    EXPECT_EQ(LinkSigner::parse_customer("c100"), std::optional<std::optional<std::int64_t>>(100));
    EXPECT_EQ(LinkSigner::parse_customer("staff"),
              std::optional<std::optional<std::int64_t>>(std::in_place, std::nullopt));
    for (const char* bad : {"", "c", "100", "c-1", "c1x", "Staff", "c99999999999999999999"}) {
        EXPECT_FALSE(LinkSigner::parse_customer(bad)) << bad;
    }
}

}  // namespace
}  // namespace deskbridge::auth
