#include "api/errors.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace deskbridge::api {
namespace {

http::Response make(unsigned status, std::string_view message) {
    return http::Response{status, error_body(message)};
}

}  // namespace

std::string error_body(std::string_view message) {
    return boost::json::serialize(boost::json::object{{"success", false}, {"error", message}});
}

http::Response failure_response(Failure failure, std::string_view allow) {
    switch (failure) {
        case Failure::kMethodNotAllowed: {
            auto res = make(405, "Method not allowed");
            res.headers.emplace_back("Allow", std::string(allow));
            return res;
        }
        case Failure::kQueryString:
            return make(400, "This endpoint only accepts JSON body (no URL parameters)");
        case Failure::kAuthRequired:
            return make(401, "auth is required");
        case Failure::kNoIdentifier:
            return make(400, "Provide ticket_number, zoho_id or chamado_id");
        case Failure::kTicketNotFound:
            return make(404, "Ticket not found");
        case Failure::kRouteNotFound:
            return make(404, "Not found");
        case Failure::kBusy: {
            auto res = make(503, "Service busy, retry shortly");
            res.headers.emplace_back("Retry-After", "1");
            return res;
        }
        case Failure::kMetricsAuth: {
            auto res = make(401, "metrics token required");
            res.headers.emplace_back("WWW-Authenticate", "Bearer");
            return res;
        }
        case Failure::kLinkInvalid:
            return make(403, "Download link is invalid");
        case Failure::kLinkExpired:
            return make(403, "Download link has expired; ask ticket_details for a new one");
    }
    return make(500, "Internal error: unknown failure");
}

http::Response auth_failure_response(auth::AuthFailure failure) {
    switch (failure) {
        case auth::AuthFailure::kInvalidToken:
            return make(401, "invalid auth");
        case auth::AuthFailure::kInvalidCredentials:
            return make(401, "Invalid credentials");
        case auth::AuthFailure::kClientBlocked:
            return make(403, "Client blocked");
    }
    return make(500, "Internal error: unknown auth failure");
}

http::Response login_throttled_response(std::chrono::seconds retry_after) {
    // The contract has no string for this; the README lists it with the other choices.
    auto res = make(429, "Too many failed logins, retry later");
    res.headers.emplace_back("Retry-After", std::to_string(retry_after.count()));
    return res;
}

http::Response download_error_response(const tickets::DownloadError& error) {
    using tickets::DownloadFailure;
    switch (error.kind) {
        case DownloadFailure::kNotFound:
            return make(404, "Attachment not found");
        case DownloadFailure::kClientBlocked:
            return make(403, "Client blocked");
        case DownloadFailure::kTooLarge:
            return make(413, error.message);
        case DownloadFailure::kOversized:
        case DownloadFailure::kForeignHost:
        case DownloadFailure::kUpstream:
            return make(502, error.message);
        case DownloadFailure::kBusy: {
            auto res = make(503, error.message);
            res.headers.emplace_back("Retry-After", "1");
            return res;
        }
        case DownloadFailure::kInternal:
            break;
    }
    return make(500, "Internal error: " + error.message);
}

http::Response bad_request(std::string_view message) {
    return make(400, message);
}

http::Response error_response(const core::Error& error) {
    switch (error.kind) {
        case core::ErrorKind::kInvalidArgument:
            return make(400, error.message);
        case core::ErrorKind::kNotFound:
            return make(404, error.message);
        case core::ErrorKind::kTooManyRequests:
            return make(429, error.message);
        case core::ErrorKind::kUnauthenticated:
            return make(401, "Invalid credentials");
        case core::ErrorKind::kPermissionDenied:
            return make(403, error.message);
        case core::ErrorKind::kUnavailable:
        case core::ErrorKind::kInternal:
            break;
    }
    // The contract has one shape for server faults; the message is ours, never a dependency's.
    return make(500, "Internal error: " + error.message);
}

}  // namespace deskbridge::api
