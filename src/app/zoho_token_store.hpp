#pragma once
// The glue that keeps the Zoho access token in the database: zoho::TokenStore over the
// store's zoho_tokens row of one OAuth client. Blocking and thread-safe, like the store.

#include <string>

#include "store/store.hpp"
#include "zoho/token_store.hpp"

namespace deskbridge::app {

class DatabaseTokenStore final : public zoho::TokenStore {
  public:
    // `store` must outlive this.
    DatabaseTokenStore(store::Store& store, std::string client_id)
        : store_(store), client_id_(std::move(client_id)) {}

    core::Result<std::optional<zoho::SharedToken>> read() override;
    core::Result<zoho::SharedToken> renew(
        const std::function<bool(const zoho::SharedToken&)>& keep,
        const std::function<core::Result<zoho::SharedToken>()>& grant) override;

  private:
    store::Store& store_;
    const std::string client_id_;
};

}  // namespace deskbridge::app
