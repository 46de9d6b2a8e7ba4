#pragma once
// GET /readyz: whether this instance can serve ticket_details now. Three checks: the database
// answers a query through the pool, its schema is the version this build migrates to, and a
// Zoho access token is at hand (or Zoho is not configured).
//
// A probe never costs a Zoho call while a token is cached; without one, at most one grant is
// tried per `kZohoRetryInterval`, and the failure is repeated from memory in between.
// `check` blocks on the database: call it on a WorkPool thread. It answers through `done`
// exactly once, on that thread or on the Zoho client's. Thread-safe.

#include <chrono>
#include <functional>
#include <string>

#include "store/store.hpp"
#include "zoho/token_provider.hpp"

namespace deskbridge::api {

class Readiness {
  public:
    static constexpr std::chrono::seconds kZohoRetryInterval{30};
    static constexpr std::chrono::seconds kZohoGrantDeadline{5};

    // `tokens` is null when Zoho is not configured.
    Readiness(store::Store& store, zoho::TokenProvider* tokens) : store_(store), tokens_(tokens) {}

    // `done(status, body)`: 200 when every check passed, otherwise 503; the JSON body names
    // each check's result.
    void check(std::function<void(unsigned, std::string)> done) const;

  private:
    store::Store& store_;
    zoho::TokenProvider* tokens_;
};

}  // namespace deskbridge::api
