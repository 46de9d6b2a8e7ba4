#pragma once
// The HTTP API: routes, the order of the contract's checks, access logs and request ids.
//
// Handlers are thin: they parse on the I/O thread, then run the blocking part (auth, database)
// on the WorkPool and answer through the Responder. Thread-safe.

#include <boost/json/object.hpp>
#include <memory>
#include <optional>

#include "api/readiness.hpp"
#include "auth/authenticator.hpp"
#include "auth/link_signer.hpp"
#include "auth/login_throttle.hpp"
#include "core/config.hpp"
#include "core/work_pool.hpp"
#include "http/message.hpp"
#include "tickets/attachment_download.hpp"
#include "tickets/service.hpp"

namespace deskbridge::api {

struct ApiDeps {
    const core::Limits& limits;
    core::WorkPool& pool;
    const auth::Authenticator& authenticator;
    const tickets::TicketService& tickets;
    tickets::ConversationSource* conversations;  // null without Zoho
    std::string webhook_secret;                  // empty: no webhook receiver
    auth::LoginThrottle& login_throttle;
    std::string trusted_proxy;  // peer whose X-Forwarded-For names the client; empty: none
    const Readiness* readiness = nullptr;           // null: /readyz answers like /healthz
    std::string metrics_token;                      // empty: /metrics needs no bearer token
    const auth::LinkSigner* link_signer = nullptr;  // null: download links refused
    const tickets::AttachmentService* attachments = nullptr;
};

class Api {
  public:
    explicit Api(ApiDeps deps) : deps_(deps) {}

    void handle(http::Request&& request, http::Responder respond) const;

  private:
    void login(const http::Request& request,
               const std::string& request_id,
               http::Responder respond) const;
    void ticket_details(const http::Request& request,
                        const std::string& request_id,
                        http::Responder respond) const;
    // Defined in attachment_route.cpp.
    void attachment_download(const http::Request& request,
                             const std::string& request_id,
                             http::Responder respond) const;
    void zoho_webhook(const http::Request& request,
                      const std::string& request_id,
                      http::Responder respond) const;
    void ready(http::Responder respond) const;
    void metrics(const http::Request& request, http::Responder respond) const;
    // The JSON object body of an endpoint that takes no URL parameters; otherwise answers the
    // contract's 400 and returns nothing.
    // True when answered (from memory, or with an error the checks found without blocking).
    bool details_from_memory(const std::string& token,
                             const boost::json::object& body,
                             const std::string& validators,
                             const std::string& request_id,
                             const http::Responder& respond) const;
    std::optional<boost::json::object> json_body(const http::Request& request,
                                                 const http::Responder& respond) const;
    // Runs `job` on the WorkPool, or answers 503 when its queue is full.
    void offload(std::function<void()> job, const http::Responder& respond) const;

    ApiDeps deps_;
};

}  // namespace deskbridge::api
