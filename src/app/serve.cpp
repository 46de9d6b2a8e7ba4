#include "app/serve.hpp"

#include <cstdlib>
#include <iostream>
#include <thread>

#include "api/api.hpp"
#include "app/zoho_token_store.hpp"
#include "auth/authenticator.hpp"
#include "core/log.hpp"
#include "core/secret_file.hpp"
#include "core/time.hpp"
#include "core/work_pool.hpp"
#include "http/server.hpp"
#include "store/store.hpp"
#include "tickets/attachment_download.hpp"
#include "tickets/service.hpp"
#include "zoho/zoho_desk.hpp"

namespace deskbridge::app {

core::Result<std::string> load_secret(const std::string& secret_file) {
    if (!secret_file.empty()) {
        return core::read_secret_file(secret_file);
    }
    if (const char* env = std::getenv("DESKBRIDGE_SECRET"); env != nullptr && *env != '\0') {
        return std::string(env);
    }
    return core::Error::invalid(
        "no token secret: set DESKBRIDGE_SECRET (at least 32 bytes) or --secret-file / "
        "DESKBRIDGE_SECRET_FILE (a file only its owner can read)");
}

int serve(const ServeOptions& options) {
    const core::ServerConfig& config = options.server;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const unsigned workers = config.db_workers != 0 ? config.db_workers : 2 * cores;

    auto zone = core::TimeZone::locate(config.display_time_zone);
    auto signer = auth::TokenSigner::create(options.secret);
    auto store = store::open_store(config.db_url, store::StoreOptions{workers});
    for (const core::Error* e : {zone ? nullptr : &zone.error(), signer ? nullptr : &signer.error(),
                                 store ? nullptr : &store.error()}) {
        if (e != nullptr) {
            std::cerr << "deskbridge: " << e->message << (e->detail.empty() ? "" : ": ")
                      << e->detail << "\n";
            return 2;
        }
    }
    if (auto st = (*store)->migrate(); !st) {
        std::cerr << "deskbridge: migration failed: " << st.error().message << " "
                  << st.error().detail << "\n";
        return 2;
    }

    DatabaseTokenStore shared_token(**store, options.zoho.client_id);
    std::unique_ptr<zoho::ZohoDesk> zoho;
    if (options.zoho.configured()) {
        zoho::ZohoConfig zc = options.zoho;
        if (auto st = zc.resolve_hosts(); !st) {
            std::cerr << "deskbridge: " << st.error().message << "\n";
            return 2;
        }
        zoho = std::make_unique<zoho::ZohoDesk>(std::move(zc), &shared_token);
        core::log::info("zoho_configured", {{"desk_url", zoho->config().desk_url},
                                            {"max_in_flight", zoho->config().max_in_flight}});
    } else {
        core::log::warn("zoho_not_configured", {{"effect", "threads and attachments stay empty"}});
    }

    auto pool = std::make_unique<core::WorkPool>(workers, config.limits.max_queued_jobs);
    std::unique_ptr<tickets::ConversationSource> conversations;
    if (zoho) {
        conversations = std::make_unique<tickets::ConversationSource>(
            **store, *pool, *zoho, *zone,
            tickets::ConversationSourceOptions{zoho->config().cache_max_age});
    }
    const auth::Authenticator authenticator(**store, *signer, config.token_ttl);
    // Download links are signed with a key derived from the same secret as tokens.
    auto link_signer = auth::LinkSigner::create(options.secret);
    if (!link_signer) {
        std::cerr << "deskbridge: " << link_signer.error().message << "\n";
        return 2;
    }
    std::string link_base;
    if (!config.public_url.empty()) {
        auto base = tickets::public_base_url(config.public_url);
        if (!base) {
            std::cerr << "deskbridge: " << base.error().message << "\n";
            return 2;
        }
        link_base = std::move(*base);
    }
    const tickets::AttachmentLinks links(*link_signer, config.limits.attachment_link_ttl,
                                         link_base);
    const tickets::TicketService tickets(**store, *zone, conversations.get(),
                                         options.zoho.cf_order_number,
                                         options.zoho.cf_invoice_number, &links);
    const tickets::AttachmentService attachments(**store, conversations.get(), zoho.get(),
                                                 config.limits);
    auth::LoginThrottle login_throttle(config.limits);
    const api::Readiness readiness(**store, zoho ? &zoho->tokens() : nullptr);
    const char* metrics_token = std::getenv("DESKBRIDGE_METRICS_TOKEN");
    api::ApiDeps deps{config.limits,       *pool,
                      authenticator,       tickets,
                      conversations.get(), options.zoho.webhook_secret,
                      login_throttle,      config.trusted_proxy,
                      &readiness,          metrics_token != nullptr ? metrics_token : ""};
    deps.link_signer = &*link_signer;
    deps.attachments = &attachments;
    const api::Api api(deps);

    http::Server server(config, [&api](http::Request&& req, http::Responder respond) {
        api.handle(std::move(req), std::move(respond));
    });
    if (auto st = server.bind(); !st) {
        std::cerr << "deskbridge: " << st.error().message << "\n";
        return 2;
    }
    core::log::info("listening", {{"address", config.listen},
                                  {"port", server.port()},
                                  {"db_workers", workers},
                                  {"time_zone", zone->name()}});
    if (options.on_listening) {
        options.on_listening(server.port());
    }

    server.run();
    // Pool jobs start Zoho calls and Zoho callbacks submit pool jobs, and both answer into the
    // server: drain the pool (it then refuses work), stop Zoho (its pending calls fail into the
    // refusing pool), and only then free the pool and the server.
    pool->shutdown();
    zoho.reset();
    pool.reset();
    return 0;
}

}  // namespace deskbridge::app
