#pragma once
// Assembling and running the service: store, auth, tickets, API and HTTP server.

#include <functional>
#include <string>

#include "core/config.hpp"
#include "core/result.hpp"
#include "zoho/config.hpp"

namespace deskbridge::app {

struct ServeOptions {
    core::ServerConfig server;
    std::string secret;     // the token signing key, already loaded
    zoho::ZohoConfig zoho;  // credentials already loaded; unconfigured means no Zoho calls
    // Called once the port is bound, before serving (the demo prints its instructions here).
    std::function<void(unsigned short port)> on_listening;
};

// Runs migrations, then serves until SIGTERM/SIGINT. Returns the process exit code.
int serve(const ServeOptions& options);

// The token secret from DESKBRIDGE_SECRET or the secret file; an error message when neither
// gives one.
core::Result<std::string> load_secret(const std::string& secret_file);

}  // namespace deskbridge::app
