#include "api/api.hpp"

#include <boost/json/serialize.hpp>
#include <chrono>

#include "api/attachment_route.hpp"
#include "api/client_address.hpp"
#include "api/docs.hpp"
#include "api/errors.hpp"
#include "api/request_parsing.hpp"
#include "api/webhook.hpp"
#include "core/etag.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/request_id.hpp"
#include "core/time.hpp"

namespace deskbridge::api {
namespace {

namespace json = boost::json;

constexpr std::string_view kAuthPath = "/api/get/auth";
constexpr std::string_view kTicketDetailsPath = "/api/get/ticket_details";
constexpr std::string_view kHealthPath = "/healthz";
constexpr std::string_view kReadyPath = "/readyz";
constexpr std::string_view kMetricsPath = "/metrics";
constexpr std::string_view kWebhookPrefix = "/api/zoho/webhook/";

using core::metrics::Endpoint;

// The fixed name a request is counted and logged under: never the raw target, which may carry
// a webhook secret or, against the contract, credentials in a query string.
Endpoint endpoint_of(std::string_view path) {
    if (path == kTicketDetailsPath) {
        return Endpoint::kTicketDetails;
    }
    if (path == kAuthPath) {
        return Endpoint::kAuth;
    }
    if (path == kHealthPath) {
        return Endpoint::kHealthz;
    }
    if (path == kReadyPath) {
        return Endpoint::kReadyz;
    }
    if (path == kMetricsPath) {
        return Endpoint::kMetrics;
    }
    if (path.starts_with(kAttachmentsPrefix)) {
        return Endpoint::kAttachment;
    }
    if (path == "/docs" || path.starts_with("/docs/")) {
        return Endpoint::kDocs;
    }
    return path.starts_with(kWebhookPrefix) ? Endpoint::kZohoWebhook : Endpoint::kUnknown;
}

// The caller's X-Request-Id when it is short and plain, otherwise a fresh one.
std::string request_id_for(const http::Request& request) {
    const std::string_view given = request.header("x-request-id");
    const bool plain = !given.empty() && given.size() <= 64 &&
                       given.find_first_not_of(
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"
                           "YZ0123456789-_.:") == std::string_view::npos;
    if (plain) {
        return std::string(given);
    }
    return core::new_request_id();
}

template <typename T>
core::log::Field field_or_null(std::string_view key, bool present, const T& value) {
    return present ? core::log::Field(key, value) : core::log::Field(key, nullptr);
}

// Wraps the responder so every answer carries the request id, is counted, and leaves one
// access-log line.
http::Responder logged(http::Responder respond,
                       const http::Request& request,
                       Endpoint endpoint,
                       std::string id) {
    const auto start = std::chrono::steady_clock::now();
    core::metrics::request_started();
    return [respond = std::move(respond), id = std::move(id), start, endpoint,
            method = request.method, client = request.remote_address](http::Response&& res) {
        const auto elapsed = std::chrono::steady_clock::now() - start;
        core::metrics::request_finished(endpoint, res.status, elapsed);
        if (core::log::enabled(core::log::Level::kInfo)) {
            const auto& note = res.log;
            const double ms = std::chrono::duration<double, std::milli>(elapsed).count();
            core::log::info("request",
                            {{"request_id", id},
                             {"method", method},
                             {"endpoint", core::metrics::name(endpoint)},
                             {"status", res.status},
                             {"duration_ms", ms},
                             {"client", client},
                             field_or_null("user", !note.user.empty(), note.user),
                             field_or_null("ticket", note.ticket != 0, note.ticket),
                             field_or_null("zoho_calls", note.zoho_calls >= 0, note.zoho_calls)});
        }
        res.headers.emplace_back("X-Request-Id", id);
        respond(std::move(res));
    };
}

// Answers 429 when failed logins for this login or address are being throttled.
bool throttled(auth::LoginThrottle& throttle,
               std::string_view login,
               const std::string& address,
               const std::string& request_id,
               const http::Responder& respond) {
    const auto wait = throttle.retry_after(login, address);
    if (wait.count() == 0) {
        return false;
    }
    core::log::warn(
        "login_throttled",
        {{"request_id", request_id}, {"client", address}, {"retry_after_s", wait.count()}});
    respond(login_throttled_response(wait));
    return true;
}

// Every If-None-Match field of the request, joined as one list.
std::string if_none_match(const http::Request& request) {
    std::string list;
    for (const auto& [name, value] : request.headers) {
        if (name == "if-none-match") {
            list += list.empty() ? "" : ",";
            list += value;
        }
    }
    return list;
}

// One audit line per ticket_details answer: who read which ticket, and whether Zoho was asked.
void audit_read(const std::string& request_id,
                const auth::Principal& who,
                std::int64_t ticket,
                bool refresh,
                std::string_view outcome) {
    core::log::info("ticket_read", {{"request_id", request_id},
                                    {"user", who.login},
                                    {"user_id", who.user_id},
                                    {"staff", who.staff},
                                    field_or_null("customer", who.client_id.has_value(),
                                                  who.client_id.value_or(0)),
                                    field_or_null("ticket", ticket != 0, ticket),
                                    {"refresh", refresh},
                                    {"outcome", outcome}});
}

http::Response ok_json(std::string body) {
    return http::Response{200, std::move(body)};
}

}  // namespace

void Api::handle(http::Request&& request, http::Responder respond) const {
    const std::string request_id = request_id_for(request);
    const std::string_view path = request.path();
    respond = logged(std::move(respond), request, endpoint_of(path), request_id);

    if (path == kTicketDetailsPath) {
        if (request.method != "GET") {
            return respond(failure_response(Failure::kMethodNotAllowed, "GET"));
        }
        return ticket_details(request, request_id, std::move(respond));
    }
    if (path == kAuthPath) {
        if (request.method != "GET" && request.method != "POST") {
            return respond(failure_response(Failure::kMethodNotAllowed, "GET, POST"));
        }
        return login(request, request_id, std::move(respond));
    }
    if (path == kHealthPath) {
        if (request.method != "GET" && request.method != "HEAD") {
            return respond(failure_response(Failure::kMethodNotAllowed, "GET, HEAD"));
        }
        return respond(ok_json(R"({"status":"ok"})"));
    }
    if (path.starts_with(kAttachmentsPrefix)) {
        return attachment_download(request, request_id, std::move(respond));
    }
    if (path == kReadyPath || path == kMetricsPath) {
        if (request.method != "GET" && request.method != "HEAD") {
            return respond(failure_response(Failure::kMethodNotAllowed, "GET, HEAD"));
        }
        return path == kReadyPath ? ready(std::move(respond))
                                  : metrics(request, std::move(respond));
    }
    if (path.starts_with(kWebhookPrefix)) {
        return zoho_webhook(request, request_id, std::move(respond));
    }
    if (auto docs = docs_response(request.method, path)) {
        return respond(std::move(*docs));
    }
    respond(failure_response(Failure::kRouteNotFound));
}

void Api::ready(http::Responder respond) const {
    if (deps_.readiness == nullptr) {
        return respond(ok_json(R"({"status":"ready","checks":{}})"));
    }
    offload(
        [this, respond]() {
            deps_.readiness->check([respond](unsigned status, std::string body) {
                respond(http::Response{status, std::move(body)});
            });
        },
        respond);
}

void Api::metrics(const http::Request& request, http::Responder respond) const {
    if (!deps_.metrics_token.empty()) {
        constexpr std::string_view kBearer = "Bearer ";
        const std::string_view given = request.header("authorization");
        if (!given.starts_with(kBearer) ||
            !webhook_secret_matches(given.substr(kBearer.size()), deps_.metrics_token)) {
            return respond(failure_response(Failure::kMetricsAuth));
        }
    }
    const core::metrics::Sample pool[] = {
        {"deskbridge_work_pool_threads", "Threads for blocking work (database, hashing).",
         static_cast<double>(deps_.pool.threads())},
        {"deskbridge_work_pool_busy", "Work pool threads running a job.",
         static_cast<double>(deps_.pool.busy())},
        {"deskbridge_work_pool_queued", "Jobs waiting for a work pool thread.",
         static_cast<double>(deps_.pool.queued())},
    };
    http::Response res{200, core::metrics::render(pool)};
    res.content_type = core::metrics::kContentType;
    respond(std::move(res));
}

void Api::offload(std::function<void()> job, const http::Responder& respond) const {
    if (!deps_.pool.try_submit(std::move(job))) {
        respond(failure_response(Failure::kBusy));
    }
}

std::optional<json::object> Api::json_body(const http::Request& request,
                                           const http::Responder& respond) const {
    if (request.has_query()) {
        respond(failure_response(Failure::kQueryString));
        return std::nullopt;
    }
    auto body = parse_json_object(request.body, deps_.limits);
    if (!body) {
        respond(error_response(body.error()));
        return std::nullopt;
    }
    return std::move(*body);
}

void Api::login(const http::Request& request,
                const std::string& request_id,
                http::Responder respond) const {
    auto body = json_body(request, respond);
    if (!body) {
        return;
    }
    auto fields = parse_login_fields(*body);
    if (!fields) {
        return respond(error_response(fields.error()));
    }

    // Checked before the job is queued, so a throttled attempt costs no queue slot, and again
    // when it runs, so a burst queued before the first failure was recorded is cut off too.
    std::string address = client_address(request, deps_.trusted_proxy);
    if (throttled(deps_.login_throttle, fields->login, address, request_id, respond)) {
        return;
    }

    offload(
        [this, fields = std::move(*fields), address = std::move(address), respond, request_id]() {
            if (throttled(deps_.login_throttle, fields.login, address, request_id, respond)) {
                return;
            }
            auto result = deps_.authenticator.login(fields.login, fields.password);
            if (const auto* failure = std::get_if<auth::AuthFailure>(&result)) {
                // A blocked client's user gave the right password: not a guess.
                if (*failure == auth::AuthFailure::kInvalidCredentials) {
                    deps_.login_throttle.record_failure(fields.login, address);
                }
                return respond(auth_failure_response(*failure));
            }
            if (const auto* error = std::get_if<core::Error>(&result)) {
                core::log::error("login_failed",
                                 {{"request_id", request_id}, {"error", error->detail}});
                return respond(error_response(*error));
            }
            const auto& issued = std::get<auth::IssuedToken>(result);
            deps_.login_throttle.record_success(address);
            respond(ok_json(json::serialize(
                json::object{{"success", true},
                             {"auth", issued.token},
                             {"expires_at", core::format_utc_iso(issued.expires_at)}})));
        },
        respond);
}

// The answer for one ticket_details outcome, from whichever path produced it, with its audit
// line. The tag is compared even after a refresh: Zoho was asked, but the caller's copy may
// still be current.
static http::Response details_response(tickets::DetailsOutcome&& outcome,
                                       const std::string& request_id,
                                       const auth::Principal& principal,
                                       bool refresh,
                                       const std::string& validators) {
    if (auto* found = std::get_if<tickets::DetailsBody>(&outcome)) {
        const bool current = !validators.empty() && core::none_match_hits(validators, found->etag);
        audit_read(request_id, principal, found->ticket_id, refresh,
                   current ? "not_modified" : "ok");
        http::Response res =
            current ? http::Response{304, {}, {}} : ok_json(std::move(found->json));
        res.headers.emplace_back("ETag", std::move(found->etag));
        res.headers.emplace_back("Cache-Control", "private, no-cache");
        res.log = {principal.login, found->ticket_id, found->zoho_calls};
        return res;
    }
    if (std::holds_alternative<tickets::NotFound>(outcome)) {
        audit_read(request_id, principal, 0, refresh, "not_found");
        auto res = failure_response(Failure::kTicketNotFound);
        res.log.user = principal.login;
        return res;
    }
    const auto& error = std::get<core::Error>(outcome);
    core::log::error(
        "ticket_details_failed",
        {{"request_id", request_id}, {"error", error.message}, {"detail", error.detail}});
    return error_response(error);
}

void Api::ticket_details(const http::Request& request,
                         const std::string& request_id,
                         http::Responder respond) const {
    auto body = json_body(request, respond);
    if (!body) {
        return;
    }
    auto token = auth_field(*body);
    if (!token) {
        return respond(failure_response(Failure::kAuthRequired));
    }
    std::string validators = if_none_match(request);
    if (details_from_memory(*token, *body, validators, request_id, respond)) {
        return;
    }

    offload(
        [this, token = std::move(*token), body = std::move(*body), respond, request_id,
         validators = std::move(validators)]() {
            auto who = deps_.authenticator.authenticate(token);
            if (const auto* failure = std::get_if<auth::AuthFailure>(&who)) {
                return respond(auth_failure_response(*failure));
            }
            if (const auto* error = std::get_if<core::Error>(&who)) {
                core::log::error("auth_failed",
                                 {{"request_id", request_id}, {"error", error->detail}});
                return respond(error_response(*error));
            }
            const auto& principal = std::get<auth::Principal>(who);

            auto fields = parse_ticket_fields(body);
            if (!fields) {
                return respond(error_response(fields.error()));
            }
            if (fields->no_identifier) {
                return respond(failure_response(Failure::kNoIdentifier));
            }

            const bool refresh = fields->request.refresh;
            deps_.tickets.details(principal, std::move(fields->request),
                                  [respond, request_id, principal, refresh,
                                   validators](tickets::DetailsOutcome outcome) {
                                      respond(details_response(std::move(outcome), request_id,
                                                               principal, refresh, validators));
                                  });
        },
        respond);
}

// The same checks in the same order as the pooled path, answered on the I/O thread when the
// user and the ticket were read under the store's current change generation (and a linked
// ticket's conversation is fresh in memory): no database work, no hop to the pool.
bool Api::details_from_memory(const std::string& token,
                              const json::object& body,
                              const std::string& validators,
                              const std::string& request_id,
                              const http::Responder& respond) const {
    auto who = deps_.authenticator.authenticate_from_memory(token);
    if (!who) {
        return false;
    }
    if (const auto* failure = std::get_if<auth::AuthFailure>(&*who)) {
        respond(auth_failure_response(*failure));
        return true;
    }
    const auto* principal = std::get_if<auth::Principal>(&*who);
    if (principal == nullptr) {
        return false;
    }

    auto fields = parse_ticket_fields(body);
    if (!fields) {
        respond(error_response(fields.error()));
        return true;
    }
    if (fields->no_identifier) {
        respond(failure_response(Failure::kNoIdentifier));
        return true;
    }
    const bool refresh = fields->request.refresh;
    auto outcome = deps_.tickets.details_from_memory(*principal, std::move(fields->request));
    if (!outcome) {
        return false;
    }
    respond(details_response(std::move(*outcome), request_id, *principal, refresh, validators));
    return true;
}

void Api::zoho_webhook(const http::Request& request,
                       const std::string& request_id,
                       http::Responder respond) const {
    // A wrong secret looks exactly like no webhook at all.
    const std::string_view secret = request.path().substr(kWebhookPrefix.size());
    if (deps_.conversations == nullptr || !webhook_secret_matches(secret, deps_.webhook_secret)) {
        return respond(failure_response(Failure::kRouteNotFound));
    }
    if (request.method == "GET" || request.method == "HEAD") {
        return respond(ok_json(R"({"success":true})"));  // Zoho validates the URL with a GET
    }
    if (request.method != "POST") {
        return respond(failure_response(Failure::kMethodNotAllowed, "GET, HEAD, POST"));
    }
    auto ids = tickets_in_webhook(request.body);
    if (!ids) {
        return respond(error_response(ids.error()));
    }

    offload(
        [this, ids = std::move(*ids), respond, request_id]() {
            int marked = 0;
            for (const auto& id : ids) {
                auto r = deps_.conversations->mark_stale(id);
                if (!r) {
                    core::log::error(
                        "webhook_mark_failed",
                        {{"request_id", request_id}, {"zoho_id", id}, {"error", r.error().detail}});
                    return respond(error_response(r.error()));
                }
                marked += *r ? 1 : 0;
            }
            core::log::info(
                "zoho_webhook",
                {{"request_id", request_id}, {"tickets", ids.size()}, {"marked_stale", marked}});
            respond(ok_json(json::serialize(json::object{
                {"success", true}, {"tickets", ids.size()}, {"marked_stale", marked}})));
        },
        respond);
}

}  // namespace deskbridge::api
