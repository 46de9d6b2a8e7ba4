#pragma once
// The Zoho OAuth access token: one cached token per process, renewed `renew_margin` before it
// expires, with one renewal in flight however many calls wait on it.
//
// With a TokenStore the token is also shared between instances: a renewal first adopts a
// fresh token another instance stored, and only the instance holding the store's lock asks
// Zoho for a new one; the others re-read after it. A token Zoho refused (invalidate) is never
// adopted again, so instances that all see one revoked token cause one grant between them.
//
// Zoho allows about 10 grants per 10 minutes per refresh token and blocks further grants for
// the rest of the window, so after a throttle answer no grant is tried for `kThrottlePause`.
// Thread-safe; callbacks run on the HttpClient thread, on the store thread, or inline on the
// caller's.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/work_pool.hpp"
#include "zoho/config.hpp"
#include "zoho/http_client.hpp"
#include "zoho/token_store.hpp"

namespace deskbridge::zoho {

class TokenProvider {
  public:
    static constexpr std::chrono::seconds kThrottlePause{60};

    // `shared`, when given, must outlive the provider.
    TokenProvider(HttpClient& http, const ZohoConfig& config, TokenStore* shared = nullptr);
    TokenProvider(const TokenProvider&) = delete;
    TokenProvider& operator=(const TokenProvider&) = delete;

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

    // What one grant from Zoho Accounts gave.
    struct Grant {
        std::string token;
        std::chrono::seconds lifetime{0};
    };

  private:
    using GrantCallback = std::function<void(core::Result<Grant>)>;

    void renew(Clock::time_point deadline, std::atomic<int>* calls);
    void renew_shared(Clock::time_point deadline,
                      std::atomic<int>* calls,
                      const std::string& revoked);
    void request_grant(Clock::time_point deadline, std::atomic<int>* calls, GrantCallback done);
    core::Result<Grant> grant_blocking(Clock::time_point deadline, std::atomic<int>* calls);
    std::chrono::seconds margin_for(std::chrono::seconds lifetime) const;
    void adopt(const SharedToken& token, bool granted);
    void finish(core::Result<std::string> result);

    HttpClient& http_;
    const ZohoConfig& config_;
    TokenStore* const shared_;

    std::mutex mutex_;
    std::string token_;                  // guarded by mutex_
    std::string revoked_;                // guarded by mutex_; last token Zoho refused
    Clock::time_point renew_at_{};       // guarded by mutex_
    Clock::time_point blocked_until_{};  // guarded by mutex_
    bool renewing_ = false;              // guarded by mutex_
    std::vector<Callback> waiters_;      // guarded by mutex_

    // The last grant's failure, for probes; guarded by mutex_ and cleared by a grant.
    std::optional<core::Error> last_failure_;
    Clock::time_point last_failure_at_{};

    // Runs the blocking store calls; declared last so that it joins before the rest goes.
    std::unique_ptr<core::WorkPool> store_thread_;
};

}  // namespace deskbridge::zoho
