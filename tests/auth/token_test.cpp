#include "auth/token.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

namespace deskbridge::auth {
namespace {

using std::chrono::seconds;

const core::Instant kNow{seconds{1'800'000'000}};

TokenSigner signer(std::string secret = std::string(32, 'k')) {
    return TokenSigner::create(std::move(secret)).value();
}

std::string base64(const std::string& raw) {
    std::string out(sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                      raw.size(), sodium_base64_VARIANT_ORIGINAL);
    out.pop_back();  // the terminating NUL
    return out;
}

std::string unbase64(const std::string& b64) {
    std::string out(b64.size(), '\0');
    std::size_t len = 0;
    sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), b64.data(),
                      b64.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL);
    out.resize(len);
    return out;
}

TEST(Token, RoundTripsItsClaims) {
    const auto s = signer();
    const std::string token = s.sign({42, 7, kNow + seconds{60}});
    const auto v = s.verify(token, kNow);
    ASSERT_TRUE(v.ok);
    EXPECT_EQ(v.claims.user_id, 42);
    EXPECT_EQ(v.claims.credential_version, 7);
    EXPECT_EQ(v.claims.expires_at, kNow + seconds{60});
}

TEST(Token, IsStandardBase64) {
    const std::string token = signer().sign({1, 1, kNow});
    EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789+/="),
              std::string::npos);
}

TEST(Token, ExpiresAtItsExpiry) {
    const auto s = signer();
    const std::string token = s.sign({1, 1, kNow + seconds{10}});
    EXPECT_TRUE(s.verify(token, kNow + seconds{9}).ok);
    const auto late = s.verify(token, kNow + seconds{10});
    EXPECT_FALSE(late.ok);
    EXPECT_EQ(late.error, TokenError::kExpired);
}

TEST(Token, RejectsATamperedPayload) {
    const auto s = signer();
    std::string raw = unbase64(s.sign({1, 1, kNow + seconds{60}}));
    ASSERT_EQ(raw.substr(0, 4), "v1.1");
    raw[3] = '2';  // claim to be user 2
    const auto v = s.verify(base64(raw), kNow);
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.error, TokenError::kBadSignature);
}

TEST(Token, RejectsAnotherSecretsSignature) {
    const std::string token = signer(std::string(32, 'a')).sign({1, 1, kNow + seconds{60}});
    const auto v = signer(std::string(32, 'b')).verify(token, kNow);
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.error, TokenError::kBadSignature);
}

TEST(Token, RejectsMalformedInput) {
    const auto s = signer();
    const std::string good = s.sign({1, 1, kNow + seconds{60}});
    for (const std::string& bad :
         {std::string(), std::string("not base64!"), good.substr(0, good.size() - 4), good + "AAAA",
          base64("v1.1.1.99"), base64("hello"), std::string(5000, 'A')}) {
        const auto v = s.verify(bad, kNow);
        EXPECT_FALSE(v.ok) << bad;
    }
}

// Signs `payload` the way TokenSigner does, to build well-signed tokens of another layout.
std::string signed_token(const std::string& payload, const std::string& secret) {
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(payload.data()),
                           payload.size(), reinterpret_cast<const unsigned char*>(secret.data()));
    char hex[sizeof mac * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    return base64(payload + "." + hex);
}

TEST(Token, WellSignedPayloadsOfAnotherLayoutAreRejected) {
    const std::string secret(32, 'k');
    const auto s = signer(secret);
    ASSERT_TRUE(s.verify(signed_token("v1.1.1.1800000060", secret), kNow).ok);
    for (const char* payload : {"v1.1.1.1800000060.extra", "v1.1.1800000060", "v2.1.1.1800000060",
                                "v1.-1.1.1800000060", "v1.1.1.", "v1.1.1.1800000060."}) {
        EXPECT_FALSE(s.verify(signed_token(payload, secret), kNow).ok) << payload;
    }
}

TEST(Token, RefusesShortSecrets) {
    const auto r = TokenSigner::create(std::string(31, 'x'));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, core::ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace deskbridge::auth
