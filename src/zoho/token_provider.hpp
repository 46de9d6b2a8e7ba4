#pragma once
// The Zoho OAuth access token: one cached token per process, renewed `renew_margin` before it
// expires, with one renewal in flight however many calls wait on it.
//
// Zoho allows about 10 grants per 10 minutes per refresh token and blocks further grants for
// the rest of the window, so after a throttle answer no grant is tried for `kThrottlePause`.
// Thread-safe; callbacks run on the HttpClient thread or inline on the caller's.

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "zoho/config.hpp"
#include "zoho/http_client.hpp"

namespace deskbridge::zoho {

class TokenProvider {
  public:
    static constexpr std::chrono::seconds kThrottlePause{60};

    TokenProvider(HttpClient& http, const ZohoConfig& config) : http_(http), config_(config) {}

    using Callback = std::function<void(core::Result<std::string>)>;
    // `calls`, when given, counts the grant this request triggers (if any).
    void get(Clock::time_point deadline, std::atomic<int>* calls, Callback done);

    // For readiness probes, which must not cost a Zoho call each: succeeds at once while a token
    // is cached and not due for renewal, fails at once with the last grant's error when that
    // failed less than `min_interval` ago, and otherwise asks for a grant (joining one in flight)
    // that may take up to `deadline`.
    void probe(std::chrono::seconds min_interval,
               Clock::duration deadline,
               std::function<void(core::Status)> done);

    // Zoho refused `token`: forget it, unless a newer one has already replaced it.
    void invalidate(const std::string& token);

  private:
    void renew(Clock::time_point deadline, std::atomic<int>* calls);
    void finish(core::Result<std::string> result);

    HttpClient& http_;
    const ZohoConfig& config_;

    std::mutex mutex_;
    std::string token_;                  // guarded by mutex_
    Clock::time_point renew_at_{};       // guarded by mutex_
    Clock::time_point blocked_until_{};  // guarded by mutex_
    bool renewing_ = false;              // guarded by mutex_
    std::vector<Callback> waiters_;      // guarded by mutex_

    // The last grant's failure, for probes; guarded by mutex_ and cleared by a grant.
    std::optional<core::Error> last_failure_;
    Clock::time_point last_failure_at_{};
};

}  // namespace deskbridge::zoho
