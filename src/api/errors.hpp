#pragma once
// The one place where failures become HTTP statuses and the contract's error strings
// (`../shared/spec/ticket_details.txt`). Every error body is {"success": false, "error": "..."}.

#include <chrono>
#include <string>
#include <string_view>

#include "auth/authenticator.hpp"
#include "core/result.hpp"
#include "http/message.hpp"
#include "tickets/attachment_download.hpp"

namespace deskbridge::api {

enum class Failure {
    kMethodNotAllowed,  // 405, with the Allow header
    kQueryString,       // 400, the endpoint takes a JSON body only
    kAuthRequired,      // 401
    kNoIdentifier,      // 400
    kTicketNotFound,    // 404
    kRouteNotFound,     // 404 for an unknown path
    kBusy,              // 503, the work queue is full
    kMetricsAuth,       // 401 on /metrics without the configured bearer token
    kLinkInvalid,       // 403, a download link that is malformed or not signed by us
    kLinkExpired,       // 403, a correctly signed download link past its expiry
};

http::Response failure_response(Failure failure, std::string_view allow = {});
http::Response auth_failure_response(auth::AuthFailure failure);
// 429 for a login or address with too many failed logins, with Retry-After in seconds.
http::Response login_throttled_response(std::chrono::seconds retry_after);
// 400 with a message that tells the caller what to fix.
http::Response bad_request(std::string_view message);
// Errors from the modules below: the log gets `detail`, the caller only the safe message.
http::Response error_response(const core::Error& error);

// A failed download: 404, 403, 413, 500, 502 or 503 with the service's own message.
http::Response download_error_response(const tickets::DownloadError& error);

std::string error_body(std::string_view message);

}  // namespace deskbridge::api
