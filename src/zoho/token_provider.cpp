#include "zoho/token_provider.hpp"

#include <boost/json.hpp>

#include "core/log.hpp"
#include "core/metrics.hpp"

namespace deskbridge::zoho {
namespace {

namespace json = boost::json;

struct Grant {
    std::string token;
    std::chrono::seconds lifetime{0};
};

// Zoho reports failures with an "error" key, sometimes with HTTP 200: check it first.
core::Result<Grant> read_grant(const HttpResponse& res) {
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
    return Grant{std::string(token->get_string()), std::chrono::seconds(seconds)};
}

}  // namespace

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
    lock.unlock();
    renew(deadline, calls);
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
    }
}

void TokenProvider::renew(Clock::time_point deadline, std::atomic<int>* calls) {
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

    http_.send(std::move(req), [this, sent = Clock::now()](HttpResponse res) {
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
            return finish(std::move(grant).error());
        }
        {
            const std::lock_guard lock(mutex_);
            token_ = grant->token;
            last_failure_.reset();
            const auto margin = std::min(config_.renew_margin, grant->lifetime / 2);
            renew_at_ = Clock::now() + grant->lifetime - margin;
        }
        core::log::info("zoho_token_renewed", {{"expires_in_s", grant->lifetime.count()}});
        finish(std::move(grant->token));
    });
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
