#pragma once
// `deskbridge demo`: a throwaway SQLite database with demo data, a generated secret, and the
// server, printing curl commands that try it.

#include <string>

namespace deskbridge::app {

struct DemoOptions {
    std::string listen;
    // The Zoho Desk simulator and its fixture; without them the demo runs without Zoho.
    std::string zoho_sim;
    std::string zoho_fixture;
};

int demo_command(const DemoOptions& options);

}  // namespace deskbridge::app
