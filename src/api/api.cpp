#include "api/api.hpp"

#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <random>

#include "api/attachment_route.hpp"
#include "api/errors.hpp"
#include "api/request_parsing.hpp"
#include "api/webhook.hpp"
#include "core/log.hpp"
#include "core/time.hpp"

namespace deskbridge::api {
namespace {

namespace json = boost::json;

constexpr std::string_view kAuthPath = "/api/get/auth";
constexpr std::string_view kTicketDetailsPath = "/api/get/ticket_details";
constexpr std::string_view kHealthPath = "/healthz";
constexpr std::string_view kWebhookPrefix = "/api/zoho/webhook/";

// The caller's X-Request-Id when it is short and plain, otherwise a fresh random one (unique,
// not secret: a per-thread generator is enough and costs no system call).
std::string request_id_for(const http::Request& request) {
    const std::string_view given = request.header("x-request-id");
    const bool plain = !given.empty() && given.size() <= 64 &&
                       given.find_first_not_of(
                           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"
                           "YZ0123456789-_.:") == std::string_view::npos;
    if (plain) {
        return std::string(given);
    }
    thread_local std::mt19937_64 rng{std::random_device{}()};
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(rng()));
    return hex;
}

// Wraps the responder so every answer carries the request id and leaves one access-log line.
http::Responder logged(http::Responder respond, const http::Request& request, std::string id) {
    const auto start = std::chrono::steady_clock::now();
    return [respond = std::move(respond), id = std::move(id), start, method = request.method,
            path = std::string(request.path()),
            client = request.remote_address](http::Response&& res) {
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        core::log::info("request", {{"request_id", id},
                                    {"method", method},
                                    {"endpoint", path},
                                    {"status", res.status},
                                    {"duration_ms", ms},
                                    {"client", client}});
        res.headers.emplace_back("X-Request-Id", id);
        respond(std::move(res));
    };
}

http::Response ok_json(std::string body) {
    return http::Response{200, std::move(body)};
}

}  // namespace

void Api::handle(http::Request&& request, http::Responder respond) const {
    const std::string request_id = request_id_for(request);
    respond = logged(std::move(respond), request, request_id);
    const std::string_view path = request.path();

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
    if (path.starts_with(kWebhookPrefix)) {
        return zoho_webhook(request, request_id, std::move(respond));
    }
    respond(failure_response(Failure::kRouteNotFound));
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

    offload(
        [this, fields = std::move(*fields), respond, request_id]() {
            auto result = deps_.authenticator.login(fields.login, fields.password);
            if (const auto* failure = std::get_if<auth::AuthFailure>(&result)) {
                return respond(auth_failure_response(*failure));
            }
            if (const auto* error = std::get_if<core::Error>(&result)) {
                core::log::error("login_failed",
                                 {{"request_id", request_id}, {"error", error->detail}});
                return respond(error_response(*error));
            }
            const auto& issued = std::get<auth::IssuedToken>(result);
            respond(ok_json(json::serialize(
                json::object{{"success", true},
                             {"auth", issued.token},
                             {"expires_at", core::format_utc_iso(issued.expires_at)}})));
        },
        respond);
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

    offload(
        [this, token = std::move(*token), body = std::move(*body), respond, request_id]() {
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

            deps_.tickets.details(
                principal, std::move(fields->request),
                [respond, request_id](tickets::DetailsOutcome outcome) {
                    if (auto* body = std::get_if<std::string>(&outcome)) {
                        return respond(ok_json(std::move(*body)));
                    }
                    if (std::holds_alternative<tickets::NotFound>(outcome)) {
                        return respond(failure_response(Failure::kTicketNotFound));
                    }
                    const auto& error = std::get<core::Error>(outcome);
                    core::log::error("ticket_details_failed", {{"request_id", request_id},
                                                               {"error", error.message},
                                                               {"detail", error.detail}});
                    respond(error_response(error));
                });
        },
        respond);
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
