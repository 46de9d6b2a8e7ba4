// libFuzzer target: token decoding and verification. The first byte picks the mode:
// - even: the rest is a token as a caller would send it;
// - odd: the rest is a payload, signed here with the fuzz secret, so the checks that follow a
//   good signature (layout, numbers, expiry) see arbitrary text, which a forged MAC never reaches.
// Whatever verifies must survive a sign/verify round trip with the same claims.
//
// Tokens hold no JSON, so unlike the other targets this one needs no Boost.JSON.
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/token.hpp"

namespace {

using deskbridge::auth::TokenSigner;

constexpr std::string_view kSecret = "fuzz-secret-fuzz-secret-fuzz-secret!!";

const TokenSigner& signer() {
    static const TokenSigner s = *TokenSigner::create(std::string(kSecret));
    return s;
}

// The token layout of auth/token.hpp, built by hand from an arbitrary payload.
std::string signed_token(std::string_view payload) {
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(kSecret.data()),
                                kSecret.size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(payload.data()),
                                  payload.size());
    crypto_auth_hmacsha256_final(&st, mac);
    char hex[sizeof mac * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);

    const std::string raw = std::string(payload) + "." + hex;
    std::string out(sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                      raw.size(), sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.find('\0'));
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::string token = (data[0] & 1) != 0 ? signed_token(rest) : std::string(rest);

    // A fixed "now" keeps runs reproducible: 2026-01-01T00:00:00Z.
    const deskbridge::core::Instant now{std::chrono::seconds{1767225600}};
    const auto v = signer().verify(token, now);
    if (!v.ok) {
        return 0;
    }

    const auto again = signer().verify(signer().sign(v.claims), now);
    if (!again.ok || again.claims.user_id != v.claims.user_id ||
        again.claims.credential_version != v.claims.credential_version ||
        again.claims.expires_at != v.claims.expires_at) {
        std::abort();
    }
    return 0;
}
