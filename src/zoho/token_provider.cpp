#include "zoho/token_provider.hpp"

#include <boost/json.hpp>
#include <future>
#include <optional>

#include "core/log.hpp"
#include "core/metrics.hpp"

namespace deskbridge::zoho {
namespace {

namespace json = boost::json;

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Zoho reports failures with an "error" key, sometimes with HTTP 200: check it first.
core::Result<TokenProvider::Grant> read_grant(const HttpResponse& res) {
    if (res.status == 0) {
        return core::Error::unavailable(
            res.timed_out ? "Zoho Accounts timed out" : "Zoho Accounts unreachable",
            res.transport_error);
    }
    boost::system::error_code ec;
    const json::value v = json::parse(res.body, ec);
    if (ec || !v.is_object()) {
        return core::Error::unavailable(
            "Zoho Accounts answered HTTP " + std::to_string(res.status) + " without a token",
            "unparseable token response");
    }
    const auto& o = v.get_object();
    if (const auto* err = o.if_contains("error")) {
        const std::string code = err->is_string() ? std::string(err->get_string()) : "unknown";
        return core::Error{core::ErrorKind::kUnavailable,
                           "Zoho refused the token grant (" + code + ")", code};
    }
    const auto* token = o.if_contains("access_token");
    const auto* expires = o.if_contains("expires_in");
    if (token == nullptr || !token->is_string() || token->get_string().empty()) {
        return core::Error::unavailable("Zoho Accounts sent no access token", "no access_token");
    }
    std::int64_t seconds = 3600;
    if (expires != nullptr && expires->is_int64()) {
        seconds = expires->get_int64();
    } else if (expires != nullptr && expires->is_string()) {
        seconds = std::atoll(expires->get_string().c_str());
    }
    return TokenProvider::Grant{std::string(token->get_string()), std::chrono::seconds(seconds)};
}

}  // namespace

TokenProvider::TokenProvider(HttpClient& http, const ZohoConfig& config, TokenStore* shared)
    : http_(http), config_(config), shared_(shared) {
    if (shared_ != nullptr) {
        // One thread is enough: a process runs one renewal at a time.
        store_thread_ = std::make_unique<core::WorkPool>(1, 4);
    }
}

void TokenProvider::get(Clock::time_point deadline, std::atomic<int>* calls, Callback done) {
    std::unique_lock lock(mutex_);
    const auto now = Clock::now();
    if (!token_.empty() && now < renew_at_) {
        std::string token = token_;
        lock.unlock();
        return done(std::move(token));
    }
    if (now < blocked_until_) {
        lock.unlock();
        return done(core::Error::unavailable("Zoho is throttling token grants; retry later"));
    }
    waiters_.push_back(std::move(done));
    if (renewing_) {
        return;
    }
    renewing_ = true;
    const std::string revoked = revoked_;
    lock.unlock();

    if (shared_ == nullptr) {
        return renew(deadline, calls);
    }
    const bool queued = store_thread_->try_submit(
        [this, deadline, calls, revoked] { renew_shared(deadline, calls, revoked); });
    if (!queued) {
        finish(core::Error::unavailable("Zoho token renewal is shutting down"));
    }
}

void TokenProvider::probe(std::chrono::seconds min_interval,
                          Clock::duration deadline,
                          std::function<void(core::Status)> done) {
    {
        std::unique_lock lock(mutex_);
        const auto now = Clock::now();
        if (!token_.empty() && now < renew_at_) {
            lock.unlock();
            return done({});
        }
        if (last_failure_ && now < last_failure_at_ + min_interval) {
            core::Error error = *last_failure_;
            lock.unlock();
            return done(std::move(error));
        }
    }
    get(Clock::now() + deadline, nullptr, [done = std::move(done)](core::Result<std::string> t) {
        done(t ? core::Status{} : core::Status{t.error()});
    });
}

void TokenProvider::invalidate(const std::string& token) {
    const std::lock_guard lock(mutex_);
    if (token == token_) {
        token_.clear();
        revoked_ = token;
    }
}

void TokenProvider::request_grant(Clock::time_point deadline,
                                  std::atomic<int>* calls,
                                  GrantCallback done) {
    HttpRequest req;
    req.method = "POST";
    req.url = config_.accounts_url + "/oauth/v2/token";
    // Form body, not query string: the secret stays out of URLs and proxy logs.
    req.body = "grant_type=refresh_token&client_id=" + url_encode(config_.client_id) +
               "&client_secret=" + url_encode(config_.client_secret) +
               "&refresh_token=" + url_encode(config_.refresh_token);
    req.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
    req.deadline = deadline;
    if (calls != nullptr) {
        ++*calls;
    }

    http_.send(
        std::move(req), [this, done = std::move(done), sent = Clock::now()](HttpResponse res) {
            auto grant = read_grant(res);
            namespace metrics = core::metrics;
            auto outcome = metrics::classify_zoho_status(res.status, res.timed_out);
            if (!grant && outcome == metrics::ZohoOutcome::kOk) {
                outcome = metrics::ZohoOutcome::kClientError;  // an OAuth error in a 200 answer
            }
            metrics::zoho_call(metrics::ZohoEndpoint::kToken, outcome, Clock::now() - sent);
            metrics::zoho_token_renewal(grant.ok());
            if (!grant) {
                core::log::warn("zoho_token_grant_failed",
                                {{"status", res.status}, {"error", grant.error().message}});
                {
                    const std::lock_guard lock(mutex_);
                    if (grant.error().detail == "Access Denied") {
                        blocked_until_ = Clock::now() + kThrottlePause;
                    }
                    last_failure_ = grant.error();
                    last_failure_at_ = Clock::now();
                }
            }
            done(std::move(grant));
        });
}

std::chrono::seconds TokenProvider::margin_for(std::chrono::seconds lifetime) const {
    return std::min(config_.renew_margin, lifetime / 2);
}

void TokenProvider::renew(Clock::time_point deadline, std::atomic<int>* calls) {
    request_grant(deadline, calls, [this](core::Result<Grant> grant) {
        if (!grant) {
            return finish(std::move(grant).error());
        }
        {
            const std::lock_guard lock(mutex_);
            token_ = grant->token;
            last_failure_.reset();
            renew_at_ = Clock::now() + grant->lifetime - margin_for(grant->lifetime);
        }
        core::log::info("zoho_token_renewed", {{"expires_in_s", grant->lifetime.count()}});
        finish(std::move(grant->token));
    });
}

core::Result<TokenProvider::Grant> TokenProvider::grant_blocking(Clock::time_point deadline,
                                                                 std::atomic<int>* calls) {
    // Shared: the HttpClient thread may still hold the callback after the value is set.
    auto promise = std::make_shared<std::promise<core::Result<Grant>>>();
    auto future = promise->get_future();
    request_grant(deadline, calls,
                  [promise](core::Result<Grant> grant) { promise->set_value(std::move(grant)); });
    return future.get();
}

void TokenProvider::renew_shared(Clock::time_point deadline,
                                 std::atomic<int>* calls,
                                 const std::string& revoked) {
    const auto keep = [&revoked](const SharedToken& t) {
        return !t.access_token.empty() && t.access_token != revoked && unix_now() < t.renew_at;
    };

    // Usually another instance has already renewed: adopt its token without taking the lock.
    if (auto found = shared_->read(); found && *found && keep(**found)) {
        return adopt(**found, false);
    }

    std::optional<SharedToken> granted;
    auto renewed = shared_->renew(keep, [&]() -> core::Result<SharedToken> {
        {
            const std::lock_guard lock(mutex_);
            if (Clock::now() < blocked_until_) {
                return core::Error::unavailable("Zoho is throttling token grants; retry later");
            }
        }
        auto grant = grant_blocking(deadline, calls);
        if (!grant) {
            return std::move(grant).error();
        }
        const std::int64_t now = unix_now();
        granted = SharedToken{std::move(grant->token),
                              now + (grant->lifetime - margin_for(grant->lifetime)).count(),
                              now + grant->lifetime.count(), 0};
        return *granted;
    });
    if (renewed) {
        return adopt(*renewed, granted.has_value());
    }
    if (granted) {
        // Zoho granted but the database did not keep it: use it here rather than waste a grant.
        core::log::warn("zoho_token_not_shared", {{"error", renewed.error().detail}});
        return adopt(*granted, true);
    }
    // Waiting for the lock can time out while another instance grants: look once more.
    if (auto again = shared_->read(); again && *again && keep(**again)) {
        return adopt(**again, false);
    }
    core::log::warn("zoho_token_renewal_failed",
                    {{"error", renewed.error().message}, {"detail", renewed.error().detail}});
    finish(std::move(renewed).error());
}

void TokenProvider::adopt(const SharedToken& token, bool granted) {
    const std::int64_t left = token.renew_at - unix_now();
    {
        const std::lock_guard lock(mutex_);
        token_ = token.access_token;
        renew_at_ = Clock::now() + std::chrono::seconds(std::max<std::int64_t>(left, 0));
    }
    core::log::info(
        granted ? "zoho_token_renewed" : "zoho_token_shared",
        {{"generation", token.generation}, {"expires_in_s", token.expires_at - unix_now()}});
    finish(token.access_token);
}

void TokenProvider::finish(core::Result<std::string> result) {
    std::vector<Callback> waiters;
    {
        const std::lock_guard lock(mutex_);
        waiters.swap(waiters_);
        renewing_ = false;
    }
    for (auto& w : waiters) {
        w(result);
    }
}

}  // namespace deskbridge::zoho
