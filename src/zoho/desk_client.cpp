#include "zoho/desk_client.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>

#include "core/log.hpp"
#include "core/metrics.hpp"

namespace deskbridge::zoho {
namespace {

namespace json = boost::json;

constexpr int kMaxAttempts = 4;
constexpr std::chrono::milliseconds kBaseBackoff{100};

std::string seconds_text(std::chrono::milliseconds ms) {
    const auto s = ms.count() / 1000.0;
    char buf[32];
    std::snprintf(buf, sizeof buf, s == static_cast<long long>(s) ? "%.0f" : "%.1f", s);
    return buf;
}

// Full jitter: a random delay in [base/2, base] keeps many waiting requests from retrying in step.
std::chrono::milliseconds backoff(int attempt) {
    const auto base = kBaseBackoff * (1 << std::min(attempt, 6));
    const auto half = base.count() / 2;
    return std::chrono::milliseconds(half +
                                     randombytes_uniform(static_cast<std::uint32_t>(half + 1)));
}

}  // namespace

HttpRequest desk_request(const ZohoConfig& config,
                         const std::string& token,
                         const std::string& path,
                         Clock::time_point deadline) {
    HttpRequest req;
    req.url = config.desk_url + path;
    req.headers = {"Authorization: Zoho-oauthtoken " + token, "Accept: application/json"};
    if (path.rfind("/api/v1/organizations", 0) != 0) {
        req.headers.push_back("orgId: " + config.org_id);
    }
    req.deadline = deadline;
    return req;
}

DeskError desk_error_of(const std::string& body) {
    boost::system::error_code ec;
    const json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) {
        return {};
    }
    const auto text = [&](const char* key) {
        const auto* field = v.get_object().if_contains(key);
        return field != nullptr && field->is_string() ? std::string(field->get_string())
                                                      : std::string();
    };
    return DeskError{text("errorCode"), text("message")};
}

struct DeskClient::Attempt {
    std::string path;
    std::shared_ptr<CallBudget> budget;
    Callback done;
    FileCallback file_done;     // set for a download instead of `done`
    std::size_t max_bytes = 0;  // downloads only
    int tries = 0;
    bool renewed = false;
};

void DeskClient::get(std::string path, std::shared_ptr<CallBudget> budget, Callback done) const {
    auto attempt = std::make_shared<Attempt>();
    attempt->path = std::move(path);
    attempt->budget = std::move(budget);
    attempt->done = std::move(done);
    start(std::move(attempt));
}

void DeskClient::download(std::string path,
                          std::size_t max_bytes,
                          std::shared_ptr<CallBudget> budget,
                          FileCallback done) const {
    auto attempt = std::make_shared<Attempt>();
    attempt->path = std::move(path);
    attempt->budget = std::move(budget);
    attempt->max_bytes = max_bytes;
    attempt->file_done = done;
    // Failures reach the caller through the same path as JSON calls.
    attempt->done = [done](core::Result<DeskReply> r) {
        if (!r) {
            done(std::move(r).error());
        }
    };
    start(std::move(attempt));
}

void DeskClient::start(std::shared_ptr<Attempt> attempt) const {
    ++attempt->tries;
    tokens_.get(attempt->budget->deadline, &attempt->budget->calls,
                [this, attempt](core::Result<std::string> token) {
                    if (!token) {
                        return attempt->done(std::move(token).error());
                    }
                    HttpRequest req =
                        desk_request(config_, *token, attempt->path, attempt->budget->deadline);
                    if (attempt->file_done) {
                        for (auto& header : req.headers) {
                            if (header.starts_with("Accept:")) {
                                header = "Accept: */*";  // a file, whatever its type
                            }
                        }
                    }
                    req.max_body_bytes = attempt->max_bytes;
                    req.stream_body = static_cast<bool>(attempt->file_done);
                    if (req.stream_body) {
                        // Queued like a ticket read asked now, not by its long deadline.
                        req.start_by = std::min(req.deadline, Clock::now() + config_.deadline);
                    }
                    ++attempt->budget->calls;
                    http_.send(std::move(req), [this, attempt, token = *token,
                                                sent = Clock::now()](HttpResponse res) {
                        core::metrics::zoho_call(
                            core::metrics::classify_zoho_path(attempt->path),
                            core::metrics::classify_zoho_status(res.status, res.timed_out),
                            Clock::now() - sent);
                        on_response(attempt, token, std::move(res));
                    });
                });
}

