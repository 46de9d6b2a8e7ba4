#include "auth/token.hpp"

#include <sodium.h>

#include <charconv>
#include <vector>

namespace deskbridge::auth {
namespace {

constexpr std::string_view kVersion = "v1";
constexpr std::size_t kMacHexLen = crypto_auth_hmacsha256_BYTES * 2;
// Longest payload we ever sign, with room to spare; longer input is rejected before decoding.
constexpr std::size_t kMaxTokenChars = 256;

bool parse_i64(std::string_view s, std::int64_t& out) {
    if (s.empty() || s.size() > 19 || s[0] == '-' || s[0] == '+') {
        return false;
    }
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

core::Result<TokenSigner> TokenSigner::create(std::string secret) {
    if (sodium_init() < 0) {
        return core::Error::internal("libsodium failed to initialise");
    }
    if (secret.size() < kMinSecretBytes) {
        return core::Error::invalid("the token secret must be at least " +
                                    std::to_string(kMinSecretBytes) + " bytes long");
    }
    return TokenSigner(secret);
}

TokenSigner::TokenSigner(const std::string& secret) {
    crypto_auth_hmacsha256_init(&keyed_, reinterpret_cast<const unsigned char*>(secret.data()),
                                secret.size());
}

std::string TokenSigner::mac_hex(std::string_view payload) const {
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st = keyed_;
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(payload.data()),
                                  payload.size());
    crypto_auth_hmacsha256_final(&st, mac);

    char hex[kMacHexLen + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    return std::string(hex, kMacHexLen);
}

std::string TokenSigner::sign(const TokenClaims& claims) const {
    std::string payload = std::string(kVersion) + "." + std::to_string(claims.user_id) + "." +
                          std::to_string(claims.credential_version) + "." +
                          std::to_string(claims.expires_at.time_since_epoch().count());
    const std::string raw = payload + "." + mac_hex(payload);

    std::vector<char> out(sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_ORIGINAL));
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                      raw.size(), sodium_base64_VARIANT_ORIGINAL);
    return std::string(out.data());
}

TokenSigner::Verified TokenSigner::verify(std::string_view token, core::Instant now) const {
    Verified v;
    if (token.empty() || token.size() > kMaxTokenChars) {
        return v;
    }

    std::vector<unsigned char> raw(token.size());
    std::size_t raw_len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(raw.data(), raw.size(), token.data(), token.size(), nullptr, &raw_len,
                          &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != token.data() + token.size()) {
        return v;
    }
    const std::string_view text(reinterpret_cast<const char*>(raw.data()), raw_len);

    const auto dot = text.rfind('.');
    if (dot == std::string_view::npos || text.size() - dot - 1 != kMacHexLen) {
        return v;
    }
    const std::string_view payload = text.substr(0, dot);
    const std::string expected = mac_hex(payload);
    if (sodium_memcmp(expected.data(), text.data() + dot + 1, kMacHexLen) != 0) {
        v.error = TokenError::kBadSignature;
        return v;
    }

    // Only a correctly signed payload is parsed, so its layout is ours.
    std::string_view parts[4];
    std::string_view rest = payload;
    for (int i = 0; i < 4; ++i) {
        const auto p = rest.find('.');
        parts[i] = rest.substr(0, p);
        rest = p == std::string_view::npos ? std::string_view{} : rest.substr(p + 1);
        if (p == std::string_view::npos && i < 3) {
            return v;
        }
    }
    std::int64_t expiry = 0;
    if (parts[0] != kVersion || !parse_i64(parts[1], v.claims.user_id) ||
        !parse_i64(parts[2], v.claims.credential_version) || !parse_i64(parts[3], expiry)) {
        return v;
    }
    v.claims.expires_at = core::Instant{std::chrono::seconds{expiry}};

    if (v.claims.expires_at <= now) {
        v.error = TokenError::kExpired;
        return v;
    }
    v.ok = true;
    return v;
}

}  // namespace deskbridge::auth
