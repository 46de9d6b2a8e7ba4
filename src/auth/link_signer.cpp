#include "auth/link_signer.hpp"

#include <charconv>

#include "auth/token.hpp"

namespace deskbridge::auth {
namespace {

constexpr std::string_view kKeyLabel = "deskbridge attachment links v1";
constexpr std::size_t kSignatureChars = 43;  // 32 bytes in unpadded URL-safe Base64

// Each value is length-prefixed, so no choice of ids can make two claim sets sign alike.
void add_field(crypto_auth_hmacsha256_state& st, std::string_view value) {
    const std::string prefix = std::to_string(value.size()) + ":";
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(prefix.data()),
                                  prefix.size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(value.data()),
                                  value.size());
}

}  // namespace

core::Result<LinkSigner> LinkSigner::create(const std::string& secret) {
    if (sodium_init() < 0) {
        return core::Error::internal("libsodium failed to initialise");
    }
    if (secret.size() < TokenSigner::kMinSecretBytes) {
        return core::Error::invalid("the link secret must be at least " +
                                    std::to_string(TokenSigner::kMinSecretBytes) + " bytes long");
    }
    return LinkSigner(secret);
}

LinkSigner::LinkSigner(const std::string& secret) {
    // A key of its own, derived from the service secret: a link MAC is never a token MAC.
    unsigned char key[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(key, reinterpret_cast<const unsigned char*>(kKeyLabel.data()),
                           kKeyLabel.size(), reinterpret_cast<const unsigned char*>(secret.data()));
    crypto_auth_hmacsha256_init(&keyed_, key, sizeof key);
    sodium_memzero(key, sizeof key);
}

std::string LinkSigner::sign(const LinkClaims& claims) const {
    crypto_auth_hmacsha256_state st = keyed_;
    add_field(st, "att1");
    add_field(st, claims.ticket_zoho_id);
    add_field(st, claims.attachment_id);
    add_field(st, customer_text(claims.client_id));
    add_field(st, std::to_string(claims.expires_at.time_since_epoch().count()));
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_final(&st, mac);

    char out[kSignatureChars + 1];
    sodium_bin2base64(out, sizeof out, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return std::string(out, kSignatureChars);
}

LinkCheck LinkSigner::check(const LinkClaims& claims,
                            std::string_view signature,
                            core::Instant now) const {
    const std::string expected = sign(claims);
    if (signature.size() != expected.size() ||
        sodium_memcmp(expected.data(), signature.data(), expected.size()) != 0) {
        return LinkCheck::kForged;
    }
    return claims.expires_at <= now ? LinkCheck::kExpired : LinkCheck::kOk;
}

std::string LinkSigner::customer_text(const std::optional<std::int64_t>& client_id) {
    return client_id ? "c" + std::to_string(*client_id) : std::string("staff");
}

std::optional<std::optional<std::int64_t>> LinkSigner::parse_customer(std::string_view text) {
    if (text == "staff") {
        return std::optional<std::int64_t>{};
    }
    if (text.size() < 2 || text.size() > 20 || text[0] != 'c') {
        return std::nullopt;
    }
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(text.data() + 1, text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size() || id < 0) {
        return std::nullopt;
    }
    return std::optional<std::int64_t>{id};
}

}  // namespace deskbridge::auth
