#include "core/metrics.hpp"

#include <array>
#include <atomic>
#include <cstdio>

namespace deskbridge::core::metrics {
namespace {

constexpr std::size_t kEndpoints = static_cast<std::size_t>(Endpoint::kCount);
constexpr std::size_t kZohoEndpoints = static_cast<std::size_t>(ZohoEndpoint::kCount);
constexpr std::size_t kZohoOutcomes = static_cast<std::size_t>(ZohoOutcome::kCount);
constexpr std::size_t kCacheResults = static_cast<std::size_t>(CacheResult::kCount);
constexpr std::size_t kStreamEnds = static_cast<std::size_t>(StreamEnd::kCount);

// Every status the service answers with; anything else is counted as "other".
constexpr std::array<unsigned, 17> kStatuses = {200, 204, 304, 400, 401, 403, 404, 405, 408,
                                                413, 422, 429, 431, 500, 502, 503, 504};
constexpr std::size_t kStatusCells = kStatuses.size() + 1;

// Bucket bounds in nanoseconds with their `le` text. Local requests take about a millisecond;
// Zoho calls from tens of milliseconds up to the request deadline.
struct Bound {
    std::int64_t ns;
    std::string_view le;
};
constexpr std::array<Bound, 14> kRequestBounds = {{{500'000, "0.0005"},
                                                   {1'000'000, "0.001"},
                                                   {2'500'000, "0.0025"},
                                                   {5'000'000, "0.005"},
                                                   {10'000'000, "0.01"},
                                                   {25'000'000, "0.025"},
                                                   {50'000'000, "0.05"},
                                                   {100'000'000, "0.1"},
                                                   {250'000'000, "0.25"},
                                                   {500'000'000, "0.5"},
                                                   {1'000'000'000, "1"},
                                                   {2'500'000'000, "2.5"},
                                                   {5'000'000'000, "5"},
                                                   {10'000'000'000, "10"}}};
constexpr std::array<Bound, 11> kZohoBounds = {{{10'000'000, "0.01"},
                                                {25'000'000, "0.025"},
                                                {50'000'000, "0.05"},
                                                {100'000'000, "0.1"},
                                                {250'000'000, "0.25"},
                                                {500'000'000, "0.5"},
                                                {1'000'000'000, "1"},
                                                {2'500'000'000, "2.5"},
                                                {5'000'000'000, "5"},
                                                {10'000'000'000, "10"},
                                                {30'000'000'000, "30"}}};

using Cell = std::atomic<std::uint64_t>;

// One thread's share of every counter. Buckets are not cumulative here; render adds them up.
struct alignas(64) Shard {
    Cell requests[kEndpoints][kStatusCells];
    Cell request_buckets[kEndpoints][kRequestBounds.size() + 1];
    Cell request_ns[kEndpoints];
    std::atomic<std::int64_t> in_flight;
    Cell zoho_calls[kZohoEndpoints][kZohoOutcomes];
    Cell zoho_buckets[kZohoEndpoints][kZohoBounds.size() + 1];
    Cell zoho_ns[kZohoEndpoints];
    Cell cache[kCacheResults];
    Cell token_renewals[2];  // [0] failed, [1] ok
    Cell streams[kStreamEnds];
    Cell streamed_bytes;
};

// A power of two well above the core counts the service runs on: more shards than threads
// mostly means no two threads share one.
constexpr unsigned kShards = 16;
Shard g_shards[kShards];
std::atomic<unsigned> g_next_shard{0};

std::atomic<std::int64_t> g_credits{-1};  // -1: no Zoho answer carried the header yet
std::atomic<std::int64_t> g_db_busy{0};
std::atomic<std::int64_t> g_db_idle{0};
std::atomic<std::int64_t> g_db_waiting{0};

Shard& shard() {
    thread_local Shard& mine = g_shards[g_next_shard.fetch_add(1) % kShards];
    return mine;
}

void bump(Cell& c, std::uint64_t n = 1) {
    c.fetch_add(n, std::memory_order_relaxed);
}

template <std::size_t N>
std::size_t bucket_of(const std::array<Bound, N>& bounds, std::int64_t ns) {
    std::size_t i = 0;
    while (i < N && ns > bounds[i].ns) {
        ++i;
    }
    return i;
}

std::size_t status_cell(unsigned status) {
    for (std::size_t i = 0; i < kStatuses.size(); ++i) {
        if (kStatuses[i] == status) {
            return i;
        }
    }
    return kStatuses.size();
}

template <typename Pick>
std::uint64_t total(Pick pick) {
    std::uint64_t sum = 0;
    for (auto& s : g_shards) {
        sum += pick(s).load(std::memory_order_relaxed);
    }
    return sum;
}

// The exposition, written by hand: small, and every name and label value is one of ours.
class Writer {
  public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        out_ += "# HELP ";
        out_ += name;
        out_ += ' ';
        out_ += help;
        out_ += "\n# TYPE ";
        out_ += name;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }

    // `labels` is the inside of the braces, empty for none.
    void sample(std::string_view name, std::string_view labels, double value) {
        out_ += name;
        if (!labels.empty()) {
            out_ += '{';
            out_ += labels;
            out_ += '}';
        }
        char buf[40];
        std::snprintf(buf, sizeof buf, " %.15g\n", value);
        out_ += buf;
    }

    template <std::size_t N, typename Count>
    void histogram(std::string_view name,
                   const std::string& labels,
                   const std::array<Bound, N>& bounds,
                   Count count_of,
                   std::uint64_t sum_ns) {
        std::uint64_t cumulative = 0;
        const std::string prefix = labels.empty() ? std::string() : labels + ",";
        for (std::size_t i = 0; i <= N; ++i) {
            cumulative += count_of(i);
            const std::string_view le = i < N ? bounds[i].le : "+Inf";
            sample(std::string(name) + "_bucket", prefix + "le=\"" + std::string(le) + "\"",
                   static_cast<double>(cumulative));
        }
        sample(std::string(name) + "_sum", labels, static_cast<double>(sum_ns) / 1e9);
        sample(std::string(name) + "_count", labels, static_cast<double>(cumulative));
    }

    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

std::string label(std::string_view key, std::string_view value) {
    std::string s(key);
    s += "=\"";
    s += value;
    s += '"';
    return s;
}

std::string status_text(std::size_t cell) {
    return cell < kStatuses.size() ? std::to_string(kStatuses[cell]) : "other";
}

void render_requests(Writer& w) {
    w.family("deskbridge_http_requests_total", "counter",
             "HTTP requests answered, by endpoint and status.");
    for (std::size_t e = 0; e < kEndpoints; ++e) {
        for (std::size_t c = 0; c < kStatusCells; ++c) {
            const auto n = total([&](Shard& s) -> Cell& { return s.requests[e][c]; });
            if (n != 0) {
                w.sample("deskbridge_http_requests_total",
                         label("endpoint", name(static_cast<Endpoint>(e))) + "," +
                             label("status", status_text(c)),
                         static_cast<double>(n));
            }
        }
    }

    w.family("deskbridge_http_request_duration_seconds", "histogram",
             "Time from the request's routing to its answer, by endpoint.");
    for (std::size_t e = 0; e < kEndpoints; ++e) {
        const auto sum = total([&](Shard& s) -> Cell& { return s.request_ns[e]; });
        const auto count_of = [&](std::size_t b) {
            return total([&](Shard& s) -> Cell& { return s.request_buckets[e][b]; });
        };
        std::uint64_t seen = 0;
        for (std::size_t b = 0; b <= kRequestBounds.size(); ++b) {
            seen += count_of(b);
        }
        if (seen != 0) {
            w.histogram("deskbridge_http_request_duration_seconds",
                        label("endpoint", name(static_cast<Endpoint>(e))), kRequestBounds, count_of,
                        sum);
        }
    }

    std::int64_t in_flight = 0;
    for (auto& s : g_shards) {
        in_flight += s.in_flight.load(std::memory_order_relaxed);
    }
    w.family("deskbridge_http_requests_in_flight", "gauge",
             "Requests routed and not yet answered.");
    w.sample("deskbridge_http_requests_in_flight", "", static_cast<double>(in_flight));

    w.family("deskbridge_streamed_responses_total", "counter",
             "Answers sent while produced (attachment downloads), by how their body ended.");
    for (std::size_t e = 0; e < kStreamEnds; ++e) {
        w.sample("deskbridge_streamed_responses_total",
                 label("result", name(static_cast<StreamEnd>(e))),
                 static_cast<double>(total([&](Shard& s) -> Cell& { return s.streams[e]; })));
    }
    w.family("deskbridge_streamed_bytes_total", "counter",
             "Body bytes of streamed answers sent, whole or not.");
    w.sample("deskbridge_streamed_bytes_total", "",
             static_cast<double>(total([&](Shard& s) -> Cell& { return s.streamed_bytes; })));
}

void render_zoho(Writer& w) {
    w.family("deskbridge_zoho_calls_total", "counter",
             "HTTP exchanges with Zoho Desk and Zoho Accounts, by endpoint and outcome.");
    std::uint64_t rate_limited = 0;
    for (std::size_t e = 0; e < kZohoEndpoints; ++e) {
        for (std::size_t o = 0; o < kZohoOutcomes; ++o) {
            const auto n = total([&](Shard& s) -> Cell& { return s.zoho_calls[e][o]; });
            if (static_cast<ZohoOutcome>(o) == ZohoOutcome::kRateLimited) {
                rate_limited += n;
            }
            if (n != 0) {
                w.sample("deskbridge_zoho_calls_total",
                         label("endpoint", name(static_cast<ZohoEndpoint>(e))) + "," +
                             label("outcome", name(static_cast<ZohoOutcome>(o))),
                         static_cast<double>(n));
            }
        }
    }

    w.family("deskbridge_zoho_call_duration_seconds", "histogram",
             "Duration of one exchange with Zoho, by endpoint.");
    for (std::size_t e = 0; e < kZohoEndpoints; ++e) {
        const auto count_of = [&](std::size_t b) {
            return total([&](Shard& s) -> Cell& { return s.zoho_buckets[e][b]; });
        };
        std::uint64_t seen = 0;
        for (std::size_t b = 0; b <= kZohoBounds.size(); ++b) {
            seen += count_of(b);
        }
        if (seen != 0) {
            w.histogram("deskbridge_zoho_call_duration_seconds",
                        label("endpoint", name(static_cast<ZohoEndpoint>(e))), kZohoBounds,
                        count_of, total([&](Shard& s) -> Cell& { return s.zoho_ns[e]; }));
        }
    }

    w.family("deskbridge_zoho_rate_limited_total", "counter",
             "Zoho answers with HTTP 429 (too many requests).");
    w.sample("deskbridge_zoho_rate_limited_total", "", static_cast<double>(rate_limited));

    const auto credits = g_credits.load(std::memory_order_relaxed);
    if (credits >= 0) {
        w.family("deskbridge_zoho_credits_remaining", "gauge",
                 "API credits left for the day, from Zoho's last X-Rate-Limit-Remaining-v3.");
        w.sample("deskbridge_zoho_credits_remaining", "", static_cast<double>(credits));
    }

    w.family("deskbridge_zoho_token_renewals_total", "counter",
             "Access token grants asked of Zoho Accounts, by result.");
    for (const bool ok : {true, false}) {
        w.sample("deskbridge_zoho_token_renewals_total", label("result", ok ? "ok" : "failed"),
                 static_cast<double>(
                     total([&](Shard& s) -> Cell& { return s.token_renewals[ok ? 1 : 0]; })));
    }

    w.family("deskbridge_conversation_cache_requests_total", "counter",
             "Conversation lookups, by where the answer came from.");
    for (std::size_t r = 0; r < kCacheResults; ++r) {
        w.sample("deskbridge_conversation_cache_requests_total",
                 label("result", name(static_cast<CacheResult>(r))),
                 static_cast<double>(total([&](Shard& s) -> Cell& { return s.cache[r]; })));
    }
}

void render_database(Writer& w) {
    w.family("deskbridge_db_connections", "gauge",
             "Open database connections, by state (busy: leased to a query).");
    w.sample("deskbridge_db_connections", label("state", "busy"),
             static_cast<double>(g_db_busy.load(std::memory_order_relaxed)));
    w.sample("deskbridge_db_connections", label("state", "idle"),
             static_cast<double>(g_db_idle.load(std::memory_order_relaxed)));
    w.family("deskbridge_db_connection_waiters", "gauge",
             "Threads waiting for a free database connection.");
    w.sample("deskbridge_db_connection_waiters", "",
             static_cast<double>(g_db_waiting.load(std::memory_order_relaxed)));
}

}  // namespace

std::string_view name(Endpoint e) {
    static constexpr std::string_view kNames[] = {
        "ticket_details", "auth",       "healthz", "readyz",  "metrics",
        "zoho_webhook",   "attachment", "docs",    "unknown", "rejected"};
    static_assert(std::size(kNames) == static_cast<std::size_t>(Endpoint::kCount));
    return kNames[static_cast<std::size_t>(e)];
}

std::string_view name(ZohoEndpoint e) {
    static constexpr std::string_view kNames[] = {
        "token",          "ticket",           "threads_list", "thread_detail",
        "thread_content", "attachments_list", "other"};
    return kNames[static_cast<std::size_t>(e)];
}

std::string_view name(ZohoOutcome o) {
    static constexpr std::string_view kNames[] = {"ok",           "not_found",    "unauthorized",
                                                  "rate_limited", "client_error", "server_error",
                                                  "timeout",      "network_error"};
    return kNames[static_cast<std::size_t>(o)];
}

std::string_view name(CacheResult r) {
    static constexpr std::string_view kNames[] = {"memory_hit", "database_hit", "miss", "bypass"};
    return kNames[static_cast<std::size_t>(r)];
}

std::string_view name(StreamEnd e) {
    static constexpr std::string_view kNames[] = {"complete", "failed", "caller_left"};
    return kNames[static_cast<std::size_t>(e)];
}

void stream_finished(StreamEnd end, std::uint64_t bytes) {
    Shard& s = shard();
    bump(s.streams[static_cast<std::size_t>(end)]);
    bump(s.streamed_bytes, bytes);
}

void request_started() {
    shard().in_flight.fetch_add(1, std::memory_order_relaxed);
}

void request_finished(Endpoint endpoint, unsigned status, Duration elapsed) {
    const auto e = static_cast<std::size_t>(endpoint);
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
    Shard& s = shard();
    s.in_flight.fetch_sub(1, std::memory_order_relaxed);
    bump(s.requests[e][status_cell(status)]);
    bump(s.request_buckets[e][bucket_of(kRequestBounds, ns)]);
    bump(s.request_ns[e], static_cast<std::uint64_t>(ns > 0 ? ns : 0));
}

void zoho_call(ZohoEndpoint endpoint, ZohoOutcome outcome, Duration elapsed) {
    const auto e = static_cast<std::size_t>(endpoint);
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
    Shard& s = shard();
    bump(s.zoho_calls[e][static_cast<std::size_t>(outcome)]);
    bump(s.zoho_buckets[e][bucket_of(kZohoBounds, ns)]);
    bump(s.zoho_ns[e], static_cast<std::uint64_t>(ns > 0 ? ns : 0));
}

void zoho_credits_remaining(std::int64_t credits) {
    g_credits.store(credits, std::memory_order_relaxed);
}

void zoho_token_renewal(bool ok) {
    bump(shard().token_renewals[ok ? 1 : 0]);
}

ZohoEndpoint classify_zoho_path(std::string_view path) {
    path = path.substr(0, path.find('?'));
    constexpr std::string_view kTickets = "/api/v1/tickets/";
    if (!path.starts_with(kTickets)) {
        return ZohoEndpoint::kOther;
    }
    // After "/api/v1/tickets/{id}": "", "/threads", "/threads/{id}", "/threads/{id}/..."
    const std::string_view rest = path.substr(kTickets.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) {
        return ZohoEndpoint::kTicket;
    }
    const std::string_view tail = rest.substr(slash);
    if (tail == "/attachments") {
        return ZohoEndpoint::kAttachmentsList;
    }
    if (tail == "/threads") {
        return ZohoEndpoint::kThreadsList;
    }
    if (tail.starts_with("/threads/")) {
        return tail.find('/', 9) == std::string_view::npos ? ZohoEndpoint::kThreadDetail
                                                           : ZohoEndpoint::kThreadContent;
    }
    return ZohoEndpoint::kOther;
}

ZohoOutcome classify_zoho_status(long status, bool timed_out) {
    if (status == 0) {
        return timed_out ? ZohoOutcome::kTimeout : ZohoOutcome::kNetworkError;
    }
    if (status >= 200 && status < 300) {
        return ZohoOutcome::kOk;
    }
    switch (status) {
        case 401:
            return ZohoOutcome::kUnauthorized;
        case 404:
            return ZohoOutcome::kNotFound;
        case 429:
            return ZohoOutcome::kRateLimited;
        default:
            return status >= 500 ? ZohoOutcome::kServerError : ZohoOutcome::kClientError;
    }
}

void conversation_cache(CacheResult result) {
    bump(shard().cache[static_cast<std::size_t>(result)]);
}

void db_connection_leased(bool was_idle) {
    g_db_busy.fetch_add(1, std::memory_order_relaxed);
    if (was_idle) {
        g_db_idle.fetch_sub(1, std::memory_order_relaxed);
    }
}

void db_connection_returned() {
    g_db_busy.fetch_sub(1, std::memory_order_relaxed);
    g_db_idle.fetch_add(1, std::memory_order_relaxed);
}

void db_connection_open_failed() {
    g_db_busy.fetch_sub(1, std::memory_order_relaxed);
}

void db_wait_started() {
    g_db_waiting.fetch_add(1, std::memory_order_relaxed);
}

void db_wait_finished() {
    g_db_waiting.fetch_sub(1, std::memory_order_relaxed);
}

std::string render(std::span<const Sample> extra) {
    Writer w;
    render_requests(w);
    render_zoho(w);
    render_database(w);
    for (const auto& s : extra) {
        w.family(s.name, "gauge", s.help);
        w.sample(s.name, "", s.value);
    }
    return w.take();
}

}  // namespace deskbridge::core::metrics
