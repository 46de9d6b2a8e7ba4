#pragma once
// Where instances serving one Zoho organisation share its access token, so that however many
// run, one grant happens per expiry window (Zoho refuses more than about 10 grants in 10
// minutes per refresh token).
//
// zoho/ sees only this interface; app/ implements it over the store. Calls block on the
// database (and `renew` on the grant it runs): TokenProvider makes them from a thread of its
// own, never from the HttpClient thread. Implementations are thread-safe.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace deskbridge::zoho {

// Times are Unix seconds: instances on different machines share no steady clock.
struct SharedToken {
    std::string access_token;
    std::int64_t renew_at = 0;    // renew from here on
    std::int64_t expires_at = 0;  // Zoho refuses it from here on
    std::int64_t generation = 0;  // grants so far; logged instead of the token
};

class TokenStore {
  public:
    virtual ~TokenStore() = default;

    // The token last stored by any instance, if any.
    virtual core::Result<std::optional<SharedToken>> read() = 0;

    // Under a lock every instance takes: re-reads the token and returns it when `keep` accepts
    // it; otherwise runs `grant` inside the lock and stores and returns what it gives. So of
    // several instances renewing at once, the first grants and the others keep its token.
    virtual core::Result<SharedToken> renew(
        const std::function<bool(const SharedToken&)>& keep,
        const std::function<core::Result<SharedToken>()>& grant) = 0;
};

}  // namespace deskbridge::zoho
