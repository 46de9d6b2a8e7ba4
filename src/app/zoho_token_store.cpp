#include "app/zoho_token_store.hpp"

namespace deskbridge::app {
namespace {

zoho::SharedToken to_shared(const store::ZohoToken& t) {
    return {t.access_token, t.renew_at, t.expires_at, t.generation};
}

store::ZohoToken to_row(const zoho::SharedToken& t) {
    return {t.access_token, t.renew_at, t.expires_at, t.generation};
}

}  // namespace

core::Result<std::optional<zoho::SharedToken>> DatabaseTokenStore::read() {
    auto row = store_.load_zoho_token(client_id_);
    if (!row) {
        return std::move(row).error();
    }
    if (!*row) {
        return std::optional<zoho::SharedToken>{};
    }
    return std::optional(to_shared(**row));
}

core::Result<zoho::SharedToken> DatabaseTokenStore::renew(
    const std::function<bool(const zoho::SharedToken&)>& keep,
    const std::function<core::Result<zoho::SharedToken>()>& grant) {
    auto row = store_.renew_zoho_token(
        client_id_, [&keep](const store::ZohoToken& t) { return keep(to_shared(t)); },
        [&grant]() -> core::Result<store::ZohoToken> {
            auto fresh = grant();
            if (!fresh) {
                return std::move(fresh).error();
            }
            return to_row(*fresh);
        });
    if (!row) {
        return std::move(row).error();
    }
    return to_shared(*row);
}

}  // namespace deskbridge::app
