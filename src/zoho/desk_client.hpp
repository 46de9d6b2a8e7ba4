#pragma once
// Zoho Desk API calls with the rules every call follows: the token and orgId headers, one
// deadline per incoming request that no retry overruns, retries with exponential backoff and
// jitter on 5xx, timeouts and 429 TOO_MANY_REQUESTS (honouring Retry-After) but never on other
// 4xx or on 429 THRESHOLD_EXCEEDED (the day's credits are spent), and one token renewal plus one
// retry on 401 INVALID_OAUTH.
//
// Thread-safe; callbacks run on the HttpClient thread and must not block.

#include <atomic>
#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "zoho/config.hpp"
#include "zoho/http_client.hpp"
#include "zoho/token_provider.hpp"

namespace deskbridge::zoho {

// What one incoming request spends on Zoho: shared by all the calls made for it.
struct CallBudget {
    explicit CallBudget(std::chrono::milliseconds timeout)
        : deadline(Clock::now() + timeout), timeout(timeout) {}

    const Clock::time_point deadline;
    const std::chrono::milliseconds timeout;
    std::atomic<int> calls{0};
    std::atomic<std::int64_t> credits_remaining{-1};
};

struct DeskReply {
    long status = 0;
    std::optional<boost::json::value> body;  // empty for 204 No Content
};

// The GET request for `path` on the Desk API: the token, and the orgId header on every path but
// /api/v1/organizations, which Zoho serves without one (it is how an org id is found).
HttpRequest desk_request(const ZohoConfig& config,
                         const std::string& token,
                         const std::string& path,
                         Clock::time_point deadline);

// Zoho's `errorCode` and `message` in an error body; empty strings when the body has none.
struct DeskError {
    std::string code;
    std::string message;
};
DeskError desk_error_of(const std::string& body);

// A file as Zoho sends it (`download`): its bytes are still arriving.
struct DeskFile {
    std::shared_ptr<core::ByteStream> body;  // fails past the cap or if the transfer does
    std::optional<std::uint64_t> length;     // as Zoho announced it
    std::string content_type;                // Zoho's Content-Type, empty when it sent none
    bool too_large = false;  // the announced length passed the cap: no body, serve nothing
};

class DeskClient {
  public:
    DeskClient(HttpClient& http, TokenProvider& tokens, const ZohoConfig& config)
        : http_(http), tokens_(tokens), config_(config) {}

    using Callback = std::function<void(core::Result<DeskReply>)>;
    // `path` starts with "/api/v1/" and may carry a query string. A 404 fails with kNotFound,
    // a 422 with kInvalidArgument.
    void get(std::string path, std::shared_ptr<CallBudget> budget, Callback done) const;

    // The raw body of `path` (same rules as `get`; retries end once a 2xx has begun), answered
    // as soon as its first bytes arrive and streamed, failing past `max_bytes`.
    using FileCallback = std::function<void(core::Result<DeskFile>)>;
    void download(std::string path,
                  std::size_t max_bytes,
                  std::shared_ptr<CallBudget> budget,
                  FileCallback done) const;

  private:
    struct Attempt;
    void start(std::shared_ptr<Attempt> attempt) const;
    void on_response(std::shared_ptr<Attempt> attempt,
                     const std::string& token,
                     HttpResponse res) const;
    // Retries after `delay` when the budget allows it, otherwise fails with `error`.
    void retry_or_fail(std::shared_ptr<Attempt> attempt,
                       std::chrono::milliseconds delay,
                       core::Error error) const;

    HttpClient& http_;
    TokenProvider& tokens_;
    const ZohoConfig& config_;
};

}  // namespace deskbridge::zoho
