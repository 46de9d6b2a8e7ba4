#pragma once
// The API token: standard Base64 of "v1.<user id>.<credential version>.<expiry unix seconds>"
// followed by ".", and the hex HMAC-SHA256 of everything before it under the service secret.
//
// A token names its user and that user's credential version, so a password change or a disable
// (which bump the version) voids every older token without a revocation list. TokenSigner is
// immutable after construction: thread-safe.

#include <sodium.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace deskbridge::auth {

struct TokenClaims {
    std::int64_t user_id = 0;
    std::int64_t credential_version = 0;
    core::Instant expires_at;
};

enum class TokenError {
    kMalformed,  // not Base64, or not our layout
    kBadSignature,
    kExpired,
};

class TokenSigner {
  public:
    // The secret must hold at least kMinSecretBytes bytes.
    static constexpr std::size_t kMinSecretBytes = 32;
    static core::Result<TokenSigner> create(std::string secret);

    std::string sign(const TokenClaims& claims) const;

    // The claims when the token is well formed, correctly signed and not expired at `now`.
    // Rejections report which check failed, for logs; callers answer all of them alike.
    struct Verified {
        bool ok = false;
        TokenError error = TokenError::kMalformed;
        TokenClaims claims;
    };
    Verified verify(std::string_view token, core::Instant now) const;

  private:
    explicit TokenSigner(const std::string& secret);
    std::string mac_hex(std::string_view payload) const;

    // HMAC state after the key blocks, computed once; each MAC starts from a copy, which
    // halves the hashing per request.
    crypto_auth_hmacsha256_state keyed_;
};

}  // namespace deskbridge::auth
