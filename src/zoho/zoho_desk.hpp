#pragma once
// Everything the service needs to talk to one Zoho Desk organisation, built from ZohoConfig:
// the async HTTP client, the shared access token, and the conversation fetcher.
// `tokens`, when given, shares the access token with other instances and must outlive this.

#include <memory>

#include "zoho/config.hpp"
#include "zoho/conversation_fetcher.hpp"
#include "zoho/desk_client.hpp"
#include "zoho/http_client.hpp"
#include "zoho/token_provider.hpp"

namespace deskbridge::zoho {

class ZohoDesk {
  public:
    // `config` must be configured() with hosts resolved.
    explicit ZohoDesk(ZohoConfig config, TokenStore* tokens = nullptr)
        : config_(std::move(config)),
          http_(HttpClientOptions{config_.max_in_flight, config_.connect_timeout,
                                  config_.verify_tls}),
          tokens_(http_, config_, tokens),
          desk_(http_, tokens_, config_),
          fetcher_(desk_, config_) {}

    const ZohoConfig& config() const { return config_; }
    const ConversationFetcher& fetcher() const { return fetcher_; }
    TokenProvider& tokens() { return tokens_; }
    const DeskClient& desk() const { return desk_; }

  private:
    ZohoConfig config_;
    HttpClient http_;
    TokenProvider tokens_;
    DeskClient desk_;
    ConversationFetcher fetcher_;
};

}  // namespace deskbridge::zoho
