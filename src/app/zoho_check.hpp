#pragma once
// `deskbridge zoho check`: tries the configured Zoho Desk credentials the way the service uses
// them (the production token provider and HTTP client) and says what is wrong in words an
// operator can act on: wrong data centre, wrong org id, missing scope, revoked refresh token.
//
// Steps: renew an access token; list the organisations the token reaches
// (GET /api/v1/organizations) and find the configured org id among them; read one ticket when an
// id is given. Every call is made once, without the service's retries, so the report shows
// Zoho's first answer. Prints the data centre, the credits Zoho reports as remaining and the
// concurrency cap in force. Never prints a secret, a token or a refresh token.

#include <iosfwd>
#include <string>

#include "zoho/config.hpp"

namespace deskbridge::app {

// The Zoho data centre a URL belongs to ("com", "eu", "com.au", "zohocloud.ca", ...) from its
// host (accounts.<domain> or desk.<domain>); empty for a host that is not Zoho's.
std::string zoho_data_centre_of(const std::string& url);

// Runs the check and prints the report on `out`. Returns the exit code: 0 when every check
// passed, 1 when one failed, 2 when the configuration is incomplete or invalid.
int zoho_check(zoho::ZohoConfig config, const std::string& ticket_id, std::ostream& out);

}  // namespace deskbridge::app
