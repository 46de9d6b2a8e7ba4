#pragma once
// Logins and token checks against the store.
//
// `login` and `authenticate` block (database, Argon2id): run them on a core::WorkPool thread.
// `authenticate` remembers the users it read for as long as the store's change generation stays
// the same, and `authenticate_from_memory` answers from that alone, without blocking, so an I/O
// thread may call it. Failures are an AuthFailure, which api/ turns into the contract's status
// and message. Thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "auth/token.hpp"
#include "core/generation_memo.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

namespace deskbridge::auth {

enum class AuthFailure {
    kInvalidToken,        // not Base64, malformed, badly signed or expired
    kInvalidCredentials,  // wrong login or password; user gone, disabled or password changed
    kClientBlocked,
};

// Who is asking: a staff user sees every ticket, a client user only its client's.
struct Principal {
    std::int64_t user_id = 0;
    std::string login;
    bool staff = false;
    std::optional<std::int64_t> client_id;
};

struct IssuedToken {
    std::string token;
    core::Instant expires_at;
    Principal principal;
};

// Either the value, an AuthFailure, or a store error.
template <typename T>
using AuthResult = std::variant<T, AuthFailure, core::Error>;

class Authenticator {
  public:
    Authenticator(store::Store& store, const TokenSigner& signer, std::chrono::seconds ttl)
        : store_(store), signer_(signer), ttl_(ttl) {}

    AuthResult<IssuedToken> login(std::string_view login, std::string_view password) const;
    AuthResult<Principal> authenticate(std::string_view token) const;
    // nullopt when the answer needs the database.
    std::optional<AuthResult<Principal>> authenticate_from_memory(std::string_view token) const;

  private:
    store::Store& store_;
    const TokenSigner& signer_;
    std::chrono::seconds ttl_;
    // The users read under the current change generation, without their password hashes.
    mutable core::GenerationMemo<std::int64_t, store::ApiUser> users_{10000};
};

}  // namespace deskbridge::auth
