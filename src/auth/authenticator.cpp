#include "auth/authenticator.hpp"

#include "auth/password.hpp"

namespace deskbridge::auth {
namespace {

core::Instant now_seconds() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

Principal principal_of(const store::ApiUser& user) {
    return Principal{user.id, user.login, user.staff, user.staff ? std::nullopt : user.client_id};
}

// The checks a token passes once its signature and expiry are good.
AuthResult<Principal> judge(const store::ApiUser& user, const TokenClaims& claims) {
    if (user.disabled || user.credential_version != claims.credential_version) {
        return AuthFailure::kInvalidCredentials;
    }
    if (!user.staff && user.client_blocked) {
        return AuthFailure::kClientBlocked;
    }
    return principal_of(user);
}

}  // namespace

AuthResult<IssuedToken> Authenticator::login(std::string_view login,
                                             std::string_view password) const {
    auto user = store_.find_user_by_login(login);
    if (!user) {
        return std::move(user).error();
    }
    if (!*user) {
        verify_dummy_password(password);
        return AuthFailure::kInvalidCredentials;
    }

    const store::ApiUser& u = **user;
    // The password is checked before anything else so that "blocked" or "disabled" never tells
    // a stranger that a login exists.
    if (!verify_password(password, u.password_hash) || u.disabled) {
        return AuthFailure::kInvalidCredentials;
    }
    if (!u.staff && u.client_blocked) {
        return AuthFailure::kClientBlocked;
    }

    const core::Instant expires = now_seconds() + ttl_;
    IssuedToken issued{signer_.sign({u.id, u.credential_version, expires}), expires,
                       principal_of(u)};
    return issued;
}

AuthResult<Principal> Authenticator::authenticate(std::string_view token) const {
    const auto verified = signer_.verify(token, now_seconds());
    if (!verified.ok) {
        return AuthFailure::kInvalidToken;
    }

    // Taken before the read: a change racing with the query then shows as a new generation.
    const auto generation = store_.change_generation();
    auto user = store_.find_user_by_id(verified.claims.user_id);
    if (!user) {
        return std::move(user).error();
    }
    if (!*user) {
        return AuthFailure::kInvalidCredentials;
    }
    if (generation) {
        store::ApiUser kept = **user;
        kept.password_hash.clear();  // never needed to check a token
        users_.remember(*generation, kept.id, std::move(kept));
    }
    return judge(**user, verified.claims);
}

std::optional<AuthResult<Principal>> Authenticator::authenticate_from_memory(
    std::string_view token) const {
    const auto verified = signer_.verify(token, now_seconds());
    if (!verified.ok) {
        return AuthFailure::kInvalidToken;
    }

    const auto generation = store_.change_generation();
    if (!generation) {
        return std::nullopt;
    }
    const auto user = users_.find(*generation, verified.claims.user_id);
    if (!user) {
        return std::nullopt;
    }
    return judge(*user, verified.claims);
}

}  // namespace deskbridge::auth
