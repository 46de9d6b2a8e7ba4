#pragma once
// An asynchronous HTTP client: one thread drives a libcurl multi handle, so hundreds of calls
// can wait on Zoho without holding a thread each.
//
// Connections are reused, TLS is verified, redirects are never followed (a redirect would carry
// the Authorization header to another host), and at most `max_in_flight` transfers run at once;
// the rest wait, earliest deadline (or `start_by`) first. Callbacks run on the client's thread and
// must not block. `send` and `after` are thread-safe. The destructor fails every pending call and
// joins.
//
// A request with `stream_body` whose answer is a 2xx is answered as soon as its first bytes
// arrive, with the rest to be pulled from `body_stream`: the transfer pauses while more than
// `kStreamHighWater` bytes wait for the consumer, so a slow consumer holds little memory (it
// still holds one of the `max_in_flight` slots until the body ends or it cancels).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/byte_stream.hpp"

namespace deskbridge::zoho {

using Clock = std::chrono::steady_clock;

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    std::string body;                  // sent as application/x-www-form-urlencoded when set
    Clock::time_point deadline;        // the transfer is cut off here
    // Under the cap, waiting calls start in this order (earliest first); unset: `deadline`.
    // A long transfer sets an earlier one, so that its long deadline does not make it wait
    // behind every short call that keeps arriving.
    std::optional<Clock::time_point> start_by;
    std::size_t max_body_bytes = 0;  // 0: no cap; past it the transfer stops with too_large
    bool stream_body = false;        // a 2xx body is streamed (sent as is, never decoded)
};

inline constexpr std::size_t kStreamHighWater = 256 * 1024;
inline constexpr std::size_t kStreamMinPiece = 64 * 1024;

struct HttpResponse {
    long status = 0;  // 0 when no HTTP answer arrived
    std::string body;
    std::optional<long> retry_after_seconds;
    std::optional<std::int64_t> credits_remaining;  // X-Rate-Limit-Remaining-v3
    std::string content_type;                       // the Content-Type header, as sent
    bool timed_out = false;
    bool too_large = false;       // the body (or its announced length) passed max_body_bytes
    std::string transport_error;  // libcurl's text when status is 0

    // Set for a streamed 2xx instead of `body`: it fails if the transfer does, including when
    // the bytes pass max_body_bytes.
    std::shared_ptr<core::ByteStream> body_stream;
    std::optional<std::uint64_t> content_length;  // as announced, when it was
};

struct HttpClientOptions {
    std::size_t max_in_flight = 10;
    std::chrono::milliseconds connect_timeout{3000};
    bool verify_tls = true;
};

class HttpClient {
  public:
    explicit HttpClient(HttpClientOptions options);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    using Callback = std::function<void(HttpResponse)>;
    void send(HttpRequest request, Callback done);
    // Runs `fn` on the client's thread after `delay` (retries back off with it).
    void after(std::chrono::milliseconds delay, std::function<void()> fn);

  private:
    struct Impl;
    // Shared with the resume hooks of streamed bodies, which can outlive the client.
    std::shared_ptr<Impl> impl_;
};

// Percent-encodes a form or query value.
std::string url_encode(std::string_view value);

}  // namespace deskbridge::zoho
