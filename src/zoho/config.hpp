#pragma once
// Zoho Desk settings: data centre, credentials, custom-field names and call limits.

#include <chrono>
#include <cstddef>
#include <string>

#include "core/result.hpp"

namespace deskbridge::zoho {

struct ZohoConfig {
    std::string dc = "com";    // com, eu, in, com.au, jp, zohocloud.ca, com.cn, sa
    std::string desk_url;      // overrides the data centre's Desk host (scheme://host[:port])
    std::string accounts_url;  // overrides the data centre's Accounts host
    std::string client_id;
    std::string client_secret;
    std::string refresh_token;
    std::string org_id;
    std::string cf_order_number = "cf_numero_do_pedido";
    std::string cf_invoice_number = "cf_numero_da_nota_fiscal";

    // One deadline per incoming request that no retry may overrun.
    std::chrono::milliseconds deadline{8000};
    // Zoho limits concurrent calls per organisation (5 to 25 by edition) and answers 429 past it.
    std::size_t max_in_flight = 10;
    std::chrono::milliseconds connect_timeout{3000};
    // Renew the access token this long before Zoho says it expires.
    std::chrono::seconds renew_margin{300};
    // Page size for thread and attachment lists: 50 is accepted by every endpoint we list.
    int page_size = 50;
    bool verify_tls = true;
    // A cached conversation younger than this is served without asking Zoho (0: always ask).
    std::chrono::seconds cache_max_age{60};
    // The secret last segment of the webhook URL; empty disables the webhook receiver.
    std::string webhook_secret;

    // All four credentials present.
    bool configured() const {
        return !client_id.empty() && !client_secret.empty() && !refresh_token.empty() &&
               !org_id.empty();
    }
    // Desk and Accounts base URLs from `dc` unless overridden; kInvalidArgument for an unknown
    // data centre.
    core::Status resolve_hosts();
};

}  // namespace deskbridge::zoho
