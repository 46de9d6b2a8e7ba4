#pragma once
// Signed, short-lived attachment download links.
//
// A link names a Zoho ticket, one of its attachments, the customer it was minted for (a client
// id, or staff) and an expiry; its signature is an HMAC-SHA256 over those four values under a
// key derived from the service secret (the token key's source), so links and tokens never
// share a MAC key. The link alone grants the download until it expires, like a pre-signed
// URL: no token travels with it. Changing any value, the customer included, breaks the
// signature. LinkSigner is immutable after construction: thread-safe.

#include <sodium.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace deskbridge::auth {

struct LinkClaims {
    std::string ticket_zoho_id;
    std::string attachment_id;
    std::optional<std::int64_t> client_id;  // empty: minted for a staff user
    core::Instant expires_at;
};

enum class LinkCheck {
    kOk,
    kForged,   // the signature does not match the values (altered, or not ours)
    kExpired,  // correctly signed, but past its expiry
};

class LinkSigner {
  public:
    // The secret must hold at least TokenSigner::kMinSecretBytes bytes.
    static core::Result<LinkSigner> create(const std::string& secret);

    // URL-safe Base64 (no padding) of the 32-byte MAC.
    std::string sign(const LinkClaims& claims) const;
    LinkCheck check(const LinkClaims& claims, std::string_view signature, core::Instant now) const;

    // "c<client id>" or "staff": the customer as it appears in a link.
    static std::string customer_text(const std::optional<std::int64_t>& client_id);
    static std::optional<std::optional<std::int64_t>> parse_customer(std::string_view text);

  private:
    explicit LinkSigner(const std::string& secret);

    crypto_auth_hmacsha256_state keyed_;
};

}  // namespace deskbridge::auth
