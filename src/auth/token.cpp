#include "auth/token.hpp"

#include <sodium.h>

#include <array>
#include <charconv>
#include <optional>
#include <vector>

namespace deskbridge::auth {
namespace {

constexpr std::string_view kVersion = "v1";
constexpr std::size_t kMacHexLen = crypto_auth_hmacsha256_BYTES * 2;
// Longest payload we ever sign, with room to spare; longer input is rejected before decoding.
constexpr std::size_t kMaxTokenChars = 256;

// Standard Base64 with padding. Decoding needs no constant time (the MAC check that follows
// is), and libsodium's constant-time decoder costs more than the whole HMAC.
std::optional<std::string> decode_base64(std::string_view in) {
    static const auto kTable = [] {
        std::array<std::int8_t, 256> t{};
        t.fill(-1);
        constexpr std::string_view kAlphabet =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
            t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
        }
        return t;
    }();
    if (in.empty() || in.size() % 4 != 0) {
        return std::nullopt;
    }
    std::size_t pad = 0;
    while (pad < 2 && in[in.size() - 1 - pad] == '=') {
        ++pad;
    }
    std::string out;
    out.reserve(in.size() / 4 * 3);
    std::uint32_t acc = 0;
    for (std::size_t i = 0; i < in.size() - pad; ++i) {
        const std::int8_t v = kTable[static_cast<unsigned char>(in[i])];
        if (v < 0) {
            return std::nullopt;
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        if (i % 4 == 3) {
            out.push_back(static_cast<char>(acc >> 16));
            out.push_back(static_cast<char>(acc >> 8));
            out.push_back(static_cast<char>(acc));
            acc = 0;
        }
    }
    if (pad == 1) {
        out.push_back(static_cast<char>(acc >> 10));
        out.push_back(static_cast<char>(acc >> 2));
    } else if (pad == 2) {
        out.push_back(static_cast<char>(acc >> 4));
    }
    return out;
}

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

    const auto raw = decode_base64(token);
    if (!raw) {
        return v;
    }
    const std::string_view text = *raw;

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

    // Only a correctly signed payload is parsed; still, exactly four fields or nothing, so that
    // a payload this code did not write is never half understood.
    std::string_view parts[4];
    std::string_view rest = payload;
    for (int i = 0; i < 4; ++i) {
        const auto p = rest.find('.');
        parts[i] = rest.substr(0, p);
        rest = p == std::string_view::npos ? std::string_view{} : rest.substr(p + 1);
        if ((p == std::string_view::npos) != (i == 3)) {
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