void DeskClient::on_response(std::shared_ptr<Attempt> attempt,
                             const std::string& token,
                             HttpResponse res) const {
    if (res.credits_remaining) {
        attempt->budget->credits_remaining = *res.credits_remaining;
        core::metrics::zoho_credits_remaining(*res.credits_remaining);
    }
    const auto timeout_error = [&] {
        return core::Error::unavailable("Zoho Desk timed out after " +
                                        seconds_text(attempt->budget->timeout) + " s");
    };

    if (res.status == 0) {
        if (res.timed_out || Clock::now() >= attempt->budget->deadline) {
            return attempt->done(timeout_error());
        }
        return retry_or_fail(
            attempt, backoff(attempt->tries),
            core::Error::unavailable("Zoho Desk unreachable", res.transport_error));
    }

    if (attempt->file_done && res.status >= 200 && res.status < 300) {
        DeskFile file{std::move(res.body_stream), res.content_length, std::move(res.content_type),
                      res.too_large};
        if (!file.body && !file.too_large) {  // an empty body ends before it could stream
            file.length = res.body.size();
            file.body = core::stream_of(std::move(res.body));
        }
        return attempt->file_done(std::move(file));
    }
    if (res.status == 204) {
        return attempt->done(DeskReply{204, std::nullopt});
    }
    if (res.status >= 200 && res.status < 300) {
        boost::system::error_code ec;
        json::value body = json::parse(res.body, ec);
        if (ec) {
            return retry_or_fail(attempt, backoff(attempt->tries),
                                 core::Error::unavailable("Zoho Desk sent a malformed response",
                                                          "unparseable JSON on " + attempt->path));
        }
        return attempt->done(DeskReply{res.status, std::move(body)});
    }

    const std::string code = desk_error_of(res.body).code;
    const std::string what =
        "Zoho Desk answered HTTP " + std::to_string(res.status) + (code.empty() ? "" : " " + code);

    if (res.status == 401 && !attempt->renewed) {
        // Expired or revoked token: renew once and retry once.
        attempt->renewed = true;
        tokens_.invalidate(token);
        --attempt->tries;
        return start(attempt);
    }
    if (res.status == 429) {
        core::Error error{core::ErrorKind::kTooManyRequests, what, {}};
        if (code == "THRESHOLD_EXCEEDED") {
            // The day's credits are spent, and they come back at midnight in the data centre's
            // time zone: another try within this request's deadline cannot succeed.
            return attempt->done(std::move(error));
        }
        const auto delay = res.retry_after_seconds
                               ? std::chrono::milliseconds(*res.retry_after_seconds * 1000)
                               : backoff(attempt->tries);
        return retry_or_fail(attempt, delay, std::move(error));
    }
    if (res.status >= 500) {
        return retry_or_fail(attempt, backoff(attempt->tries), core::Error::unavailable(what));
    }
    if (res.status == 404) {
        return attempt->done(core::Error{core::ErrorKind::kNotFound, what, attempt->path});
    }
    if (res.status == 422) {
        return attempt->done(core::Error{core::ErrorKind::kInvalidArgument, what, attempt->path});
    }
    attempt->done(core::Error{core::ErrorKind::kUnavailable, what, attempt->path});
}

void DeskClient::retry_or_fail(std::shared_ptr<Attempt> attempt,
                               std::chrono::milliseconds delay,
                               core::Error error) const {
    const bool fits = Clock::now() + delay < attempt->budget->deadline;
    if (attempt->tries >= kMaxAttempts || !fits) {
        return attempt->done(std::move(error));
    }
    core::log::debug("zoho_retry", {{"path", attempt->path},
                                    {"attempt", attempt->tries},
                                    {"delay_ms", delay.count()},
                                    {"error", error.message}});
    http_.after(delay, [this, attempt] { start(attempt); });
}

}  // namespace deskbridge::zoho
