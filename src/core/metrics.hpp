#pragma once
// Process-wide metrics in the Prometheus text format: a fixed set of series, no registry to
// fill at run time and no label taken from request data, so the number of series is bounded.
//
// The recording functions are wait-free and cheap enough for the hottest path (a relaxed atomic
// add or two): each thread adds into one of several cache-line-aligned shards, and `render`
// sums the shards. A scrape may see a request counted but its latency not yet, never a torn
// value. Thread-safe; callable before main and after the server stopped.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace deskbridge::core::metrics {

// What a request is counted under: never the raw path (unbounded, and the webhook path holds a
// secret).
enum class Endpoint : std::uint8_t {
    kTicketDetails,
    kAuth,
    kHealthz,
    kReadyz,
    kMetrics,
    kZohoWebhook,
    kAttachment,  // a signed attachment download link
    kDocs,        // the API reference page and document
    kUnknown,     // no route matched
    kRejected,    // refused by the HTTP server before routing (too large, malformed)
    kCount
};

enum class ZohoEndpoint : std::uint8_t {
    kToken,
    kTicket,
    kThreadsList,
    kThreadDetail,
    kThreadContent,  // fullContent / originalContent
    kAttachmentsList,
    kOther,
    kCount
};

enum class ZohoOutcome : std::uint8_t {
    kOk,
    kNotFound,      // 404
    kUnauthorized,  // 401
    kRateLimited,   // 429
    kClientError,   // other 4xx, or an OAuth error answer
    kServerError,   // 5xx
    kTimeout,
    kNetworkError,  // no HTTP answer
    kCount
};

enum class CacheResult : std::uint8_t {
    kMemoryHit,    // fresh copy in this process's memory
    kDatabaseHit,  // fresh copy in the shared database cache
    kMiss,         // nothing fresh: Zoho is asked
    kBypass,       // refresh=1: Zoho is asked whatever the cache holds
    kCount
};

// How a streamed answer (an attachment download) ended.
enum class StreamEnd : std::uint8_t {
    kComplete,    // every byte sent
    kFailed,      // cut on our side: Zoho stopped, or sent past the cap
    kCallerLeft,  // the caller closed the connection or stopped reading
    kCount
};

std::string_view name(Endpoint e);
std::string_view name(ZohoEndpoint e);
std::string_view name(ZohoOutcome o);
std::string_view name(CacheResult r);
std::string_view name(StreamEnd e);

using Duration = std::chrono::steady_clock::duration;

// HTTP requests. Every request_started is followed by exactly one request_finished.
void request_started();
void request_finished(Endpoint endpoint, unsigned status, Duration elapsed);

// Zoho Desk and Zoho Accounts: one call per HTTP exchange (retries count again).
void zoho_call(ZohoEndpoint endpoint, ZohoOutcome outcome, Duration elapsed);
void zoho_credits_remaining(std::int64_t credits);
void zoho_token_renewal(bool ok);
// Which Zoho endpoint a Desk API path ("/api/v1/tickets/1/threads?from=1") belongs to.
ZohoEndpoint classify_zoho_path(std::string_view path);
// The outcome of an exchange from its HTTP status (0: no answer) and whether it timed out.
ZohoOutcome classify_zoho_status(long status, bool timed_out);

void conversation_cache(CacheResult result);

// A streamed answer ended after `bytes` of its body were sent. Its request was counted when
// the answer started, with status 200: this is where a body cut part-way shows.
void stream_finished(StreamEnd end, std::uint64_t bytes);

// The database connection pool (every ConnectionPool of the process together).
void db_connection_leased(bool was_idle);
void db_connection_returned();
void db_connection_open_failed();
void db_wait_started();
void db_wait_finished();

// A gauge sampled by the caller at scrape time (for example the work pool's queue).
struct Sample {
    std::string_view name;  // a valid metric name
    std::string_view help;
    double value;
};

// The whole exposition (text format 0.0.4), with `extra` gauges appended.
std::string render(std::span<const Sample> extra = {});
// Content-Type of `render`'s output.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace deskbridge::core::metrics
