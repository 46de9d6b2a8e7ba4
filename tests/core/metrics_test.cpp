#include "core/metrics.hpp"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <thread>
#include <vector>

namespace deskbridge::core::metrics {
namespace {

using namespace std::chrono_literals;

// Every sample line of the exposition, by series ("name{labels}").
std::map<std::string, double> samples() {
    std::map<std::string, double> out;
    std::istringstream in(render());
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        const auto space = line.rfind(' ');
        out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return out;
}

double value(const std::string& series) {
    const auto all = samples();
    const auto it = all.find(series);
    return it == all.end() ? 0 : it->second;
}

TEST(Metrics, RequestsFromManyThreadsAreAllCounted) {
    const std::string series = R"(deskbridge_http_requests_total{endpoint="auth",status="403"})";
    const double before = value(series);

    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([] {
            for (int i = 0; i < 1000; ++i) {
                request_started();
                request_finished(Endpoint::kAuth, 403, 2ms);
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }

    EXPECT_EQ(value(series), before + 8000);
    EXPECT_EQ(value("deskbridge_http_requests_in_flight"), 0);
}

TEST(Metrics, HistogramBucketsAreCumulativeAndCountMatchesInf) {
    const std::string h = "deskbridge_http_request_duration_seconds";
    const std::string ep = R"(endpoint="metrics")";
    const double le1ms = value(h + "_bucket{" + ep + R"(,le="0.001"})");
    const double le5ms = value(h + "_bucket{" + ep + R"(,le="0.005"})");
    const double inf = value(h + "_bucket{" + ep + R"(,le="+Inf"})");
    const double sum = value(h + "_sum{" + ep + "}");

    for (const Duration d : {Duration(500us), Duration(3ms), Duration(20s)}) {
        request_started();
        request_finished(Endpoint::kMetrics, 200, d);
    }

    EXPECT_EQ(value(h + "_bucket{" + ep + R"(,le="0.001"})"), le1ms + 1);
    EXPECT_EQ(value(h + "_bucket{" + ep + R"(,le="0.005"})"), le5ms + 2);
    EXPECT_EQ(value(h + "_bucket{" + ep + R"(,le="+Inf"})"), inf + 3);
    EXPECT_EQ(value(h + "_count{" + ep + "}"), inf + 3);
    EXPECT_NEAR(value(h + "_sum{" + ep + "}"), sum + 20.0035, 1e-6);
}

TEST(Metrics, UnlistedStatusIsCountedAsOther) {
    const std::string series =
        R"(deskbridge_http_requests_total{endpoint="unknown",status="other"})";
    const double before = value(series);
    request_started();
    request_finished(Endpoint::kUnknown, 418, 1ms);
    EXPECT_EQ(value(series), before + 1);
}

TEST(Metrics, ZohoCallsByEndpointAndOutcomeWithRateLimitsAndCredits) {
    const std::string calls =
        R"(deskbridge_zoho_calls_total{endpoint="threads_list",outcome="rate_limited"})";
    const double before = value(calls);
    const double limited = value("deskbridge_zoho_rate_limited_total");

    zoho_call(ZohoEndpoint::kThreadsList, classify_zoho_status(429, false), 80ms);
    zoho_credits_remaining(4321);

    EXPECT_EQ(value(calls), before + 1);
    EXPECT_EQ(value("deskbridge_zoho_rate_limited_total"), limited + 1);
    EXPECT_EQ(value("deskbridge_zoho_credits_remaining"), 4321);
}

TEST(Metrics, ZohoPathsMapToAFixedSet) {
    EXPECT_EQ(classify_zoho_path("/api/v1/tickets/123?include=departments"), ZohoEndpoint::kTicket);
    EXPECT_EQ(classify_zoho_path("/api/v1/tickets/123/threads?from=1&limit=100"),
              ZohoEndpoint::kThreadsList);
    EXPECT_EQ(classify_zoho_path("/api/v1/tickets/123/threads/456"), ZohoEndpoint::kThreadDetail);
    EXPECT_EQ(classify_zoho_path("/api/v1/tickets/123/threads/456/fullContent"),
              ZohoEndpoint::kThreadContent);
    EXPECT_EQ(classify_zoho_path("/api/v1/tickets/123/attachments?from=1"),
              ZohoEndpoint::kAttachmentsList);
    EXPECT_EQ(classify_zoho_path("/api/v1/organizations"), ZohoEndpoint::kOther);
}

TEST(Metrics, ZohoOutcomes) {
    EXPECT_EQ(classify_zoho_status(200, false), ZohoOutcome::kOk);
    EXPECT_EQ(classify_zoho_status(204, false), ZohoOutcome::kOk);
    EXPECT_EQ(classify_zoho_status(301, false), ZohoOutcome::kClientError);
    EXPECT_EQ(classify_zoho_status(401, false), ZohoOutcome::kUnauthorized);
    EXPECT_EQ(classify_zoho_status(404, false), ZohoOutcome::kNotFound);
    EXPECT_EQ(classify_zoho_status(422, false), ZohoOutcome::kClientError);
    EXPECT_EQ(classify_zoho_status(503, false), ZohoOutcome::kServerError);
    EXPECT_EQ(classify_zoho_status(0, true), ZohoOutcome::kTimeout);
    EXPECT_EQ(classify_zoho_status(0, false), ZohoOutcome::kNetworkError);
}

TEST(Metrics, CacheTokenAndPoolSeries) {
    const std::string hit = R"(deskbridge_conversation_cache_requests_total{result="memory_hit"})";
    const std::string renewed = R"(deskbridge_zoho_token_renewals_total{result="failed"})";
    const std::string busy = R"(deskbridge_db_connections{state="busy"})";
    const double hits = value(hit);
    const double failures = value(renewed);
    const double busy_before = value(busy);

    conversation_cache(CacheResult::kMemoryHit);
    zoho_token_renewal(false);
    db_connection_leased(false);

    EXPECT_EQ(value(hit), hits + 1);
    EXPECT_EQ(value(renewed), failures + 1);
    EXPECT_EQ(value(busy), busy_before + 1);
    db_connection_returned();
    EXPECT_EQ(value(busy), busy_before);
}

TEST(Metrics, StreamedAnswersByHowTheyEndedAndTheirBytes) {
    const std::string complete = R"(deskbridge_streamed_responses_total{result="complete"})";
    const std::string failed = R"(deskbridge_streamed_responses_total{result="failed"})";
    const std::string left = R"(deskbridge_streamed_responses_total{result="caller_left"})";
    const std::string bytes = "deskbridge_streamed_bytes_total";
    const double c = value(complete), f = value(failed), l = value(left), b = value(bytes);

    stream_finished(StreamEnd::kComplete, 1000);
    stream_finished(StreamEnd::kFailed, 20);
    stream_finished(StreamEnd::kCallerLeft, 3);
    stream_finished(StreamEnd::kCallerLeft, 0);

    EXPECT_EQ(value(complete), c + 1);
    EXPECT_EQ(value(failed), f + 1);
    EXPECT_EQ(value(left), l + 2);
    EXPECT_EQ(value(bytes), b + 1023);
}

TEST(Metrics, ExtraSamplesAndFamiliesHaveHelpAndType) {
    const Sample extra[] = {{"deskbridge_test_gauge", "A gauge for the test.", 2.5}};
    const std::string text = render(extra);
    EXPECT_NE(text.find("# HELP deskbridge_test_gauge A gauge for the test.\n"
                        "# TYPE deskbridge_test_gauge gauge\n"
                        "deskbridge_test_gauge 2.5\n"),
              std::string::npos);
    EXPECT_NE(text.find("# TYPE deskbridge_http_requests_total counter\n"), std::string::npos);
    EXPECT_EQ(text.back(), '\n');
}

}  // namespace
}  // namespace deskbridge::core::metrics
